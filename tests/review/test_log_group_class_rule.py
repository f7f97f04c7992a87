"""log-group-class-changed: a route switched to Infrequent Access on an existing group is a replacement; blocked.

The plan is a fixture in Terraform 1.11.4's ``show -json`` shape
(``plans/log_group_class_to_ia.json``): the provider marks
``log_group_class`` ForceNew, so the group is deleted and created again.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from minimal_plans import rc, with_state

from firelens_cdktf.review.plan_review import review_plans
from firelens_cdktf.review.render import render_review_text
from firelens_cdktf.review.rules import RULES

PLAN = json.loads((Path(__file__).parent / "plans" / "log_group_class_to_ia.json").read_text())
ADDRESS = PLAN["resource_changes"][0]["address"]


def test_a_group_switched_to_infrequent_access_is_blocked_with_the_reason_and_the_fix() -> None:
    review = review_plans([("pipeline", PLAN)])
    (finding,) = [f for f in review.findings if f.rule == "log-group-class-changed"]
    assert review.blocked
    assert "deletes /sample-metrics-fluentbit/analysis and every event in it" in finding.message
    assert "log_group_class STANDARD -> INFREQUENT_ACCESS" in finding.message
    assert "new group under a new name" in finding.message


def test_the_replacement_is_also_a_stateful_destroy_and_one_allow_destroy_accepts_both() -> None:
    blocked = review_plans([("pipeline", PLAN)])
    allowed = review_plans([("pipeline", PLAN)], allow_destroy=[f"pipeline:{ADDRESS}"])
    assert sorted(f.rule for f in blocked.findings) == ["log-group-class-changed", "stateful-destroy"]
    assert (allowed.blocked, allowed.verdict) == (False, "pass with allowances")


def test_the_text_review_says_why_the_rule_blocks() -> None:
    assert RULES["log-group-class-changed"].guards in render_review_text(review_plans([("pipeline", PLAN)]))


def _replaced(before: Any, after: Any, unknown: dict[str, Any] | None = None) -> dict[str, Any]:
    return with_state(
        rc(
            "aws_cloudwatch_log_group.g",
            ["delete", "create"],
            before={"name": "/g", "log_group_class": before},
            after={"name": "/g", "log_group_class": after},
            after_unknown=unknown,
        )
    )


def test_a_replacement_for_another_reason_is_not_this_rules() -> None:
    review = review_plans([("s", _replaced("STANDARD", "STANDARD"))])
    assert [f.rule for f in review.findings] == ["stateful-destroy"]


def test_a_class_known_only_after_apply_is_not_judged() -> None:
    review = review_plans([("s", _replaced("INFREQUENT_ACCESS", None, {"log_group_class": True}))])
    assert [f.rule for f in review.findings] == ["stateful-destroy"]


def test_a_new_group_in_infrequent_access_is_not_a_finding() -> None:
    doc = with_state(
        rc("aws_cloudwatch_log_group.g", ["create"], after={"name": "/g", "log_group_class": "INFREQUENT_ACCESS"})
    )
    assert review_plans([("s", doc)]).findings == ()
