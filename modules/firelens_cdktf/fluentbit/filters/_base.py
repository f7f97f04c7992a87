"""What every simulated filter shares: the step interface and the per-record run log.

A filter plugin becomes a :class:`Step`; the simulator calls
:meth:`Step.apply` for each record whose tag the filter's Match fits, in file
order (src/flb_filter.c ``flb_filter_do``). A step returns the record going
on, or ``None`` when the record stops there, and tells the :class:`Run` about
anything else: copies it emits into the pipeline (rewrite_tag, multiline),
why a record stopped (excluded, held in a buffer), and notes.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from firelens_cdktf.fluentbit.config import Section
from firelens_cdktf.fluentbit.record_accessor import Pairs

#: Options every filter takes (src/flb_filter.c ``filter_global_properties``,
#: ``flb_filter_set_property``; ``Active`` is read by ``is_active``).
COMMON_OPTIONS = frozenset({"name", "match", "match_regex", "alias", "log_level", "log_suppress_interval", "active"})
#: Notes the preview attaches to a record.
UNKNOWN, WARNING = "unknown", "warning"
#: Why a record stopped at a filter.
EXCLUDED, HELD = "excluded", "held"


@dataclass(frozen=True)
class Note:
    """Something the preview reports about a record.

    ``unknown`` notes mean results after that point are not predicted;
    ``warning`` notes flag a likely problem in an otherwise predicted result.
    """

    kind: str
    message: str


@dataclass(frozen=True)
class Stop:
    """A record that stopped at a filter: ``excluded`` (dropped) or ``held`` (buffered)."""

    filter: str
    tag: str
    kind: str


class Run:
    """The side effects of running one input record (and its copies) through the filters."""

    __slots__ = ("notes", "emitted", "stops", "lineage")

    def __init__(self) -> None:
        self.notes: list[Note] = []
        self.emitted: list[tuple[str, Pairs, int, tuple[tuple[int, str], ...]]] = []
        self.stops: list[Stop] = []
        self.lineage: tuple[tuple[int, str], ...] = ()

    def note(self, kind: str, message: str) -> None:
        """Attach a note to the record's outcome."""
        self.notes.append(Note(kind, message))

    def emit(self, step: Step, tag: str, record: Pairs, *, tracks_loops: bool = True) -> None:
        """Send ``record`` tagged ``tag`` into the pipeline again, from its start.

        With ``tracks_loops`` a copy that comes back to the same step with the
        same tag is reported as a loop instead of being followed forever.
        """
        if tracks_loops:
            hop = (step.index, tag)
            if hop in self.lineage or len(self.lineage) >= MAX_REEMITS:
                self.note(
                    UNKNOWN,
                    f"loop: {step.name} re-emits tag {tag!r} that comes back to it; real Fluent Bit "
                    "re-emits it forever: results for this copy are unknown",
                )
                return
            self.emitted.append((tag, record, step.index, (*self.lineage, hop)))
        else:
            self.emitted.append((tag, record, step.index, ()))

    def stop(self, step: Step, tag: str, kind: str) -> None:
        """Record that the record stopped at ``step``."""
        self.stops.append(Stop(step.name, tag, kind))


#: Largest number of times one input record may be re-emitted before the
#: preview calls it a loop (real Fluent Bit would go on forever).
MAX_REEMITS = 32


class Step:
    """One filter as the simulator runs it.

    Attributes:
        section: the ``[FILTER]`` it comes from.
        name: its name in messages (Alias, else ``<plugin>.<N>``).
        index: its position in the simulator's filter chain.
    """

    __slots__ = ("section", "name", "index", "label")

    def __init__(self, section: Section, name: str, index: int) -> None:
        self.section = section
        self.name = name
        self.index = index
        self.label = f"filter {section.plugin!r} ({name})"

    def apply(self, tag: str, record: Pairs, run: Run, origin: int | None) -> Pairs | None:
        """The record going on after this filter, or ``None`` when it stops here.

        ``origin`` is the index of the filter whose emitter produced the record
        (``None`` for the record as FireLens received it).

        Raises:
            NotSimulated: the result depends on something not modelled.
        """
        raise NotImplementedError

    def finish(self, run: Run) -> None:
        """At the end of the input: emit what the filter still buffers (flush timers)."""


def unknown_options(section: Section, allowed: Iterable[str]) -> list[str]:
    """Option names of ``section`` that neither the filter nor Fluent Bit's common options know."""
    known = COMMON_OPTIONS | {name.lower() for name in allowed}
    return sorted({entry.key for entry in section.entries if entry.key.lower() not in known})


def is_active(section: Section) -> bool:
    """src/flb_filter.c ``is_active``: only ``false`` (any case) or ``0`` turns a filter off."""
    for entry in section.entries:
        if entry.key.lower() == "active" and (entry.value.lower() == "false" or entry.value == "0"):
            return False
    return True
