"""Fluent Bit's multiline core (src/multiline/, v4.2.2), for the preview's ``multiline`` filter.

The filter feeds each record to :class:`MultilineEngine`, which keeps
Fluent Bit's state per stream: the parser instances in ``multiline.parser``
order, their stream groups (one per ``key_group`` value), each group's
buffer, first-line record and rule state. What it returns is what
``flb_ml_flush_stream_group`` would hand to the filter's flush callback.

Sources, function by function:

- Parsers: the built-ins ``docker``, ``cri``, ``java``, ``go``, ``ruby`` and
  ``python`` (src/multiline/flb_ml_parser_*.c), registered before any
  ``[MULTILINE_PARSER]`` (src/flb_parser.c
  ``flb_parser_load_multiline_parser_definitions``), looked up by name
  without regard to case, first registered first (``flb_ml_parser_get``).
- ``flb_ml_append_object`` (src/multiline/flb_ml.c): the parser that took the
  stream's last record is tried first, then the others in order; a record no
  parser takes flushes every pending group of the stream, then passes on
  alone, unchanged.
- ``ml_append_try_parser``/``process_append``: with a ``parser`` (docker,
  cri) the content key is parsed first and the *parsed* map is what gets
  joined; the content is the first key named ``key_content`` holding a
  string.
- ``package_content``: ``regex`` parsers run the rules; ``endswith`` and
  ``equal`` append the content and flush when it ends with / equals
  ``match_string`` (``negate`` inverts; ``key_pattern`` is tested instead of
  the content when set).
- ``flb_ml_rule_process`` (src/multiline/flb_ml_rule.c): in a group, the
  rules reachable from the last rule's ``to_state`` (start states skipped)
  continue it, joined with ``\\n``; otherwise a start-state rule starts a new
  group (flushing the old one); after a match the group is flushed when its
  next state can only be a start state (``try_flushing_buffer``).
- ``flb_ml_flush_stream_group``: the first line's record with every
  ``key_content`` key set to the joined text.
- ``flb_ml_group_cat``: a group's text stops at the ``multiline_buffer_limit``
  (2 MiB by default), and a truncated group is flushed at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from firelens_cdktf.errors import FluentBitSyntaxError
from firelens_cdktf.fluentbit.config import Entry, ParserDefinition, Section
from firelens_cdktf.fluentbit.onigmo import InvalidRegex, OnigmoRegex, UnsupportedRegex, compile_onigmo
from firelens_cdktf.fluentbit.parsers import Parser, compile_parser
from firelens_cdktf.fluentbit.record_accessor import Pairs
from firelens_cdktf.fluentbit.split import flb_utils_bool, slist_split_string, slist_split_tokens
from firelens_cdktf.fluentbit.unknown import NotSimulated

REGEX, ENDSWITH, EQUAL = "regex", "endswith", "equal"
#: FLB_ML_BUFFER_LIMIT_DEFAULT (include/fluent-bit/multiline/flb_ml.h): 2 MiB.
BUFFER_LIMIT = 2 * 1024 * 1024
#: FLB_ML_FLUSH_TIMEOUT: a parser's default flush timeout.
FLUSH_TIMEOUT_MS = 4000
BUILTIN_NAMES = ("docker", "cri", "java", "go", "ruby", "python")


@dataclass
class Rule:
    """One ``rule "FROM_STATES" "/REGEX/" "TO_STATE"``."""

    from_states: tuple[str, ...]
    regex: OnigmoRegex
    to_state: str | None
    start_state: bool
    next_rules: tuple[Rule, ...] = ()


@dataclass
class MultilineParser:
    """A multiline parser: a built-in or a ``[MULTILINE_PARSER]``."""

    name: str
    type: str
    match_string: str | None = None
    negate: bool = False
    key_content: str | None = None
    key_group: str | None = None
    key_pattern: str | None = None
    parser: Parser | None = None
    rules: tuple[Rule, ...] = ()
    flush_ms: int = FLUSH_TIMEOUT_MS


def _rules(specs: Sequence[tuple[str, str, str | None]], where: str) -> tuple[Rule, ...]:
    """``flb_ml_rule_create`` for each rule, then ``flb_ml_rule_init`` (the to-state map).

    Raises:
        FluentBitSyntaxError: Fluent Bit refuses the rules.
        NotSimulated: a rule's regex uses syntax the preview does not model.
    """
    rules: list[Rule] = []
    for from_text, pattern, to_state in specs:
        states = tuple(slist_split_string(from_text, ","))
        if not states:
            raise FluentBitSyntaxError(
                where,
                f"rule {from_text!r} has no from-state; Fluent Bit refuses to start",
                'write rule "start_state" "/REGEX/" "next_state"',
            )
        start = "start_state" in states
        if not start and not rules:
            raise FluentBitSyntaxError(
                where,
                "the first rule is not a start_state rule; Fluent Bit refuses to start",
                'begin with rule "start_state" "/REGEX/" "next_state"',
            )
        try:
            regex = compile_onigmo(pattern)
        except InvalidRegex as exc:
            raise FluentBitSyntaxError(
                where, f"rule regex {pattern!r} does not compile ({exc})", "fix the regular expression"
            ) from None
        except UnsupportedRegex as exc:
            raise NotSimulated(
                f"{where}: rule regex {pattern!r} uses {exc}, which the preview does not model"
            ) from None
        rules.append(Rule(states, regex, to_state, start))
    known = {state for rule in rules for state in rule.from_states}
    for rule in rules:
        if rule.to_state is None:
            continue
        if rule.to_state not in known:
            raise FluentBitSyntaxError(
                where,
                f"to_state {rule.to_state!r} is not the from-state of any rule; Fluent Bit refuses to start",
                "name a state that a later rule starts from",
            )
        rule.next_rules = tuple(r for r in rules if rule.to_state in r.from_states)
    return tuple(rules)


@lru_cache(maxsize=1)
def _builtins() -> tuple[MultilineParser, ...]:
    """src/multiline/flb_ml_parser_{docker,cri,java,go,ruby,python}.c, in registration order."""

    def parser(name: str, fmt: str, **settings: str) -> Parser:
        entries = tuple(Entry(k, v) for k, v in {"Name": name, "Format": fmt, **settings}.items())
        return compile_parser(ParserDefinition(name, fmt, Section("PARSER", entries, source="built-in")))

    docker = parser(
        "_ml_json_docker",
        "json",
        Time_Format="%Y-%m-%dT%H:%M:%S.%L",
        Time_Key="time",
        Time_Keep="on",
        Time_Strict="off",
    )
    cri = parser(
        "_ml_cri",
        "regex",
        Regex=r"^(?<time>.+?) (?<stream>stdout|stderr) (?<_p>F|P) (?<log>.*)$",
        Skip_Empty_Values="off",
        Time_Format="%Y-%m-%dT%H:%M:%S.%L%z",
        Time_Key="time",
        Time_Keep="on",
        Time_Strict="off",
    )
    java = [
        (
            "start_state, java_start_exception",
            r"/(.)(?:Exception|Error|Throwable|V8 errors stack trace)[:\r\n]/",
            "java_after_exception",
        ),
        ("java_after_exception", r"/^[\t ]*nested exception is:[\t ]*/", "java_start_exception"),
        ("java_after_exception", r"/^[\r\n]*$/", "java_after_exception"),
        ("java_after_exception, java", r"/^[\t ]+(?:eval )?at /", "java"),
        ("java_after_exception, java", r"/^[\t ]+--- End of inner exception stack trace ---$/", "java"),
        (
            "java_after_exception, java",
            r"/^--- End of stack trace from previous (?x:)location where exception was thrown ---$/",
            "java",
        ),
        ("java_after_exception, java", r"/^[\t ]*(?:Caused by|Suppressed):/", "java_after_exception"),
        ("java_after_exception, java", r"/^[\t ]*... \d+ (?:more|common frames omitted)/", "java"),
    ]
    go = [
        ("start_state", r"/\bpanic: /", "go_after_panic"),
        ("start_state", r"/http: panic serving/", "go_goroutine"),
        ("go_after_panic", r"/^$/", "go_goroutine"),
        ("go_after_panic, go_after_signal, go_frame_1", r"/^$/", "go_goroutine"),
        ("go_after_panic", r"/^\[signal /", "go_after_signal"),
        ("go_goroutine", r"/^goroutine \d+ \[[^\]]+\]:$/", "go_frame_1"),
        ("go_frame_1", r"/^(?:[^\s.:]+\.)*[^\s.():]+\(|^created by /", "go_frame_2"),
        ("go_frame_2", r"/^\s/", "go_frame_1"),
    ]
    ruby = [
        ("start_state, ruby_start_exception", r"/^.+:\d+:in\s+.*/", "ruby_after_exception"),
        ("ruby_after_exception, ruby", r"/^\s+from\s+.*:\d+:in\s+.*/", "ruby"),
    ]
    python = [
        ("start_state", r"/^Traceback \(most recent call last\):$/", "python"),
        ("python", r"/^[\t ]+File /", "python_code"),
        ("python_code", r"/[^\t ]/", "python"),
        ("python", r"/^(?:[^\s.():]+\.)*[^\s.():]+:/", "start_state"),
    ]
    return (
        MultilineParser("docker", ENDSWITH, "\n", key_content="log", key_group="stream", parser=docker),
        MultilineParser("cri", EQUAL, "F", key_content="log", key_group="stream", key_pattern="_p", parser=cri),
        MultilineParser("java", REGEX, rules=_rules(java, "built-in multiline parser 'java'")),
        MultilineParser("go", REGEX, rules=_rules(go, "built-in multiline parser 'go'")),
        MultilineParser("ruby", REGEX, rules=_rules(ruby, "built-in multiline parser 'ruby'")),
        MultilineParser("python", REGEX, rules=_rules(python, "built-in multiline parser 'python'")),
    )


def load_multiline_parsers(
    sections: Mapping[str, Section] | list[Section], parsers: Mapping[str, Parser]
) -> list[MultilineParser]:
    """The built-ins, then each ``[MULTILINE_PARSER]`` in order, as Fluent Bit registers them.

    Raises:
        FluentBitSyntaxError: a definition Fluent Bit refuses (no name or type,
            an unknown type, bad rules, a parser that is not defined).
    """
    registry = list(_builtins())
    carried: Parser | None = None  # parser_ctx is not reset between sections in the C loop
    for section in sections.values() if isinstance(sections, Mapping) else sections:
        where = section.describe()
        name = section.get("Name") or None
        kind = (section.get("Type") or "").lower()
        if not name:
            raise FluentBitSyntaxError(where, "[MULTILINE_PARSER] has no Name", "add 'Name <parser name>'")
        kinds = {"regex": REGEX, "endswith": ENDSWITH, "equal": EQUAL, "eq": EQUAL}
        if kind not in kinds:
            raise FluentBitSyntaxError(
                where,
                f"Type {section.get('Type')!r} is not a multiline type; Fluent Bit refuses to start",
                "use regex, endswith or equal",
            )
        parser_name = section.get("Parser") or None
        if parser_name is not None:
            if parser_name not in parsers:
                raise FluentBitSyntaxError(
                    where,
                    f"Parser {parser_name!r} is not defined; Fluent Bit refuses to start",
                    "define it in a [PARSER] of a Parsers_File",
                )
            carried = parsers[parser_name]
        flush = section.get("Flush_Timeout")
        specs: list[tuple[str, str, str | None]] = []
        if kinds[kind] == REGEX:
            for value in section.get_all("Rule"):
                parts = slist_split_tokens(value, 3)
                if len(parts) < 2:
                    raise FluentBitSyntaxError(
                        where,
                        f"rule {value!r} needs a from-state and a regex",
                        'write rule "start_state" "/REGEX/" "next_state"',
                    )
                specs.append((parts[0], parts[1], parts[2] if len(parts) > 2 else None))
        registry.append(
            MultilineParser(
                name,
                kinds[kind],
                section.get("Match_String") or None,
                flb_utils_bool(section.get("Negate") or "false") == 1,
                section.get("Key_Content") or None,
                section.get("Key_Group") or None,
                section.get("Key_Pattern") or None,
                carried,
                _rules(specs, where) if kinds[kind] == REGEX else (),
                int(flush) if flush and flush.lstrip("-").isdigit() and int(flush) > 0 else FLUSH_TIMEOUT_MS,
            )
        )
    return registry


def find_parser(registry: list[MultilineParser], name: str) -> MultilineParser | None:
    """``flb_ml_parser_get``: the first parser of that name, case-insensitively."""
    lowered = name.lower()
    return next((p for p in registry if p.name.lower() == lowered), None)


# --- the engine ------------------------------------------------------------------------------


@dataclass
class _Group:
    """``struct flb_ml_stream_group``: one group's joined text and first-line record."""

    text: list[str] = field(default_factory=list)
    size: int = 0
    context: Pairs | None = None
    rule: Rule | None = None


@dataclass
class _Instance:
    """``struct flb_ml_parser_ins``: a parser as one filter uses it (its own ``key_content``)."""

    parser: MultilineParser
    key_content: str | None
    streams: dict[object, dict[str, _Group]] = field(default_factory=dict)
    last_stream: object = None

    def groups(self, stream: object) -> dict[str, _Group]:
        found = self.streams.get(stream)
        if found is None:
            found = self.streams[stream] = {"_default": _Group()}
        return found


def _first_string(record: Pairs, key: str | None) -> str | None:
    """``get_key_id``: the first entry named ``key`` whose value is a string."""
    if key is None:
        return None
    for name, value in record:
        if name == key and isinstance(value, str):
            return value
    return None


class MultilineEngine:
    """One multiline filter's ``struct flb_ml``: feed records per stream, collect what flushes.

    Example:
        >>> engine = MultilineEngine([find_parser(load_multiline_parsers([], {}), "python")], "log")
        >>> engine.append("s", Pairs((("log", "Traceback (most recent call last):"),)))
        []
    """

    def __init__(
        self, parsers: list[MultilineParser], key_content: str | None, *, buffer_limit: int = BUFFER_LIMIT
    ) -> None:
        self._instances = [_Instance(p, key_content or p.key_content) for p in parsers]
        self._lru: _Instance | None = None
        self._limit = buffer_limit
        self._out: list[tuple[object, Pairs]] = []

    @property
    def pending(self) -> bool:
        """Whether any group holds text or a first line waiting to be flushed."""
        return any(
            g.size or g.context is not None for i in self._instances for s in i.streams.values() for g in s.values()
        )

    def pending_in(self, stream: object) -> bool:
        """Whether a group of ``stream`` holds text or a first line waiting to be flushed."""
        for instance in self._instances:
            for group in instance.streams.get(stream, {}).values():
                if group.size or group.context is not None:
                    return True
        return False

    def append(self, stream: object, record: Pairs) -> list[Pairs]:
        """``flb_ml_append_object``: the records flushed by appending ``record`` to ``stream``."""
        self._out = []
        processed = False
        lru = self._lru
        if lru is not None and lru.last_stream == stream:
            processed = self._try(lru, stream, record)
        if not processed:
            for instance in self._instances:
                if instance is lru and lru.last_stream == stream:
                    continue
                if self._try(instance, stream, record):
                    self._lru = instance
                    instance.last_stream = stream
                    processed = True
                    break
        if not processed:
            for instance in self._instances:
                for group in instance.groups(stream).values():
                    self._flush(instance, group)
            first = self._instances[0]
            group = first.groups(stream)["_default"]
            if group.context is None:
                group.context = record
            self._flush(first, group)
        return [record for _, record in self._out]

    def flush_all(self) -> list[tuple[object, Pairs]]:
        """What the flush timer emits for every pending group: ``(stream, record)`` in Fluent Bit's order."""
        self._out = []
        for instance in self._instances:
            for stream, groups in instance.streams.items():
                for group in groups.values():
                    self._flush(instance, group, stream)
        return self._out

    # -- one parser instance -------------------------------------------------------------------

    def _try(self, instance: _Instance, stream: object, record: Pairs) -> bool:
        parser = instance.parser
        full = record
        if parser.parser is not None:
            for name, value in record:
                if name == instance.key_content:
                    if not isinstance(value, str):
                        return False
                    parsed = parser.parser.parse(value, f"multiline parser {parser.name!r}")
                    if parsed is None:
                        return False
                    full = parsed
                    break
        content = _first_string(full, instance.key_content)
        if content is None:
            return False
        pattern = _first_string(full, parser.key_pattern)
        group_name = _first_string(full, parser.key_group)
        groups = instance.groups(stream)
        if parser.key_group is None or group_name is None:
            group = groups["_default"]
        else:
            group = groups.get(group_name) or groups.setdefault(group_name, _Group())
        if parser.type == REGEX:
            return self._rules(instance, group, full, content)
        tested = pattern if pattern is not None else content
        expected = parser.match_string or ""
        if parser.type == ENDSWITH:
            if len(expected.encode()) > len(tested.encode()):
                return False
            matched = tested.endswith(expected)
        else:
            matched = tested == expected
        if group.context is None:
            group.context = full
        group.text.append(content)
        group.size += len(content.encode("utf-8", "surrogatepass"))
        if matched != parser.negate:
            self._flush(instance, group, stream)
        return True

    def _rules(self, instance: _Instance, group: _Group, full: Pairs, content: str) -> bool:
        rule: Rule | None = None
        if group.rule is not None:
            for candidate in group.rule.next_rules:
                if candidate.start_state or candidate.regex.search(content) is None:
                    continue
                if group.size and not group.text[-1].endswith("\n"):
                    self._cat(group, "\n", limit=False)
                if not content:
                    self._cat(group, "\n", limit=False)
                elif not self._cat(group, content):
                    self._flush(instance, group)
                    group.rule = None
                    return True
                rule = candidate
                break
        if rule is None:
            rule = next((r for r in instance.parser.rules if r.start_state and r.regex.search(content)), None)
            if rule is not None:
                if group.size:
                    self._flush(instance, group)
                group.rule = rule
                if not self._cat(group, content):
                    return True
                if group.context is None:
                    group.context = full
        if rule is None:
            return False
        group.rule = rule
        if group.size and any(r.start_state for r in rule.next_rules):
            self._flush(instance, group)
        return True

    def _cat(self, group: _Group, text: str, *, limit: bool = True) -> bool:
        """``flb_ml_group_cat``; ``False`` when the group hit the buffer limit (truncated)."""
        data = text.encode("utf-8", "surrogatepass")
        if limit and self._limit > 0:
            if group.size >= self._limit:
                return False
            room = self._limit - group.size
            if len(data) > room:
                cut = data[:room]
                try:
                    text = cut.decode("utf-8")
                except UnicodeDecodeError:
                    raise NotSimulated(
                        "a multiline group was cut inside a character at the buffer limit, which is not simulated"
                    ) from None
                group.text.append(text)
                group.size += len(cut)
                return False
        group.text.append(text)
        group.size += len(data)
        return True

    def _flush(self, instance: _Instance, group: _Group, stream: object = None) -> None:
        """``flb_ml_flush_stream_group``."""
        text = "".join(group.text)
        key = instance.key_content
        if key is None and text and not text.endswith("\n"):
            text += "\n"
        record: Pairs | None = None
        if group.context is not None:
            record = _joined(group.context, key, text) if text else group.context
            group.context = None
        elif text:
            record = Pairs.trusted(((key or "log", text),))
        if record is not None:
            self._out.append((stream, record))
        group.text = []
        group.size = 0


def _joined(first: Pairs, key: str | None, text: str) -> Pairs:
    """The first line's record with the joined text, as the repack loop in ``flb_ml_flush_stream_group`` does.

    The loop reuses its length variable: after the first replacement it
    compares key names over the joined text's length, so a second key of the
    same name is only replaced when that length happens to fit.
    """
    if key is None:
        return first
    wanted = key.encode("utf-8")
    compare = len(wanted)
    out = []
    for name, value in first:
        raw = name.encode("utf-8", "surrogatepass")
        if len(raw) == compare and compare <= len(wanted) and raw == wanted[:compare]:
            out.append((name, text))
            compare = len(text.encode("utf-8", "surrogatepass"))
        else:
            out.append((name, value))
    return Pairs.trusted(tuple(out))
