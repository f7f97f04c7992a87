"""Throttling on the emulator: a fault plan for Firehose's ``PutRecordBatch``, and the journal of what it did.

Real Firehose answers a busy stream in two ways (Firehose API reference,
PutRecordBatch: https://docs.aws.amazon.com/firehose/latest/APIReference/API_PutRecordBatch.html):

- a **partial failure**: HTTP 200 with ``FailedPutCount`` > 0, the records
  that failed marked with ``ErrorCode`` ``ServiceUnavailableException`` and
  the others stored;
- a **ServiceUnavailableException** for the whole call, nothing stored.

Fluent Bit's ``kinesis_firehose`` retries the whole chunk in both cases
(plugins/out_kinesis_firehose/firehose_api.c ``put_record_batch``: any
failed record, or any status but 200, fails the flush), so records stored
by a partly failed call arrive again: the duplicates the fault tests count.

A plan is a JSON file the emulator's server reads on every ``PutRecordBatch``
(its path in :data:`FAULTS_ENV`, set by ``Emulator(faults_file=...)``), so a
test changes the faults mid-run by rewriting it (:func:`write_plan` replaces
the file whole). Calls are numbered from 1, counting again whenever the
plan's text changes, so what a call meets is known in advance:

.. code-block:: json

    {"put_record_batch": {"unavailable_every": 5, "partial_every": 3, "failed_share": 0.5}}

Call *n* fails whole when ``unavailable_every`` divides *n*, else partly
when ``partial_every`` divides *n*. In a partial failure the last
``ceil(records * failed_share)`` records fail (at least one; real Firehose may fail
any of them): Fluent Bit's ``simple_aggregation`` sends one record per call,
and that one fails. The server appends one JSON line per call to the
journal beside the plan (:func:`journal_path`, :func:`read_journal`).

Example:
    >>> plan = FaultPlan.from_json('{"put_record_batch": {"partial_every": 2}}')
    >>> plan.put_record_batch.decide(call=2, records=4)
    Decision(fault='partial', failed=2)
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

__all__ = [
    "FAULTS_ENV",
    "Decision",
    "FaultPlan",
    "PutRecordBatchFaults",
    "journal_path",
    "read_journal",
    "write_plan",
]

#: The environment variable that names the plan file for the emulator's server process.
FAULTS_ENV = "FIRELENS_EMULATOR_FAULTS"
#: The HTTP status the whole-call fault answers with by default.
DEFAULT_UNAVAILABLE_STATUS = 400

Fault = Literal["none", "partial", "unavailable"]


@dataclass(frozen=True)
class Decision:
    """What one call meets: ``fault`` and how many of its records fail (all for ``unavailable``)."""

    fault: Fault
    failed: int = 0


@dataclass(frozen=True)
class PutRecordBatchFaults:
    """Faults for ``PutRecordBatch``; 0 turns a kind off.

    Attributes:
        partial_every: Every Nth call is a partial failure.
        unavailable_every: Every Mth call answers ``ServiceUnavailableException``, storing nothing.
        failed_share: The share of a partly failed call's records that fail (0 < share <= 1).
        unavailable_status: The HTTP status of the whole-call fault. AWS's
            model marks the exception a server fault; Fluent Bit treats every
            status but 200 alike (firehose_api.c), so the default, 400, only
            has to be an error.

    Raises:
        ValueError: a negative period or a share outside (0, 1].
    """

    partial_every: int = 0
    unavailable_every: int = 0
    failed_share: float = 0.5
    unavailable_status: int = DEFAULT_UNAVAILABLE_STATUS

    def __post_init__(self) -> None:
        for name in ("partial_every", "unavailable_every"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"fault plan: put_record_batch.{name}={value!r}; use 0 (off) or a positive integer")
        if not 0 < self.failed_share <= 1:
            raise ValueError(f"fault plan: put_record_batch.failed_share={self.failed_share!r}; use a number in (0, 1]")
        if not 400 <= self.unavailable_status <= 599:
            raise ValueError(
                f"fault plan: put_record_batch.unavailable_status={self.unavailable_status!r}; "
                "use an HTTP error status, 400-599"
            )

    def decide(self, *, call: int, records: int) -> Decision:
        """What call number ``call`` (from 1) carrying ``records`` records meets."""
        if self.unavailable_every and call % self.unavailable_every == 0:
            return Decision("unavailable", records)
        if self.partial_every and call % self.partial_every == 0 and records:
            return Decision("partial", max(1, math.ceil(records * self.failed_share)))
        return Decision("none")


@dataclass(frozen=True)
class FaultPlan:
    """Every fault the emulator injects. Default: none."""

    put_record_batch: PutRecordBatchFaults = field(default_factory=PutRecordBatchFaults)

    @classmethod
    def from_json(cls, text: str) -> FaultPlan:
        """Read a plan; an empty text is the empty plan.

        Raises:
            ValueError: not JSON, an unknown key, or a value out of range.
        """
        if not text.strip():
            return cls()
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError(f"fault plan: expected a JSON object, got {type(data).__name__}")
        unknown = set(data) - {"put_record_batch"}
        if unknown:
            raise ValueError(f"fault plan: unknown key(s) {sorted(unknown)}; the plan knows 'put_record_batch'")
        section: Any = data.get("put_record_batch", {})
        if not isinstance(section, dict):
            raise ValueError("fault plan: 'put_record_batch' must be a JSON object")
        known = set(PutRecordBatchFaults.__dataclass_fields__)
        if set(section) - known:
            raise ValueError(
                f"fault plan: unknown put_record_batch key(s) {sorted(set(section) - known)}; use {sorted(known)}"
            )
        return cls(PutRecordBatchFaults(**section))

    def to_json(self) -> str:
        """The plan as JSON (what :func:`write_plan` writes)."""
        return json.dumps(asdict(self), sort_keys=True)


def write_plan(path: Path, plan: FaultPlan) -> None:
    """Write ``plan`` to ``path`` whole (a reader never sees half a file); the next call meets it, numbered from 1."""
    partial = path.with_name(path.name + ".partial")
    partial.write_text(plan.to_json())
    os.replace(partial, path)


def journal_path(plan_path: Path) -> Path:
    """Where the server records each ``PutRecordBatch`` call of a plan at ``plan_path``."""
    return plan_path.with_name(plan_path.name + ".calls.jsonl")


def read_journal(plan_path: Path) -> list[dict[str, Any]]:
    """Every call recorded so far: ``{"call", "stream", "records", "fault", "failed"}`` each, oldest first."""
    path = journal_path(plan_path)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
