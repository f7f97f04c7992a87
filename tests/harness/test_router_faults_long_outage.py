"""The real router through a 3-minute endpoint outage mid-stream: with the shipped defaults (retries without
limit, at most 30 s apart; chunks on disk), every record arrives once the endpoint is back.

A module of its own so xdist runs it beside test_router_faults_outages.py; see that module for the setup.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from firelens_harness.faults import details, find_router, run_scenario

pytestmark = [pytest.mark.fluentbit, pytest.mark.emulator, pytest.mark.worker_seconds(240)]


def test_every_record_arrives_after_a_three_minute_outage(fluent_bit_binary: Path) -> None:
    result = run_scenario("outage-3min", find_router({"FLUENT_BIT": str(fluent_bit_binary)}))
    print(details(result))

    assert result.problems() == [], details(result) + "\n" + result.log_tail
    assert result.total.delivered == result.total.expected > 0
    assert result.log_findings.get("errors", 0) > 0  # the outage was real
    assert "chunk dropped after its last retry" not in result.log_findings
    assert result.recovery_seconds is not None
