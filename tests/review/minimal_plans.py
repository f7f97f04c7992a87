"""Hand-written minimal ``terraform show -json`` plans, for the review's pure tests.

Only the parts the review reads: ``resource_changes`` (address, type, name,
actions, before/after and their marks), and optionally ``prior_state`` and
``configuration`` (built from the same changes by :func:`plan`).
"""

from __future__ import annotations

import json
from typing import Any


def rc(
    address: str, actions: list[str], *, before: Any = None, after: Any = None, after_unknown: Any = None, **extra: Any
) -> dict[str, Any]:
    """One entry of ``resource_changes``; ``extra`` sets its marks, ``replace_paths`` or top-level keys."""
    type_, _, name = address.partition(".")
    change = {
        "actions": actions,
        "before": before,
        "after": after,
        "after_unknown": after_unknown or {},
        "before_sensitive": extra.pop("before_sensitive", {}),
        "after_sensitive": extra.pop("after_sensitive", {}),
    }
    if "replace_paths" in extra:
        change["replace_paths"] = extra.pop("replace_paths")
    return {
        "address": address,
        "mode": extra.pop("mode", "managed"),
        "type": type_,
        "name": name,
        "change": change,
        **extra,
    }


def plan(*changes: dict[str, Any], **top: Any) -> dict[str, Any]:
    """A plan of these changes; ``top`` adds top-level keys (``errored``, ``configuration``...)."""
    return {"format_version": "1.2", "terraform_version": "1.11.4", "resource_changes": list(changes), **top}


def with_state(*changes: dict[str, Any], refs: dict[str, list[str]] | None = None, **top: Any) -> dict[str, Any]:
    """A plan whose ``prior_state`` holds the before of every change that has one, and whose
    ``configuration`` sets each planned attribute and gives each resource the references in
    ``refs`` (address -> addresses it refers to, as ``depends_on``)."""
    prior = [
        {
            "address": c["address"],
            "mode": "managed",
            "type": c["type"],
            "name": c["name"],
            "values": c["change"]["before"],
        }
        for c in changes
        if c["change"]["before"] is not None
    ]
    prior += top.pop("also_existing", [])
    configured = [
        {
            "address": c["address"],
            "mode": "managed",
            "type": c["type"],
            "name": c["name"],
            "expressions": {key: {} for key in c["change"]["after"] or {}},
            "depends_on": (refs or {}).get(c["address"], []),
        }
        for c in changes
        if "delete" not in c["change"]["actions"] or "create" in c["change"]["actions"]
    ]
    return plan(
        *changes,
        prior_state={"values": {"root_module": {"resources": prior}}},
        configuration={"root_module": {"resources": configured}},
        **top,
    )


def existing(address: str, values: dict[str, Any]) -> dict[str, Any]:
    """A resource of the prior state that the plan does not change (for ``with_state(also_existing=...)``)."""
    type_, _, name = address.partition(".")
    return {"address": address, "mode": "managed", "type": type_, "name": name, "values": values}


def policy(*statements: dict[str, Any]) -> str:
    """A policy document's JSON."""
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action: str | list[str], resource: str | list[str] = "arn:aws:s3:::b/*", **more: Any) -> dict[str, Any]:
    """An Allow statement (``more``: Principal, Condition, Sid...)."""
    return {"Effect": "Allow", "Action": action, "Resource": resource, **more}
