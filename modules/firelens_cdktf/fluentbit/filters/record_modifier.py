"""The ``record_modifier`` filter: plugins/filter_record_modifier/filter_modifier.c, v4.2.2.

- ``Record KEY VALUE`` (config map ``SLIST_2``, split by
  ``flb_slist_split_tokens``): a value with spaces must be quoted; a line
  that splits into three parts is skipped with an error in the log, one
  with a single part stops Fluent Bit. Records are *appended*, even when the
  key exists, after the kept keys.
- ``Remove_key`` / ``Allowlist_key`` (``Whitelist_key``): a trailing ``*``
  makes a prefix; names compare without regard to ASCII case
  (``make_bool_map``). Both kinds together stop Fluent Bit.
- ``Uuid_key``: a random UUID v4 appended last. Its value is random, so the
  preview draws it from a fixed seed: runs repeat, sizes are right.
- A record whose every key is removed, with nothing to append, is dropped
  (``removed_map_num <= 0``).
"""

from __future__ import annotations

import random
import uuid

from firelens_cdktf.errors import FluentBitSyntaxError
from firelens_cdktf.fluentbit.config import Section
from firelens_cdktf.fluentbit.filters._base import EXCLUDED, WARNING, Run, Step
from firelens_cdktf.fluentbit.records import Pairs, encode_json, remember_extension
from firelens_cdktf.fluentbit.split import slist_split_tokens
from firelens_cdktf.fluentbit.unknown import NotSimulated

OPTIONS = ("record", "remove_key", "allowlist_key", "whitelist_key", "uuid_key")
#: Seed of the UUIDs ``Uuid_key`` adds in previews.
UUID_SEED = 2024


def _patterns(values: tuple[str, ...]) -> list[tuple[bytes, bool]]:
    out = []
    for value in values:
        raw = value.encode("utf-8").lower()
        out.append((raw[:-1], True) if raw.endswith(b"*") else (raw, False))
    return out


def _selected(key: str, patterns: list[tuple[bytes, bool]]) -> bool:
    """``make_bool_map``'s test: ``strncasecmp`` over the pattern's length, exact unless dynamic."""
    raw = key.encode("utf-8", "surrogatepass").lower()
    for pattern, dynamic in patterns:
        if dynamic:
            if raw.startswith(pattern):
                return True
        elif raw == pattern:
            return True
    return False


class RecordModifierStep(Step):
    """A ``record_modifier`` filter (also FireLens's own ECS-metadata filter)."""

    __slots__ = (
        "appended",
        "removals",
        "allow",
        "uuid_key",
        "skipped",
        "_random",
        "_added",
        "_append_only",
        "_tail_json",
    )

    def __init__(self, section: Section, name: str, index: int) -> None:
        super().__init__(section, name, index)
        where = section.describe()
        self.appended: list[tuple[str, str]] = []
        self.skipped: list[str] = []
        for value in section.get_all("Record"):
            parts = slist_split_tokens(value, 2)
            if len(parts) < 2:
                raise FluentBitSyntaxError(
                    f"{where} Record {value!r}",
                    "has no value; Fluent Bit refuses to start",
                    "write 'Record KEY VALUE' (quote a value with spaces)",
                )
            if len(parts) != 2:
                self.skipped.append(value)
                continue
            self.appended.append((parts[0], parts[1]))
        self.removals = _patterns(section.get_all("Remove_key"))
        self.allow = _patterns((*section.get_all("Allowlist_key"), *section.get_all("Whitelist_key")))
        if self.removals and self.allow:
            raise FluentBitSyntaxError(
                where, "Remove_key and Allowlist_key are both set; Fluent Bit refuses to start", "keep one kind"
            )
        self.uuid_key = section.get("Uuid_key")
        self._random = random.Random(UUID_SEED)
        self._added = tuple(self.appended)
        # FireLens's own filter: only Record lines, so every record just gets them appended
        self._append_only = bool(self._added) and not (self.removals or self.allow or self.uuid_key or self.skipped)
        self._tail_json = encode_json(Pairs(self._added))[1:-1]

    @property
    def appends_only(self) -> tuple[str, ...] | None:
        """The keys this filter appends to every record, changing nothing else and noting nothing; ``None``
        when it does more (removes keys, adds a UUID, skips a Record line)."""
        return tuple(key for key, _ in self._added) if self._append_only else None

    def apply(self, tag: str, record: Pairs, run: Run, origin: int | None) -> Pairs | None:
        if self._append_only:
            appended = Pairs(record + self._added)
            remember_extension(appended, record, self._tail_json)
            return appended
        for value in self.skipped:
            run.note(
                WARNING,
                f"{self.label}: Record {value!r} splits into more than 'KEY VALUE', so Fluent Bit "
                "skips it (quote the value)",
            )
        if self.removals:
            kept = tuple((k, v) for k, v in record if not _selected(k, self.removals))
        elif self.allow:
            kept = tuple((k, v) for k, v in record if _selected(k, self.allow))
        else:
            kept = record
        added: tuple[tuple[str, str], ...] = tuple(self.appended)
        if self.uuid_key:
            added += ((self.uuid_key, str(uuid.UUID(int=self._random.getrandbits(128), version=4))),)
        if not kept and not added:
            if len(record) == 0:
                raise NotSimulated(
                    f"{self.label}: an empty record is dropped only when another record of its chunk "
                    "is changed, which depends on chunking: results after it are unknown"
                )
            run.stop(self, tag, EXCLUDED)
            return None
        if not added and len(kept) == len(record):
            return record
        return Pairs.trusted((*kept, *added))
