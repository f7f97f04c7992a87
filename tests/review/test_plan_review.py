"""The plan review (``firelens-cdktf review``): what it counts, what it shows, what it blocks.

The first part runs it on real plans: a small stack built from the project's
constructs (a LogArchive without lifecycle rules, so no 55 s wait on the
emulator; two log groups; a role with a scoped policy) is applied once to the
module's emulator, then modified variants are planned against that state with
plain ``terraform plan -out`` + ``show -json``. The second part pins the edge
cases on hand-written minimal plans.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from minimal_plans import allow as _allow
from minimal_plans import plan as _plan
from minimal_plans import policy as _policy
from minimal_plans import rc as _rc
from plan_variants import plan_variants

from conftest import ROOT, plan_json, terraform
from firelens_cdktf.cli import main
from firelens_cdktf.errors import PlanReviewError
from firelens_cdktf.review.model import STATEFUL_RESOURCE_TYPES
from firelens_cdktf.review.plan_review import review_plans, stack_argument
from firelens_cdktf.review.render import render_review_markdown, render_review_text
from firelens_local.emulator import Emulator

REGION = "ap-northeast-1"
AUDIT = "aws_cloudwatch_log_group.audit"
TASK_POLICY = "aws_iam_role_policy.task-policy"


# --- real plans -----------------------------------------------------------------------------------


pytestmark = pytest.mark.worker_seconds(70)


@dataclass(frozen=True)
class Variant:
    """One version of the test stack's code."""

    bucket_name: str = "plan-review-archive"
    app_retention_days: int = 30
    audit_group: bool = True
    wildcard_statement: bool = False


BASE = Variant()
VARIANTS = {
    "update": replace(BASE, app_retention_days=60),
    "replace-bucket": replace(BASE, bucket_name="plan-review-archive-renamed"),
    "delete-log-group": replace(BASE, audit_group=False),
    "wildcard": replace(BASE, wildcard_statement=True),
    "wildcard-again": replace(BASE, wildcard_statement=True),
}


def _synth(variant: Variant, state_file: Path) -> str:
    """The test stack's Terraform JSON, synthesized in-process."""
    from cdktf import LocalBackend, TerraformStack, Testing
    from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
    from cdktf_cdktf_provider_aws.iam_role import IamRole
    from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy

    from firelens_cdktf import LogArchive, aws_provider
    from firelens_cdktf.iam.policy import PolicyDocument, Statement, assume_role_policy

    stack = TerraformStack(Testing.app(), "plan-review")
    LocalBackend(stack, path=str(state_file))
    aws_provider(stack, region=REGION)
    LogArchive(stack, "archive", stream_name="plan-review", bucket_name=variant.bucket_name, expiration_days=None)
    app_logs = CloudwatchLogGroup(
        stack, "app-logs", name="/plan-review/app", retention_in_days=variant.app_retention_days
    )
    if variant.audit_group:
        CloudwatchLogGroup(stack, "audit", name="/plan-review/audit", retention_in_days=30)
    role = IamRole(
        stack,
        "task",
        name="plan-review-task",
        assume_role_policy=assume_role_policy("ecs-tasks.amazonaws.com").to_json(),
    )
    statements = [Statement(sid="WriteAppLogs", actions=("logs:PutLogEvents",), resources=(f"{app_logs.arn}:*",))]
    if variant.wildcard_statement:
        statements.append(Statement(sid="Everything", actions=("s3:*",), resources=("*",)))
    IamRolePolicy(stack, "task-policy", role=role.name, name="task", policy=PolicyDocument(tuple(statements)).to_json())
    return str(Testing.synth(stack))


@pytest.fixture(scope="module")
def plans(emulator: Emulator, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Plan JSON files: ``first-deploy`` (empty state), then each variant against the applied base."""
    root = tmp_path_factory.mktemp("plan-review")
    workdir, out = root / "stack", root / "plans"
    workdir.mkdir()
    out.mkdir()
    env = emulator.env(REGION)
    files = {}

    (workdir / "cdk.tf.json").write_text(_synth(BASE, root / "terraform.tfstate"))
    terraform(workdir, "init", "-input=false", env=env)
    files["first-deploy"] = out / "first-deploy.json"
    files["first-deploy"].write_text(json.dumps(plan_json(workdir, env)))
    terraform(workdir, "apply", "-input=false", "plan.tfplan", env=env)
    synthesized = {name: json.loads(_synth(variant, root / "terraform.tfstate")) for name, variant in VARIANTS.items()}

    def replaced_by(doc: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
        def swap(applied: dict[str, Any]) -> None:
            applied.clear()
            applied.update(doc)

        return swap

    variants = {name: replaced_by(doc) for name, doc in synthesized.items()}
    return files | plan_variants(workdir, env, variants, root / "variants")


@pytest.fixture(scope="module")
def bucket(plans: dict[str, Path]) -> str:
    """Address of the archive bucket (LogArchive names it; the test does not repeat its construct ids)."""
    changes = json.loads(plans["first-deploy"].read_text())["resource_changes"]
    [address] = [rc["address"] for rc in changes if rc["type"] == "aws_s3_bucket"]
    return str(address)


def cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["review", *args], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def review_json(tmp_path: Path, *args: str) -> tuple[int, dict[str, Any]]:
    """Exit code and ``--json`` summary of ``firelens-cdktf review ARGS``."""
    summary = tmp_path / "review.json"
    code, _, _ = cli(*args, "--json", str(summary))
    return code, json.loads(summary.read_text())


def blocking(summary: dict[str, Any]) -> list[tuple[str, str]]:
    return [(f["kind"], f["address"]) for f in summary["findings"] if not f["allowed"]]


def test_first_deploy_only_creates_and_passes(plans: dict[str, Path], tmp_path: Path) -> None:
    code, summary = review_json(tmp_path, str(plans["first-deploy"]))
    counts = summary["stacks"][0]["counts"]
    assert (code, counts["create"] > 0, counts["update"], counts["replace"], counts["delete"]) == (0, True, 0, 0, 0)


def test_harmless_update_passes_and_lists_the_one_update(plans: dict[str, Path], tmp_path: Path) -> None:
    code, summary = review_json(tmp_path, str(plans["update"]))
    changes = [(c["action"], c["address"]) for c in summary["stacks"][0]["changes"]]
    assert (code, changes) == (0, [("update", "aws_cloudwatch_log_group.app-logs")])


def test_update_names_the_attribute_that_changes(plans: dict[str, Path]) -> None:
    _, out, _ = cli(str(plans["update"]))
    assert "aws_cloudwatch_log_group.app-logs  [changes: retention_in_days]" in out


def test_fails_when_the_archive_bucket_would_be_replaced(plans: dict[str, Path], bucket: str, tmp_path: Path) -> None:
    code, summary = review_json(tmp_path, str(plans["replace-bucket"]))
    assert (code, blocking(summary)) == (1, [("destroy", bucket)])


def test_replacement_names_the_attribute_that_forces_it(plans: dict[str, Path], bucket: str, tmp_path: Path) -> None:
    _, summary = review_json(tmp_path, str(plans["replace-bucket"]))
    [change] = [c for c in summary["stacks"][0]["changes"] if c["address"] == bucket]
    assert (change["action"], change["forced_by"]) == ("replace", ["bucket"])


def test_fails_when_a_log_group_would_be_deleted(plans: dict[str, Path], tmp_path: Path) -> None:
    code, summary = review_json(tmp_path, str(plans["delete-log-group"]))
    assert (code, blocking(summary)) == (1, [("destroy", AUDIT)])


def test_fails_when_an_iam_statement_gains_a_wildcard(plans: dict[str, Path], tmp_path: Path) -> None:
    code, summary = review_json(tmp_path, str(plans["wildcard"]))
    assert (code, blocking(summary)) == (1, [("wildcard", TASK_POLICY)])


def test_wildcard_statement_is_shown_as_an_added_statement_with_wildcards_marked(plans: dict[str, Path]) -> None:
    _, out, _ = cli(str(plans["wildcard"]))
    assert "      + [Everything] Allow s3:* (!) on * (!)" in out.splitlines()


@pytest.mark.parametrize("plan", ["replace-bucket", "delete-log-group"])
def test_allow_destroy_lets_the_intended_loss_pass(plans: dict[str, Path], bucket: str, plan: str) -> None:
    address = bucket if plan == "replace-bucket" else AUDIT
    code, out, _ = cli(str(plans[plan]), "--allow-destroy", address)
    assert (code, out.splitlines()[-1]) == (0, "Verdict: PASS (1 finding(s) allowed)")


def test_allow_destroy_does_not_allow_a_wildcard(plans: dict[str, Path]) -> None:
    code, _, _ = cli(str(plans["wildcard"]), "--allow-destroy", TASK_POLICY)
    assert code == 1


def test_allow_wildcard_lets_the_reviewed_wildcard_pass(plans: dict[str, Path]) -> None:
    code, _, _ = cli(f"pipeline={plans['wildcard']}", "--allow-wildcard", f"pipeline:{TASK_POLICY}")
    assert code == 0


def test_two_plans_of_the_same_change_have_the_same_fingerprint(plans: dict[str, Path]) -> None:
    fingerprints = {
        name: review_plans([(name, json.loads(plans[name].read_text()))]).stacks[0].fingerprint
        for name in ("wildcard", "wildcard-again", "update")
    }
    assert (
        fingerprints["wildcard"] == fingerprints["wildcard-again"],
        fingerprints["wildcard"] == fingerprints["update"],
    ) == (True, False)


def test_review_runs_on_a_bare_python_without_third_party_packages(plans: dict[str, Path]) -> None:
    # CI's review job installs nothing: -S leaves out every site-packages directory.
    result = subprocess.run(
        [sys.executable, "-S", "-m", "firelens_cdktf", "review", str(plans["update"])],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "modules")},
    )
    assert (result.returncode, result.stdout.splitlines()[-1]) == (0, "Verdict: PASS"), result.stderr


# --- hand-written minimal plans -------------------------------------------------------------------


def _policy_update(before: str, after: str, address: str = "aws_iam_role_policy.p") -> dict[str, Any]:
    return _plan(_rc(address, ["update"], before={"policy": before}, after={"policy": after}))


def _blocked(plan: dict[str, Any], **allow: Any) -> bool:
    return review_plans([("s", plan)], **allow).blocked


def _created_policy(statement: dict[str, Any]) -> dict[str, Any]:
    return _plan(_rc("aws_iam_policy.p", ["create"], after={"policy": _policy(statement)}))


def test_stateful_types_cover_the_pipelines_data() -> None:
    assert {
        "aws_s3_bucket",
        "aws_cloudwatch_log_group",
        "aws_kinesis_firehose_delivery_stream",
        "aws_ecr_repository",
    } <= set(STATEFUL_RESOURCE_TYPES)


def test_fails_when_a_stateful_resource_is_replaced_create_before_destroy() -> None:
    assert _blocked(_plan(_rc("aws_ecr_repository.r", ["create", "delete"], replace_paths=[["name"]])))


def test_replacing_a_stateless_resource_does_not_block() -> None:
    assert not _blocked(_plan(_rc("aws_ecs_task_definition.t", ["delete", "create"], replace_paths=[["family"]])))


def test_forgetting_a_stateful_resource_does_not_block() -> None:
    assert not _blocked(_plan(_rc("aws_s3_bucket.b", ["forget"])))


def test_fails_when_a_deposed_stateful_object_would_be_deleted() -> None:
    assert _blocked(_plan(_rc("aws_s3_bucket.b", ["delete"], deposed="00000001")))


def test_data_source_reads_are_not_counted() -> None:
    review = review_plans([("s", _plan(_rc("aws_iam_policy_document.d", ["read"], mode="data")))])
    assert review.stacks[0].changes == ()


def test_policy_known_only_after_apply_is_reported_not_blocked() -> None:
    plan = _plan(
        _rc(
            "aws_iam_role_policy.p",
            ["update"],
            before={"policy": _policy(_allow("s3:GetObject"))},
            after={"role": "r"},
            after_unknown={"policy": True},
        )
    )
    review = review_plans([("s", plan)])
    assert (review.blocked, "known only after apply" in render_review_text(review)) == (False, True)


def test_unknown_values_anywhere_do_not_crash_the_review() -> None:
    plan = _plan(
        _rc(
            "aws_kinesis_firehose_delivery_stream.s",
            ["update"],
            before={"extended_s3_configuration": [{"bucket_arn": "a"}]},
            after={},
            after_unknown={"extended_s3_configuration": [{"bucket_arn": True, "x": [{}]}], "tags": True},
        )
    )
    assert review_plans([("s", plan)]).stacks[0].changes[0].changed == ("extended_s3_configuration", "tags")


def test_tls_only_deny_for_every_principal_does_not_block() -> None:
    deny = {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": {"AWS": ["*"]},
        "Action": ["s3:*"],
        "Resource": ["arn:aws:s3:::b", "arn:aws:s3:::b/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    assert not _blocked(_plan(_rc("aws_s3_bucket_policy.b", ["create"], after={"policy": _policy(deny)})))


@pytest.mark.parametrize("action", ["*", "s3:*", "s3:Get*", "iam:?assRole"])
def test_fails_when_an_allow_gains_an_action_wildcard(action: str) -> None:
    assert _blocked(_created_policy(_allow(action)))


@pytest.mark.parametrize(
    ("resource", "wild"),
    [
        ("*", True),
        ("arn:aws:s3:::*", True),
        ("arn:aws:s3:::logs-*", True),
        ("arn:aws:s3:::*/*", True),
        ("arn:aws:iam::123456789012:role/*", True),
        ("arn:aws:logs:ap-northeast-1:123456789012:log-group:*", True),
        ("arn:aws:logs:*:123456789012:log-group:/app", True),
        ("arn:aws:s3:::my-bucket/*", False),
        ("arn:aws:s3:::my-bucket/logs/*", False),
        ("arn:aws:logs:ap-northeast-1:123456789012:log-group:/app:*", False),
        ("arn:aws:firehose:ap-northeast-1:123456789012:deliverystream/logs", False),
    ],
)
def test_only_unscoped_resource_wildcards_block(resource: str, wild: bool) -> None:
    assert _blocked(_created_policy(_allow("s3:GetObject", resource))) is wild


def test_ecr_login_on_every_resource_does_not_block() -> None:
    assert not _blocked(_created_policy(_allow("ecr:GetAuthorizationToken", "*")))


def test_fails_when_an_allow_uses_not_action() -> None:
    assert _blocked(_created_policy({"Effect": "Allow", "NotAction": "iam:*", "Resource": "arn:aws:s3:::b/*"}))


def test_fails_when_a_resource_policy_allows_every_principal() -> None:
    statement = _allow("s3:GetObject", Principal="*")
    assert _blocked(_plan(_rc("aws_s3_bucket_policy.b", ["create"], after={"policy": _policy(statement)})))


def test_a_wildcard_the_document_already_had_is_not_found_again() -> None:
    before = _policy(_allow("s3:*"))
    after = _policy(_allow("s3:*"), _allow("logs:PutLogEvents", "arn:aws:logs:r:1:log-group:/a:*"))
    review = review_plans([("s", _policy_update(before, after))])
    assert [f.rule for f in review.findings] == ["iam-grant-added"]  # the new statement only


def test_fails_when_a_wildcard_statement_reaches_a_new_resource() -> None:
    before = _policy(_allow("s3:*", "arn:aws:s3:::a/*"))
    after = _policy(_allow("s3:*", ["arn:aws:s3:::a/*", "arn:aws:s3:::b/*"]))
    assert _blocked(_policy_update(before, after))


def test_fails_when_a_wildcard_statement_loses_its_condition() -> None:
    condition = {"StringEquals": {"aws:PrincipalAccount": "123456789012"}}
    before = _policy(_allow("s3:*", Condition=condition))
    assert _blocked(_policy_update(before, _policy(_allow("s3:*"))))


def test_reformatted_policy_json_is_not_a_policy_change() -> None:
    statement = _allow(["s3:PutObject", "s3:GetObject"])
    reordered = dict(reversed(list({**statement, "Action": ["s3:GetObject", "s3:PutObject"]}.items())))
    plan = _policy_update(_policy(statement), json.dumps({"Statement": [reordered], "Version": "2012-10-17"}))
    assert review_plans([("s", plan)]).stacks[0].policies == ()


def test_inline_policy_nested_in_a_role_is_reviewed() -> None:
    after = {"inline_policy": [{"name": "x", "policy": _policy(_allow("*", "*"))}]}
    review = review_plans([("s", _plan(_rc("aws_iam_role.r", ["update"], before={"inline_policy": []}, after=after)))])
    assert [(p.attribute, review.blocked) for p in review.stacks[0].policies] == [("inline_policy[0].policy", True)]


def test_sensitive_policy_is_neither_printed_nor_checked() -> None:
    plan = _plan(
        _rc(
            "aws_iam_policy.p",
            ["create"],
            after={"policy": _policy(_allow("secret:*"))},
            after_sensitive={"policy": True},
        )
    )
    review = review_plans([("s", plan)])
    assert ("secret:" in render_review_text(review), review.blocked) == (False, False)


def test_computed_policy_attribute_the_configuration_does_not_set_is_not_reported() -> None:
    configuration = {
        "root_module": {
            "resources": [
                {"address": "aws_s3_bucket.b", "type": "aws_s3_bucket", "name": "b", "expressions": {"bucket": {}}}
            ]
        }
    }
    plan = _plan(
        _rc("aws_s3_bucket.b", ["create"], after={"bucket": "b"}, after_unknown={"policy": True}),
        configuration=configuration,
    )
    assert review_plans([("s", plan)]).stacks[0].policies == ()


def test_allowance_with_a_stack_prefix_matches_only_that_stack() -> None:
    plan = _plan(_rc("aws_s3_bucket.b", ["delete"]))
    review = review_plans([("state", plan), ("pipeline", plan)], allow_destroy=["state:aws_s3_bucket.b"])
    assert [(f.stack, f.allowed) for f in review.findings] == [("state", True), ("pipeline", False)]


def test_allowance_that_matches_nothing_is_reported() -> None:
    review = review_plans([("s", _plan())], allow_destroy=["aws_s3_bucket.typo"])
    assert review.unused_allowances == ("--allow-destroy aws_s3_bucket.typo",)


def test_errored_plan_blocks_even_with_allowances() -> None:
    plan = _plan(_rc("aws_s3_bucket.b", ["delete"]), errored=True)
    assert _blocked(plan, allow_destroy=["aws_s3_bucket.b"])


def test_stack_is_named_after_the_file_name_up_to_the_first_dot() -> None:
    assert stack_argument("plans/pipeline.plan.json") == ("pipeline", "plans/pipeline.plan.json")


def test_stack_equals_path_names_the_stack() -> None:
    assert stack_argument("state=out/plan.json") == ("state", "out/plan.json")


def test_fails_when_two_plans_have_the_same_stack_name() -> None:
    with pytest.raises(PlanReviewError, match="same stack name"):
        review_plans([("s", _plan()), ("s", _plan())])


def test_fails_when_a_change_has_actions_the_review_does_not_know() -> None:
    with pytest.raises(PlanReviewError, match="unknown change actions"):
        review_plans([("s", _plan(_rc("aws_s3_bucket.b", ["teleport"])))])


def test_cli_fails_with_2_when_the_document_is_a_state_not_a_plan(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    state.write_text(json.dumps({"format_version": "1.0", "values": {}}))
    code, _, err = cli(str(state))
    assert (code, "is a state, not a plan" in err) == (2, True)


def test_cli_fails_with_2_when_the_file_is_not_json(tmp_path: Path) -> None:
    broken = tmp_path / "pipeline.json"
    broken.write_text("Plan: 1 to add")
    code, _, err = cli(str(broken))
    assert (code, "not JSON" in err) == (2, True)


def test_markdown_tells_how_to_accept_a_blocking_finding() -> None:
    review = review_plans([("pipeline", _plan(_rc("aws_cloudwatch_log_group.g", ["delete"])))])
    assert "To accept: `--allow-destroy pipeline:aws_cloudwatch_log_group.g`" in render_review_markdown(review)


def test_tainted_replacement_says_why_instead_of_listing_attributes() -> None:
    plan = _plan(
        _rc(
            "aws_route_table.r",
            ["delete", "create"],
            before={"id": "a"},
            after={},
            after_unknown={"id": True},
            action_reason="replace_because_tainted",
        )
    )
    assert "aws_route_table.r  [tainted (a failed or interrupted create)]" in render_review_text(
        review_plans([("s", plan)])
    )


# --- documents a gate cannot read ----------------------------------------------------------------

_PLAN_HEAD = {"format_version": "1.2", "terraform_version": "1.11.4"}


@pytest.mark.parametrize(
    ("plan", "where", "problem"),
    [
        pytest.param(
            {**_PLAN_HEAD, "resource_changes": "nope"},
            "stack 'bad'",
            "resource_changes is str, not a list",
            id="resource-changes-not-a-list",
        ),
        pytest.param(
            {**_PLAN_HEAD, "resource_changes": [{}]},
            "resource_changes[0]",
            "lacks an address or change",
            id="empty-resource-change",
        ),
        pytest.param(
            {
                **_PLAN_HEAD,
                "resource_changes": [_rc("aws_iam_role_policy.p", ["create"], after={"policy": "{not json"})],
            },
            "aws_iam_role_policy.p",
            "policy is not valid JSON",
            id="policy-not-json",
        ),
        pytest.param(
            {
                **_PLAN_HEAD,
                "resource_changes": [
                    _rc("aws_iam_role_policy.p", ["create"], after={"policy": json.dumps({"Statement": ["s3:*"]})})
                ],
            },
            "aws_iam_role_policy.p",
            "statement 0 is str",
            id="statement-not-an-object",
        ),
    ],
)
def test_fails_when_the_plan_cannot_be_read(plan: dict[str, Any], where: str, problem: str) -> None:
    with pytest.raises(PlanReviewError, match=re.escape(where) + ".*" + re.escape(problem)):
        review_plans([("bad", plan)])


def test_the_command_rejects_an_unreadable_plan_with_one_line_and_exit_2(tmp_path: Path) -> None:
    path = tmp_path / "pipeline.json"
    path.write_text(json.dumps({**_PLAN_HEAD, "resource_changes": "nope"}))
    out, err = io.StringIO(), io.StringIO()
    code = main(["review", str(path)], stdout=out, stderr=err)
    assert (code, len(err.getvalue().splitlines()), out.getvalue()) == (2, 1, "")
