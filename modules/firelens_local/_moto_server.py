"""moto's server with the project's corrections: policy conditions, Firehose's S3 objects, Athena's and ECS's gaps.

The corrections change how the emulator behaves, never the synthesized JSON:

1. policy conditions (below);
2. Firehose stores objects as real Firehose does: evaluated prefix, object
   name, GZIP (:mod:`firelens_local._moto_firehose`);
3. Athena calls Terraform's provider makes that moto lacks or gets wrong:
   ``ListTagsForResource``, ``DeleteNamedQuery``, ``UpdateWorkGroup``
   (:mod:`firelens_local._moto_athena`);
4. ECS ``CreateService`` keeps ``availabilityZoneRebalancing``
   (:mod:`firelens_local._moto_ecs`);
5. a CloudWatch Logs group keeps its class (``logGroupClass``, :mod:`firelens_local._moto_logs`).

Policy conditions: moto (5.2.x, ``moto/iam/access_control.py`` and ``policy_conditions.py``)
passes no request context into bucket-policy evaluation, and treats a
condition it cannot evaluate (a key with no value, or an operator such as
``Bool`` it does not implement) as *met*. IAM's rule is the opposite: a
condition on a key absent from the request context is not met (except the
``...IfExists`` operators and ``Null``), so the statement does not apply.

The difference matters for every bucket this project creates: their TLS-only
policy is a ``Deny`` with ``Bool aws:SecureTransport false``, which moto
turns into "deny every request", so even Terraform's S3 backend is refused.
With the correction such a statement is neutral on the emulator (it cannot
know the transport); real S3 evaluates it.

Run as ``python -m firelens_local._moto_server [moto server options]``.
"""

from __future__ import annotations

from typing import Any

from moto.iam import access_control
from moto.server import main as moto_main

from firelens_local import _moto_athena, _moto_ecs, _moto_firehose, _moto_logs

_original = access_control.IAMPolicyStatement.is_action_permitted


def _is_action_permitted(
    self: Any,
    action: str,
    resource: str = "*",
    principal: str | None = None,
    incoming_condition_values: dict[str, str] | None = None,
) -> Any:
    context = incoming_condition_values or {}
    for operator, keys in (self._statement.get("Condition") or {}).items():
        if operator.endswith("IfExists") or operator == "Null":
            continue
        if any(key not in context for key in keys):
            return access_control.PermissionResult.NEUTRAL  # the statement does not apply
    return _original(self, action, resource, principal, incoming_condition_values)


def patch() -> None:
    """Apply every correction in this process."""
    access_control.IAMPolicyStatement.is_action_permitted = _is_action_permitted  # type: ignore[method-assign]
    _moto_firehose.patch()
    _moto_athena.patch()
    _moto_ecs.patch()
    _moto_logs.patch()


if __name__ == "__main__":
    patch()
    moto_main()
