"""Totals of a preview run, kept as outcomes stream by: records and bytes per output, and the baseline.

``firelens-cdktf preview --summary`` feeds every outcome to
:class:`PreviewSummary` and prints the totals, then hands them to the cost
model. Memory stays flat: per output a few counters, and the baseline's
gzip size is measured with a streaming compressor.

The *baseline* is every input record once, as it would be delivered with no
routing: the copy still under the record's own tag, else its first copy
(as ``make run``'s report counts it, firelens_harness/round_trip.py ``_unrouted``).
Its gzip level 6 size over the records joined by newlines is what the cost
model's compression ratio reads.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from firelens_cdktf.fluentbit.filters import HELD, Note
from firelens_cdktf.fluentbit.outcome import Outcome
from firelens_cdktf.fluentbit.output_limits import DISCARDED, TRUNCATED

#: gzip level of the compression ratio (the cost model's GZIP_LEVEL).
GZIP_LEVEL = 6

#: ``payload(output, record_json, json_bytes)``: the bytes the destination
#: stores for one delivered record the plugin sends whole, or ``None`` when it
#: discards it. Copies with a size fate (``Delivery.fate``) keep what the fate says.
PayloadSize = Callable[[str, str, int], "int | None"]


@dataclass
class OutputTraffic:
    """One output's totals.

    Attributes:
        records, bytes: copies received and their JSON bytes.
        payloads, payload_bytes: what the destination keeps (see :data:`PayloadSize`).
        billed_bytes: payloads each rounded up to the billing increment.
    """

    records: int = 0
    bytes: int = 0
    payloads: int = 0
    payload_bytes: int = 0
    billed_bytes: int = 0


class PreviewSummary:
    """Counts outcomes as they stream by.

    Args:
        output_names: the config's outputs, in order.
        payload: the destination's view of a record; default: its JSON bytes.
        billing_increment: bytes each payload is rounded up to for
            :attr:`OutputTraffic.billed_bytes` (Firehose bills 5 KB steps).
    """

    def __init__(
        self, output_names: Sequence[str], *, payload: PayloadSize | None = None, billing_increment: int = 5_120
    ) -> None:
        self.outputs: dict[str, OutputTraffic] = {name: OutputTraffic() for name in output_names}
        #: input records counted: each piece of a split line is one (input lines: preview_input.InputCounts)
        self.records = self.nowhere = self.dropped = self.unknown = self.held = 0
        #: copies their output's plugin discards or truncates for size (fluentbit/output_limits.py)
        self.discarded = self.truncated = 0
        self.baseline_records = self.baseline_bytes = 0
        self._payload = payload
        self._increment = billing_increment
        self._gzip = zlib.compressobj(GZIP_LEVEL, zlib.DEFLATED, 31)
        self._gzip_bytes = 0
        self._ratio: float | None = None

    def add(self, outcome: Outcome, line: int | None = None) -> None:
        """Count one outcome (of input line ``line``, which the totals do not need)."""
        if not outcome.end_of_input:
            self.records += 1
            if not outcome.complete:
                self.unknown += 1
            held = any(stop.kind == HELD for stop in outcome.stops)
            self.held += held
            if not outcome.deliveries and not held:
                self.nowhere += 1
        self.dropped += len(outcome.dropped)
        if not outcome.deliveries:
            return
        payload = self._payload
        increment = self._increment
        for delivery in outcome.deliveries:
            traffic = self.outputs.get(delivery.output)
            if traffic is None:
                traffic = self.outputs[delivery.output] = OutputTraffic()
            size = delivery.size
            traffic.records += 1
            traffic.bytes += size
            fate = delivery.fate
            if fate is not None and fate.kind == DISCARDED:
                self.discarded += 1
                kept = None
            elif fate is not None and fate.kind == TRUNCATED:
                self.truncated += 1
                kept = fate.kept
            else:
                kept = size if payload is None else payload(delivery.output, delivery.json, size)
            if kept is not None:
                traffic.payloads += 1
                traffic.payload_bytes += kept
                traffic.billed_bytes += math.ceil(kept / increment) * increment
        base = next((d for d in outcome.deliveries if d.tag == outcome.tag), outcome.deliveries[0])
        data = base.json.encode("utf-8", "surrogatepass")
        self.baseline_records += 1
        self.baseline_bytes += len(data)
        self._gzip_bytes += len(self._gzip.compress(data + b"\n"))

    write = add  # a PreviewSink (firelens_cdktf.fluentbit.preview_input.preview_lines)

    def skip(self, line: int, note: Note) -> None:
        """An input line that holds no record: nothing to count."""

    def compression_ratio(self) -> float:
        """gzip size / raw size of the baseline records joined by newlines (1.0 for none).

        It finishes the compressor: call it after the last :meth:`add` (later
        calls return the same figure).
        """
        if self._ratio is None:
            raw = self.baseline_bytes + self.baseline_records
            self._gzip_bytes += len(self._gzip.flush())
            self._ratio = self._gzip_bytes / raw if raw else 1.0
        return self._ratio
