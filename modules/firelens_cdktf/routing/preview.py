"""Predict where each log record goes, by running a Fluent Bit config in Python.

The preview reads a *config file* (the compiled one, or a hand-written one
such as the article's), so it checks exactly what is deployed. It simulates
what Fluent Bit does with the config inside FireLens, following the Fluent
Bit sources (fluent/fluent-bit) named at each step:

- FireLens first runs its own filter on every record: ``record_modifier``,
  ``Match *``, adding ``ecs_cluster``, ``ecs_task_arn`` and
  ``ecs_task_definition`` (aws/amazon-ecs-agent
  agent/taskresource/firelens/firelensconfig_unix.go ``AddFieldToRecord`` with
  the ``*`` wildcard; the generated file includes ``extra.conf`` after it).
  ``record_modifier`` appends without checking, so a record passing twice
  holds those keys twice (plugins/filter_record_modifier/filter_modifier.c).
- Filters run in file order, each only for tags its ``Match`` fits
  (src/flb_filter.c ``flb_filter_do``); ``Active false`` skips one.
- ``parser``: the first key named ``Key_Name`` holding a string is parsed
  with each ``Parser`` in turn; on success, with ``Reserve_Data`` off (the
  default) the record becomes the parsed keys only; ``Preserve_Key`` only
  matters with ``Reserve_Data`` on; a value no parser accepts leaves the
  record unchanged (plugins/filter_parser/filter_parser.c). The ``json``
  format accepts exactly one JSON object (src/flb_parser_json.c);
  ``Decode_Field_As json KEY`` turns an escaped JSON string in KEY into a map
  (src/flb_parser_decoder.c).
- ``rewrite_tag``: rules in order, the first match wins; a rule tests the
  KEY's value with its regex (strings only, see
  :mod:`firelens_cdktf.routing.record_accessor`), builds NEW_TAG, and emits a copy of the
  record as it is at that filter. The copy enters the pipeline again from
  the *start*, FireLens's filter included (the emitter is an input plugin,
  plugins/filter_rewrite_tag/rewrite_tag.c ``in_emitter_add_record``). KEEP
  false drops the original.
- Every output whose ``Match`` fits the final tag gets its own copy
  (src/flb_router.c); outputs are named by Alias, else ``<plugin>.<N>``.

What the preview does not model is reported, never guessed: an unknown
filter plugin or option, an unmodelled regex feature, a parser format other
than JSON, time parsing, and re-emission loops all stop that record with a
note saying results after that point are unknown.
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from ..errors import FluentBitSyntaxError
from ._limits import FIRELENS_TAG_INFIX, TAG_ALLOWED_CHARACTERS
from ._plugins import MatchSpec, RewriteRule, RuleError, flb_bool, parse_rewrite_rule
from .config import Entry, FluentBitConfig, ParserDefinition, Section
from .record_accessor import Pairs, Value, decode_json, encode_json, freeze

#: Task id used to build FireLens tags and ECS metadata in previews.
PREVIEW_TASK_ID = "0123456789abcdef0123456789abcdef"
#: Largest number of times one input record may be re-emitted before the
#: preview calls it a loop (real Fluent Bit would go on forever).
MAX_REEMITS = 32

_COMMON_OPTIONS = {"name", "match", "match_regex", "alias", "log_level", "log_suppress_interval", "active"}
_FILTER_OPTIONS = {
    "parser": {"key_name", "parser", "reserve_data", "preserve_key", "unescape_key"},
    "rewrite_tag": {"rule", "emitter_name", "emitter_storage.type", "emitter_mem_buf_limit"},
    "record_modifier": {"record", "remove_key", "allowlist_key", "whitelist_key", "uuid_key"},
}
_PARSER_OPTIONS = {"name", "format", "decode_field_as", "decode_field", "time_key", "time_format", "time_keep", "types"}


@dataclass(frozen=True)
class FirelensContext:
    """The ECS values FireLens adds to every record, fixed for previews.

    FireLens adds them unless the task sets ``enable-ecs-log-metadata`` to
    ``false``; the values here are placeholders with the real shape.
    """

    cluster: str = "preview-cluster"
    task_id: str = PREVIEW_TASK_ID
    task_definition: str = "preview-task:1"
    region: str = "ap-northeast-1"
    account: str = "123456789012"

    @property
    def task_arn(self) -> str:
        """The task ARN FireLens writes into ``ecs_task_arn``."""
        return f"arn:aws:ecs:{self.region}:{self.account}:task/{self.cluster}/{self.task_id}"

    def tag(self, container: str) -> str:
        """The tag FireLens gives records of ``container``."""
        return f"{container}{FIRELENS_TAG_INFIX}{self.task_id}"

    def wrap(self, container: str, line: str) -> Pairs:
        """The record Docker's fluentd driver sends for one stdout line."""
        return Pairs(
            (
                ("container_id", self.task_id * 2),
                ("container_name", f"/ecs-{self.task_definition.replace(':', '-')}-{container}-{self.task_id[:8]}"),
                ("source", "stdout"),
                ("log", line),
            )
        )

    def metadata_filter(self) -> Section:
        """The ``record_modifier`` section FireLens generates before ``extra.conf``."""
        return Section(
            "FILTER",
            (
                Entry("Name", "record_modifier"),
                Entry("Match", "*"),
                Entry("Record", f"ecs_cluster {self.cluster}"),
                Entry("Record", f"ecs_task_arn {self.task_arn}"),
                Entry("Record", f"ecs_task_definition {self.task_definition}"),
            ),
            source="FireLens",
        )


@dataclass(frozen=True)
class Note:
    """Something the preview reports about a record.

    ``unknown`` notes mean results after that point are not predicted;
    ``warning`` notes flag a likely problem in an otherwise predicted result.
    """

    kind: str
    message: str


@dataclass(frozen=True)
class Delivery:
    """One copy an output receives."""

    output: str
    tag: str
    record: Pairs

    @property
    def size(self) -> int:
        """Bytes of the record as compact JSON (what the AWS outputs send)."""
        return len(encode_json(self.record).encode("utf-8", "surrogatepass"))

    def to_json(self) -> dict[str, object]:
        """``{"output", "tag", "record"}`` with the record as raw JSON text."""
        return {"output": self.output, "tag": self.tag, "record": _RawJson(encode_json(self.record))}


@dataclass(frozen=True)
class Dropped:
    """A record or copy that went through every filter but fits no output's Match."""

    tag: str
    record: Pairs

    def to_json(self) -> dict[str, object]:
        """``{"tag", "record"}`` with the record as raw JSON text."""
        return {"tag": self.tag, "record": _RawJson(encode_json(self.record))}


@dataclass(frozen=True)
class Outcome:
    """Where one input record ends up.

    ``dropped`` lists what reached the end of the pipeline without any
    output taking it (the article's ``logdata.*`` copies); records that a
    rewrite_tag moved away (KEEP false) are not dropped, their copy goes on.
    """

    tag: str
    record: Pairs
    deliveries: tuple[Delivery, ...]
    notes: tuple[Note, ...] = ()
    dropped: tuple[Dropped, ...] = ()

    @property
    def complete(self) -> bool:
        """Whether every path of the record was predicted."""
        return not any(note.kind == "unknown" for note in self.notes)

    def to_json_line(self) -> str:
        """One line: ``{"deliveries": [...]}``, plus ``"dropped"`` and ``"notes"`` when not empty."""
        body: dict[str, object] = {"deliveries": [d.to_json() for d in self.deliveries]}
        if self.dropped:
            body["dropped"] = [d.to_json() for d in self.dropped]
        if self.notes:
            body["notes"] = [f"{n.kind}: {n.message}" for n in self.notes]
        return _dumps(body)


class _RawJson(str):
    """JSON text to embed as-is (records may hold duplicate keys)."""


def _dumps(value: object) -> str:
    if isinstance(value, _RawJson):
        return str(value)
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(k, ensure_ascii=False)}:{_dumps(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(_dumps(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False)


class _Unknown(Exception):
    """A step the preview does not model; the message says which."""


#: What a filter step returns: the record going on (``None``: dropped), the
#: copies it re-emitted as ``(tag, record)``, and notes.
StepResult = tuple[Pairs | None, list[tuple[str, Pairs]], list[Note]]


@dataclass
class _Step:
    section: Section
    name: str
    match: MatchSpec
    apply: Callable[[str, Pairs], StepResult]


@dataclass
class _Output:
    name: str
    match: MatchSpec


@dataclass
class Simulator:
    """Runs records through a config as Fluent Bit inside FireLens would.

    Args:
        config: the parsed config (``extra.conf``).
        parsers: parser definitions from its ``Parsers_File`` files.
        firelens: the FireLens values; ``None`` simulates the config alone,
            without FireLens's metadata filter.

    Raises:
        FluentBitSyntaxError: the config would not start (bad rule, missing
            parser...), so there is nothing to predict.

    Example:
        >>> from firelens_cdktf.routing.config import parse_config
        >>> sim = Simulator(parse_config("[OUTPUT]\\n    Name null\\n    Match *\\n"), {})
        >>> [d.output for d in sim.run("a", Pairs()).deliveries]
        ['null.0']
    """

    config: FluentBitConfig
    parsers: Mapping[str, ParserDefinition]
    firelens: FirelensContext | None = field(default_factory=FirelensContext)
    _steps: list[_Step] = field(init=False, repr=False)
    _outputs: list[_Output] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._steps = []
        prelude = [self.firelens.metadata_filter()] if self.firelens else []
        for section in prelude:
            self._steps.append(self._step(section, "FireLens ecs-metadata (record_modifier)"))
        for section in self.config.filters:
            self._steps.append(self._step(section, self.config.filter_name(section)))
        self._outputs = []
        for section in self.config.outputs:
            self._outputs.append(_Output(self.config.output_name(section), self._match(section)))

    def _match(self, section: Section) -> MatchSpec:
        try:
            return MatchSpec.of(section)
        except RuleError as exc:
            raise FluentBitSyntaxError(section.describe(), str(exc), "fix the Match_Regex") from None

    def _step(self, section: Section, name: str) -> _Step:
        match = self._match(section)
        label = f"filter {section.plugin!r} ({name})"
        apply: Callable[[str, Pairs], StepResult]
        if flb_bool(section.get("Active")) is False:
            return _Step(section, name, MatchSpec(None, None, None, None), _passthrough)
        allowed = _COMMON_OPTIONS | _FILTER_OPTIONS.get(section.plugin, set())
        unknown_options = sorted({e.key for e in section.entries if e.key.lower() not in allowed})
        if section.plugin not in _FILTER_OPTIONS:
            apply = _unmodelled(f"{label} is not simulated: results after it are unknown")
        elif unknown_options:
            apply = _unmodelled(f"{label} option(s) {unknown_options} are not simulated: results after it are unknown")
        elif section.plugin == "rewrite_tag":
            apply = _rewrite_tag(section, label)
        elif section.plugin == "parser":
            apply = _parser_filter(section, label, self.parsers)
        else:
            apply = _record_modifier(section, label)
        return _Step(section, name, match, apply)

    def run(self, tag: str, record: Pairs) -> Outcome:
        """Predict every copy of ``record`` (arriving with ``tag``) that reaches an output."""
        deliveries: list[Delivery] = []
        dropped: list[Dropped] = []
        notes: list[Note] = []
        queue: deque[tuple[str, Pairs, tuple[tuple[int, str], ...]]] = deque([(tag, record, ())])
        while queue:
            current_tag, current, lineage = queue.popleft()
            alive = True
            for index, step in enumerate(self._steps):
                selected = step.match.matches(current_tag)
                if selected is None:
                    notes.append(
                        Note("unknown", f"{step.match.regex_note} (filter {step.name}): results after it are unknown")
                    )
                    alive = False
                    break
                if not selected:
                    continue
                try:
                    kept, emitted, step_notes = step.apply(current_tag, current)
                except _Unknown as exc:
                    notes.append(Note("unknown", str(exc)))
                    alive = False
                    break
                notes.extend(step_notes)
                for new_tag, copy in emitted:
                    hop = (index, new_tag)
                    if hop in lineage or len(lineage) >= MAX_REEMITS:
                        notes.append(
                            Note(
                                "unknown",
                                f"loop: {step.name} re-emits tag {new_tag!r} that comes back to it; real Fluent Bit "
                                "re-emits it forever (or stops, in releases with recursion_action): results for this "
                                "copy are unknown",
                            )
                        )
                        continue
                    queue.append((new_tag, copy, (*lineage, hop)))
                if kept is None:
                    alive = False
                    break
                current = kept
            if not alive:
                continue
            routed = False
            for output in self._outputs:
                selected = output.match.matches(current_tag)
                if selected is None:
                    routed = True  # not known to be dropped
                    notes.append(
                        Note(
                            "unknown",
                            f"{output.match.regex_note} (output {output.name}): whether it receives tag "
                            f"{current_tag!r} is unknown",
                        )
                    )
                elif selected:
                    routed = True
                    deliveries.append(Delivery(output.name, current_tag, current))
            if not routed:
                dropped.append(Dropped(current_tag, current))
        return Outcome(tag, record, tuple(deliveries), tuple(dict.fromkeys(notes)), tuple(dropped))


def _passthrough(tag: str, record: Pairs) -> StepResult:
    return record, [], []


def _unmodelled(message: str) -> Callable[[str, Pairs], StepResult]:
    def apply(tag: str, record: Pairs) -> StepResult:
        raise _Unknown(message)

    return apply


def _rewrite_tag(section: Section, label: str) -> Callable[[str, Pairs], StepResult]:
    rules: list[RewriteRule] = []
    for text in section.get_all("Rule"):
        try:
            rules.append(parse_rewrite_rule(text))
        except RuleError as exc:
            raise FluentBitSyntaxError(
                section.describe(), f"Rule {text!r} {exc}", "fix the rule; Fluent Bit refuses to start with it"
            ) from None

    def apply(tag: str, record: Pairs) -> StepResult:
        for rule in rules:
            subject = rule.key.regex_subject(record) if rule.key is not None else None
            if subject is None:
                continue
            if rule.regex is None:
                raise _Unknown(f"{label}: {rule.regex_note}: results after it are unknown")
            found = rule.regex.search(subject)
            if found is None:
                continue
            captures = [found.group(0), *found.groups()] if rule.regex.groups else None
            new_tag = rule.template.render(tag, record, captures)
            notes = []
            bad = "".join(dict.fromkeys(c for c in new_tag if c not in TAG_ALLOWED_CHARACTERS))
            if bad or not new_tag:
                notes.append(
                    Note(
                        "warning",
                        f"{label} made tag {new_tag!r}, which holds characters a tag may not contain ({bad!r})",
                    )
                )
            return (record if rule.keep else None), [(new_tag, record)], notes
        return record, [], []

    return apply


def _record_modifier(section: Section, label: str) -> Callable[[str, Pairs], StepResult]:
    if section.has("uuid_key"):
        return _unmodelled(
            f"{label} uuid_key adds a random value, which is not simulated: results after it are unknown"
        )
    appended: list[tuple[str, str]] = []
    for value in section.get_all("Record"):
        key, _, rest = value.partition(" ")
        if rest:  # flb_utils_split(value, ' ', 1): "KEY VALUE", else the entry is skipped
            appended.append((key, rest))
    removals = list(section.get_all("Remove_key"))
    allow = [*section.get_all("Allowlist_key"), *section.get_all("Whitelist_key")]

    def selected(key: str, patterns: Sequence[str]) -> bool:
        for pattern in patterns:
            if pattern.endswith("*"):
                if key.lower().startswith(pattern[:-1].lower()):
                    return True
            elif key.lower() == pattern.lower():
                return True
        return False

    def apply(tag: str, record: Pairs) -> StepResult:
        kept = list(record)
        if removals:
            kept = [(k, v) for k, v in kept if not selected(k, removals)]
        elif allow:
            kept = [(k, v) for k, v in kept if selected(k, allow)]
        return Pairs((*kept, *appended)), [], []

    return apply


def _parser_filter(
    section: Section, label: str, parsers: Mapping[str, ParserDefinition]
) -> Callable[[str, Pairs], StepResult]:
    key_name = section.get("Key_Name")
    names = section.get_all("Parser")
    if not key_name or not names:
        raise FluentBitSyntaxError(
            section.describe(), "a parser filter needs Key_Name and Parser", "add 'Key_Name log' and 'Parser json'"
        )
    chosen = [parsers[n] for n in names if n in parsers]
    if not chosen:
        raise FluentBitSyntaxError(
            section.describe(),
            f"none of the parsers {list(names)} is defined (known: {sorted(parsers)}); Fluent Bit refuses to start",
            "name the parsers file in [SERVICE] Parsers_File and pass it with --parsers",
        )
    reserve = flb_bool(section.get("Reserve_Data")) is True
    preserve = flb_bool(section.get("Preserve_Key")) is True

    def apply(tag: str, record: Pairs) -> StepResult:
        parsed: Pairs | None = None
        consumed: set[int] = set()
        for position, (key, value) in enumerate(record):
            if key != key_name or not isinstance(value, str):
                continue
            for parser in chosen:
                result = _run_parser(parser, value, label)
                if result is not None:
                    parsed = result
                    consumed.add(position)
                    break
            if parsed is not None and not reserve:
                break
        if parsed is None:
            return record, [], []
        if not reserve:
            return parsed, [], []
        rest = [kv for i, kv in enumerate(record) if preserve or i not in consumed]
        return Pairs((*parsed, *rest)), [], []

    return apply


def _run_parser(parser: ParserDefinition, text: str, label: str) -> Pairs | None:
    where = f"{label} parser {parser.name!r}"
    unknown = sorted({e.key for e in parser.section.entries if e.key.lower() not in _PARSER_OPTIONS})
    if parser.format != "json":
        raise _Unknown(f"{where}: format {parser.format!r} is not simulated: results after it are unknown")
    if unknown:
        raise _Unknown(f"{where}: option(s) {unknown} are not simulated: results after it are unknown")
    parsed = parse_json_object(text, where)
    if parsed is None:
        return None
    for rule, decoder, key, action in parser.decoders:
        if not any(k == key for k, _ in parsed):
            continue
        if rule != "decode_field_as" or decoder != "json" or action is not None:
            raise _Unknown(
                f"{where}: {rule} {decoder} {key} {action or ''} is not simulated: results after it are unknown"
            )
        parsed = Pairs(tuple((k, _decode_json_field(v, where) if k == key else v) for k, v in parsed))
    if parser.get("Time_Format") is not None:
        time_key = parser.get("Time_Key") or "time"
        if any(k == time_key for k, _ in parsed):
            raise _Unknown(
                f"{where}: reading the time from {time_key!r} is not simulated: results after it are unknown"
            )
    return parsed


def parse_json_object(text: str, where: str = "json parser") -> Pairs | None:
    """What the ``json`` parser makes of ``text``: a map, or ``None`` if it refuses.

    Fluent Bit accepts exactly one JSON value and only a map
    (src/flb_parser_json.c: ``records != 1`` or a non-map root fail).

    Raises:
        _Unknown: text after the JSON value that is not itself JSON, or an
            integer beyond 64 bits: Fluent Bit's packer is not modelled there.
    """
    decoder = json.JSONDecoder(object_pairs_hook=Pairs, parse_constant=_refuse)
    position = _skip_space(text, 0)
    values: list[object] = []
    while position < len(text):
        try:
            value, position = decoder.raw_decode(text, position)
        except (ValueError, RecursionError):
            if values:
                raise _Unknown(
                    f"{where}: text after the JSON value is not simulated: results after it are unknown"
                ) from None
            return None
        values.append(value)
        position = _skip_space(text, position)
    if len(values) != 1 or not isinstance(values[0], Pairs):
        return None
    _check_integers(values[0], where)
    return freeze(values[0])  # type: ignore[return-value]


def _refuse(name: str) -> object:
    raise ValueError(name)


def _skip_space(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\r\n":
        position += 1
    return position


def _check_integers(value: object, where: str) -> None:
    if isinstance(value, bool):
        return
    if isinstance(value, int) and not -(2**63) <= value < 2**64:
        raise _Unknown(
            f"{where}: integer {value} does not fit 64 bits, which is not simulated: results after it are unknown"
        )
    if isinstance(value, Pairs):
        for _, item in value:
            _check_integers(item, where)
    elif isinstance(value, list | tuple):
        for item in value:
            _check_integers(item, where)


def _decode_json_field(value: Value, where: str) -> Value:
    """``Decode_Field_As json``: an escaped JSON object in a string becomes a map."""
    if not isinstance(value, str):
        return value
    unescaped = _unescape(value)
    if not unescaped.startswith("{"):
        return value
    try:
        decoded = decode_json(unescaped)
    except ValueError:
        return value
    return decoded if isinstance(decoded, Pairs) else value


def _unescape(text: str) -> str:
    """``unescape_string`` in src/flb_parser_decoder.c, quirks included."""
    controls = {"n": "\n", "a": "\a", "b": "\b", "t": "\t", "v": "\v", "f": "\f", "r": "\r"}
    out: list[str] = []
    i = 0
    while i < len(text):
        if text[i] == "\\" and i + 1 < len(text):
            following = text[i + 1]
            if following in controls:
                out.append(controls[following])
                i += 2
            else:
                i += 1  # drop the backslash; the next character is read afresh
            continue
        out.append(text[i])
        i += 1
    return "".join(out)
