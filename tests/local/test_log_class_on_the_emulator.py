"""Infrequent Access route groups deploy on the emulator, keep their class, and a second plan changes nothing
(the emulator's logs correction, firelens_local._moto_logs)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from cdktf import TerraformStack, Testing

from conftest import plan_json, synth_json, terraform
from firelens_cdktf import CloudWatchLogs, LogClass, RouteLogGroups, aws_provider
from firelens_local.emulator import Emulator, emulator_client

REGION = "ap-northeast-1"
pytestmark = pytest.mark.emulator


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory, emulator: Emulator) -> tuple[Path, dict[str, str]]:
    stack = TerraformStack(Testing.app(), "log-classes")
    aws_provider(stack, region=REGION)
    RouteLogGroups(
        stack,
        "groups",
        groups=(
            CloudWatchLogs("/api/audit", log_class=LogClass.INFREQUENT_ACCESS),
            CloudWatchLogs("/api/app", log_class=LogClass.STANDARD),
            CloudWatchLogs("/api/debug"),
        ),
    )
    workdir = tmp_path_factory.mktemp("log-classes")
    (workdir / "cdk.tf.json").write_text(json.dumps(synth_json(stack)))
    env = emulator.env(REGION)
    terraform(workdir, "init", "-input=false", env=env)
    terraform(workdir, "apply", "-auto-approve", "-input=false", env=env)
    return workdir, {**env, "ENDPOINT": emulator.endpoint}


def test_each_group_is_created_in_its_class(deployed: tuple[Path, dict[str, str]]) -> None:
    logs: Any = emulator_client("logs", deployed[1]["ENDPOINT"], REGION)
    classes = {g["logGroupName"]: g["logGroupClass"] for g in logs.describe_log_groups()["logGroups"]}
    assert classes == {"/api/audit": "INFREQUENT_ACCESS", "/api/app": "STANDARD", "/api/debug": "STANDARD"}


def test_a_second_plan_changes_nothing(deployed: tuple[Path, dict[str, str]]) -> None:
    workdir, env = deployed
    plan = plan_json(workdir, {k: v for k, v in env.items() if k != "ENDPOINT"})
    changes = [c["address"] for c in plan.get("resource_changes", []) if c["change"]["actions"] != ["no-op"]]
    assert changes == []
