"""Infrequent Access routes priced at the Infrequent Access ingestion price, in the model and in preview --summary."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from firelens_cdktf.cli import main
from firelens_cdktf.cost.estimate import CloudWatchShare, ObservedStream, TrafficMix, estimate, observe_mix
from firelens_cdktf.cost.prices import PRICES

TOKYO = PRICES["ap-northeast-1"]


def _mix(infrequent_access: bool) -> TrafficMix:
    share = CloudWatchShare("/audit", 1.0, 500, 0.1, infrequent_access=infrequent_access)
    return TrafficMix(baseline_avg_event_bytes=500, baseline_compression_ratio=0.1, cloudwatch=(share,), firehose=())


def test_an_infrequent_access_group_is_ingested_at_the_infrequent_access_price() -> None:
    ingestion, storage = estimate(_mix(True), 1000, TOKYO).routed.lines
    assert (ingestion.label, ingestion.unit_price) == (
        "CloudWatch Logs /audit (Infrequent Access): ingestion",
        TOKYO.cloudwatch_ia_ingest.usd,
    )
    assert storage.unit_price == TOKYO.cloudwatch_storage.usd


def test_a_group_moved_to_infrequent_access_costs_what_all_infrequent_access_costs() -> None:
    moved = estimate(_mix(True), 1000, TOKYO)
    assert moved.routed.total == pytest.approx(moved.all_infrequent_access.total)
    assert estimate(_mix(False), 1000, TOKYO).routed.total == pytest.approx(moved.all_standard.total)


def test_an_observed_run_marks_the_groups_named_infrequent_access() -> None:
    streams = [ObservedStream("/audit", (b"x" * 100,)), ObservedStream("/app", (b"y" * 100,))]
    mix = observe_mix([b"x" * 100, b"y" * 100], streams, [], infrequent_access=["/audit"])
    assert [(s.log_group, s.infrequent_access) for s in mix.cloudwatch] == [("/audit", True), ("/app", False)]


ROUTING = """from firelens_cdktf import AppLogRouting, CloudWatchLogs, LogClass, LogRouting, Route
ROUTING = LogRouting(
    region="ap-northeast-1",
    apps=(
        AppLogRouting(
            "web",
            default=CloudWatchLogs("/web"),
            routes=(
                Route("audit", field="kind", pattern="^audit$",
                      destination=CloudWatchLogs("/web/audit", log_class=LogClass.INFREQUENT_ACCESS)),
            ),
        ),
    ),
)
"""


def test_preview_summary_of_a_routing_prices_its_infrequent_access_route(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "ia_routing.py").write_text(ROUTING)
    monkeypatch.chdir(tmp_path)
    lines = "".join(json.dumps({"kind": kind, "msg": "m" * 200}) + "\n" for kind in ("audit", "web", "audit"))
    out = io.StringIO()
    code = main(
        ["preview", "--routing", "ia_routing:ROUTING", "--container", "web", "--summary"],
        stdin=io.StringIO(lines),
        stdout=out,
        stderr=io.StringIO(),
    )
    text = out.getvalue()
    assert code == 0
    assert "to CloudWatch Logs /web/audit (Infrequent Access)" in text
    ia_line = next(line for line in text.splitlines() if "/web/audit (Infrequent Access): ingestion" in line)
    assert f"x ${TOKYO.cloudwatch_ia_ingest.usd:g} =" in ia_line
