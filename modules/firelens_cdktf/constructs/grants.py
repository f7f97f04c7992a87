"""Grants: permissions a resource gives a role, scoped to the resource's own ARN.

``archive.grant_put_records(role)``, ``log_groups.grant_write(role, names)``:
the resource knows the actions and its ARN, the caller only says who. A grant
goes into a :class:`RolePolicy`, one inline policy on the role that gathers
every statement granted to it (merged by kind, each resource once), so a
task role's policy is exactly the sum of what its routes were granted.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy

from constructs import Construct, Node
from firelens_cdktf.constructs._synth_time import lazy_string
from firelens_cdktf.iam.policy import PolicyDocument, Statement, merge_statements


class RoleLike(Protocol):
    """A role the constructs can attach inline policies to: an ``IamRole`` of the stack, or a
    ``DataAwsIamRole`` naming one that exists (bring your own role)."""

    @property
    def node(self) -> Node: ...

    @property
    def name(self) -> str: ...

    @property
    def arn(self) -> str: ...


class RolePolicy(Construct):
    """One inline policy on ``role``, made of the statements granted to it until the stack is synthesized.

    The ``aws_iam_role_policy`` is created with the first statement (IAM
    refuses an empty policy) and rendered at synth, so a grant made after
    this construct still lands in it.

    Args:
        scope: Parent construct.
        id_: Construct id; the policy resource takes the same address it
            would have as ``IamRolePolicy(scope, id_, ...)``.
        role: The role the policy is attached to.
        name: The inline policy's name.
        statements: Statements worked out at synth (the task's containers
            may still be added), before those granted. Default: none.

    Attributes:
        role: The role. ``policy``: the ``aws_iam_role_policy``, or ``None``
        while nothing is granted.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        role: RoleLike,
        name: str,
        statements: Callable[[], Sequence[Statement]] | None = None,
    ) -> None:
        super().__init__(scope, id_)
        self.role = role
        self._name = name
        self._derived = statements
        self._granted: list[Statement] = []
        self.policy: IamRolePolicy | None = None
        if statements is not None:
            self._create()

    @property
    def statements(self) -> tuple[Statement, ...]:
        """What the policy allows, merged (see :func:`~firelens_cdktf.iam.policy.merge_statements`)."""
        derived = tuple(self._derived()) if self._derived is not None else ()
        return merge_statements((*derived, *self._granted))

    def add_statements(self, *statements: Statement) -> None:
        """Add statements to the policy (what every ``grant_*`` method does)."""
        self._granted.extend(statements)
        if self.policy is None and statements:
            self._create()

    def _create(self) -> None:
        # "Default" is left out of CDKTF's logical ids: the resource keeps the address of an IamRolePolicy at id_.
        self.policy = IamRolePolicy(
            self,
            "Default",
            role=self.role.name,
            name=self._name,
            policy=lazy_string(lambda: PolicyDocument(self.statements).to_json()),
        )


def grant_to(
    grantee: RoleLike | RolePolicy, scope: Construct, id_: str, name: str, *statements: Statement
) -> RolePolicy:
    """Put ``statements`` into ``grantee``'s policy: the given :class:`RolePolicy`, or a new one on the given role.

    A new one is made in ``scope`` at ``id_`` (the granting resource's own
    scope, as ``grant_put_records`` always made it) and named ``name``.
    """
    policy = grantee if isinstance(grantee, RolePolicy) else RolePolicy(scope, id_, role=grantee, name=name)
    policy.add_statements(*statements)
    return policy
