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
