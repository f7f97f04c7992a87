"""The held-out catalogue on the app: for each rule, a real plan that must block, and a harmless twin that must pass.

The app (``state`` and ``pipeline``, as ``make run`` deploys them) is applied
once for the session (the shared deployment); each held-out change is one
edit of the pipeline's synthesized JSON, planned against that state
(:mod:`plan_variants`). The harmless twins (the same resources changed in a
way that keeps or narrows: a longer retention, a narrower CIDR, fewer
actions) are planned together, as one pull request of harmless changes: the
plan must pass, and each twin's resource must change in it without a finding.

Rules whose resources the app does not have (a KMS key, a table with deletion
protection, a KMS-encrypted bucket) are in ``test_catalogue_stack.py``.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from plan_variants import plan_variants, resource_where, unchanged

from conftest import SharedDeployment, ref
from firelens_cdktf.cli import main
from firelens_cdktf.review.model import ALLOW_FLAGS
from firelens_cdktf.review.plan_review import review_plans
from firelens_cdktf.review.render import render_review_markdown, render_review_text
from firelens_cdktf.review.rules import RULES

STACK = "pipeline"
#: A change to the pipeline's JSON that returns the address it changes.
Change = Callable[[dict[str, Any]], str]


def _policy_statements(body: dict[str, Any]) -> list[dict[str, Any]]:
    document = json.loads(body["policy"])
    statements: list[dict[str, Any]] = document["Statement"]
    return statements


def _set_policy(body: dict[str, Any], statements: list[dict[str, Any]]) -> None:
    body["policy"] = json.dumps({"Version": "2012-10-17", "Statement": statements})


# --- the changes ------------------------------------------------------------------------------------


def retention(days: int) -> Change:
    def change(doc: dict[str, Any]) -> str:
        address, group = resource_where(doc, "aws_cloudwatch_log_group", name="/sample-metrics-fluentbit")
        group["retention_in_days"] = days
        return address

    return change


def _stream(doc: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return resource_where(doc, "aws_kinesis_firehose_delivery_stream")


def _archive(doc: dict[str, Any], type_: str) -> tuple[str, dict[str, Any]]:
    """The ``type_`` resource (lifecycle, versioning, policy...) of the bucket the Firehose stream writes to."""
    arn = _stream(doc)[1]["extended_s3_configuration"]["bucket_arn"]
    return resource_where(doc, type_, bucket=arn.replace(".arn}", ".id}"))


def _archive_arn(doc: dict[str, Any]) -> str:
    arn: str = _stream(doc)[1]["extended_s3_configuration"]["bucket_arn"]
    return arn


def expiration(days: int) -> Change:
    def change(doc: dict[str, Any]) -> str:
        address, lifecycle = _archive(doc, "aws_s3_bucket_lifecycle_configuration")
        [rule] = lifecycle["rule"]
        rule["expiration"] = [{"days": days}]
        rule["noncurrent_version_expiration"] = [{"noncurrent_days": max(days, 365)}]
        return address

    return change


def suspend_versioning(doc: dict[str, Any]) -> str:
    address, versioning = _archive(doc, "aws_s3_bucket_versioning")
    versioning["versioning_configuration"]["status"] = "Suspended"
    return address


def move_prefix(doc: dict[str, Any]) -> str:
    address, stream = _stream(doc)
    stream["extended_s3_configuration"]["prefix"] = "logs/" + stream["extended_s3_configuration"]["prefix"]
    return address


def stream_encryption_off(doc: dict[str, Any]) -> str:
    address, stream = _stream(doc)
    stream["server_side_encryption"] = {"enabled": False}
    return address


def shorter_buffering(doc: dict[str, Any]) -> str:
    address, stream = _stream(doc)
    stream["extended_s3_configuration"]["buffering_interval"] = 60
    return address


def _columns(doc: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    address, table = resource_where(doc, "aws_glue_catalog_table")
    columns: list[dict[str, Any]] = table["storage_descriptor"]["columns"]
    return address, columns


def retype_column(doc: dict[str, Any]) -> str:
    address, columns = _columns(doc)
    [duration] = [c for c in columns if c["name"] == "duration_ms"]
    duration["type"] = "string"
    return address


def add_column(doc: dict[str, Any]) -> str:
    address, columns = _columns(doc)
    columns.append({"name": "request_path", "type": "string", "comment": "a new field, added at the end"})
    return address


def _group(doc: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return resource_where(doc, "aws_security_group")


def _ingress(port: int, cidr: str) -> dict[str, Any]:
    return {
        "cidr_blocks": [cidr],
        "description": f"port {port}",
        "from_port": port,
        "ipv6_cidr_blocks": None,
        "prefix_list_ids": None,
        "protocol": "tcp",
        "security_groups": None,
        "self": None,
        "to_port": port,
    }


def open_ssh_inline(doc: dict[str, Any]) -> str:
    address, group = _group(doc)
    group["ingress"].append(_ingress(22, "0.0.0.0/0"))
    return address


def narrow_app_port(doc: dict[str, Any]) -> str:
    address, group = _group(doc)
    [app] = group["ingress"]
    app["cidr_blocks"] = ["10.0.0.0/16"]
    return address


def rule_on_the_group(port: int, cidr: str) -> Change:
    def change(doc: dict[str, Any]) -> str:
        _, group = _group(doc)
        name = f"port-{port}"
        doc["resource"].setdefault("aws_security_group_rule", {})[name] = {
            "type": "ingress",
            "protocol": "tcp",
            "from_port": port,
            "to_port": port,
            "cidr_blocks": [cidr],
            "security_group_id": ref(doc, "aws_security_group", group, "id"),
        }
        return f"aws_security_group_rule.{name}"

    return change


def ipv6_ssh_rule(doc: dict[str, Any]) -> str:
    _, group = _group(doc)
    doc["resource"]["aws_vpc_security_group_ingress_rule"] = {
        "ssh-ipv6": {
            "security_group_id": ref(doc, "aws_security_group", group, "id"),
            "ip_protocol": "tcp",
            "from_port": 22,
            "to_port": 22,
            "cidr_ipv6": "::/0",
        }
    }
    return "aws_vpc_security_group_ingress_rule.ssh-ipv6"


def loosen_public_access_block(doc: dict[str, Any]) -> str:
    address, block = _archive(doc, "aws_s3_bucket_public_access_block")
    block["block_public_policy"] = False
    return address


def public_read(doc: dict[str, Any]) -> str:
    address, policy = _archive(doc, "aws_s3_bucket_policy")
    statements = _policy_statements(policy)
    statements.append(
        {
            "Sid": "PublicRead",
            "Effect": "Allow",
            "Principal": "*",
            "Action": "s3:GetObject",
            "Resource": f"{_archive_arn(doc)}/*",
        }
    )
    _set_policy(policy, statements)
    return address


def deny_bucket_deletion(doc: dict[str, Any]) -> str:
    address, policy = _archive(doc, "aws_s3_bucket_policy")
    statements = _policy_statements(policy)
    statements.append(
        {
            "Sid": "DenyBucketDeletion",
            "Effect": "Deny",
            "Principal": {"AWS": "*"},
            "Action": "s3:DeleteBucket",
            "Resource": _archive_arn(doc),
        }
    )
    _set_policy(policy, statements)
    return address


def drop_tls_only_policy(doc: dict[str, Any]) -> str:
    address, _ = _archive(doc, "aws_s3_bucket_policy")
    del doc["resource"]["aws_s3_bucket_policy"][address.split(".", 1)[1]]
    return address


def _task_policy(doc: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """The task role's policy: the one that lets the log router put records to the routed streams."""
    [address] = [
        f"aws_iam_role_policy.{name}"
        for name, body in doc["resource"]["aws_iam_role_policy"].items()
        if any(s.get("Sid") == "PutRecordsToRoutedStreams" for s in _policy_statements(body))
    ]
    return address, doc["resource"]["aws_iam_role_policy"][address.split(".", 1)[1]]


def task_reads_the_archive(doc: dict[str, Any]) -> str:
    address, policy = _task_policy(doc)
    statements = _policy_statements(policy)
    statements.append(
        {"Sid": "ReadArchive", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": [f"{_archive_arn(doc)}/*"]}
    )
    _set_policy(policy, statements)
    return address


def task_writes_one_group_less(doc: dict[str, Any]) -> str:
    address, policy = _task_policy(doc)
    statements = _policy_statements(policy)
    [writes] = [s for s in statements if s["Sid"] == "WriteRoutedLogGroups"]
    assert len(writes["Resource"]) > 1
    writes["Resource"] = writes["Resource"][:1]
    _set_policy(policy, statements)
    return address


# --- the catalogue ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class HeldOut:
    """One held-out change: the rule that must block it, and words its finding must say."""

    rule: str
    change: Change
    says: str


HELD_OUT: dict[str, HeldOut] = {
    "retention-1-day": HeldOut(
        "log-retention-lowered", retention(1), "deletes events older than 1 day in /sample-metrics-fluentbit"
    ),
    "expiration-1-day": HeldOut(
        "s3-expiration-shortened",
        expiration(1),
        "deletes objects older than 1 day from bucket firelens-sample-put-s3-sample-metrics-logs",
    ),
    "versioning-suspended": HeldOut("s3-versioning-suspended", suspend_versioning, "suspends versioning of bucket"),
    "firehose-prefix-moved": HeldOut("firehose-layout-changed", move_prefix, "moves where stream"),
    "glue-column-retyped": HeldOut(
        "glue-schema-changed", retype_column, "changes column duration_ms of table put_s3_sample_metrics_logs"
    ),
    "ssh-open-inline": HeldOut("public-ingress", open_ssh_inline, "opens TCP port 22 to the internet (0.0.0.0/0)"),
    "ssh-open-by-a-new-rule": HeldOut(
        "public-ingress", rule_on_the_group(22, "0.0.0.0/0"), "opens TCP port 22 to the internet (0.0.0.0/0)"
    ),
    "ssh-open-by-a-new-ipv6-rule": HeldOut("public-ingress", ipv6_ssh_rule, "opens TCP port 22 to the internet (::/0)"),
    "public-access-block-loosened": HeldOut(
        "public-access-block-loosened", loosen_public_access_block, "turns off block_public_policy on bucket"
    ),
    "bucket-made-public": HeldOut("public-policy", public_read, "makes it public: anyone"),
    "task-role-reads-the-archive": HeldOut(
        "iam-grant-added", task_reads_the_archive, "grants [ReadArchive] s3:GetObject on"
    ),
    "firehose-encryption-off": HeldOut(
        "encryption-weakened", stream_encryption_off, "turns off server-side encryption of stream"
    ),
    "tls-only-policy-removed": HeldOut("tls-only-removed", drop_tls_only_policy, "removes the TLS-only Deny"),
}

#: The twins: the same resources, changed in a way that keeps or narrows. Rule -> the change.
TWINS: dict[str, Change] = {
    "log-retention-lowered": retention(60),
    "s3-expiration-shortened": expiration(730),
    "firehose-layout-changed": shorter_buffering,
    "glue-schema-changed": add_column,
    "public-ingress": narrow_app_port,
    "public-ingress (a new rule for the port that was open already)": rule_on_the_group(3000, "0.0.0.0/0"),
    "public-policy": deny_bucket_deletion,
    "iam-grant-added": task_writes_one_group_less,
}


@dataclass(frozen=True)
class Planned:
    files: dict[str, Path]
    addresses: dict[str, str]  # held-out change or twin -> the address it changes


@pytest.fixture(scope="module")
def planned(shared_deployment: SharedDeployment, tmp_path_factory: pytest.TempPathFactory) -> Planned:
    addresses: dict[str, str] = {}

    def held_out(name: str) -> Callable[[dict[str, Any]], None]:
        return lambda doc: addresses.__setitem__(name, HELD_OUT[name].change(doc))

    def harmless(doc: dict[str, Any]) -> None:
        for name, change in TWINS.items():
            addresses[name] = change(doc)

    variants = {name: held_out(name) for name in HELD_OUT} | {"harmless": harmless, "first-deploy": unchanged}
    files = plan_variants(
        shared_deployment.workdirs[STACK],
        shared_deployment.env,
        variants,
        tmp_path_factory.mktemp("catalogue-app"),
        fresh=("first-deploy",),
    )
    return Planned(files, addresses)


def _review(planned: Planned, name: str, **allow: list[str]) -> Any:
    return review_plans([(STACK, json.loads(planned.files[name].read_text()))], **allow)


@pytest.mark.parametrize("name", sorted(HELD_OUT))
def test_each_held_out_change_is_blocked_by_its_rule_alone(planned: Planned, name: str) -> None:
    review = _review(planned, name)
    found = [(f.rule, f.address) for f in review.blocking]
    assert found == [(HELD_OUT[name].rule, planned.addresses[name])]


@pytest.mark.parametrize("name", sorted(HELD_OUT))
def test_each_finding_says_what_the_change_would_do(planned: Planned, name: str) -> None:
    [finding] = _review(planned, name).findings
    assert HELD_OUT[name].says in finding.message


@pytest.mark.parametrize("name", sorted(HELD_OUT))
def test_each_held_out_change_passes_with_its_familys_flag(planned: Planned, name: str) -> None:
    flag = ALLOW_FLAGS[RULES[HELD_OUT[name].rule].kind]
    out, err = io.StringIO(), io.StringIO()
    code = main(
        ["review", f"{STACK}={planned.files[name]}", flag, f"{STACK}:{planned.addresses[name]}"], stdout=out, stderr=err
    )
    assert (code, out.getvalue().splitlines()[-1]) == (0, "Verdict: PASS (1 finding(s) allowed)")


def test_the_harmless_changes_pass_together(planned: Planned) -> None:
    review = _review(planned, "harmless")
    assert (review.verdict, review.findings) == ("pass", ())


@pytest.mark.parametrize("twin", sorted(TWINS))
def test_each_twin_changes_its_resource_without_a_finding(planned: Planned, twin: str) -> None:
    review = _review(planned, "harmless")
    address = planned.addresses[twin]
    actions = {c.address: c.action.value for c in review.stacks[0].changes}
    findings = [f for f in review.findings if f.address == address]
    assert (actions.get(address) in ("update", "create"), findings) == (True, [])


def test_the_apps_first_deploy_passes_with_port_3000_open_to_the_internet(planned: Planned) -> None:
    review = _review(planned, "first-deploy")
    counts = review.stacks[0].counts
    assert (review.verdict, counts["create"] > 50, counts["update"] + counts["delete"]) == ("pass", True, 0)


def test_the_open_app_port_is_not_reported_when_another_port_opens(planned: Planned) -> None:
    [finding] = _review(planned, "ssh-open-inline").findings
    # "port 3000", not "3000": the group's name ends in Terraform's timestamped name_prefix suffix.
    assert ("port 22" in finding.message, "port 3000" in finding.message) == (True, False)


def test_the_summary_names_the_effect_and_the_flag_that_accepts_it(planned: Planned) -> None:
    text = render_review_text(_review(planned, "retention-1-day"))
    address = planned.addresses["retention-1-day"]
    assert (
        "deletes events older than 1 day in /sample-metrics-fluentbit (retention_in_days 30 -> 1)" in text,
        f"to accept: --allow-data-loss {STACK}:{address}" in text,
        RULES["log-retention-lowered"].source in text,
    ) == (True, True, True)


def test_the_pull_request_comment_names_the_effect_and_the_flag_that_accepts_it(planned: Planned) -> None:
    markdown = render_review_markdown(_review(planned, "expiration-1-day"))
    address = planned.addresses["expiration-1-day"]
    assert (
        "deletes objects older than 1 day from bucket firelens-sample-put-s3-sample-metrics-logs" in markdown,
        f"To accept: `--allow-data-loss {STACK}:{address}`" in markdown,
    ) == (True, True)


def test_the_added_grant_is_shown_as_an_added_statement(planned: Planned) -> None:
    text = render_review_text(_review(planned, "task-role-reads-the-archive"))
    assert (
        "      + [ReadArchive] Allow s3:GetObject on arn:aws:s3:::firelens-sample-put-s3-sample-metrics-logs/*" in text
    )
