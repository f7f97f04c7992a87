"""The real router through an endpoint outage of 30 s and of 90 s mid-stream (the 3-minute one is in
test_router_faults_long_outage.py, so xdist runs it beside these): with the shipped defaults, every record
arrives once the endpoint is back, and nothing arrives twice but whole calls sent again.

Each test runs a scenario of :mod:`firelens_harness.faults`: the router image's files unedited, the image's
stop wrapper, a fresh emulator, the sample app's lines at a steady 300 lines/s, every record read back and
matched by its sequence number. Before these defaults (Retry_Limit 5, the default scheduler), the 90 s outage
lost 418 of 32,000 records: chunks ran out of retries ("cannot be retried").
"""

from __future__ import annotations

from pathlib import Path

import pytest

from firelens_harness.faults import ScenarioResult, details, find_router, run_scenario

pytestmark = [pytest.mark.fluentbit, pytest.mark.emulator, pytest.mark.worker_seconds(225)]


def _run(name: str, binary: Path) -> ScenarioResult:
    result = run_scenario(name, find_router({"FLUENT_BIT": str(binary)}))
    print(details(result))
    return result


@pytest.mark.parametrize("name", ["outage-30s", "outage-90s"])
def test_every_record_arrives_after_an_endpoint_outage(name: str, fluent_bit_binary: Path) -> None:
    result = _run(name, fluent_bit_binary)

    assert result.problems() == [], details(result) + "\n" + result.log_tail
    assert result.total.expected > 0 and result.total.delivered == result.total.expected
    assert result.log_findings.get("errors", 0) > 0  # the outage was real: the router's calls failed
    assert "chunk dropped after its last retry" not in result.log_findings
    assert result.recovery_seconds is not None
