"""What the preview says about one input record: the copies outputs receive, and why others do not.

Values only, built by :class:`~firelens_cdktf.fluentbit.simulator.Simulator` and
printed by :mod:`firelens_cdktf.fluentbit.preview_io`. A record's JSON is
rendered once and reused for its size and for the ``--json`` output.
"""

from __future__ import annotations

from firelens_cdktf.fluentbit.filters import UNKNOWN, Note, Stop
from firelens_cdktf.fluentbit.output_limits import Fate
from firelens_cdktf.fluentbit.records import Pairs, encode_json, encode_output_json, json_string

__all__ = ["Delivery", "Dropped", "Note", "Outcome", "Stop"]

#: ``{"output":..,"tag":..,"record":`` per (output, tag): a run meets few of them, again and again.
_HEADS: dict[tuple[str, str], str] = {}
_HEADS_LIMIT = 4_096


class Delivery:
    """One copy an output receives: the output's name, the copy's tag and record.

    ``fate`` is set when the output's plugin cannot send the record whole
    (:mod:`firelens_cdktf.fluentbit.output_limits`): it discards or truncates it.
    """

    __slots__ = ("output", "tag", "record", "_json", "fate")

    def __init__(self, output: str, tag: str, record: Pairs, json_text: str | None = None) -> None:
        self.output = output
        self.tag = tag
        self.record = record
        self._json = json_text
        self.fate: Fate | None = None

    @property
    def json(self) -> str:
        """The record as compact JSON, as the output writes it, rendered once.

        A key the record holds twice (``record`` keeps Fluent Bit's msgpack
        map as it is) is written once, the last, as Fluent Bit's JSON-writing
        outputs do (:func:`~firelens_cdktf.fluentbit.records.encode_output_json`).
        """
        text = self._json
        if text is None:
            record = self.record
            text = self._json = encode_output_json(record) if type(record) is Pairs else encode_json(record)
        return text

    @property
    def size(self) -> int:
        """Bytes of the record as compact JSON (what the AWS outputs send)."""
        text = self.json
        return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))

    def json_head(self) -> str:
        """``{"output":...,"tag":...,"record":``: the start of :meth:`to_json_text`."""
        head = _HEADS.get((self.output, self.tag))
        if head is None:
            head = f'{{"output":{json_string(self.output)},"tag":{json_string(self.tag)},"record":'
            if len(_HEADS) < _HEADS_LIMIT:
                _HEADS[(self.output, self.tag)] = head
        return head

    def to_json_text(self) -> str:
        """``{"output": ..., "tag": ..., "record": {...}}`` as one JSON text.

        With a fate, ``"fate": {"kind": ..., "sent_bytes": ..., "reason": ...}`` follows the record.
        """
        if self.fate is None:
            return self.json_head() + self.json + "}"
        fate = self.fate
        return (
            f'{self.json_head()}{self.json},"fate":{{"kind":{json_string(fate.kind)},"sent_bytes":{fate.kept},'
            f'"reason":{json_string(fate.reason)}}}}}'
        )

    def __repr__(self) -> str:
        return f"Delivery(output={self.output!r}, tag={self.tag!r}, record={self.record!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Delivery) and (self.output, self.tag, self.record) == (
            other.output,
            other.tag,
            other.record,
        )

    __hash__ = None  # type: ignore[assignment]


class Dropped:
    """A record or copy that went through every filter but fits no output's Match."""

    __slots__ = ("tag", "record")

    def __init__(self, tag: str, record: Pairs) -> None:
        self.tag = tag
        self.record = record

    def to_json_text(self) -> str:
        """``{"tag": ..., "record": {...}}`` as one JSON text."""
        return f'{{"tag":{json_string(self.tag)},"record":{encode_json(self.record)}}}'

    def __repr__(self) -> str:
        return f"Dropped(tag={self.tag!r}, record={self.record!r})"


class Outcome:
    """Where one input record ends up.

    Attributes:
        tag, record: the input.
        deliveries: every copy an output receives while this record is
            processed (with a multiline filter, that includes joined records
            an earlier line started).
        notes: ``unknown`` and ``warning`` notes, without repeats.
        dropped: what reached the end of the pipeline with no output taking
            it (the article's ``logdata.*`` copies); records a rewrite_tag
            moved away (KEEP false) are not dropped, their copy goes on.
        stops: where the record or a copy stopped at a filter: ``excluded``
            (grep, record_modifier) or ``held`` (a multiline buffer; the joined
            record is delivered with a later line or at the end of the input).
        end_of_input: this is not an input record but what the filters still
            held when the input ended (multiline flush timers).
    """

    __slots__ = ("tag", "record", "deliveries", "notes", "dropped", "stops", "end_of_input")

    def __init__(
        self,
        tag: str,
        record: Pairs,
        deliveries: tuple[Delivery, ...] = (),
        notes: tuple[Note, ...] = (),
        dropped: tuple[Dropped, ...] = (),
        stops: tuple[Stop, ...] = (),
        *,
        end_of_input: bool = False,
    ) -> None:
        self.tag = tag
        self.record = record
        self.deliveries = deliveries
        self.notes = notes
        self.dropped = dropped
        self.stops = stops
        self.end_of_input = end_of_input

    @property
    def complete(self) -> bool:
        """Whether every path of the record was predicted."""
        return not any(note.kind == UNKNOWN for note in self.notes)

    def to_json_line(self) -> str:
        """One line: ``{"deliveries": [...]}``, plus ``dropped``, ``excluded``, ``held`` and ``notes`` when not empty.

        The end-of-input outcome starts with ``"end_of_input": true``.
        """
        if not (self.dropped or self.stops or self.notes or self.end_of_input):
            if len(self.deliveries) == 1 and self.deliveries[0].fate is None:
                delivery = self.deliveries[0]
                return "".join(('{"deliveries":[', delivery.json_head(), delivery.json, "}]}"))
            return '{"deliveries":[' + ",".join([d.to_json_text() for d in self.deliveries]) + "]}"
        head = '{"end_of_input":true,' if self.end_of_input else "{"
        parts = [head, '"deliveries":[', ",".join(d.to_json_text() for d in self.deliveries), "]"]
        if self.dropped:
            parts += [',"dropped":[', ",".join(d.to_json_text() for d in self.dropped), "]"]
        for kind in ("excluded", "held"):
            stops = [s for s in self.stops if s.kind == kind]
            if stops:
                parts += [
                    f',"{kind}":[',
                    ",".join(f'{{"filter":{json_string(s.filter)},"tag":{json_string(s.tag)}}}' for s in stops),
                    "]",
                ]
        if self.notes:
            parts += [',"notes":[', ",".join(json_string(f"{n.kind}: {n.message}") for n in self.notes), "]"]
        parts.append("}")
        return "".join(parts)

    def __repr__(self) -> str:
        return (
            f"Outcome(tag={self.tag!r}, deliveries={self.deliveries!r}, notes={self.notes!r}, "
            f"dropped={self.dropped!r}, stops={self.stops!r})"
        )
