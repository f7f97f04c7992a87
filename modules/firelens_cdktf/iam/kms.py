"""KMS key policies and the ``kms:`` grants of roles, as plain values (no CDKTF).

A customer-managed key is useless until its key policy lets someone use it,
and dangerous if it lets everyone. The statements here are the ones the
pipeline's services need, each from the AWS page that requires it:

- :func:`key_admin_statement`: the account administers the key through IAM
  (AWS's default key policy; without it nobody can ever change the policy
  again: https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html).
  The deploying principal's own IAM policy then covers ``kms:CreateGrant``,
  which Firehose calls with the caller's credentials when a stream is created
  or its encryption is started
  (https://docs.aws.amazon.com/firehose/latest/dev/encryption.html), and which ECR
  calls the same way when a repository is created with a key
  (https://docs.aws.amazon.com/AmazonECR/latest/userguide/encryption-at-rest.html).
- :func:`logs_key_statement`: CloudWatch Logs, for the named log groups only
  (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html).
- :func:`alarm_topic_key_statement`: CloudWatch alarms publishing to an SNS
  topic encrypted with the key
  (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services).

Roles get the rest through IAM (:func:`s3_encryption_statement`): S3 asks
for the key with the caller's credentials, so the Firehose delivery role
and the archive's readers are granted exactly the ``kms:`` actions their
requests need, only through S3 and only for their buckets.

In a key policy ``"Resource": "*"`` means *this key*
(https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html).
"""

from __future__ import annotations

from collections.abc import Sequence

from firelens_cdktf.iam.policy import PolicyDocument, Statement

#: What CloudWatch Logs does with a group's key. AWS's page grants ``kms:Encrypt*``,
#: ``kms:Decrypt*``, ``kms:ReEncrypt*``, ``kms:GenerateDataKey*`` and ``kms:Describe*``;
#: these are the actions those patterns match for a symmetric key (the data key *pair*
#: actions need an asymmetric key and are left out).
LOGS_KEY_ACTIONS: tuple[str, ...] = (
    "kms:Decrypt",
    "kms:DescribeKey",
    "kms:Encrypt",
    "kms:GenerateDataKey",
    "kms:GenerateDataKeyWithoutPlaintext",
    "kms:ReEncryptFrom",
    "kms:ReEncryptTo",
)
#: What a CloudWatch alarm needs to publish to a topic encrypted with the key (SNS's page).
ALARM_TOPIC_KEY_ACTIONS: tuple[str, ...] = ("kms:Decrypt", "kms:GenerateDataKey")
#: What S3 asks of KMS for a caller that writes an SSE-KMS object (a data key), and for one
#: that reads it (or completes a multipart upload of it).
#: https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#require-sse-kms
S3_WRITE_KEY_ACTIONS: tuple[str, ...] = ("kms:Decrypt", "kms:GenerateDataKey")
S3_READ_KEY_ACTIONS: tuple[str, ...] = ("kms:Decrypt",)


def key_admin_statement(account_root_arn: str) -> Statement:
    """The account administers and uses the key through IAM policies (AWS's default key policy statement).

    ``account_root_arn``: ``arn:<partition>:iam::<account>:root``. Without this
    statement the key cannot be managed, not even by the account's administrators.
    """
    return Statement(
        sid="AccountAdministersKeyThroughIam",
        principals={"AWS": (account_root_arn,)},
        actions=("kms:*",),  # the default key policy: IAM policies decide who in the account does what
        resources=("*",),  # in a key policy, "*" is this key
    )


def log_group_arn(partition: str, region: str, account: str, name: str) -> str:
    """``arn:<partition>:logs:<region>:<account>:log-group:<name>``: the ARN CloudWatch Logs puts in the
    encryption context (no ``:*`` suffix)."""
    return f"arn:{partition}:logs:{region}:{account}:log-group:{name}"


def logs_key_statement(region: str, log_group_arns: Sequence[str]) -> Statement:
    """CloudWatch Logs in ``region`` may use the key for these log groups, and no other.

    The condition names each group's ARN as CloudWatch Logs sends it in the
    encryption context, so the service cannot use the key for another group.
    """
    return Statement(
        sid="CloudWatchLogsEncryptsTheseGroups",
        principals={"Service": (f"logs.{region}.amazonaws.com",)},
        actions=LOGS_KEY_ACTIONS,
        resources=("*",),
        conditions={"ArnLike": {"kms:EncryptionContext:aws:logs:arn": list(log_group_arns)}},
    )


def alarm_topic_key_statement() -> Statement:
    """CloudWatch alarms may publish to SNS topics encrypted with the key (the statement SNS's page gives)."""
    return Statement(
        sid="CloudWatchAlarmsPublishToEncryptedTopic",
        principals={"Service": ("cloudwatch.amazonaws.com",)},
        actions=ALARM_TOPIC_KEY_ACTIONS,
        resources=("*",),
    )


def s3_encryption_statement(
    sid: str, key_arn: str, region: str, bucket_arns: Sequence[str], actions: Sequence[str]
) -> Statement:
    """A role may use the key only through S3 in ``region``, only for objects of these buckets.

    S3 puts the object's ARN in the encryption context, or the bucket's ARN when
    the bucket uses an S3 Bucket Key (every bucket this library encrypts does):
    both are allowed.
    https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html#encryption-context
    """
    contexts = [arn for bucket in bucket_arns for arn in (bucket, f"{bucket}/*")]
    return Statement(
        sid=sid,
        actions=tuple(actions),
        resources=(key_arn,),
        conditions={
            "StringEquals": {"kms:ViaService": f"s3.{region}.amazonaws.com"},
            "StringLike": {"kms:EncryptionContext:aws:s3:arn": contexts},
        },
    )


def log_key_policy(
    *,
    partition: str,
    region: str,
    account: str,
    log_group_names: Sequence[str] = (),
    alarm_topics: bool = False,
) -> PolicyDocument:
    """The key policy a pipeline's key needs: the account's administration, and each service that uses it.

    :class:`~firelens_cdktf.constructs.LogKey` renders this for the key it
    creates; for a key you pass (``LogKey(key_arn=...)``) it is what your key
    policy must hold (``LogKey.required_key_policy()``).

    Example:
        >>> doc = log_key_policy(partition="aws", region="ap-northeast-1", account="123456789012",
        ...                      log_group_names=["/ecs/app"], alarm_topics=True)
        >>> [s.principals for s in doc.statements]  # doctest: +NORMALIZE_WHITESPACE
        [{'AWS': ('arn:aws:iam::123456789012:root',)}, {'Service': ('logs.ap-northeast-1.amazonaws.com',)},
         {'Service': ('cloudwatch.amazonaws.com',)}]
    """
    statements = [key_admin_statement(f"arn:{partition}:iam::{account}:root")]
    if log_group_names:
        arns = [log_group_arn(partition, region, account, name) for name in sorted(set(log_group_names))]
        statements.append(logs_key_statement(region, arns))
    if alarm_topics:
        statements.append(alarm_topic_key_statement())
    return PolicyDocument(tuple(statements))
