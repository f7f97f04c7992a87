"""Every synthesized stack is valid Terraform and deploys to the emulator with plain `terraform`."""

from __future__ import annotations

import json
from pathlib import Path

import boto3
import pytest

from modules.config import PipelineConfig
from modules.emulator import Emulator
from tf import copy_stack, terraform

STACKS = ("state",)


@pytest.mark.parametrize("stack", STACKS)
def test_stack_passes_terraform_validate_with_the_real_provider(
    synthesized: Path, tmp_path: Path, stack: str
) -> None:
    workdir = copy_stack(synthesized, stack, tmp_path)
    terraform(workdir, "init", "-backend=false", "-input=false")
    result = terraform(workdir, "validate", "-json")
    assert json.loads(result.stdout)["valid"] is True


@pytest.fixture(scope="module")
def deployed_state(
    synthesized: Path, tmp_path_factory: pytest.TempPathFactory, emulator: Emulator
) -> tuple[Path, dict[str, str]]:
    env = emulator.env(PipelineConfig().region)
    workdir = copy_stack(synthesized, "state", tmp_path_factory.mktemp("deploy"))
    terraform(workdir, "init", "-input=false", env=env)
    terraform(workdir, "apply", "-auto-approve", "-input=false", env=env)
    return workdir, env


def test_state_stack_creates_the_state_bucket_on_the_emulator(
    deployed_state: tuple[Path, dict[str, str]], emulator: Emulator
) -> None:
    s3 = boto3.client("s3", endpoint_url=emulator.endpoint, region_name=PipelineConfig().region,
                      aws_access_key_id="testing", aws_secret_access_key="testing")
    bucket = PipelineConfig().state_bucket
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"


def test_second_plan_after_apply_shows_no_changes(deployed_state: tuple[Path, dict[str, str]]) -> None:
    workdir, env = deployed_state
    result = terraform(workdir, "plan", "-detailed-exitcode", "-input=false", env=env, ok_codes=(0, 2))
    assert result.returncode == 0, result.stdout


def test_destroy_removes_every_resource(deployed_state: tuple[Path, dict[str, str]]) -> None:
    workdir, env = deployed_state
    terraform(workdir, "destroy", "-auto-approve", "-input=false", env=env)
    state = terraform(workdir, "state", "list", env=env, ok_codes=(0, 1))
    assert state.stdout.strip() == ""
