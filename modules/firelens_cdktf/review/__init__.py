"""Review tools: the plan review that gates CI, the security scan, and the bad-input catalogue.

:func:`review_plans` reads ``terraform show -json`` plans (pure Python) and
blocks loss of stateful resources and new IAM wildcard grants.
"""

from __future__ import annotations

from .._lazy import lazy_exports

_EXPORTS = {
    "review_plans": ".plan_review", "review_stack": ".plan_review", "stack_argument": ".plan_review",
    "PlanReview": ".model", "StackReview": ".model", "STATEFUL_RESOURCE_TYPES": ".model",
    "render_review_text": ".render", "render_review_markdown": ".render",
    "CATALOGUE": ".bad_inputs", "try_all": ".bad_inputs",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
