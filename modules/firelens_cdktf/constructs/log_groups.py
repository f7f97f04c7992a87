"""RouteLogGroups: the CloudWatch log groups routes write to, each created once and shared by name."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from cdktf import TerraformStack
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup

from constructs import Construct
from firelens_cdktf.constructs._validation import close_match, where_of
from firelens_cdktf.constructs.grants import RoleLike, RolePolicy, grant_to
from firelens_cdktf.errors import ConfigError
from firelens_cdktf.iam.policy import Statement, log_stream_writes
from firelens_cdktf.routing.routes import CloudWatchLogs


class RouteLogGroups(Construct):
    """The log groups routes deliver to, created by Terraform (never by Fluent Bit), each once.

    Create one per stack and pass it to every task definition (or
    :class:`~firelens_cdktf.constructs.FirelensService`) whose routes share
    groups: a group belongs to this owner, not to whichever service came
    first, and each group's construct id is its name, so adding, removing or
    reordering routes and services never moves (or replaces) a group.

    Args:
        scope: Parent construct.
        id_: Construct id.
        groups: Groups to create now. Default: none; task definitions add
            the ones their routes use.
        existing: Groups created elsewhere, by name, to use instead of
            creating them. Default: none.

    Attributes:
        groups: Log group name -> the ``aws_cloudwatch_log_group`` used.

    Raises:
        ConfigError: one group declared with two retentions, or created by
            another ``RouteLogGroups`` of the stack as well.

    Example::

        shared = RouteLogGroups(stack, "log-groups")
        FirelensTaskDefinition(stack, "api-task", ..., log_groups=shared)
        FirelensTaskDefinition(stack, "worker-task", ..., log_groups=shared)
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        groups: Iterable[CloudWatchLogs] = (),
        existing: Mapping[str, CloudwatchLogGroup] | None = None,
    ) -> None:
        super().__init__(scope, id_)
        self._where = where_of(self)
        self.groups: dict[str, CloudwatchLogGroup] = dict(existing or {})
        self._declared: dict[str, CloudWatchLogs] = {}
        for group in groups:
            self.add(group)

    @property
    def created(self) -> frozenset[str]:
        """Names of the groups this owner creates (not those it was given)."""
        return frozenset(self._declared)

    def add(self, destination: CloudWatchLogs) -> CloudwatchLogGroup:
        """The group for ``destination``, created on first use with its retention; its construct id is its name.

        Raises:
            ConfigError: the group was declared before with another retention,
                or another ``RouteLogGroups`` of the stack creates it.
        """
        name = destination.log_group
        earlier = self._declared.get(name)
        if earlier is not None and earlier.retention_days != destination.retention_days:
            raise ConfigError(
                self._where,
                "groups",
                f"{name} with retention_days={earlier.retention_days} and {destination.retention_days}",
                "one retention per log group",
                "declare the CloudWatchLogs destination once and reuse it in every routing",
            )
        if name in self.groups:
            return self.groups[name]
        owner = creator_elsewhere(self, name)
        if owner is not None:
            raise ConfigError(
                self._where,
                "groups",
                name,
                f"groups no other RouteLogGroups of the stack creates ({name} is created by '{owner.node.path}')",
                "pass that RouteLogGroups to this task definition instead of a second owner",
            )
        self._declared[name] = destination
        self.groups[name] = CloudwatchLogGroup(self, name, name=name, retention_in_days=destination.retention_days)
        return self.groups[name]

    def group(self, name: str) -> CloudwatchLogGroup:
        """The group named ``name``.

        Raises:
            ConfigError: no such group here (the message names a close one).
        """
        if name not in self.groups:
            raise ConfigError(
                self._where,
                "name",
                name,
                f"one of its groups ({', '.join(sorted(self.groups)) or 'none yet'})",
                f"add CloudWatchLogs({name!r}) to a route first{close_match(name, self.groups)}",
            )
        return self.groups[name]

    def write_statement(self, names: Iterable[str]) -> Statement:
        """Create streams in and put events to exactly the named groups (what Fluent Bit's output calls)."""
        return log_stream_writes(tuple(self.group(name).arn for name in names))

    def grant_write(self, grantee: RoleLike | RolePolicy, names: Iterable[str] | None = None) -> RolePolicy:
        """Let ``grantee`` write to the named groups (default: all of them), and to nothing else.

        Returns:
            The policy that holds the grant (a new ``write-logs`` inline policy
            on a role, or the :class:`~firelens_cdktf.constructs.RolePolicy` given).
        """
        statement = self.write_statement(sorted(self.groups) if names is None else names)
        return grant_to(grantee, self, f"write-logs-{grantee.node.addr[:8]}", "write-logs", statement)


def creator_elsewhere(owner: RouteLogGroups | None, name: str, scope: Construct | None = None) -> RouteLogGroups | None:
    """The other ``RouteLogGroups`` of the stack that creates the group ``name``, if any."""
    stack = TerraformStack.of(scope if scope is not None else owner)  # type: ignore[arg-type]
    for other in stack.node.find_all():
        if isinstance(other, RouteLogGroups) and other is not owner and name in other.created:
            return other
    return None
