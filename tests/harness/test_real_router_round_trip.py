"""``ROUTER=fluent-bit make run``'s round trip: real Fluent Bit as the log router, with the router image's
files (docker/firelens) unedited, delivers the sample app's records to the deployed pipeline exactly where
the preview says: none missing, none extra, and it stops cleanly within the task's stopTimeout.

The deployment is the session's shared one (conftest); the GitHub job ``router`` runs this same test with
the Fluent Bit of the image it builds from docker/firelens (firelens_local.router_image).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import SharedDeployment, terraform
from firelens_app.config import PipelineConfig
from firelens_harness.report import render_report
from firelens_harness.round_trip import AwsClients, DeployedPipeline, run_round_trip
from firelens_harness.router_mode import STOP_TIMEOUT_SECONDS, choose_router

pytestmark = [pytest.mark.emulator, pytest.mark.fluentbit, pytest.mark.worker_seconds(45)]

CONFIG = PipelineConfig()


def test_the_real_router_delivers_every_record_where_the_preview_says(
    shared_deployment: SharedDeployment, fluent_bit_binary: Path
) -> None:
    emulator = shared_deployment.emulator
    outputs = json.loads(
        terraform(shared_deployment.workdirs["pipeline"], "output", "-json", env=emulator.env(CONFIG.region)).stdout
    )
    pipeline = DeployedPipeline.from_outputs(outputs)
    router = choose_router({"ROUTER": "fluent-bit", "FLUENT_BIT": str(fluent_bit_binary)})
    assert router is not None

    result = run_round_trip(
        pipeline=pipeline,
        config=CONFIG,
        clients=AwsClients.for_endpoint(emulator.endpoint, CONFIG.region),
        real_router=router,
        emulator_port=emulator.port,
    )

    assert result.accounting.exact, result.accounting.describe()
    assert result.accounting.expected == result.accounting.observed > 0
    assert result.router_version.startswith("Fluent Bit v4.2.2")
    assert result.router_run is not None
    assert result.router_run.returncode == 0, result.router_run.log_tail
    assert result.router_run.stop_seconds < STOP_TIMEOUT_SECONDS
    report = render_report(
        result, pipeline, region=CONFIG.region, endpoint=emulator.endpoint, estimate=None, prices=None
    )
    assert "Fluent Bit v4.2.2" in report  # the report says which router ran
