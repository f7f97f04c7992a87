"""RouteLogGroups: the CloudWatch log groups routes write to, each created once and shared by name."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from cdktf import DefaultTokenResolver, StringConcat, TerraformStack, Token, Tokenization
from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.cloudwatch_log_metric_filter import CloudwatchLogMetricFilter
from cdktf_cdktf_provider_aws.cloudwatch_log_subscription_filter import CloudwatchLogSubscriptionFilter

from constructs import Construct
from firelens_cdktf.constructs._synth_time import add_check
from firelens_cdktf.constructs._validation import close_match, where_of
from firelens_cdktf.constructs.grants import RoleLike, RolePolicy, grant_to
from firelens_cdktf.constructs.kms import LogKey
from firelens_cdktf.errors import ConfigError
from firelens_cdktf.iam.policy import Statement, log_stream_writes
from firelens_cdktf.limits import LogClass
from firelens_cdktf.lint.log_classes import LogGroupUse, check_log_classes
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
        kms_key: Encrypt the groups created here with this customer-managed key
            (:class:`~firelens_cdktf.constructs.LogKey`, whose policy then lets
            CloudWatch Logs use it for exactly these groups). Default: ``None``,
            CloudWatch Logs' own encryption.

    Attributes:
        groups: Log group name -> the ``aws_cloudwatch_log_group`` used. ``kms_key``: the key given.

    Each group is created in its destination's ``log_class``. When the stack
    is synthesized, a metric or subscription filter of the stack (the log
    router's log-loss alarm reads its group with metric filters) on a group
    created in the Infrequent Access class fails the synth: that class has
    neither (:mod:`firelens_cdktf.lint.log_classes`).

    Raises:
        ConfigError: one group declared with two retentions or two classes,
            or created by another ``RouteLogGroups`` of the stack as well.

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
        kms_key: LogKey | None = None,
    ) -> None:
        super().__init__(scope, id_)
        self._where = where_of(self)
        self.kms_key = kms_key
        self.groups: dict[str, CloudwatchLogGroup] = dict(existing or {})
        self._declared: dict[str, CloudWatchLogs] = {}
        for group in groups:
            self.add(group)
        add_check(self, self._log_class_problems)

    @property
    def created(self) -> frozenset[str]:
        """Names of the groups this owner creates (not those it was given)."""
        return frozenset(self._declared)

    def add(self, destination: CloudWatchLogs) -> CloudwatchLogGroup:
        """The group for ``destination``, created on first use with its retention and class; its construct id is
        its name. ``log_group_class`` is written only when the destination sets ``log_class``.

        Raises:
            ConfigError: the group was declared before with another retention
                or class, or another ``RouteLogGroups`` of the stack creates it.
        """
        name = destination.log_group
        earlier = self._declared.get(name)
        if earlier is not None and earlier.effective_class != destination.effective_class:
            raise ConfigError(
                self._where,
                "groups",
                f"{name} as {earlier.effective_class} and as {destination.effective_class}",
                "one class per log group (a group's class is fixed when it is created)",
                "declare the CloudWatchLogs destination once and reuse it in every routing, or give the "
                "Infrequent Access routes a log group of their own",
            )
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
        self.groups[name] = CloudwatchLogGroup(
            self,
            name,
            name=name,
            retention_in_days=destination.retention_days,
            # None leaves the attribute out: the JSON of groups that never set a class stays as it was.
            log_group_class=destination.log_class,
            kms_key_id=self.kms_key.encrypt_log_group(name) if self.kms_key is not None else None,
        )
        return self.groups[name]

    @property
    def log_classes(self) -> dict[str, LogClass]:
        """Name -> class of the groups this owner creates."""
        return {name: destination.effective_class for name, destination in self._declared.items()}

    def _log_class_problems(self) -> list[str]:
        """At synth: every metric or subscription filter of the stack on a group this owner created in Infrequent
        Access (the filters may be added after the groups, by the team's own code)."""
        classes = self.log_classes
        if LogClass.INFREQUENT_ACCESS not in classes.values():
            return []
        stack = TerraformStack.of(self)
        findings = check_log_classes(classes, log_group_uses(stack))
        return [
            str(
                ConfigError(
                    self._where,
                    "groups",
                    f"{finding.where.removeprefix('log group ')} as {LogClass.INFREQUENT_ACCESS}",
                    f"a Standard group where something needs a Standard feature: {finding.problem}",
                    finding.fix,
                )
            )
            for finding in findings
        ]

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


def log_group_uses(stack: TerraformStack) -> tuple[LogGroupUse, ...]:
    """The metric and subscription filters of ``stack``, each as a use of the log group it reads.

    A filter names its group as text or as a reference to an ``aws_cloudwatch_log_group``
    of the stack (``group.name``): a reference is followed to that group's name.
    A group name known only at deploy is left out.
    """

    def resolve(value: str) -> str:
        # A token is a new string each time it is read; what it resolves to (${aws_...name}) is stable.
        resolver = DefaultTokenResolver(StringConcat())
        return str(Tokenization.resolve(value, scope=stack, preparing=False, resolver=resolver))

    names: dict[str, str] = {}
    for node in stack.node.find_all():
        if isinstance(node, CloudwatchLogGroup) and node.name_input and not Token.is_unresolved(node.name_input):
            names[resolve(node.name)] = node.name_input
    uses: list[LogGroupUse] = []
    for node in stack.node.find_all():
        if isinstance(node, CloudwatchLogMetricFilter):
            feature, given = "metric filter", node.log_group_name_input
        elif isinstance(node, CloudwatchLogSubscriptionFilter):
            feature, given = "subscription filter", node.log_group_name_input
        else:
            continue
        if given is None:
            continue
        group = names.get(resolve(given)) if Token.is_unresolved(given) else given
        if group is not None:
            uses.append(LogGroupUse(group, feature, f"{feature} '{node.node.path}'"))
    return tuple(uses)
