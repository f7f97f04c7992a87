"""LogKey: the customer-managed KMS key a pipeline encrypts its logs, images and alarms with (opt-in)."""

from __future__ import annotations

import re
from collections.abc import Sequence

from cdktf import Fn, TerraformStack
from cdktf_cdktf_provider_aws.data_aws_caller_identity import DataAwsCallerIdentity
from cdktf_cdktf_provider_aws.data_aws_partition import DataAwsPartition
from cdktf_cdktf_provider_aws.data_aws_region import DataAwsRegion
from cdktf_cdktf_provider_aws.kms_alias import KmsAlias
from cdktf_cdktf_provider_aws.kms_key import KmsKey
from cdktf_cdktf_provider_aws.provider import AwsProvider

from constructs import Construct
from firelens_cdktf import limits as _limits
from firelens_cdktf.constructs._validation import check_pattern, check_range, is_token, where_of
from firelens_cdktf.errors import ConfigError
from firelens_cdktf.iam.kms import S3_READ_KEY_ACTIONS, S3_WRITE_KEY_ACTIONS, log_key_policy, s3_encryption_statement
from firelens_cdktf.iam.policy import PolicyDocument, Statement

#: KMS alias names: ``alias/`` then letters, digits, ``/``, ``_``, ``-``; ``alias/aws/`` is AWS's own.
#: https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html
_ALIAS = re.compile(r"^alias/(?!aws/)[A-Za-z0-9/_-]{1,250}$")
#: The waiting period before a scheduled key deletion: 7 to 30 days (the default is 30).
#: https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys.html
DELETION_WINDOW_DAYS = (7, 30)
#: A KMS alias ARN (refused: CloudWatch Logs takes key ARNs only).
_ALIAS_ARN = re.compile(r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:alias/")


class LogKey(Construct):
    """A customer-managed KMS key for a pipeline, with a key policy naming exactly the services that use it.

    Pass it as ``kms_key=`` to :class:`~firelens_cdktf.constructs.LogArchive`,
    :class:`~firelens_cdktf.constructs.ArchiveQueries`,
    :class:`~firelens_cdktf.constructs.FirelensService` (its log groups),
    :class:`~firelens_cdktf.constructs.RouteLogGroups` and
    :class:`~firelens_cdktf.constructs.ContainerRepository`; each tells the key
    what it encrypts. The key's policy (:func:`~firelens_cdktf.iam.log_key_policy`)
    is then the account's administration through IAM, CloudWatch Logs for
    exactly the log groups given the key, and CloudWatch alarms when a topic
    uses it (:meth:`allow_alarm_topic`). Roles get their ``kms:`` actions
    through IAM, only via S3 and only for their buckets (:meth:`s3_statement`).

    The key rotates yearly (``enable_key_rotation``); destroying it schedules
    its deletion after ``deletion_window_days``, and from then on nothing it
    encrypted can be read: archived logs, log events, images.

    Args:
        scope: Parent construct (the key lives in the stack's provider region).
        id_: Construct id.
        key_arn: A key you manage, by its ARN (in the stack's region): nothing is created and
            the key policy stays yours; once everything was given the key,
            :meth:`required_key_policy` is what that policy must hold. Default: a key is created.
        alias: The key's alias, ``alias/<name>``. Default: none.
        description: The key's description. Default: says it encrypts FireLens logs.
        deletion_window_days: Days between ``destroy`` and the key's deletion (7-30). Default: 30.

    Attributes:
        key: The ``aws_kms_key`` (``None`` with ``key_arn``). ``arn``: the key's ARN.
        log_group_names: The log groups encrypted with it. ``alarm_topics``: whether alarms publish
        to a topic encrypted with it.

    Raises:
        ConfigError: an alias KMS refuses, a deletion window outside 7-30 days, or a ``key_arn`` that is
            not a key's ARN (an alias ARN, another service's) or names another region than the stack's.

    Example::

        key = LogKey(stack, "key", alias="alias/payments-logs")
        archive = LogArchive(stack, "archive", stream_name="payments", bucket_name="my-org-payments-logs",
                             kms_key=key)
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        key_arn: str | None = None,
        alias: str | None = None,
        description: str = "FireLens pipeline: archived logs, log groups, images and alarms",
        deletion_window_days: int = 30,
    ) -> None:
        super().__init__(scope, id_)
        where = where_of(self)
        self.log_group_names: list[str] = []
        self.alarm_topics = False
        self.key: KmsKey | None = None
        if key_arn is not None:
            if alias is not None:
                raise ConfigError(
                    where,
                    "alias",
                    alias,
                    "None with key_arn (a key you manage keeps its own aliases)",
                    "leave alias out, or leave key_arn out to have a key created",
                )
            self._partition, self._region, self._account = _arn_parts(where, key_arn, _provider_region(self))
            self.arn = key_arn
            return
        if alias is not None:
            check_pattern(
                where,
                "alias",
                alias,
                _ALIAS,
                "'alias/' then 1-250 letters, digits, '/', '_' or '-', not under alias/aws/ (AWS's own)",
                "name it e.g. 'alias/payments-logs'",
            )
        check_range(
            where,
            "deletion_window_days",
            deletion_window_days,
            DELETION_WINDOW_DAYS,
            "KMS waits 7 to 30 days before deleting a key; e.g. 30",
        )
        partition = DataAwsPartition(self, "partition")
        region = DataAwsRegion(self, "region")
        caller = DataAwsCallerIdentity(self, "caller")
        self._partition, self._region, self._account = partition.partition, region.name, caller.account_id
        self.key = KmsKey(
            self,
            "key",
            description=description,
            enable_key_rotation=True,
            deletion_window_in_days=deletion_window_days,
            policy=self.required_key_policy().to_json(),
        )
        self.arn = self.key.arn
        if alias is not None:
            KmsAlias(self, "alias", name=alias, target_key_id=self.key.key_id)

    @property
    def region(self) -> str:
        """The key's region (a token for a key this construct creates)."""
        return self._region

    def encrypt_log_group(self, name: str) -> str:
        """Let CloudWatch Logs use the key for the group ``name``; returns the key ARN for its ``kms_key_id``."""
        if name not in self.log_group_names:
            self.log_group_names.append(name)
            self._render()
        return self.arn

    def allow_alarm_topic(self) -> str:
        """Let CloudWatch alarms publish to an SNS topic encrypted with the key; returns the key ARN for the
        topic's ``kms_master_key_id``."""
        if not self.alarm_topics:
            self.alarm_topics = True
            self._render()
        return self.arn

    def s3_statement(self, sid: str, bucket_arns: Sequence[str], *, write: bool) -> Statement:
        """The ``kms:`` actions a role needs to read (``write=False``) or also write SSE-KMS objects of
        these buckets, only through S3 in the key's region."""
        actions = S3_WRITE_KEY_ACTIONS if write else S3_READ_KEY_ACTIONS
        return s3_encryption_statement(sid, self.arn, self._region, bucket_arns, actions)

    def required_key_policy(self) -> PolicyDocument:
        """The key policy the key needs for what was given it so far: rendered on a key this construct
        creates; for a ``key_arn`` you gave, what its policy must hold."""
        return log_key_policy(
            partition=self._partition,
            region=self._region,
            account=self._account,
            log_group_names=self.log_group_names,
            alarm_topics=self.alarm_topics,
        )

    def _render(self) -> None:
        if self.key is not None:
            self.key.policy = self.required_key_policy().to_json()


def _arn_parts(where: str, key_arn: str, stack_region: str | None) -> tuple[str, str, str]:
    """Partition, region and account of a key ARN given to :class:`LogKey`, checked; tokens are split at deploy."""
    if is_token(key_arn):
        part = Fn.split(":", key_arn)
        return Fn.element(part, 1), Fn.element(part, 3), Fn.element(part, 4)
    if _ALIAS_ARN.match(key_arn):
        raise ConfigError(
            where,
            "key_arn",
            key_arn,
            "a key ARN, arn:aws:kms:<region>:<account>:key/<key id>",
            "CloudWatch Logs takes key ARNs only: pass the ARN of the key the alias points to "
            "(aws kms describe-key --key-id <alias> --query KeyMetadata.Arn)",
        )
    check_pattern(
        where,
        "key_arn",
        key_arn,
        _limits.KMS_KEY_ARN,
        "a KMS key ARN, arn:aws:kms:<region>:<account>:key/<key id>",
        "pass the key's ARN as `aws kms describe-key` prints it",
    )
    _, partition, _, region, account, _ = key_arn.split(":", 5)
    if stack_region is not None and region != stack_region:
        raise ConfigError(
            where,
            "key_arn",
            key_arn,
            f"a key in the stack's region {stack_region} (each service uses keys of its own region only)",
            f"create the key in {stack_region}, or a multi-Region replica of it there, and pass that ARN",
        )
    return partition, region, account


def _provider_region(scope: Construct) -> str | None:
    """The region of the stack's AWS provider, when it is known at synth."""
    for node in TerraformStack.of(scope).node.find_all():
        if isinstance(node, AwsProvider):
            region = node.region_input
            return region if region and not is_token(region) else None
    return None
