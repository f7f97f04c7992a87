"""IAM policy documents as plain values (no CDKTF): built, parsed, and judged by one wildcard rule.

Constructs build their policies from :class:`Statement` and
:class:`PolicyDocument`, so every document can be checked in pure-Python
tests. The same module reads documents back (:func:`parse_statements`) and
holds the project's one wildcard rule (:func:`wildcard_parts`), used both by
:func:`grant_violations` (the synthesized stacks' least-privilege check) and
by the plan review (:mod:`firelens_cdktf.review`), which blocks a plan whose
documents *gain* such grants.

The wildcard rule, exactly. Each ``Allow`` statement is expanded into grants
(principal x action x resource x condition); a grant is a wildcard grant when

- its action contains ``*`` or ``?`` (``*``, ``s3:*``, ``s3:Get*``), or the
  statement uses ``NotAction`` (every action but the listed ones);
- its resource is unscoped: ``*``; an ARN with a wildcard in its partition,
  service, region or account; or an ARN whose resource part still holds a
  wildcard, or names only a resource type, once one trailing ``/*`` or
  ``:*`` is removed (``arn:aws:s3:::*``, ``arn:aws:s3:::logs-*``,
  ``arn:aws:iam::1:role/*``, ``...:log-group:*``); or the statement uses
  ``NotResource``. A wildcard *below one named resource* is scoped and does
  not count: ``arn:aws:s3:::my-bucket/*`` or ``my-bucket/year=*`` (objects of one bucket),
  ``...:log-group:/app:*`` (streams of one group). S3, SNS and SQS ARNs have
  no resource type, so their first segment is the name. A Terraform
  reference (``${aws_s3_bucket.x.arn}``, as synthesized JSON holds it)
  stands for one resource's ARN. Resource ``*`` does not count for the
  actions AWS accepts only on ``*`` (:data:`STAR_RESOURCE_ACTIONS`);
- its principal is ``*`` (``"Principal": "*"`` or ``{"AWS": "*"}``), or the
  statement uses ``NotPrincipal``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

#: The only actions that may be granted on ``Resource: "*"``, each with the
#: reason AWS requires it. Anything else must name its resources. The plan
#: review and :func:`grant_violations` both read this one table.
STAR_RESOURCE_ACTIONS: dict[str, str] = {
    # https://docs.aws.amazon.com/AmazonECR/latest/userguide/security_iam_id-based-policy-examples.html
    "ecr:GetAuthorizationToken": "the ECR login token is account-wide: AWS accepts no other resource",
}


@dataclass(frozen=True)
class Statement:
    """One IAM policy statement.

    Args:
        actions: Exact action names such as ``firehose:PutRecordBatch``.
        resources: ARNs (may be unresolved tokens).
        effect: ``Allow`` or ``Deny``. Default: ``Allow``.
        principals: For resource policies, e.g. ``{"AWS": ["*"]}``. Default: none.
        conditions: IAM condition block. Default: none.
        sid: Optional statement id.
    """

    actions: tuple[str, ...]
    resources: tuple[str, ...]
    effect: str = "Allow"
    principals: dict[str, tuple[str, ...]] | None = None
    conditions: dict[str, dict[str, Any]] | None = None
    sid: str = ""

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.sid:
            out["Sid"] = self.sid
        out["Effect"] = self.effect
        if self.principals is not None:
            out["Principal"] = {k: list(v) for k, v in sorted(self.principals.items())}
        out["Action"] = sorted(self.actions)
        if self.resources:  # trust policies have none
            out["Resource"] = list(self.resources)
        if self.conditions:
            out["Condition"] = self.conditions
        return out


@dataclass(frozen=True)
class PolicyDocument:
    """An ordered list of statements, rendered deterministically."""

    statements: tuple[Statement, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        return {"Version": "2012-10-17", "Statement": [s.to_dict() for s in self.statements]}

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=False, separators=(",", ":"))


def deny_insecure_transport(bucket_arn: str) -> Statement:
    """Deny every S3 request to the bucket and its objects that is not over TLS."""
    return Statement(
        sid="DenyInsecureTransport",
        effect="Deny",
        principals={"AWS": ("*",)},  # a resource policy's deny must cover every caller
        actions=("s3:*",),  # deny-all on non-TLS requests: a wildcard is the point here
        resources=(bucket_arn, f"{bucket_arn}/*"),
        conditions={"Bool": {"aws:SecureTransport": "false"}},
    )


def assume_role_policy(service: str) -> PolicyDocument:
    """Trust policy letting an AWS service (``ecs-tasks.amazonaws.com``, ...) assume the role."""
    return PolicyDocument((Statement(actions=("sts:AssumeRole",), resources=(), principals={"Service": (service,)}),))


def firehose_put_records(stream_arns: tuple[str, ...]) -> Statement:
    """What Fluent Bit's ``kinesis_firehose`` output calls: ``PutRecordBatch``, on these streams only."""
    return Statement(sid="PutRecordsToRoutedStreams", actions=("firehose:PutRecordBatch",), resources=stream_arns)


def log_stream_writes(log_group_arns: tuple[str, ...]) -> Statement:
    """Create streams in and write events to these log groups only (not create groups).

    ``log_group_arns`` are group ARNs without the ``:*`` suffix; streams are
    addressed as ``<group arn>:log-stream:<name>``, hence the ``:*``.
    """
    return Statement(
        sid="WriteRoutedLogGroups",
        actions=("logs:CreateLogStream", "logs:PutLogEvents"),
        resources=tuple(f"{arn}:*" for arn in log_group_arns),
    )


def ecr_pull(repository_arns: tuple[str, ...]) -> tuple[Statement, ...]:
    """Pull images from these ECR repositories only."""
    return (
        Statement(
            sid="PullTaskImages",
            actions=("ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"),
            resources=repository_arns,
        ),
        # GetAuthorizationToken is account-wide: AWS accepts no other resource (STAR_RESOURCE_ACTIONS).
        # https://docs.aws.amazon.com/AmazonECR/latest/userguide/security_iam_id-based-policy-examples.html
        Statement(sid="EcrLogin", actions=("ecr:GetAuthorizationToken",), resources=("*",)),
    )


def container_log_writes(log_group_arns: tuple[str, ...]) -> Statement:
    """What the awslogs driver calls with the execution role: create streams in and write to these groups."""
    return Statement(
        sid="WriteContainerLogs",
        actions=("logs:CreateLogStream", "logs:PutLogEvents"),
        resources=tuple(f"{arn}:*" for arn in log_group_arns),
    )


def ssm_parameter_reads(parameter_arns: tuple[str, ...]) -> Statement:
    """What ECS calls with the execution role to hand containers SSM parameters: ``GetParameters``, on these only.

    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-ssm-paramstore.html
    """
    return Statement(sid="ReadSsmParameterSecrets", actions=("ssm:GetParameters",), resources=parameter_arns)


def secrets_manager_reads(secret_arns: tuple[str, ...]) -> Statement:
    """What ECS calls with the execution role to hand containers secrets: ``GetSecretValue``, on these only.

    https://docs.aws.amazon.com/AmazonECS/latest/developerguide/secrets-envvar-secrets-manager.html
    """
    return Statement(sid="ReadSecretsManagerSecrets", actions=("secretsmanager:GetSecretValue",), resources=secret_arns)


def kms_decrypts(key_arns: tuple[str, ...]) -> Statement:
    """Decrypt with these customer managed KMS keys only (secrets encrypted with them)."""
    return Statement(sid="DecryptSecrets", actions=("kms:Decrypt",), resources=key_arns)


def router_config_reads(bucket_arn: str, object_arns: tuple[str, ...]) -> tuple[Statement, ...]:
    """What AWS's init image calls with the task role to fetch the router's config from S3: these objects only.

    The init process of aws-for-fluent-bit 3.2.1 asks the bucket's region
    (``GetBucketLocation``) before it downloads each object (``GetObject``):
    aws/aws-for-fluent-bit ``init/fluent_bit_init_process.go`` and
    ``use_cases/init-process-for-fluent-bit/README.md``.
    """
    return (
        Statement(sid="ReadRouterConfig", actions=("s3:GetObject",), resources=object_arns),
        Statement(sid="LocateRouterConfigBucket", actions=("s3:GetBucketLocation",), resources=(bucket_arn,)),
    )


def merge_statements(statements: Iterable[Statement]) -> tuple[Statement, ...]:
    """One statement per (sid, effect, actions, principals, conditions), holding every resource once, in order.

    Grants add statements one resource at a time; IAM refuses a document
    whose statements repeat a ``Sid``, and one statement per kind reads best.

    Example:
        >>> a, b = firehose_put_records(("arn:a",)), firehose_put_records(("arn:b",))
        >>> [s.resources for s in merge_statements((a, b, a))]
        [('arn:a', 'arn:b')]
    """
    merged: dict[tuple[str, str, tuple[str, ...], str, str], Statement] = {}
    for statement in statements:
        key = (
            statement.sid,
            statement.effect,
            tuple(sorted(statement.actions)),
            json.dumps(statement.principals, sort_keys=True, default=list),
            json.dumps(statement.conditions, sort_keys=True),
        )
        earlier = merged.get(key)
        if earlier is None:
            merged[key] = statement
            continue
        resources = (*earlier.resources, *(r for r in statement.resources if r not in earlier.resources))
        merged[key] = Statement(
            actions=earlier.actions,
            resources=resources,
            effect=earlier.effect,
            principals=earlier.principals,
            conditions=earlier.conditions,
            sid=earlier.sid,
        )
    return tuple(merged.values())


def firehose_delivery_to_s3(bucket_arn: str) -> Statement:
    """What Firehose needs to deliver into one bucket (AWS's documented list)."""
    return Statement(
        sid="DeliverToArchiveBucket",
        actions=(
            "s3:AbortMultipartUpload",
            "s3:GetBucketLocation",
            "s3:GetObject",
            "s3:ListBucket",
            "s3:ListBucketMultipartUploads",
            "s3:PutObject",
        ),
        resources=(bucket_arn, f"{bucket_arn}/*"),
    )


#: What a query in one Athena workgroup needs: run, watch, stop and read queries, and
#: read the workgroup and its saved queries. Every action takes the workgroup as its
#: resource. https://docs.aws.amazon.com/athena/latest/ug/example-policies-workgroup.html
ATHENA_QUERY_ACTIONS: tuple[str, ...] = (
    "athena:BatchGetNamedQuery",
    "athena:BatchGetQueryExecution",
    "athena:GetNamedQuery",
    "athena:GetQueryExecution",
    "athena:GetQueryResults",
    "athena:GetQueryResultsStream",
    "athena:GetWorkGroup",
    "athena:ListNamedQueries",
    "athena:ListQueryExecutions",
    "athena:StartQueryExecution",
    "athena:StopQueryExecution",
)
#: What Athena reads of a Glue table; Glue checks the catalog, the database and the
#: table. https://docs.aws.amazon.com/athena/latest/ug/fine-grained-access-to-glue-resources.html
GLUE_READ_TABLE_ACTIONS: tuple[str, ...] = (
    "glue:BatchGetPartition",
    "glue:GetDatabase",
    "glue:GetPartition",
    "glue:GetPartitions",
    "glue:GetTable",
)


def archive_reader(
    *,
    workgroup_arn: str,
    catalog_arn: str,
    database_arn: str,
    table_arn: str,
    archive_bucket_arn: str,
    data_prefix: str,
    results_bucket_arn: str,
) -> tuple[Statement, ...]:
    """Query one archive table in one Athena workgroup, and nothing else.

    Athena runs a query with the caller's permissions: the workgroup, the Glue
    table's definition, the archive's objects, and the workgroup's results
    bucket (https://docs.aws.amazon.com/athena/latest/ug/access.html).
    Listing the archive is limited to keys under ``data_prefix`` (the
    Firehose prefix up to its first expression, ``year=``), so the failed
    records under ``errors/`` are not listed, and object reads are limited to
    the same keys (``<bucket arn>/year=*``): a wildcard in the keys below one
    named bucket is scoped under the wildcard rule (module docstring).

    Args:
        workgroup_arn: the Athena workgroup queries must run in.
        catalog_arn: ``arn:<partition>:glue:<region>:<account>:catalog``.
        database_arn: the Glue database.
        table_arn: the Glue table.
        archive_bucket_arn: the bucket Firehose writes to.
        data_prefix: the constant start of the Firehose prefix, e.g. ``year=``.
        results_bucket_arn: the workgroup's query results bucket (its own bucket).
    """
    return (
        Statement(sid="QueryInWorkgroup", actions=ATHENA_QUERY_ACTIONS, resources=(workgroup_arn,)),
        Statement(
            sid="ReadTableDefinition", actions=GLUE_READ_TABLE_ACTIONS, resources=(catalog_arn, database_arn, table_arn)
        ),
        Statement(sid="LocateArchive", actions=("s3:GetBucketLocation",), resources=(archive_bucket_arn,)),
        Statement(
            sid="ListArchivePartitions",
            actions=("s3:ListBucket",),
            resources=(archive_bucket_arn,),
            conditions={"StringLike": {"s3:prefix": [f"{data_prefix}*"]}},
        ),
        Statement(
            sid="ReadArchiveObjects", actions=("s3:GetObject",), resources=(f"{archive_bucket_arn}/{data_prefix}*",)
        ),
        Statement(
            sid="UseResultsBucket",
            actions=("s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"),
            resources=(results_bucket_arn,),
        ),
        Statement(
            sid="WriteQueryResults",
            actions=("s3:AbortMultipartUpload", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:PutObject"),
            resources=(f"{results_bucket_arn}/*",),
        ),
    )


# --- reading documents back --------------------------------------------------------------------


@dataclass(frozen=True)
class PolicyStatement:
    """One IAM statement as read from a document, normalised (single values become tuples, lists are sorted).

    Principals read ``TYPE:VALUE`` (``AWS:*``, ``Service:ecs-tasks.amazonaws.com``);
    a bare ``"Principal": "*"`` reads ``*``. ``condition`` is canonical JSON, or ``""``.
    """

    effect: str
    actions: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()
    principals: tuple[str, ...] = ()
    not_actions: tuple[str, ...] = ()
    not_resources: tuple[str, ...] = ()
    not_principals: tuple[str, ...] = ()
    condition: str = ""
    sid: str = ""

    @property
    def allows(self) -> bool:
        """Whether this is an ``Allow`` statement."""
        return self.effect.lower() == "allow"

    def wildcard_actions(self) -> tuple[str, ...]:
        """Action entries that match more than one action (``*``, ``s3:*``, ``s3:Get*``)."""
        return tuple(a for a in self.actions if is_wildcard_action(a))

    def wildcard_resources(self) -> tuple[str, ...]:
        """Resource entries that are unscoped for at least one of the statement's actions."""
        return tuple(r for r in self.resources if any(_is_wildcard_grant_resource(a, r) for a in self.actions or ("",)))

    def wildcard_principals(self) -> tuple[str, ...]:
        """Principal entries that are everyone."""
        return tuple(p for p in self.principals if is_wildcard_principal(p))

    def grants(self) -> frozenset[Grant]:
        """(principal, action, resource, condition) for each combination the statement names.

        ``NotAction``/``NotResource``/``NotPrincipal`` lists become one ``NOT(...)`` entry.
        """
        principals = self.principals or ((_not(self.not_principals),) if self.not_principals else ("",))
        actions = self.actions or ((_not(self.not_actions),) if self.not_actions else ("",))
        resources = self.resources or ((_not(self.not_resources),) if self.not_resources else ("",))
        return frozenset((p, a, r, self.condition) for p in principals for a in actions for r in resources)


#: (principal, action, resource, condition JSON) of one statement.
Grant = tuple[str, str, str, str]


class PolicyParseError(ValueError):
    """A policy document whose shape IAM would reject (not an object, no statement list...)."""


def _strings(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    items = value if isinstance(value, list) else [value]
    return tuple(sorted(str(v) for v in items))


def _principals(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, dict):
        return tuple(sorted(f"{kind}:{v}" for kind, values in value.items() for v in _strings(values)))
    return _strings(value)


def parse_statements(document: Mapping[str, Any]) -> tuple[PolicyStatement, ...]:
    """The statements of a parsed policy document.

    Raises:
        PolicyParseError: ``Statement`` is neither an object nor a list of
            objects, or a statement has no ``Effect``: IAM rejects such a
            document, and a checker must not pass what it cannot read.
    """
    if not isinstance(document, Mapping):
        raise PolicyParseError(f"a policy document is a JSON object, not {type(document).__name__}")
    raw = document.get("Statement", [])
    items = raw if isinstance(raw, list) else [raw]
    out = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise PolicyParseError(f"statement {index} is {type(item).__name__}, not an object")
        if item.get("Effect") not in ("Allow", "Deny"):
            raise PolicyParseError(
                f"statement {item.get('Sid') or index} has Effect {item.get('Effect')!r}, not 'Allow' or 'Deny'"
            )
        condition = item.get("Condition")
        out.append(
            PolicyStatement(
                effect=str(item["Effect"]),
                actions=_strings(item.get("Action")),
                resources=_strings(item.get("Resource")),
                principals=_principals(item.get("Principal")),
                not_actions=_strings(item.get("NotAction")),
                not_resources=_strings(item.get("NotResource")),
                not_principals=_principals(item.get("NotPrincipal")),
                condition=json.dumps(condition, sort_keys=True, separators=(",", ":")) if condition else "",
                sid=str(item.get("Sid", "")),
            )
        )
    return tuple(out)


def parse_policy(text: str) -> dict[str, Any] | None:
    """``text`` parsed when it is a JSON policy document (an object with ``Statement``), else ``None``."""
    if not text.lstrip().startswith("{"):
        return None
    try:
        doc = json.loads(text)
    except ValueError:
        return None
    return doc if isinstance(doc, dict) and "Statement" in doc else None


# --- the wildcard rule (see the module docstring) ------------------------------------------------

#: ARN services whose resource part has no resource type (``arn:aws:s3:::bucket/key``).
_UNTYPED_ARN_SERVICES = frozenset({"s3", "sns", "sqs"})
#: One Terraform reference, optionally followed by one trailing ``/*`` or ``:*``.
_REFERENCE = re.compile(r"^\$\{[^${}*?]+\}(?:[/:][^${}]*)?$")


def _has_wildcard(text: str) -> bool:
    return "*" in text or "?" in text


def _not(values: tuple[str, ...]) -> str:
    return f"NOT({', '.join(values)})"


def is_wildcard_action(action: str) -> bool:
    """Whether ``action`` names more than one action (or is a ``NotAction`` list)."""
    return action.startswith("NOT(") or _has_wildcard(action)


def is_wildcard_principal(principal: str) -> bool:
    """Whether ``principal`` (``TYPE:VALUE`` or ``*``) is everyone (or a ``NotPrincipal`` list)."""
    return principal.startswith("NOT(") or principal == "*" or principal.endswith(":*")


def is_wildcard_resource(resource: str) -> bool:
    """Whether ``resource`` covers more than one named resource and its children."""
    if resource.startswith("NOT("):
        return True
    if not _has_wildcard(resource):
        return False
    if _REFERENCE.match(resource):
        return False  # one resource's ARN (unresolved), or the children of one
    parts = resource.split(":", 5)
    if parts[0] != "arn" or len(parts) < 6:
        return True
    if any(_has_wildcard(p) for p in parts[1:5]):
        return True
    rest = parts[5]
    for suffix in ("/*", ":*"):
        if rest.endswith(suffix):
            rest = rest[: -len(suffix)]
            break
    typed = parts[2] not in _UNTYPED_ARN_SERVICES
    if not typed and "/" in rest and not _has_wildcard(rest.split("/", 1)[0]):
        return False  # keys below one named bucket (arn:aws:s3:::logs/year=*): scoped
    if _has_wildcard(rest):
        return True
    return typed and "/" not in rest and ":" not in rest  # only a type is left: every resource of it


def _is_wildcard_grant_resource(action: str, resource: str) -> bool:
    if resource == "*" and action in STAR_RESOURCE_ACTIONS:
        return False
    return is_wildcard_resource(resource)


def wildcard_parts(grant: Grant) -> tuple[str, ...]:
    """What is wild in one grant, e.g. ``("action s3:*", "resource *")``; empty when it is scoped."""
    principal, action, resource, _ = grant
    parts = []
    if principal and is_wildcard_principal(principal):
        parts.append(f"principal {principal}")
    if action and is_wildcard_action(action):
        parts.append(f"action {action}")
    if resource and _is_wildcard_grant_resource(action, resource):
        parts.append(f"resource {resource}")
    return tuple(parts)


def allow_grants(statements: Iterable[PolicyStatement]) -> frozenset[Grant]:
    """Every grant of the ``Allow`` statements."""
    return frozenset(g for s in statements if s.allows for g in s.grants())


def grant_violations(document: Mapping[str, Any]) -> Iterator[str]:
    """What a policy document grants beyond least privilege, one sentence per statement.

    An ``Allow`` statement violates when any of its grants is a wildcard
    grant under the module's rule. A ``Deny`` only takes permissions away,
    so a wildcard there narrows access (the TLS-only bucket policy's
    ``s3:*`` for every principal); a Deny is only required to carry a
    ``Condition`` (an unconditional deny-all would lock everyone out and is
    never what this project means).

    Args:
        document: A parsed IAM policy document (identity, trust or resource policy).

    Raises:
        PolicyParseError: the document's shape is not one IAM accepts.

    Example:
        >>> list(grant_violations({"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}))
        ['statement 0 allows a wildcard: action s3:*, resource *']
    """
    for index, statement in enumerate(parse_statements(document)):
        label = f"statement {statement.sid or index}"
        if not statement.allows:
            if not statement.condition:
                yield f"{label} is a Deny without a Condition"
            continue
        wild: list[str] = []
        for grant in sorted(statement.grants()):
            wild += [part for part in wildcard_parts(grant) if part not in wild]
        if wild:
            yield f"{label} allows a wildcard: {', '.join(wild)}"
