"""Security scan: checkov finds nothing the allowlist does not explain.

checkov runs over every synthesized stack (``terraform_json``) and over the
plan of ``pipeline`` made on the emulator after applying it
(``terraform_plan``: every ARN known, so policies and the task definition
are evaluated). FAILED and UNKNOWN results must each match an entry of
``checkov-allowlist.toml``, and every entry must match something. The same
functions run ``make scan``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import SharedDeployment, once_per_run
from firelens_harness.security_scan import (
    AllowEntry,
    Finding,
    Framework,
    Result,
    ScanError,
    ScanReport,
    load_allowlist,
    parse_report,
    parse_unknown_results,
    run_checkov,
    triage,
)

STACKS = ("state", "pipeline", "images")


# Its own tests take ~20 s; ranked with the long groups because the shared deployment's scan
# (another worker) waits for the checkov reports this group makes first.
pytestmark = pytest.mark.worker_seconds(80)


@pytest.fixture(scope="module")
def allowlist() -> tuple[AllowEntry, ...]:
    return load_allowlist()


@pytest.fixture(scope="module")
def json_reports(synthesized: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, ScanReport]:
    # Read by this module's pure tests and by its shared-deployment tests, which run on another
    # worker: three checkov runs (~20 s), made once per run.
    return once_per_run(
        tmp_path_factory,
        "checkov-terraform-json",
        lambda _: {stack: run_checkov(synthesized / "stacks" / stack, Framework.TERRAFORM_JSON) for stack in STACKS},
    )


@pytest.fixture(scope="module")
def plan_report(shared_deployment: SharedDeployment) -> ScanReport:
    # The same plan `make scan` makes (deployed_plan: apply, then plan_as_json), on the session's deployment.
    return run_checkov(shared_deployment.plan("pipeline"), Framework.TERRAFORM_PLAN, target="pipeline")


@pytest.mark.parametrize("stack", STACKS)
def test_synthesized_stack_has_no_unexplained_finding(
    json_reports: dict[str, ScanReport], allowlist: tuple[AllowEntry, ...], stack: str
) -> None:
    assert [str(f) for f in triage([json_reports[stack]], allowlist).unexplained] == []


def test_pipeline_plan_on_the_emulator_has_no_unexplained_finding(
    plan_report: ScanReport, allowlist: tuple[AllowEntry, ...]
) -> None:
    assert [str(f) for f in triage([plan_report], allowlist).unexplained] == []


def test_every_allowlist_entry_explains_at_least_one_finding(
    json_reports: dict[str, ScanReport], plan_report: ScanReport, allowlist: tuple[AllowEntry, ...]
) -> None:
    stale = triage([*json_reports.values(), plan_report], allowlist).stale
    assert [(e.check, e.resources) for e in stale] == []


def test_plan_scan_evaluates_the_policies_and_task_definition_synth_cannot(plan_report: ScanReport) -> None:
    unreadable = ("aws_iam_role_policy.", "aws_ecs_task_definition.")
    assert [
        f.check_id for f in plan_report.findings if f.result is Result.UNKNOWN and f.resource.startswith(unreadable)
    ] == []


def test_scans_evaluate_checks_on_every_target(json_reports: dict[str, ScanReport], plan_report: ScanReport) -> None:
    assert all(r.passed > 0 for r in (*json_reports.values(), plan_report))


# --- how findings are read and matched ------------------------------------------------------------

CHECKOV_LOG = """\
2026-11-26 00:51:11,862 [MainThread  ] [DEBUG]  should_run_check CKV_AWS_286: True
2026-11-26 00:51:11,862 [MainThread  ] [DEBUG]  Running check: Ensure IAM policies does not allow privilege escalation
2026-11-26 00:51:11,862 [MainThread  ] [DEBUG]  File /cdk.tf.json, resource "aws_iam_role_policy.task_5A1B" \
check "Ensure IAM policies does not allow privilege escalation" Result: {'result': <CheckResult.UNKNOWN: 'UNKNOWN'>}
2026-11-26 00:51:11,863 [MainThread  ] [DEBUG]  should_run_check CKV_AWS_70: True
2026-11-26 00:51:11,863 [MainThread  ] [DEBUG]  File /cdk.tf.json, resource "aws_s3_bucket.b_1" \
check "Ensure S3 bucket does not allow an action with any Principal" Result: {'result': <CheckResult.PASSED: 'PASSED'>}
2026-11-26 00:51:11,864 [MainThread  ] [ERROR]  Failed to run check CKV_AWS_999 on /cdk.tf.json:aws_vpc.v_2
"""


def test_unknown_results_are_read_from_checkovs_debug_log() -> None:
    assert [(check, resource) for check, resource, _ in parse_unknown_results(CHECKOV_LOG)] == [
        ("CKV_AWS_286", "aws_iam_role_policy.task_5A1B"),
        ("CKV_AWS_999", "aws_vpc.v_2"),
    ]


def test_terraform_json_resource_names_get_their_type_back() -> None:
    stdout = (
        '{"check_type": "terraform_json", "summary": {"passed": 1, "failed": 1, "skipped": 0, '
        '"parsing_errors": 0}, "results": {"failed_checks": [{"check_id": "CKV_AWS_158", '
        '"check_name": "KMS", "resource": "resource.logs_1"}]}}'
    )
    report = parse_report(stdout, "", Framework.TERRAFORM_JSON, "s", {"logs_1": "aws_cloudwatch_log_group"})
    assert [f.resource for f in report.findings] == ["aws_cloudwatch_log_group.logs_1"]


def _finding(
    check: str, resource: str, result: Result = Result.FAILED, framework: Framework = Framework.TERRAFORM_JSON
) -> Finding:
    return Finding(framework, "pipeline", check, "name", resource, result)


def _report(*findings: Finding) -> ScanReport:
    return ScanReport(Framework.TERRAFORM_JSON, "pipeline", 1, len(findings), 0, 0, findings)


def test_a_finding_no_entry_matches_is_unexplained_and_an_unused_entry_is_stale() -> None:
    entries = (
        AllowEntry("CKV_AWS_158", ("aws_cloudwatch_log_group.*",), Result.FAILED, "demo"),
        AllowEntry("CKV_AWS_18", ("aws_s3_bucket.x",), Result.FAILED, "demo"),
    )
    found = triage(
        [_report(_finding("CKV_AWS_158", "aws_cloudwatch_log_group.a"), _finding("CKV_AWS_158", "aws_kms_key.k"))],
        entries,
    )
    assert ([f.resource for f in found.unexplained], [e.check for e in found.stale]) == (
        ["aws_kms_key.k"],
        ["CKV_AWS_18"],
    )


def test_an_entry_explains_only_its_result_and_framework() -> None:
    entry = AllowEntry("CKV_AWS_70", ("aws_s3_bucket.*",), Result.UNKNOWN, "demo", (Framework.TERRAFORM_JSON,))
    assert [
        entry.matches(f)
        for f in (
            _finding("CKV_AWS_70", "aws_s3_bucket.b", Result.UNKNOWN),
            _finding("CKV_AWS_70", "aws_s3_bucket.b", Result.FAILED),
            _finding("CKV_AWS_70", "aws_s3_bucket.b", Result.UNKNOWN, Framework.TERRAFORM_PLAN),
        )
    ] == [True, False, False]


def test_fails_when_an_allowlist_entry_has_no_reason(tmp_path: Path) -> None:
    path = tmp_path / "allowlist.toml"
    path.write_text('[[allow]]\ncheck = "CKV_AWS_18"\nresult = "FAILED"\nresources = ["aws_s3_bucket.b"]\n')
    with pytest.raises(ScanError, match="missing reason"):
        load_allowlist(path)


def test_every_allowlist_entry_gives_a_reason_of_a_sentence_or_more(allowlist: tuple[AllowEntry, ...]) -> None:
    assert [e.check for e in allowlist if len(e.reason.split()) < 8] == []
