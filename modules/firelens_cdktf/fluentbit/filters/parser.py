"""The ``parser`` filter: plugins/filter_parser/filter_parser.c, v4.2.2 (``cb_parser_filter``).

- ``Key_Name`` names the key to parse; ``Parser`` lines are tried in order
  and the first that accepts the value wins. Parsers that are not defined
  are skipped with an error in the log; with none left Fluent Bit refuses
  to start.
- A plain ``Key_Name``: *every* key of that name holding a string is parsed
  in turn; what decides is the *last* of them (its parsed map is the result,
  and if no parser accepts it the record is left as it was, whatever the
  earlier ones gave).
- A ``Key_Name`` starting with ``$`` is a record accessor: its value (a
  string) is parsed; the key itself is never removed.
- On success, the result is the parsed map, followed by:

  ================  ===============  ==============================================
  ``Reserve_Data``  ``Preserve_Key``  appended after the parsed keys
  ================  ===============  ==============================================
  off (default)     off (default)    nothing
  off               on               the parsed key itself (since 4.0: "Store only
                                     the key being preserved")
  on                off              every other key, in order
  on                on               every key, the parsed one included
  ================  ===============  ==============================================

  with a record-accessor ``Key_Name``, ``Reserve_Data`` on appends every key
  and ``Preserve_Key`` adds nothing.
- ``Unescape_Key`` is deprecated and does nothing.
"""

from __future__ import annotations

from collections.abc import Mapping

from firelens_cdktf.errors import FluentBitSyntaxError
from firelens_cdktf.fluentbit.config import Section
from firelens_cdktf.fluentbit.filters._base import WARNING, Run, Step
from firelens_cdktf.fluentbit.parsers import MapReader, Parser, parse_json_object
from firelens_cdktf.fluentbit.record_accessor import KeyPath, Pairs, Value, rule_key
from firelens_cdktf.fluentbit.records import remember_source, remember_written, written_as_is
from firelens_cdktf.fluentbit.split import flb_utils_bool

OPTIONS = ("key_name", "parser", "reserve_data", "preserve_key", "unescape_key")


def _bool(section: Section, key: str) -> bool:
    value = section.get(key)
    if value is None:
        return False
    parsed = flb_utils_bool(value)
    if parsed == -1:
        raise FluentBitSyntaxError(
            section.describe(),
            f"{key} {value!r} is not a boolean; Fluent Bit refuses to start",
            f"write {key} On or {key} Off",
        )
    return parsed == 1


class ParserStep(Step):
    """A ``parser`` filter."""

    __slots__ = (
        "key_name",
        "accessor",
        "uses_accessor",
        "parsers",
        "reserve",
        "preserve",
        "missing",
        "_named",
        "_notes",
        "_plain_json",
        "_simple",
        "_reader",
    )

    def __init__(self, section: Section, name: str, index: int, parsers: Mapping[str, Parser]) -> None:
        super().__init__(section, name, index)
        key_name = section.get("Key_Name")
        names = section.get_all("Parser")
        if not key_name:
            raise FluentBitSyntaxError(
                section.describe(), "a parser filter needs Key_Name; Fluent Bit refuses to start", "add 'Key_Name log'"
            )
        self.key_name = key_name
        self.accessor: KeyPath | None = None
        self.uses_accessor = key_name.startswith("$")
        if self.uses_accessor:
            try:
                self.accessor = rule_key(key_name)  # None for $TAG or $0: nothing is ever parsed
            except ValueError as exc:
                raise FluentBitSyntaxError(
                    section.describe(),
                    f"Key_Name {key_name!r} is not a record accessor ({exc}); Fluent Bit refuses to start",
                    "write $key or $key['sub']",
                ) from None
        self.parsers = [parsers[n] for n in names if n in parsers]
        self.missing = [n for n in names if n not in parsers]
        if not self.parsers:
            raise FluentBitSyntaxError(
                section.describe(),
                f"none of the parsers {list(names)} is defined (known: {sorted(parsers)}); Fluent Bit refuses to start",
                "name the parsers file in [SERVICE] Parsers_File and pass it with --parsers",
            )
        self.reserve = _bool(section, "Reserve_Data")
        self.preserve = _bool(section, "Preserve_Key")
        self._named = [(p, f"{self.label} parser {p.name!r}") for p in self.parsers]
        self._notes = [f"{where}: {p.decoder_note}" for p, where in self._named if p.decoder_note]
        # one json parser with nothing to apply after the JSON (the compiled config's): call the reader directly
        self._plain_json = self._named[0][1] if len(self.parsers) == 1 and self.parsers[0].plain_json else None
        self._reader = MapReader()
        self._simple = (
            self._plain_json is not None
            and not self.uses_accessor
            and not self.reserve
            and not self.preserve
            and not self._notes
        )

    def _read_map(self, value: str) -> Pairs | None:
        """A text of one map without arrays, ``{`` to ``}``, read straight through; ``None``: ask parse_json_object.

        A text that is not JSON makes parse_json_object return ``None`` too, so
        the caller's fallback gives the same answer, only later.
        """
        reader = self._reader
        try:
            parsed, end = reader.raw_decode(value)
        except (ValueError, RecursionError):
            return None
        if end != len(value) or type(parsed) is not Pairs:
            return None
        if reader.numbers_as_written and written_as_is(value):
            remember_written(parsed, value)
        else:
            remember_source(parsed, value)
        return parsed

    @property
    def replaces_record(self) -> bool:
        """Whether, having read a map, this filter returns that map alone, whatever else the record holds.

        True for one plain json parser on a plain ``Key_Name`` with nothing
        reserved or preserved (:meth:`read_last`'s condition).
        """
        return self._simple

    def read_last(self, record: Pairs) -> Pairs | None:
        """What :meth:`apply` returns when the record's *last* entry is ``Key_Name`` holding a map text read
        straight through (one map, no arrays); ``None`` otherwise, where :meth:`apply` must decide.

        Only when :attr:`replaces_record`: then the map is the result whatever comes before that entry, so a
        caller may read it before steps that only append other keys (see the simulator's parse-first path).
        """
        if not self._simple or not record:
            return None
        key, value = record[-1]
        if key != self.key_name or type(value) is not str:
            return None
        if value[-1:] == "}" and value[:1] == "{" and "[" not in value:
            return self._read_map(value)
        return None

    def _parse(self, value: str) -> Pairs | None:
        if self._plain_json is not None:
            # one plain json parser: the common case, a single map read straight through
            if value[-1:] == "}" and value[:1] == "{" and "[" not in value:
                parsed = self._read_map(value)
                if parsed is not None:
                    return parsed
            return parse_json_object(value, self._plain_json)
        for parser, where in self._named:
            parsed = parser.parse(value, where)
            if parsed is not None:
                return parsed
        return None

    def apply(self, tag: str, record: Pairs, run: Run, origin: int | None) -> Pairs | None:
        if self._simple:
            # one plain json parser, plain Key_Name, nothing reserved: only the last string-valued key counts
            key_name = self.key_name
            for entry in reversed(record):
                if entry[0] == key_name and type(entry[1]) is str:
                    value = entry[1]
                    if value[-1:] == "}" and value[:1] == "{" and "[" not in value:
                        decoded = self._read_map(value)
                        if decoded is not None:
                            return decoded
                    fallback = parse_json_object(value, self._plain_json)  # type: ignore[arg-type]
                    return record if fallback is None else fallback
            return record
        for note in self._notes:
            run.note(WARNING, note)
        if self.uses_accessor:
            resolved = self.accessor.resolve(record) if self.accessor is not None else None
            found = self._parse(resolved) if isinstance(resolved, str) else None
            if found is None:
                return record
            return Pairs.trusted((*found, *record)) if self.reserve else found
        key_name = self.key_name
        if not self.reserve and not self.preserve:
            # only the last string-valued key decides, and nothing else of the record is kept
            for entry in reversed(record):
                if entry[0] == key_name and type(entry[1]) is str:
                    only = self._parse(entry[1])
                    return record if only is None else only
            return record
        parsed: Pairs | None = None
        last_ok = False
        removed: list[int] = []
        preserved: tuple[str, Value] | None = None
        position = -1
        for entry in record:
            position += 1
            if entry[0] != key_name or type(entry[1]) is not str:
                continue
            result = self._parse(entry[1])
            last_ok = result is not None
            if result is not None:
                parsed = result
                removed.append(position)
                preserved = entry
        if parsed is None or not last_ok:
            return record
        if self.reserve:
            if self.preserve:
                return Pairs((*parsed, *record))
            return Pairs((*parsed, *(kv for i, kv in enumerate(record) if i not in removed)))
        if self.preserve and preserved is not None:
            return Pairs((*parsed, preserved))
        return parsed
