"""The rules by effect, on hand-written minimal plans: each edge of what blocks and what keeps or narrows.

The real plans (one per rule and a harmless twin each) are in
``test_catalogue_app.py`` and ``test_catalogue_stack.py``; here are the cases
a real plan of this project cannot show cheaply.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from minimal_plans import allow, existing, plan, policy, rc, with_state

from firelens_cdktf.cli.arguments import REVIEW_ALLOWANCES
from firelens_cdktf.review.model import ALLOW_FLAGS, FindingKind, PlanReview
from firelens_cdktf.review.plan_review import review_plans
from firelens_cdktf.review.render import render_review_markdown, render_review_text
from firelens_cdktf.review.rules import RULES

ROOT = Path(__file__).resolve().parents[2]
BUCKET = {"bucket": "archive", "id": "archive"}


def review(doc: dict[str, Any], **allow_: Any) -> PlanReview:
    return review_plans([("s", doc)], **allow_)


def rules(doc: dict[str, Any]) -> list[str]:
    return [f.rule for f in review(doc).findings]


def messages(doc: dict[str, Any]) -> list[str]:
    return [f.message for f in review(doc).findings]


def update(address: str, before: dict[str, Any], after: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return rc(address, ["update"], before=before, after=after, **extra)


def archive_bucket() -> dict[str, Any]:
    return existing("aws_s3_bucket.archive", {"bucket": "archive", "id": "archive"})


# --- data deleted in place ------------------------------------------------------------------------


def _group(days: object) -> dict[str, Any]:
    return {"name": "/app", "retention_in_days": days}


def test_fails_when_a_log_group_that_never_expired_gets_a_retention() -> None:
    doc = with_state(update("aws_cloudwatch_log_group.g", _group(0), _group(30)))
    assert messages(doc) == ["deletes events older than 30 days in /app (retention_in_days 0 (never expire) -> 30)"]


@pytest.mark.parametrize(("before", "after"), [(30, 60), (30, 0), (30, None), (1, 1)])
def test_a_longer_or_unlimited_retention_is_not_a_finding(before: int, after: int | None) -> None:
    assert rules(with_state(update("aws_cloudwatch_log_group.g", _group(before), _group(after)))) == []


def test_the_retention_of_a_new_log_group_is_not_judged() -> None:
    assert rules(with_state(rc("aws_cloudwatch_log_group.g", ["create"], after=_group(1)))) == []


def _lifecycle(*rules_: dict[str, Any]) -> dict[str, Any]:
    return {"bucket": "archive", "rule": list(rules_)}


def _rule(days: int | None = None, noncurrent: int | None = None, **more: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"id": "r", "status": "Enabled", "filter": [{"prefix": ""}], **more}
    if days is not None:
        out["expiration"] = [{"days": days, "date": None, "expired_object_delete_marker": False}]
    if noncurrent is not None:
        out["noncurrent_version_expiration"] = [{"noncurrent_days": noncurrent, "newer_noncurrent_versions": None}]
    return out


LIFECYCLE = "aws_s3_bucket_lifecycle_configuration.l"


def test_fails_when_a_lifecycle_rule_is_added_to_a_bucket_that_exists() -> None:
    doc = with_state(rc(LIFECYCLE, ["create"], after=_lifecycle(_rule(days=7))), also_existing=[archive_bucket()])
    assert messages(doc) == ["deletes objects older than 7 days from bucket archive (days none -> 7)"]


def test_a_lifecycle_rule_of_a_bucket_created_in_the_same_plan_is_not_judged() -> None:
    bucket = rc("aws_s3_bucket.archive", ["create"], after={"bucket": "archive"}, after_unknown={"id": True})
    doc = with_state(bucket, rc(LIFECYCLE, ["create"], after=_lifecycle(_rule(days=7))))
    assert rules(doc) == []


def test_a_narrower_rule_that_expires_later_than_one_on_every_object_is_not_a_finding() -> None:
    logs = _rule(60, filter=[{"prefix": "logs/"}])
    assert rules(with_state(update(LIFECYCLE, _lifecycle(_rule(30)), _lifecycle(_rule(30), logs)))) == []


def test_fails_when_noncurrent_versions_expire_sooner() -> None:
    doc = with_state(update(LIFECYCLE, _lifecycle(_rule(365, 365)), _lifecycle(_rule(365, 30))))
    assert messages(doc) == [
        "deletes noncurrent versions 30 days after they were replaced from bucket archive (noncurrent_days 365 -> 30)"
    ]


def test_fails_when_a_disabled_expiration_rule_is_enabled() -> None:
    doc = with_state(update(LIFECYCLE, _lifecycle(_rule(30, status="Disabled")), _lifecycle(_rule(30))))
    assert rules(doc) == ["s3-expiration-shortened"]


def test_a_rule_whose_filter_the_provider_filled_in_is_the_same_rule() -> None:
    filled = [{"and": [], "object_size_greater_than": None, "prefix": "", "tag": []}]
    doc = with_state(update(LIFECYCLE, _lifecycle(_rule(30, filter=filled)), _lifecycle(_rule(60))))
    assert rules(doc) == []


@pytest.mark.parametrize(
    "after",
    [_lifecycle(_rule(730, 730)), _lifecycle(), _lifecycle(_rule(30, status="Disabled")), _lifecycle(_rule(None, 365))],
    ids=["longer", "no-rules", "disabled", "expiration-removed"],
)
def test_a_longer_removed_or_disabled_expiration_is_not_a_finding(after: dict[str, Any]) -> None:
    assert rules(with_state(update(LIFECYCLE, _lifecycle(_rule(365, 365)), after))) == []


def test_a_lifecycle_rule_of_a_bucket_this_plan_deletes_is_left_to_the_destroy_rule() -> None:
    bucket = rc("aws_s3_bucket.archive", ["delete"], before={"bucket": "archive"})
    doc = with_state(bucket, update(LIFECYCLE, _lifecycle(_rule(365)), _lifecycle(_rule(1))))
    assert rules(doc) == ["stateful-destroy"]


def _versioning(status: str) -> dict[str, Any]:
    return {"bucket": "archive", "versioning_configuration": [{"status": status, "mfa_delete": ""}]}


VERSIONING = "aws_s3_bucket_versioning.v"


def test_fails_when_the_versioning_resource_is_removed_while_its_bucket_stays() -> None:
    doc = with_state(rc(VERSIONING, ["delete"], before=_versioning("Enabled")), also_existing=[archive_bucket()])
    assert messages(doc) == [
        "suspends versioning of bucket archive (removing aws_s3_bucket_versioning suspends it): from now on an "
        "overwrite or delete loses the object's previous content"
    ]


def test_fails_when_a_new_versioning_resource_suspends_a_bucket_that_was_versioned() -> None:
    bucket = existing("aws_s3_bucket.archive", {"bucket": "archive", "versioning": [{"enabled": True}]})
    doc = with_state(rc(VERSIONING, ["create"], after=_versioning("Suspended")), also_existing=[bucket])
    assert rules(doc) == ["s3-versioning-suspended"]


def test_enabling_versioning_is_not_a_finding() -> None:
    assert rules(with_state(update(VERSIONING, _versioning("Suspended"), _versioning("Enabled")))) == []


STREAM = "aws_kinesis_firehose_delivery_stream.s"


def _stream(**s3: Any) -> dict[str, Any]:
    config = {"bucket_arn": "arn:aws:s3:::archive", "prefix": "year=!{timestamp:yyyy}/", "buffering_interval": 300}
    return {"name": "logs", "extended_s3_configuration": [{**config, **s3}]}


@pytest.mark.parametrize(
    "after",
    [
        _stream(error_output_prefix="errors-elsewhere/"),
        _stream(dynamic_partitioning_configuration=[{"enabled": True}]),
        _stream(bucket_arn="arn:aws:s3:::other"),
    ],
    ids=["error-prefix", "dynamic-partitioning", "bucket"],
)
def test_fails_when_a_stream_writes_new_objects_elsewhere(after: dict[str, Any]) -> None:
    before = _stream(error_output_prefix="errors/")
    if "error_output_prefix" not in after["extended_s3_configuration"][0]:
        after["extended_s3_configuration"][0]["error_output_prefix"] = "errors/"
    assert rules(with_state(update(STREAM, before, after))) == ["firehose-layout-changed"]


def test_a_bucket_known_only_after_apply_is_not_judged() -> None:
    after = _stream(bucket_arn=None)
    doc = with_state(
        update(STREAM, _stream(), after, after_unknown={"extended_s3_configuration": [{"bucket_arn": True}]})
    )
    assert rules(doc) == []


TABLE = "aws_glue_catalog_table.t"


def _table(columns: list[tuple[str, str]], keys: list[tuple[str, str]] = (("year", "int"),), template: str = "") -> Any:
    return {
        "name": "logs",
        "storage_descriptor": [{"columns": [{"name": n, "type": t, "comment": ""} for n, t in columns]}],
        "partition_keys": [{"name": n, "type": t} for n, t in keys],
        "parameters": {"storage.location.template": template or "s3://archive/year=${year}/"},
    }


COLUMNS = [("level", "string"), ("duration_ms", "double")]


@pytest.mark.parametrize(
    ("after", "says"),
    [
        (_table(COLUMNS[:1]), "drops column duration_ms from table logs"),
        (_table(COLUMNS, [("year", "string")]), "changes partition key year of table logs from int to string"),
        (_table(COLUMNS, template="s3://archive/logs/year=${year}/"), "moves the partition projection of table logs"),
    ],
    ids=["column-dropped", "partition-key-retyped", "template-moved"],
)
def test_fails_when_a_table_stops_reading_what_was_written(after: Any, says: str) -> None:
    [message] = messages(with_state(update(TABLE, _table(COLUMNS), after)))
    assert message.startswith(says)


def test_a_column_added_or_recommented_is_not_a_finding() -> None:
    after = _table([*COLUMNS, ("request_id", "string")])
    after["storage_descriptor"][0]["columns"][0]["comment"] = "the level"
    assert rules(with_state(update(TABLE, _table(COLUMNS), after))) == []


def test_deleting_a_kms_key_says_when_the_data_becomes_unreadable() -> None:
    doc = with_state(rc("aws_kms_key.k", ["delete"], before={"key_id": "k-1", "deletion_window_in_days": 7}))
    [message] = messages(doc)
    assert message.endswith("7 days after the plan is applied (deletion_window_in_days)")


# --- access opened --------------------------------------------------------------------------------

GROUP = {
    "id": "sg-1",
    "name": "web",
    "ingress": [{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["0.0.0.0/0"]}],
}


def _vpc_rule(port: int | None, protocol: str = "tcp", **cidr: str) -> dict[str, Any]:
    return {"security_group_id": "sg-1", "ip_protocol": protocol, "from_port": port, "to_port": port, **cidr}


def _new_rule(values: dict[str, Any]) -> dict[str, Any]:
    return with_state(
        rc("aws_vpc_security_group_ingress_rule.r", ["create"], after=values),
        also_existing=[existing("aws_security_group.web", GROUP)],
        refs={"aws_vpc_security_group_ingress_rule.r": ["aws_security_group.web"]},
    )


def test_fails_when_a_new_ingress_rule_opens_a_port_to_the_ipv6_internet() -> None:
    assert messages(_new_rule(_vpc_rule(22, cidr_ipv6="::/0"))) == [
        "opens TCP port 22 to the internet (::/0) on security group web (sg-1)"
    ]


@pytest.mark.parametrize(
    "values",
    [_vpc_rule(443, cidr_ipv4="0.0.0.0/0"), _vpc_rule(22, cidr_ipv4="10.0.0.0/8"), _vpc_rule(443, cidr_ipv6="::/0")],
    ids=["port-open-before", "private-cidr", "same-port-over-ipv6"],
)
def test_a_rule_for_a_port_open_before_or_from_a_private_range_is_not_a_finding(values: dict[str, Any]) -> None:
    assert rules(_new_rule(values)) == []


def test_fails_when_every_protocol_opens() -> None:
    assert messages(_new_rule(_vpc_rule(None, protocol="-1", cidr_ipv4="0.0.0.0/0"))) == [
        "opens every protocol and port to the internet (0.0.0.0/0) on security group web (sg-1)"
    ]


def _group_with(*ingress: tuple[str, int, int]) -> dict[str, Any]:
    entries = [{"protocol": p, "from_port": a, "to_port": b, "cidr_blocks": ["0.0.0.0/0"]} for p, a, b in ingress]
    return {"id": "sg-1", "name": "web", "vpc_id": "vpc-1", "ingress": entries}


def test_fails_only_for_the_ports_of_a_range_that_were_closed() -> None:
    doc = with_state(
        update("aws_security_group.web", _group_with(("tcp", 8000, 8080)), _group_with(("tcp", 8000, 8090)))
    )
    assert messages(doc) == ["opens TCP ports 8081-8090 to the internet (0.0.0.0/0) on security group web (sg-1)"]


def test_a_group_that_allowed_every_protocol_before_opens_nothing_new() -> None:
    doc = with_state(update("aws_security_group.web", _group_with(("-1", 0, 0)), _group_with(("tcp", 22, 22))))
    assert rules(doc) == []


NEW_GROUP = rc("aws_security_group.web", ["create"], after=_group_with(("tcp", 22, 22)), after_unknown={"id": True})


def test_a_new_group_in_a_new_network_is_new_design_not_judged() -> None:
    vpc = rc("aws_vpc.v", ["create"], after={"cidr_block": "10.0.0.0/16"})
    assert rules(with_state(vpc, NEW_GROUP, refs={"aws_security_group.web": ["aws_vpc.v"]})) == []


def test_fails_when_a_new_group_opens_a_port_in_a_network_that_exists() -> None:
    doc = with_state(
        NEW_GROUP,
        also_existing=[existing("aws_vpc.v", {"id": "vpc-1"})],
        refs={"aws_security_group.web": ["aws_vpc.v"]},
    )
    assert rules(doc) == ["public-ingress"]


def test_fails_when_a_service_that_exists_is_given_a_new_open_group() -> None:
    service = update("aws_ecs_service.app", {"name": "app"}, {"name": "app"})
    doc = with_state(NEW_GROUP, service, refs={"aws_ecs_service.app": ["aws_security_group.web"]})
    assert rules(doc) == ["public-ingress"]


def test_fails_when_the_vpcs_default_group_is_opened_to_the_internet() -> None:
    adopted = {"id": "sg-0", "name": "default", "ingress": []}
    opened = {**adopted, "ingress": [{"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}]}
    assert rules(with_state(update("aws_default_security_group.d", adopted, opened))) == ["public-ingress"]


PAB = "aws_s3_bucket_public_access_block.b"
BLOCKED = {
    "bucket": "archive",
    **dict.fromkeys(
        ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"], True
    ),
}


def test_fails_once_when_a_public_access_block_is_removed_while_its_bucket_stays() -> None:
    [message] = messages(with_state(rc(PAB, ["delete"], before=BLOCKED), also_existing=[archive_bucket()]))
    assert message.startswith(
        "removes the public access block block_public_acls, ignore_public_acls, block_public_policy"
    )


BUCKET_POLICY = "aws_s3_bucket_policy.p"


def _bucket_policy(before: str, after: str) -> dict[str, Any]:
    return with_state(
        update(BUCKET_POLICY, {"bucket": "archive", "policy": before}, {"bucket": "archive", "policy": after})
    )


READ = allow("s3:GetObject", Principal="*")


@pytest.mark.parametrize(
    ("condition", "rule"),
    [
        ({"StringEquals": {"aws:SourceVpce": "vpce-1"}}, "iam-wildcard"),
        ({"StringEquals": {"aws:PrincipalOrgID": "o-1"}}, "iam-wildcard"),
        ({"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}}, "iam-wildcard"),
        ({"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}, "public-policy"),
        ({"StringLike": {"aws:SourceArn": "arn:aws:*"}}, "public-policy"),
        ({"StringEqualsIfExists": {"aws:SourceVpce": "vpce-1"}}, "public-policy"),
        ({"Bool": {"aws:SecureTransport": "true"}}, "public-policy"),
        (None, "public-policy"),
    ],
)
def test_everyone_is_public_unless_a_condition_limits_the_caller(condition: dict[str, Any] | None, rule: str) -> None:
    statement = {**READ, "Condition": condition} if condition else READ
    assert rules(
        _bucket_policy(policy(allow("s3:ListBucket", Principal={"AWS": "arn:aws:iam::1:root"})), policy(statement))
    ) == [rule]


def test_fails_when_a_trust_policy_lets_everyone_assume_the_role() -> None:
    trust = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}
    service = {"Effect": "Allow", "Principal": {"Service": "ecs-tasks.amazonaws.com"}, "Action": "sts:AssumeRole"}
    doc = with_state(
        update(
            "aws_iam_role.r", {"assume_role_policy": policy(service)}, {"assume_role_policy": policy(service, trust)}
        )
    )
    assert rules(doc) == ["public-policy"]


ROLE_POLICY = "aws_iam_role_policy.p"


def _policy_update(before: str, after: str) -> dict[str, Any]:
    return with_state(update(ROLE_POLICY, {"policy": before}, {"policy": after}))


@pytest.mark.parametrize(
    "after",
    [
        policy(allow("s3:GetObject")),
        policy(allow(["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::b/logs/*")),
        policy(allow(["s3:GetObject", "s3:PutObject"], Condition={"StringEquals": {"aws:PrincipalAccount": "1"}})),
        policy(allow("s3:GetObject"), {"Effect": "Deny", "Action": "s3:PutObject", "Resource": "*"}),
    ],
    ids=["fewer-actions", "narrower-resource", "condition-added", "deny-added"],
)
def test_a_policy_that_keeps_or_narrows_is_not_a_finding(after: str) -> None:
    assert rules(_policy_update(policy(allow(["s3:GetObject", "s3:PutObject"])), after)) == []


def test_a_policy_narrowed_from_a_wildcard_is_not_a_finding() -> None:
    assert rules(_policy_update(policy(allow("s3:*")), policy(allow("s3:GetObject")))) == []


def test_fails_when_a_statement_loses_its_condition_and_says_what_is_granted() -> None:
    conditional = allow("s3:GetObject", Sid="Read", Condition={"StringEquals": {"aws:PrincipalAccount": "1"}})
    [message] = messages(_policy_update(policy(conditional), policy(allow("s3:GetObject", Sid="Read"))))
    assert message == "policy: grants [Read] s3:GetObject on arn:aws:s3:::b/*"


def test_fails_when_a_deny_is_lifted() -> None:
    deny = {"Sid": "NoDeletes", "Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::b/*"}
    [message] = messages(_policy_update(policy(allow("s3:*"), deny), policy(allow("s3:*"))))
    assert message == "policy: lifts [NoDeletes] Deny s3:DeleteObject on arn:aws:s3:::b/*"


def test_a_new_policy_is_judged_when_it_joins_a_role_that_exists_only() -> None:
    new_policy = rc(ROLE_POLICY, ["create"], after={"role": "task", "policy": policy(allow("s3:GetObject"))})
    new_role = rc("aws_iam_role.task", ["create"], after={"name": "task"})
    refs = {ROLE_POLICY: ["aws_iam_role.task"]}
    joined = with_state(new_policy, also_existing=[existing("aws_iam_role.task", {"name": "task"})], refs=refs)
    assert (rules(with_state(new_role, new_policy, refs=refs)), rules(joined)) == ([], ["iam-grant-added"])


# --- protection removed ---------------------------------------------------------------------------

SSE = "aws_s3_bucket_server_side_encryption_configuration.e"


def _sse(algorithm: str) -> dict[str, Any]:
    return {"bucket": "archive", "rule": [{"apply_server_side_encryption_by_default": [{"sse_algorithm": algorithm}]}]}


def test_fails_when_a_kms_encryption_configuration_is_removed() -> None:
    doc = with_state(rc(SSE, ["delete"], before=_sse("aws:kms")), also_existing=[archive_bucket()])
    assert rules(doc) == ["encryption-weakened"]


@pytest.mark.parametrize(
    ("before", "after"), [("AES256", None), ("aws:kms", "aws:kms:dsse"), ("AES256", "aws:kms")], ids=str
)
def test_removing_aes256_or_strengthening_is_not_a_finding(before: str, after: str | None) -> None:
    change = rc(SSE, ["delete"], before=_sse(before)) if after is None else update(SSE, _sse(before), _sse(after))
    assert rules(with_state(change, also_existing=[archive_bucket()])) == []


def test_the_tls_only_policy_deleted_with_its_bucket_is_left_to_the_destroy_rule() -> None:
    tls = {
        "Effect": "Deny",
        "Principal": {"AWS": "*"},
        "Action": "s3:*",
        "Resource": "arn:aws:s3:::archive/*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    bucket = rc("aws_s3_bucket.archive", ["delete"], before={"bucket": "archive"})
    doc = with_state(bucket, rc(BUCKET_POLICY, ["delete"], before={"bucket": "archive", "policy": policy(tls)}))
    assert rules(doc) == ["stateful-destroy"]


def test_a_forgotten_tls_only_policy_is_not_a_removal() -> None:
    deny = {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::archive/*"}
    tls = {**deny, "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
    forgotten = rc(BUCKET_POLICY, ["forget"], before={"bucket": "archive", "policy": policy(tls)})
    assert rules(with_state(forgotten, also_existing=[archive_bucket()])) == []


def test_fails_when_a_log_group_loses_its_kms_key() -> None:
    doc = with_state(
        update(
            "aws_cloudwatch_log_group.g", {"name": "/app", "kms_key_id": "arn:k"}, {"name": "/app", "kms_key_id": None}
        )
    )
    assert messages(doc) == ["stops encrypting log group /app with KMS key arn:k"]


@pytest.mark.parametrize(
    ("address", "attribute", "before", "after"),
    [
        ("aws_s3_bucket.b", "force_destroy", False, True),
        ("aws_ecr_repository.r", "force_delete", False, True),
        ("aws_cloudwatch_log_group.g", "skip_destroy", True, False),
        ("aws_db_instance.d", "deletion_protection", True, False),
        ("aws_cognito_user_pool.u", "deletion_protection", "ACTIVE", "INACTIVE"),
        ("aws_lb.l", "enable_deletion_protection", True, False),
    ],
)
def test_fails_when_deletion_protection_goes_off(address: str, attribute: str, before: object, after: object) -> None:
    doc = with_state(update(address, {"name": "x", attribute: before}, {"name": "x", attribute: after}))
    assert rules(doc) == ["deletion-protection-off"]


def test_turning_deletion_protection_on_is_not_a_finding() -> None:
    doc = with_state(
        update("aws_s3_bucket.b", {"bucket": "b", "force_destroy": True}, {"bucket": "b", "force_destroy": False})
    )
    assert rules(doc) == []


# --- allowances, output, the rules table ----------------------------------------------------------

RETENTION = with_state(update("aws_cloudwatch_log_group.g", _group(30), _group(1)))


def test_an_allowance_accepts_only_its_own_family() -> None:
    wrong = review(RETENTION, allow_exposure=["aws_cloudwatch_log_group.g"])
    right = review(RETENTION, allow_data_loss=["s:aws_cloudwatch_log_group.g"])
    assert (wrong.blocked, wrong.unused_allowances, right.verdict) == (
        True,
        ("--allow-exposure aws_cloudwatch_log_group.g",),
        "pass with allowances",
    )


def test_the_json_summary_lists_every_familys_allowances_and_the_flags_to_pass_them_on() -> None:
    summary = review(RETENTION, allow_data_loss=["s:aws_cloudwatch_log_group.g"]).to_dict()
    assert (summary["allowances"]["data-loss"], summary["allowance_flags"], summary["findings"][0]["rule"]) == (
        ["s:aws_cloudwatch_log_group.g"],
        ["--allow-data-loss=s:aws_cloudwatch_log_group.g"],
        "log-retention-lowered",
    )


def test_the_command_line_offers_one_flag_per_family() -> None:
    assert [option for option, _ in REVIEW_ALLOWANCES] == list(ALLOW_FLAGS.values())


def test_text_and_comment_say_why_the_rule_blocks_with_its_source() -> None:
    rule = RULES["log-retention-lowered"]
    text, markdown = render_review_text(review(RETENTION)), render_review_markdown(review(RETENTION))
    assert (rule.guards in text, f"[Source]({rule.source})" in markdown) == (True, True)


def test_every_rule_has_a_family_with_a_flag_and_an_https_source() -> None:
    assert [r.id for r in RULES.values() if r.kind not in ALLOW_FLAGS or not r.source.startswith("https://")] == []


def test_every_rule_is_documented_with_its_source() -> None:
    page = (ROOT / "docs" / "plan-review.md").read_text()
    missing = [r.id for r in RULES.values() if f"`{r.id}`" not in page or r.source not in page]
    assert missing == []


def test_every_family_is_named_in_plain_words() -> None:
    assert all(re.fullmatch(r"[a-z ]+", kind.label) for kind in FindingKind)


def test_a_sensitive_value_is_not_judged_or_printed() -> None:
    marks = {"extended_s3_configuration": True}
    change = update(STREAM, _stream(), _stream(prefix="secret/"), before_sensitive=marks, after_sensitive=marks)
    doc = with_state(change)
    assert (rules(doc), "secret/" in render_review_text(review(doc))) == ([], False)


def test_an_empty_plan_passes() -> None:
    assert review(plan()).verdict == "pass"
