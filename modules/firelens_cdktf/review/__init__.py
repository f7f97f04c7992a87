"""Plan review: reads ``terraform show -json`` plans and blocks what a reviewer must not miss.

Pure Python: it judges what each change does (destroys, wildcard grants, data
deleted in place, access opened, protection removed: the rules of
:data:`RULES`), and renders the verdict as text or as the PR comment's Markdown.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from firelens_cdktf._lazy import lazy_exports

if TYPE_CHECKING:
    from firelens_cdktf.review.model import ALLOW_FLAGS as ALLOW_FLAGS
    from firelens_cdktf.review.model import STATEFUL_RESOURCE_TYPES as STATEFUL_RESOURCE_TYPES
    from firelens_cdktf.review.model import Finding as Finding
    from firelens_cdktf.review.model import FindingKind as FindingKind
    from firelens_cdktf.review.model import PlanReview as PlanReview
    from firelens_cdktf.review.model import StackReview as StackReview
    from firelens_cdktf.review.plan_review import review_plans as review_plans
    from firelens_cdktf.review.plan_review import review_stack as review_stack
    from firelens_cdktf.review.plan_review import stack_argument as stack_argument
    from firelens_cdktf.review.render import render_review_markdown as render_review_markdown
    from firelens_cdktf.review.render import render_review_text as render_review_text
    from firelens_cdktf.review.rules import RULES as RULES
    from firelens_cdktf.review.rules import Rule as Rule

_EXPORTS = {
    "review_plans": "firelens_cdktf.review.plan_review",
    "review_stack": "firelens_cdktf.review.plan_review",
    "stack_argument": "firelens_cdktf.review.plan_review",
    "PlanReview": "firelens_cdktf.review.model",
    "StackReview": "firelens_cdktf.review.model",
    "STATEFUL_RESOURCE_TYPES": "firelens_cdktf.review.model",
    "ALLOW_FLAGS": "firelens_cdktf.review.model",
    "Finding": "firelens_cdktf.review.model",
    "FindingKind": "firelens_cdktf.review.model",
    "RULES": "firelens_cdktf.review.rules",
    "Rule": "firelens_cdktf.review.rules",
    "render_review_text": "firelens_cdktf.review.render",
    "render_review_markdown": "firelens_cdktf.review.render",
}
__all__ = sorted([*_EXPORTS])
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
