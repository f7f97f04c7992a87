"""Customer-managed keys end to end (FIRELENS_KMS_KEY=stack): synthesized, deployed on the emulator, scanned.

With the option on, checkov finds nothing that the allowlist explains without its
five KMS entries (``[KMS opt-in]`` in ``checkov-allowlist.toml``), in every
synthesized stack and in the plan of the pipeline as deployed; those five entries
explain nothing then. The emulator holds every resource under the key, and a
second plan changes nothing.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import DEPLOYED_STACKS, SharedDeployment, deploy, once_per_run, synth_main
from firelens_app.config import PipelineConfig
from firelens_harness.security_scan import (
    AllowEntry,
    Framework,
    Result,
    ScanReport,
    load_allowlist,
    plan_as_json,
    run_checkov,
    triage,
)
from firelens_local.emulator import Emulator

STACKS = ("state", "pipeline", "images")
#: The allowlist entries the key option makes unnecessary: (check, result, resources).
KMS_ENTRIES = (
    ("CKV_AWS_158", Result.FAILED, ("aws_cloudwatch_log_group.*",)),
    ("CKV_AWS_136", Result.FAILED, ("aws_ecr_repository.repository-*_repository_*",)),
    ("CKV_AWS_145", Result.FAILED, ("aws_s3_bucket.archive-*_bucket_*", "aws_s3_bucket.queries-*_results_bucket_*")),
    ("CKV_AWS_241", Result.FAILED, ("aws_kinesis_firehose_delivery_stream.archive-*_stream_*",)),
    ("CKV_AWS_26", Result.FAILED, ("aws_sns_topic.alarm-topic",)),
)
REGION = PipelineConfig().region

# Synth, three checkov runs, a deploy of state and pipeline, a plan and its scan.
pytestmark = pytest.mark.worker_seconds(150)


def _is_kms_entry(entry: AllowEntry) -> bool:
    return (entry.check, entry.result, entry.resources) in KMS_ENTRIES


@pytest.fixture(scope="module")
def allowlist() -> tuple[AllowEntry, ...]:
    return load_allowlist()


@pytest.fixture(scope="module")
def without_kms_entries(allowlist: tuple[AllowEntry, ...]) -> tuple[AllowEntry, ...]:
    return tuple(e for e in allowlist if not _is_kms_entry(e))


@pytest.fixture(scope="module")
def synthesized_with_key(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return once_per_run(tmp_path_factory, "cdktf.out-kms", lambda out: synth_main(out, {"FIRELENS_KMS_KEY": "stack"}))


@pytest.fixture(scope="module")
def json_reports(synthesized_with_key: Path) -> dict[str, ScanReport]:
    return {s: run_checkov(synthesized_with_key / "stacks" / s, Framework.TERRAFORM_JSON) for s in STACKS}


@pytest.fixture(scope="module")
def deployed(
    synthesized_with_key: Path, emulator: Emulator, tmp_path_factory: pytest.TempPathFactory
) -> SharedDeployment:
    env = emulator.env(REGION)
    workdirs = deploy(synthesized_with_key, DEPLOYED_STACKS, tmp_path_factory.mktemp("kms-deployment"), env)
    return SharedDeployment(emulator, workdirs, env)


@pytest.fixture(scope="module")
def plan(deployed: SharedDeployment) -> Path:
    return plan_as_json(deployed.workdirs["pipeline"], deployed.env)


def test_the_allowlist_holds_the_five_kms_entries_the_option_removes(allowlist: tuple[AllowEntry, ...]) -> None:
    assert sorted((e.check, e.resources) for e in allowlist if _is_kms_entry(e)) == sorted(
        (check, resources) for check, _, resources in KMS_ENTRIES
    )


@pytest.mark.parametrize("stack", STACKS)
def test_with_the_key_every_stack_passes_the_scan_without_the_kms_entries(
    json_reports: dict[str, ScanReport], without_kms_entries: tuple[AllowEntry, ...], stack: str
) -> None:
    assert [str(f) for f in triage([json_reports[stack]], without_kms_entries).unexplained] == []


def test_with_the_key_the_deployed_pipelines_plan_passes_the_scan_without_the_kms_entries(
    plan: Path, without_kms_entries: tuple[AllowEntry, ...]
) -> None:
    report = run_checkov(plan, Framework.TERRAFORM_PLAN, target="pipeline")
    assert report.passed > 0
    assert [str(f) for f in triage([report], without_kms_entries).unexplained] == []


def test_with_the_key_the_kms_entries_explain_no_finding(
    json_reports: dict[str, ScanReport], allowlist: tuple[AllowEntry, ...]
) -> None:
    removed = tuple(e for e in allowlist if _is_kms_entry(e))
    assert [str(f) for f, _ in triage(json_reports.values(), removed).allowlisted] == []


def test_a_second_plan_of_the_deployed_pipeline_changes_nothing(plan: Path) -> None:
    changes = json.loads(plan.read_text()).get("resource_changes", [])
    assert [c["address"] for c in changes if c["change"]["actions"] not in (["no-op"], ["read"])] == []


def _key_arn(deployed: SharedDeployment) -> str:
    kms = deployed.emulator.client("kms", REGION)
    (alias,) = [a for a in kms.list_aliases()["Aliases"] if a["AliasName"] == "alias/firelens-sample"]
    return str(kms.describe_key(KeyId=alias["TargetKeyId"])["KeyMetadata"]["Arn"])


def test_the_emulator_holds_a_rotating_key_whose_policy_names_the_services(deployed: SharedDeployment) -> None:
    kms = deployed.emulator.client("kms", REGION)
    key = _key_arn(deployed)
    policy = json.loads(kms.get_key_policy(KeyId=key, PolicyName="default")["Policy"])
    principals = [s["Principal"] for s in policy["Statement"]]
    assert kms.get_key_rotation_status(KeyId=key)["KeyRotationEnabled"] is True
    assert principals[1:] == [
        {"Service": [f"logs.{REGION}.amazonaws.com"]},
        {"Service": ["cloudwatch.amazonaws.com"]},
    ]


def test_the_emulator_holds_every_resource_under_the_key(deployed: SharedDeployment) -> None:
    key = _key_arn(deployed)
    client = lambda service: deployed.emulator.client(service, REGION)  # noqa: E731
    groups = client("logs").describe_log_groups()["logGroups"]
    found: dict[str, Any] = {
        "log groups": {g.get("kmsKeyId") for g in groups},
        "buckets": {
            client("s3")
            .get_bucket_encryption(Bucket=b["Name"])["ServerSideEncryptionConfiguration"]["Rules"][0][
                "ApplyServerSideEncryptionByDefault"
            ]
            .get("KMSMasterKeyID")
            for b in client("s3").list_buckets()["Buckets"]
            if not b["Name"].endswith("-tfstate")
        },
        "repositories": {
            r["encryptionConfiguration"].get("kmsKey") for r in client("ecr").describe_repositories()["repositories"]
        },
        "topic": {
            client("sns").get_topic_attributes(TopicArn=t["TopicArn"])["Attributes"].get("KmsMasterKeyId")
            for t in client("sns").list_topics()["Topics"]
        },
    }
    streams = client("firehose").list_delivery_streams()["DeliveryStreamNames"]
    found["streams"] = {
        client("firehose")
        .describe_delivery_stream(DeliveryStreamName=s)["DeliveryStreamDescription"]
        .get("DeliveryStreamEncryptionConfiguration", {})
        .get("KeyARN")
        for s in streams
    }
    assert len(groups) >= 5 and streams
    assert found == {kind: {key} for kind in found}
