"""The real router under throttling, stopped right after a burst, and given a burst bigger than the
rewrite_tag emitters' buffers: with the shipped defaults, every record arrives; the only duplicates are
whole PutRecordBatch calls that a whole-chunk retry sent again.

Each test runs a scenario of :mod:`firelens_harness.faults` (the router image's files unedited, its stop
wrapper, a fresh emulator, every record read back and matched by its sequence number).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from firelens_harness.faults import BURST_BYTES, ScenarioResult, details, find_router, run_scenario
from firelens_harness.router_mode import STOP_TIMEOUT_SECONDS

pytestmark = [pytest.mark.fluentbit, pytest.mark.emulator, pytest.mark.worker_seconds(155)]

#: The rewrite_tag emitters' buffer (Emitter_Mem_Buf_Limit 10M) and FireLens's forward input's (25MB).
EMITTER_BUFFER_BYTES = 10 * 2**20
FIRELENS_INPUT_BUFFER_BYTES = 25 * 2**20


def _run(name: str, binary: Path) -> ScenarioResult:
    result = run_scenario(name, find_router({"FLUENT_BIT": str(binary)}))
    print(details(result))
    return result


def test_throttling_loses_nothing_and_duplicates_only_whole_calls_sent_again(fluent_bit_binary: Path) -> None:
    result = _run("throttling", fluent_bit_binary)

    assert result.problems() == [], details(result) + "\n" + result.log_tail
    assert result.faulted_calls > 0  # the emulator did throttle
    # Fluent Bit retries a failed flush's whole chunk: what arrives twice is exactly whole calls sent again
    assert result.total.duplicated == result.repeated_in_whole_calls
    cloudwatch = [count for where, count in result.counts.items() if where.startswith("CloudWatch")]
    assert all(count.duplicated == 0 for count in cloudwatch)  # only Firehose was throttled


def test_a_stop_right_after_a_burst_delivers_everything_within_the_stop_timeout(fluent_bit_binary: Path) -> None:
    result = _run("stop", fluent_bit_binary)

    assert result.problems() == [], details(result) + "\n" + result.log_tail
    assert result.returncode == 0
    assert result.stop_seconds is not None and result.stop_seconds < STOP_TIMEOUT_SECONDS
    assert result.total.duplicated == 0


def test_a_burst_past_the_emitters_buffers_arrives_whole(fluent_bit_binary: Path) -> None:
    result = _run("burst", fluent_bit_binary)

    assert result.problems() == [], details(result) + "\n" + result.log_tail
    assert result.line_bytes >= BURST_BYTES > FIRELENS_INPUT_BUFFER_BYTES
    # a third of the burst goes through each emitter: more than its buffer holds
    firehose = next(count for where, count in result.counts.items() if where.startswith("Firehose"))
    assert result.line_bytes * firehose.expected / result.lines > EMITTER_BUFFER_BYTES
    assert "input paused" not in result.log_findings
