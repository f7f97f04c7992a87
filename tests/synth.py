"""Synthesize a stack in-process and look things up in its Terraform JSON."""

from __future__ import annotations

import json
from typing import Any

from cdktf import Testing, TerraformStack


def synth_json(stack: TerraformStack) -> dict[str, Any]:
    """The stack's Terraform JSON as a dict."""
    return json.loads(Testing.synth(stack))


def resources(doc: dict[str, Any], type_: str) -> list[dict[str, Any]]:
    """Every resource of ``type_`` in ``doc``."""
    return list(doc.get("resource", {}).get(type_, {}).values())


def only(doc: dict[str, Any], type_: str) -> dict[str, Any]:
    """The single resource of ``type_``; fails if there is not exactly one."""
    found = resources(doc, type_)
    assert len(found) == 1, f"expected one {type_}, found {len(found)}"
    return found[0]


def find(doc: dict[str, Any], type_: str, **attrs: Any) -> dict[str, Any]:
    """The single resource of ``type_`` whose attributes equal ``attrs``."""
    found = [r for r in resources(doc, type_) if all(r.get(k) == v for k, v in attrs.items())]
    assert len(found) == 1, f"expected one {type_} with {attrs}, found {len(found)}"
    return found[0]


def ref(doc: dict[str, Any], type_: str, resource: dict[str, Any], attribute: str) -> str:
    """The ``${type.name.attribute}`` expression that refers to ``resource``."""
    for name, body in doc["resource"][type_].items():
        if body is resource:
            return f"${{{type_}.{name}.{attribute}}}"
    raise AssertionError(f"resource not found among {type_}")


def statements(policy_json: str) -> list[dict[str, Any]]:
    """The statements of an IAM policy document given as JSON."""
    return list(json.loads(policy_json)["Statement"])
