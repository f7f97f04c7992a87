"""Upgrading a deployment of the previous layout destroys nothing: the moved blocks carry every resource over.

``tests/fixtures/golden/pipeline_stack_before_stable_addresses.tf.json`` is
the ``pipeline`` stack as commit 9818f36 synthesized it (route log groups at
``route-logs-<n>``, the archive at ``archive-<n>``, its queries at
``queries-<n>``; only the ``//`` metadata removed): ``git archive 9818f36
main.py cdktf.json modules docker`` into a folder, ``python main.py`` there.
It is applied on the module's emulator, then the stack of this checkout is
planned against the same state. Both use a local backend here (the stacks'
S3 backend needs the state stack, which has nothing to do with the move).

If a later change alters a resource the old stack declares (a new image tag
replaces the task definition), the plan shows it and the second test says
which; record the fixture again from the commit before this one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import FIXTURES, plan_json, terraform
from firelens_app.config import PipelineConfig
from firelens_local.emulator import Emulator

pytestmark = [pytest.mark.emulator, pytest.mark.worker_seconds(150)]

BEFORE = FIXTURES / "golden" / "pipeline_stack_before_stable_addresses.tf.json"


def _with_local_state(doc: dict[str, Any]) -> str:
    doc = {**doc, "terraform": {**doc["terraform"], "backend": {"local": {"path": "terraform.tfstate"}}}}
    return json.dumps(doc, indent=1)


@pytest.fixture(scope="module")
def upgrade_plan(synthesized: Path, emulator: Emulator, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    env = emulator.env(PipelineConfig().region)
    workdir = tmp_path_factory.mktemp("upgrade")
    (workdir / "cdk.tf.json").write_text(_with_local_state(json.loads(BEFORE.read_text())))
    terraform(workdir, "init", "-input=false", env=env)
    terraform(workdir, "apply", "-auto-approve", "-input=false", env=env)
    after = json.loads((synthesized / "stacks" / "pipeline" / "cdk.tf.json").read_text())
    (workdir / "cdk.tf.json").write_text(_with_local_state(after))
    return plan_json(workdir, env)


def test_every_resource_at_a_recorded_index_address_moves_to_its_name_unchanged(upgrade_plan: dict[str, Any]) -> None:
    moved = {
        change["previous_address"]: (change["address"], change["change"]["actions"])
        for change in upgrade_plan["resource_changes"]
        if "previous_address" in change
    }
    route_groups = sorted(source for source in moved if "route-logs-" in source)
    assert (
        route_groups,
        len([source for source in moved if ".archive-0_" in source]),
        len([source for source in moved if ".queries-0_" in source]),
        {actions[0] for _, actions in moved.values()},
    ) == (
        [
            "aws_cloudwatch_log_group.service_route-logs-0_365A4A2C",
            "aws_cloudwatch_log_group.service_route-logs-1_D658628B",
        ],
        14,
        12,
        {"no-op"},
    )


def test_the_upgrade_destroys_replaces_or_changes_nothing(upgrade_plan: dict[str, Any]) -> None:
    changed = [
        (change["address"], change["change"]["actions"])
        for change in upgrade_plan["resource_changes"]
        if change["change"]["actions"] not in (["no-op"], ["read"])
    ]
    assert changed == []
