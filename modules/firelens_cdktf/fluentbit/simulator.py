"""Predict where each log record goes, by running a Fluent Bit config in Python.

The preview reads a *config file* (the compiled one, or a hand-written one
such as the article's), so it checks exactly what is deployed. It runs what
Fluent Bit 4.2.2 runs inside FireLens, following the sources named at each
step (fluent/fluent-bit, tag v4.2.2):

- FireLens first runs its own filter on every record: ``record_modifier``,
  ``Match *``, adding ``ecs_cluster``, ``ecs_task_arn`` and
  ``ecs_task_definition`` (aws/amazon-ecs-agent
  agent/taskresource/firelens/firelensconfig_unix.go ``AddFieldToRecord`` with
  the ``*`` wildcard; the generated file includes ``extra.conf`` after it).
  ``record_modifier`` appends without checking, so a record passing twice
  holds those keys twice.
- Filters run in file order, each only for tags its ``Match`` or
  ``Match_Regex`` fits (src/flb_filter.c ``flb_filter_do``, src/flb_router.c
  ``router_match``); ``Active false`` (or ``0``) skips one (``is_active``).
  Each plugin is modelled in its own module under
  :mod:`firelens_cdktf.fluentbit.filters`, parsers under
  :mod:`firelens_cdktf.fluentbit.parsers`, the multiline engine in
  :mod:`firelens_cdktf.fluentbit.multiline`.
- Copies a filter emits (rewrite_tag, multiline) enter the pipeline again
  from the *start*: the emitters are input plugins.
- Every output whose ``Match``/``Match_Regex`` fits the final tag gets its own
  copy (src/flb_router.c); outputs are named by Alias, else ``<plugin>.<N>``.
- A copy too large for its ``cloudwatch_logs`` or ``kinesis_firehose``
  output carries the plugin's *fate* (discarded or truncated, with the
  source): :mod:`firelens_cdktf.fluentbit.output_limits`.

What the preview does not model is reported, never guessed: an unknown
filter plugin or option, unmodelled regex syntax, and re-emission loops stop
that record with a note saying results after that point are unknown.

Work that depends only on the tag (which filters and outputs take it) is
done once per tag and cached; a record costs only the filters it meets.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from operator import itemgetter

from firelens_cdktf.errors import FluentBitSyntaxError
from firelens_cdktf.fluentbit.config import Entry, FluentBitConfig, ParserDefinition, Section
from firelens_cdktf.fluentbit.filters import UNKNOWN, Note, Run, Step, Stop, build_step, is_active
from firelens_cdktf.fluentbit.filters.multiline import PARTIAL_MESSAGE, MultilineStep
from firelens_cdktf.fluentbit.filters.parser import ParserStep
from firelens_cdktf.fluentbit.filters.record_modifier import RecordModifierStep
from firelens_cdktf.fluentbit.go_outputs import go_fate
from firelens_cdktf.fluentbit.image_model import GO_OUTPUTS
from firelens_cdktf.fluentbit.limits import FIRELENS_TAG_INFIX
from firelens_cdktf.fluentbit.multiline import MultilineParser, load_multiline_parsers
from firelens_cdktf.fluentbit.outcome import Delivery, Dropped, Outcome
from firelens_cdktf.fluentbit.output_limits import SAFE_CHARACTERS, UNKNOWN_FATE, docker_pieces, fate
from firelens_cdktf.fluentbit.parsers import compile_parsers, parse_json_object
from firelens_cdktf.fluentbit.plugins import MatchSpec, RuleError
from firelens_cdktf.fluentbit.record_accessor import Pairs
from firelens_cdktf.fluentbit.unknown import NotSimulated

__all__ = [
    "DOCKER_KEYS",
    "ECS_METADATA_KEYS",
    "FIRELENS_METADATA_KEYS",
    "MAX_REEMITS",
    "PREVIEW_TASK_ID",
    "Delivery",
    "Dropped",
    "FirelensContext",
    "Note",
    "Outcome",
    "Simulator",
    "parse_json_object",
]

#: The keys Docker's fluentd log driver sends beside ``log`` (moby daemon/logger/fluentd/fluentd.go).
DOCKER_KEYS = ("container_id", "container_name", "source")
#: The keys FireLens's own filter adds to every record (aws/amazon-ecs-agent
#: agent/taskresource/firelens/firelensconfig_unix.go).
ECS_METADATA_KEYS = ("ecs_cluster", "ecs_task_arn", "ecs_task_definition")
#: Every key FireLens's records carry besides the app's line: what a parser filter drops
#: unless ``Reserve_Data On`` (``AppLogRouting(keep_metadata=True)``).
FIRELENS_METADATA_KEYS = DOCKER_KEYS + ECS_METADATA_KEYS
#: Task id used to build FireLens tags and ECS metadata in previews.
PREVIEW_TASK_ID = "0123456789abcdef0123456789abcdef"
#: Largest number of times one input record may be re-emitted before the
#: preview calls it a loop (real Fluent Bit would go on forever).
MAX_REEMITS = 32
#: Distinct tags whose routing plan is cached before the cache starts over.
_PLAN_CACHE_LIMIT = 65_536
#: Rounds of end-of-input flushing (a flushed record may be buffered again by a later multiline filter).
_FLUSH_ROUNDS = 8

#: An entry's key (the partial_message test, as the multiline filter makes it).
_name = itemgetter(0)

#: Kept for callers of the previous module layout.
_Unknown = NotSimulated


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
        """The record Docker's fluentd driver sends for one stdout line shorter than 16 KiB."""
        return Pairs((*_docker_head(self, container), ("log", line)))

    def wrap_line(self, container: str, line: str, number: int) -> tuple[Pairs, ...]:
        """The records Docker's fluentd driver sends for stdout line ``number``.

        A line of 16 KiB or more arrives in pieces
        (:func:`~firelens_cdktf.fluentbit.output_limits.docker_pieces`), each with
        the driver's ``partial_message``, ``partial_id``, ``partial_ordinal``
        and ``partial_last`` (moby daemon/logger/fluentd/fluentd.go). Docker's
        ``partial_id`` is a random 64-hex-digit id; the preview uses the line
        number in hex, so a preview is reproducible and each line's pieces
        share one id.
        """
        pieces = docker_pieces(line)
        if len(pieces) == 1:
            return (self.wrap(container, line),)
        head = _docker_head(self, container)
        partial_id = f"{number:064x}"
        last = len(pieces)
        return tuple(
            Pairs(
                (
                    *head,
                    ("log", piece),
                    ("partial_message", "true"),
                    ("partial_id", partial_id),
                    ("partial_ordinal", str(ordinal)),
                    ("partial_last", "true" if ordinal == last else "false"),
                )
            )
            for ordinal, piece in enumerate(pieces, start=1)
        )

    def metadata_filter(self) -> Section:
        """The ``record_modifier`` section FireLens generates before ``extra.conf``."""
        return Section(
            "FILTER",
            (
                Entry("Name", "record_modifier"),
                Entry("Match", "*"),
                *(
                    Entry("Record", f"{key} {value}")
                    for key, value in zip(
                        ECS_METADATA_KEYS, (self.cluster, self.task_arn, self.task_definition), strict=True
                    )
                ),
            ),
            source="FireLens",
        )


@lru_cache(maxsize=64)
def _docker_head(firelens: FirelensContext, container: str) -> tuple[tuple[str, str], ...]:
    """The keys before ``log`` in every record of ``container``: the same for each line, built once."""
    values = (
        firelens.task_id * 2,
        f"/ecs-{firelens.task_definition.replace(':', '-')}-{container}-{firelens.task_id[:8]}",
        "stdout",
    )
    return tuple(zip(DOCKER_KEYS, values, strict=True))


class _UnknownMatch(Step):
    """A filter whose Match_Regex uses syntax the preview does not model: for this tag, results stop here."""

    __slots__ = ("message",)

    def __init__(self, step: Step, note: str) -> None:
        super().__init__(step.section, step.name, step.index)
        self.message = f"{note} (filter {step.name}): results after it are unknown"

    def apply(self, tag: str, record: Pairs, run: Run, origin: int | None) -> Pairs | None:
        raise NotSimulated(self.message)


@dataclass(frozen=True)
class _Output:
    name: str
    match: MatchSpec


class _Plan:
    """What one tag meets: the filters that take it, the outputs that do, and notes about unknown matches.

    ``single`` is the one output that takes the tag when no other may: the
    common case, delivered without :meth:`Simulator._deliver`.

    ``parser`` is set when the filters up to a json parser cannot change
    what that parser returns on a map: :func:`_parse_first`.
    """

    __slots__ = ("steps", "outputs", "unknown_outputs", "single", "parser", "after_parser", "checks_partial")

    def __init__(self, steps: tuple[Step, ...], outputs: tuple[str, ...], unknown_outputs: tuple[str, ...]) -> None:
        self.steps = steps
        self.outputs = outputs
        self.unknown_outputs = unknown_outputs
        self.single = outputs[0] if len(outputs) == 1 and not unknown_outputs else None
        self.parser: ParserStep | None = None
        self.after_parser: tuple[Step, ...] = ()
        self.checks_partial = False
        first = _parse_first(steps)
        if first is not None:
            position, self.checks_partial = first
            self.parser = steps[position]  # type: ignore[assignment]
            self.after_parser = steps[position + 1 :]


def _parse_first(steps: tuple[Step, ...]) -> tuple[int, bool] | None:
    """Where the parse-first path may start: ``(position of the parser, whether a partial_message join comes
    before it)``, or ``None``.

    The path reads the input record's map with the parser *before* the
    filters ahead of it, and when it reads one, goes on from the filter after
    the parser. That is the general path's result when every filter ahead
    of the parser passes such a record on with nothing noted, emitted or
    stopped, and the parser's result does not depend on what they did:

    - the parser replaces the record with the map it reads (one plain json
      parser, plain ``Key_Name``, neither ``Reserve_Data`` nor
      ``Preserve_Key``: :attr:`ParserStep.replaces_record`), from the last
      entry named ``Key_Name`` holding a string;
    - each filter ahead is a ``record_modifier`` that only appends keys
      (FireLens's own), none named ``Key_Name`` (the entry read stays the
      last of its name) nor able to name ``partial_message``, or a
      ``multiline`` join in Mode ``partial_message``, which passes a record
      none of whose keys could name ``partial_message`` unchanged (checked
      on each record: ``checks_partial``).

    The parser reads only a record whose last entry is ``Key_Name`` holding
    a map text (:meth:`ParserStep.read_last`); any other record takes the
    general path from the first filter.
    """
    checks_partial = False
    appended: list[str] = []
    for position, step in enumerate(steps):
        kind = type(step)
        if kind is ParserStep:
            parser: ParserStep = step  # type: ignore[assignment]
            if not parser.replaces_record or parser.key_name in appended:
                return None
            if any(PARTIAL_MESSAGE.startswith(key) for key in appended):
                return None
            return position, checks_partial
        if kind is RecordModifierStep:
            keys = step.appends_only  # type: ignore[attr-defined]
            if keys is None:
                return None
            appended.extend(keys)
        elif kind is MultilineStep and step.joins_pieces:  # type: ignore[attr-defined]
            checks_partial = True
        else:
            return None
    return None


@dataclass
class Simulator:
    """Runs records through a config as Fluent Bit inside FireLens would.

    Args:
        config: the parsed config (``extra.conf``).
        parsers: parser definitions from its ``Parsers_File`` files (a
            :class:`~firelens_cdktf.fluentbit.config.ParserSet` also carries the
            ``[MULTILINE_PARSER]`` sections).
        firelens: the FireLens values; ``None`` simulates the config alone,
            without FireLens's metadata filter.
        multiline_parsers: ``[MULTILINE_PARSER]`` sections. Default: those
            that came with ``parsers``.

    Raises:
        FluentBitSyntaxError: the config would not start (bad rule, missing
            parser...), so there is nothing to predict.

    Example:
        >>> from firelens_cdktf.fluentbit.config import parse_config
        >>> sim = Simulator(parse_config("[OUTPUT]\\n    Name null\\n    Match *\\n"), {})
        >>> [d.output for d in sim.run("a", Pairs()).deliveries]
        ['null.0']
    """

    config: FluentBitConfig
    parsers: Mapping[str, ParserDefinition]
    firelens: FirelensContext | None = field(default_factory=FirelensContext)
    multiline_parsers: Sequence[Section] | None = None
    _steps: list[tuple[Step, MatchSpec]] = field(init=False, repr=False)
    _outputs: list[_Output] = field(init=False, repr=False)
    _plans: dict[str, _Plan] = field(init=False, repr=False)
    _run: Run = field(init=False, repr=False)
    _limited: dict[str, tuple[str, bool, bool]] = field(init=False, repr=False)
    _sized: bool = field(init=False, repr=False)

    def __post_init__(self) -> None:
        compiled = compile_parsers(self.parsers)
        sections = self.multiline_parsers
        if sections is None:
            sections = list(getattr(self.parsers, "multiline", []))
        registry: list[MultilineParser] = []
        if sections or any(s.plugin == "multiline" for s in self.config.filters):
            registry = load_multiline_parsers(list(sections), compiled)
        self._steps = []
        if self.firelens is not None:
            section = self.firelens.metadata_filter()
            step: Step = RecordModifierStep(section, "FireLens ecs-metadata (record_modifier)", 0)
            self._steps.append((step, self._match(section)))
        for section in self.config.filters:
            if not is_active(section):
                continue
            index = len(self._steps)
            step = build_step(
                section, self.config.filter_name(section), index, parsers=compiled, multiline_parsers=registry
            )
            self._steps.append((step, self._match(section)))
        self._outputs = [_Output(self.config.output_name(s), self._match(s)) for s in self.config.outputs]
        # outputs whose plugin has size limits: name -> (plugin, sets log_key, sets time_key)
        self._limited = {
            self.config.output_name(s): (s.plugin, bool(s.get("log_key")), bool(s.get("time_key")))
            for s in self.config.outputs
            if s.plugin in ("cloudwatch_logs", "kinesis_firehose")
        }
        # the image's Go outputs (fluentbit/go_outputs.py): name -> (plugin, its options by lower-case name)
        self._go_limited = {
            self.config.output_name(s): (s.plugin.lower(), {e.key.lower(): e.value for e in s.entries})
            for s in self.config.outputs
            if s.plugin.lower() in GO_OUTPUTS
        }
        self._sized = bool(self._limited or self._go_limited)
        self._plans = {}
        self._run = Run()  # reused: run() empties it before returning

    @staticmethod
    def _match(section: Section) -> MatchSpec:
        try:
            return MatchSpec.of(section)
        except RuleError as exc:
            raise FluentBitSyntaxError(section.describe(), str(exc), "fix the Match_Regex") from None

    @property
    def output_names(self) -> tuple[str, ...]:
        """Every output's name, in config order."""
        return tuple(output.name for output in self._outputs)

    def _plan(self, tag: str) -> _Plan:
        """Which filters and outputs take ``tag``: worked out once per tag."""
        plan = self._plans.get(tag)
        if plan is not None:
            return plan
        steps: list[Step] = []
        for step, match in self._steps:
            selected = match.matches(tag)
            if selected is None:
                steps.append(_UnknownMatch(step, match.regex_note or "Match_Regex"))
                break
            if selected:
                steps.append(step)
        outputs: list[str] = []
        unknown: list[str] = []
        for output in self._outputs:
            selected = output.match.matches(tag)
            if selected is None:
                unknown.append(
                    f"{output.match.regex_note} (output {output.name}): whether it receives tag {tag!r} is unknown"
                )
            elif selected:
                outputs.append(output.name)
        if len(self._plans) >= _PLAN_CACHE_LIMIT:
            self._plans.clear()
        plan = self._plans[tag] = _Plan(tuple(steps), tuple(outputs), tuple(unknown))
        return plan

    def run(self, tag: str, record: Pairs) -> Outcome:
        """Predict every copy of ``record`` (arriving with ``tag``) that reaches an output."""
        run = self._run
        deliveries: list[Delivery] = []
        dropped: list[Dropped] = []
        # the first walk, inline: the hot path of every preview
        plan = self._plans.get(tag) or self._plan(tag)
        run.lineage = ()
        current: Pairs | None = record
        steps = plan.steps
        parser = plan.parser
        if parser is not None and not (plan.checks_partial and PARTIAL_MESSAGE.startswith(tuple(map(_name, record)))):
            # parse first (_parse_first): the filters ahead of the parser would pass the record on to it unchanged
            # but for keys it drops, so the map it reads is the result they lead to; the holds_partial_key test inline
            parsed = parser.read_last(record)
            if parsed is not None:
                current = parsed
                steps = plan.after_parser
        for step in steps:
            try:
                current = step.apply(tag, current, run, None)  # type: ignore[arg-type]
            except NotSimulated as exc:
                run.notes.append(Note(UNKNOWN, str(exc)))
                current = None
            if current is None:
                break
        if current is not None:
            if plan.single is not None:  # the common case, without the general path
                deliveries.append(Delivery(plan.single, tag, current))
            else:
                self._deliver(run, plan, tag, current, deliveries, dropped)
        if run.emitted:
            self._follow(run, deliveries, dropped)
        if self._sized:
            self._size_limits(deliveries, run)
        if not (run.notes or run.stops or dropped):
            return Outcome(tag, record, tuple(deliveries))
        notes: tuple[Note, ...] = ()
        if run.notes:
            notes = tuple(dict.fromkeys(run.notes))
            run.notes.clear()
        stops: tuple[Stop, ...] = ()
        if run.stops:
            stops = tuple(run.stops)
            run.stops.clear()
        return Outcome(tag, record, tuple(deliveries), notes, tuple(dropped), stops)

    def finish(self) -> Outcome | None:
        """What the filters still hold when the input ends (multiline flush timers), or ``None`` if nothing.

        Call it once after the last :meth:`run`.
        """
        run = Run()
        deliveries: list[Delivery] = []
        dropped: list[Dropped] = []
        for _ in range(_FLUSH_ROUNDS):
            for step, _match in self._steps:
                step.finish(run)
            if not run.emitted:
                break
            self._follow(run, deliveries, dropped)
        if self._sized:
            self._size_limits(deliveries, run)
        if not (deliveries or dropped or run.notes):
            return None
        notes = tuple(dict.fromkeys(run.notes)) if run.notes else ()
        return Outcome("", Pairs(), tuple(deliveries), notes, tuple(dropped), tuple(run.stops), end_of_input=True)

    def _size_limits(self, deliveries: list[Delivery], run: Run) -> None:
        """Mark copies their output's plugin discards or truncates; a fate not modelled is an ``unknown`` note."""
        limited, go_limited = self._limited, self._go_limited
        for delivery in deliveries:
            spec = limited.get(delivery.output)
            if spec is None:
                go_spec = go_limited.get(delivery.output)
                if go_spec is None:
                    continue
                result = go_fate(go_spec[0], delivery.record, go_spec[1])
            else:
                text = delivery.json
                if len(text) <= SAFE_CHARACTERS and text != "{}":
                    continue  # fate's own first test, without the call: nearly every copy
                result = fate(spec[0], text, log_key=spec[1], time_key=spec[2])
            if result is not None:
                delivery.fate = result
                if result.kind == UNKNOWN_FATE:
                    run.notes.append(Note(UNKNOWN, f"output {delivery.output}: {result.reason}"))

    def _follow(self, run: Run, deliveries: list[Delivery], dropped: list[Dropped]) -> None:
        """Every copy the filters emitted, in the order they were emitted (their own copies join the end),
        each through the filters its tag meets, then to the outputs."""
        pending = run.emitted
        plans = self._plans
        index = 0
        while index < len(pending):
            tag, record, origin, lineage = pending[index]
            index += 1
            plan = plans.get(tag) or self._plan(tag)
            run.lineage = lineage
            current: Pairs | None = record
            for step in plan.steps:
                try:
                    current = step.apply(tag, current, run, origin)  # type: ignore[arg-type]
                except NotSimulated as exc:
                    run.notes.append(Note(UNKNOWN, str(exc)))
                    current = None
                if current is None:
                    break
            if current is None:
                continue
            if plan.single is not None:
                deliveries.append(Delivery(plan.single, tag, current))
            else:
                self._deliver(run, plan, tag, current, deliveries, dropped)
        pending.clear()

    @staticmethod
    def _deliver(
        run: Run, plan: _Plan, tag: str, current: Pairs, deliveries: list[Delivery], dropped: list[Dropped]
    ) -> None:
        """A record through every filter: a copy to each output that takes its tag, else dropped."""
        if plan.unknown_outputs:
            run.notes.extend(Note(UNKNOWN, note) for note in plan.unknown_outputs)
        outputs = plan.outputs
        if not outputs:
            if not plan.unknown_outputs:
                dropped.append(Dropped(tag, current))
            return
        first = Delivery(outputs[0], tag, current)
        deliveries.append(first)
        if len(outputs) > 1:
            text = first.json
            deliveries.extend(Delivery(name, tag, current, text) for name in outputs[1:])
