"""The synthesized stacks are valid Terraform and deploy to the emulator with plain `terraform`.

`state` and `pipeline` are the session's shared deployment (conftest): every
stack's state, the state stack's own included, lives in the state bucket; a
second plan shows no changes; destroy removes everything (last, after every
test that reads the deployment). The `images` stack needs the docker
provider and a Docker engine, neither of which exists here.
"""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest

from conftest import DEPLOYED_STACKS, SharedDeployment, copy_stack, terraform
from firelens_app.config import PipelineConfig
from firelens_harness.round_trip import DeployedPipeline
from firelens_local.emulator import Emulator, empty_bucket
from firelens_local.state import destroy_state_stack

CONFIG = PipelineConfig()
DEPLOYED = DEPLOYED_STACKS


pytestmark = pytest.mark.worker_seconds(16)


@pytest.mark.parametrize("stack", DEPLOYED)
def test_stack_passes_terraform_validate_with_the_real_provider(synthesized: Path, tmp_path: Path, stack: str) -> None:
    workdir = copy_stack(synthesized, stack, tmp_path)
    terraform(workdir, "init", "-backend=false", "-input=false")
    result = terraform(workdir, "validate", "-json")
    assert json.loads(result.stdout)["valid"] is True


@pytest.fixture(scope="module")
def deployed(shared_deployment: SharedDeployment) -> dict[str, Path]:
    return shared_deployment.workdirs


@pytest.fixture(scope="module")
def emulator(shared_deployment: SharedDeployment) -> Emulator:
    return shared_deployment.emulator


def _client(service: str, emulator: Emulator):  # type: ignore[no-untyped-def]
    return boto3.client(
        service,
        endpoint_url=emulator.endpoint,
        region_name=CONFIG.region,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def test_every_stacks_state_is_stored_in_the_state_bucket(deployed: dict[str, Path], emulator: Emulator) -> None:
    keys = [o["Key"] for o in _client("s3", emulator).list_objects_v2(Bucket=CONFIG.state_bucket)["Contents"]]
    assert {"state/terraform.tfstate", "pipeline/terraform.tfstate"} <= set(keys)
    assert not [p for p in (deployed["state"]).glob("*.tfstate")]  # no local copy left behind


def test_firehose_stream_delivers_gzip_into_daily_partitions(deployed: dict[str, Path], emulator: Emulator) -> None:
    description = _client("firehose", emulator).describe_delivery_stream(
        DeliveryStreamName="put-s3-sample-metrics-logs"
    )["DeliveryStreamDescription"]
    s3 = description["Destinations"][0]["ExtendedS3DestinationDescription"]
    assert (s3["CompressionFormat"], s3["Prefix"]) == (
        "GZIP",
        "year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/",
    )


def test_routed_log_groups_exist_with_retention(deployed: dict[str, Path], emulator: Emulator) -> None:
    groups = _client("logs", emulator).describe_log_groups(logGroupNamePrefix="/sample-metrics-fluentbit")["logGroups"]
    assert {(g["logGroupName"], g.get("retentionInDays")) for g in groups} == {
        ("/sample-metrics-fluentbit", 30),
        ("/sample-metrics-fluentbit/analysis", 30),
    }


def test_service_runs_the_task_definition_with_the_log_router(deployed: dict[str, Path], emulator: Emulator) -> None:
    ecs = _client("ecs", emulator)
    [service] = ecs.describe_services(cluster="sample-rails-app", services=["sample-rails-app"])["services"]
    task = ecs.describe_task_definition(taskDefinition=service["taskDefinition"])["taskDefinition"]
    assert "log_router" in {c["name"] for c in task["containerDefinitions"]}


def test_second_plan_after_apply_shows_no_changes(shared_deployment: SharedDeployment) -> None:
    # No change to any resource or output (moto's lost availabilityZoneRebalancing is corrected,
    # firelens_local/_moto_ecs.py); the plans are the session's, which the security scan reads too.
    for stack in shared_deployment.workdirs:
        plan = json.loads(shared_deployment.plan(stack).read_text())
        changed = [
            change["address"]
            for change in plan.get("resource_changes", [])
            if change["change"]["actions"] not in (["no-op"], ["read"])
        ]
        changed += [
            f"output.{name}"
            for name, change in plan.get("output_changes", {}).items()
            if change["actions"] != ["no-op"]
        ]
        assert changed == [], f"{stack}: {changed}"


@pytest.mark.changes_shared_deployment
def test_destroy_removes_every_resource_after_delivery(deployed: dict[str, Path], emulator: Emulator) -> None:
    # What `make destroy` does: the archive may hold delivered logs (tests/harness/test_end_to_end.py), and the
    # state bucket holds every stack's state, its own included.
    env = emulator.env(CONFIG.region)
    outputs = json.loads(terraform(deployed["pipeline"], "output", "-json", env=env).stdout)
    for bucket in DeployedPipeline.from_outputs(outputs).archive_buckets:
        empty_bucket(emulator.endpoint, CONFIG.region, bucket)
    terraform(deployed["pipeline"], "destroy", "-auto-approve", "-input=false", env=env)
    pipeline_left = terraform(deployed["pipeline"], "state", "list", env=env).stdout.strip()
    destroy_state_stack(
        deployed["state"],
        bucket=CONFIG.state_bucket,
        env=env,
        say=lambda _: None,
        empty=lambda: empty_bucket(emulator.endpoint, CONFIG.region, CONFIG.state_bucket),
    )
    buckets = {b["Name"] for b in _client("s3", emulator).list_buckets()["Buckets"]}
    assert (pipeline_left, CONFIG.state_bucket in buckets, list(deployed["state"].glob("*.tfstate"))) == ("", False, [])
