"""The emulator's one correction to moto: conditions it cannot evaluate do not apply."""

from __future__ import annotations

from typing import Any

import pytest
from moto.iam.access_control import IAMPolicy, PermissionResult

from firelens_cdktf.iam.policy import PolicyDocument, Statement, deny_insecure_transport
from firelens_local import _moto_server

BUCKET = "arn:aws:s3:::bucket"


@pytest.fixture(autouse=True, scope="module")
def patched() -> None:
    _moto_server.patch()


def _permission(statement: Statement, context: dict[str, str] | None = None) -> Any:
    policy = IAMPolicy(PolicyDocument((statement,)).to_json())
    return policy.is_action_permitted("s3:PutObject", f"{BUCKET}/key", incoming_condition_values=context)


def test_tls_only_deny_does_not_lock_out_requests_without_transport_context() -> None:
    assert _permission(deny_insecure_transport(BUCKET)) == PermissionResult.NEUTRAL


def test_tls_only_deny_still_applies_when_the_context_says_insecure() -> None:
    assert _permission(deny_insecure_transport(BUCKET), {"aws:SecureTransport": "false"}) == PermissionResult.DENIED


def test_unconditional_deny_still_denies() -> None:
    statement = Statement(
        effect="Deny", principals={"AWS": ("*",)}, actions=("s3:PutObject",), resources=(f"{BUCKET}/*",)
    )
    assert _permission(statement) == PermissionResult.DENIED


def test_if_exists_conditions_are_left_to_moto() -> None:
    statement = Statement(
        effect="Deny",
        principals={"AWS": ("*",)},
        actions=("s3:PutObject",),
        resources=(f"{BUCKET}/*",),
        conditions={"BoolIfExists": {"aws:SecureTransport": "false"}},
    )
    assert _permission(statement) == PermissionResult.DENIED
