"""LogArchive: a Firehose delivery stream that stores records gzip-compressed in S3."""

from __future__ import annotations

from cdktf_cdktf_provider_aws.cloudwatch_log_group import CloudwatchLogGroup
from cdktf_cdktf_provider_aws.cloudwatch_log_stream import CloudwatchLogStream
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy import IamRolePolicy
from cdktf_cdktf_provider_aws.kinesis_firehose_delivery_stream import (
    KinesisFirehoseDeliveryStream,
    KinesisFirehoseDeliveryStreamExtendedS3Configuration,
    KinesisFirehoseDeliveryStreamExtendedS3ConfigurationCloudwatchLoggingOptions,
    KinesisFirehoseDeliveryStreamServerSideEncryption,
)
from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket
from cdktf_cdktf_provider_aws.s3_bucket_lifecycle_configuration import (
    S3BucketLifecycleConfiguration,
    S3BucketLifecycleConfigurationRule,
    S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload,
    S3BucketLifecycleConfigurationRuleExpiration,
    S3BucketLifecycleConfigurationRuleFilter,
    S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration,
)

from constructs import Construct
from firelens_cdktf import limits as _limits
from firelens_cdktf.constructs._validation import (
    check_choice,
    check_pattern,
    check_range,
    check_topic_arn,
    is_token,
    where_of,
)
from firelens_cdktf.constructs.alarms import FirehoseDeliveryAlarms
from firelens_cdktf.constructs.grants import RoleLike, RolePolicy, grant_to
from firelens_cdktf.constructs.secure_bucket import SecureBucket, check_bucket_name
from firelens_cdktf.errors import ConfigError
from firelens_cdktf.iam.policy import (
    PolicyDocument,
    Statement,
    assume_role_policy,
    firehose_delivery_to_s3,
    firehose_put_records,
)

#: Hive-style daily partitions (the article's), so Athena prunes by date.
HIVE_PREFIX = "year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/"
#: Failed records go beside them, split by error type.
HIVE_ERROR_PREFIX = (
    "errors/year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/!{firehose:error-output-type}/"
)
#: Log stream Firehose writes delivery errors to.
DELIVERY_ERROR_STREAM = "DestinationDelivery"
#: Default data-freshness alarm: the buffering interval plus 15 minutes of
#: failed or slow deliveries (records never wait longer than the interval when all is well).
FRESHNESS_ALARM_MARGIN_SECONDS = 900


class LogArchive(Construct):
    """Kinesis Data Firehose (direct put) -> S3, GZIP, partitioned by day.

    Args:
        scope: Parent construct.
        id_: Construct id.
        stream_name: Delivery stream name; a route's ``FirehoseStream`` names it.
        bucket_name: Name of the bucket to create (private, encrypted,
            versioned, TLS-only). Give this or ``bucket``.
        bucket: An existing bucket to deliver into instead of creating one.
        prefix: S3 key prefix. Default: ``year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/``.
        error_prefix: Prefix for records that failed; must contain
            ``!{firehose:error-output-type}`` whenever ``prefix`` uses
            expressions (Firehose's rule). Default: ``errors/<same partitions>/!{firehose:error-output-type}/``.
        buffering_size_mib: Deliver after this much data. Default: 5 (1-128).
        buffering_interval_seconds: ... or after this long. Default: 300 (0-900).
        expiration_days: Delete archived objects (and old versions) after this
            many days. Default: 365; ``None`` keeps them forever.
        error_log_retention_days: Retention of the delivery-error log group. Default: 30.
        force_destroy: Let ``destroy`` delete a non-empty bucket it created. Default: ``False``.
        alarms: Create the stream's alarms (:class:`~firelens_cdktf.constructs.alarms.FirehoseDeliveryAlarms`:
            delivery success, data freshness, throttled records). Default: ``True``.
        alarm_topic_arn: Standard SNS topic the alarms notify. Default: none
            (alarms change state but notify no one).
        freshness_alarm_seconds: Data-freshness threshold; must exceed
            ``buffering_interval_seconds`` (records wait that long normally) and
            be at most 86400 (Firehose retries for 24 h). Default: the interval
            plus 900 s (1200 s with the default interval).

    Attributes:
        bucket: The bucket actually used. ``stream``: the delivery stream.
        role: Firehose's delivery role. ``error_log_group``: delivery errors.
        alarms: The :class:`~firelens_cdktf.constructs.alarms.FirehoseDeliveryAlarms`, or ``None``.

    Example::

        archive = LogArchive(stack, "archive", stream_name="put-s3-sample-metrics-logs",
                             bucket_name="my-org-sample-metrics-logs")
        archive.grant_put_records(task_role)
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        stream_name: str,
        bucket_name: str | None = None,
        bucket: S3Bucket | None = None,
        prefix: str = HIVE_PREFIX,
        error_prefix: str = HIVE_ERROR_PREFIX,
        buffering_size_mib: int = 5,
        buffering_interval_seconds: int = 300,
        expiration_days: int | None = 365,
        error_log_retention_days: int = 30,
        force_destroy: bool = False,
        alarms: bool = True,
        alarm_topic_arn: str | None = None,
        freshness_alarm_seconds: int | None = None,
    ) -> None:
        super().__init__(scope, id_)
        where = where_of(self)
        check_pattern(
            where,
            "stream_name",
            stream_name,
            _limits.FIREHOSE_STREAM_NAME,
            "1-64 letters, digits, '_', '.' or '-'",
            "rename the delivery stream",
        )
        if (bucket_name is None) == (bucket is None):
            raise ConfigError(
                where,
                "bucket_name/bucket",
                (bucket_name, bucket),
                "exactly one of them",
                "pass bucket_name= to create a bucket, or bucket= to use an existing one",
            )
        if bucket_name is not None:
            check_bucket_name(where, "bucket_name", bucket_name)
        _check_prefixes(where, prefix, error_prefix)
        check_range(
            where,
            "buffering_size_mib",
            buffering_size_mib,
            _limits.FIREHOSE_BUFFER_MIB,
            "Firehose buffers 1 to 128 MiB for S3",
        )
        check_range(
            where,
            "buffering_interval_seconds",
            buffering_interval_seconds,
            _limits.FIREHOSE_BUFFER_SECONDS,
            "Firehose buffers 0 to 900 seconds for S3",
        )
        if expiration_days is not None:
            check_range(
                where, "expiration_days", expiration_days, (1, 36500), "use a number of days, or None to keep objects"
            )
        check_choice(
            where,
            "error_log_retention_days",
            error_log_retention_days,
            _limits.LOG_RETENTION_DAYS,
            "pick the nearest retention CloudWatch Logs accepts",
        )
        check_topic_arn(where, alarm_topic_arn)
        freshness = buffering_interval_seconds + FRESHNESS_ALARM_MARGIN_SECONDS
        if freshness_alarm_seconds is not None:
            check_range(
                where,
                "freshness_alarm_seconds",
                freshness_alarm_seconds,
                (buffering_interval_seconds + 1, _limits.FIREHOSE_MAX_RETRY_SECONDS),
                f"alarm later than the buffering interval ({buffering_interval_seconds} s), when records "
                "are late, and within Firehose's 24 h of retries",
            )
            freshness = freshness_alarm_seconds

        if bucket is None:
            assert bucket_name is not None
            bucket = SecureBucket(self, "bucket", bucket_name=bucket_name, force_destroy=force_destroy).bucket
            if expiration_days is not None:
                self._expire(bucket, expiration_days)
        self.bucket = bucket
        self.stream_name = stream_name

        self.error_log_group = CloudwatchLogGroup(
            self,
            "errors",
            name=f"/aws/kinesisfirehose/{stream_name}",
            retention_in_days=error_log_retention_days,
        )
        CloudwatchLogStream(self, "errors-stream", name=DELIVERY_ERROR_STREAM, log_group_name=self.error_log_group.name)

        self.role = IamRole(
            self,
            "role",
            name_prefix="firehose-delivery-",
            assume_role_policy=assume_role_policy("firehose.amazonaws.com").to_json(),
        )
        IamRolePolicy(
            self,
            "role-policy",
            role=self.role.name,
            name="deliver-to-s3",
            policy=PolicyDocument(
                (
                    firehose_delivery_to_s3(bucket.arn),
                    Statement(
                        sid="LogDeliveryErrors",
                        actions=("logs:PutLogEvents",),
                        resources=(f"{self.error_log_group.arn}:log-stream:{DELIVERY_ERROR_STREAM}",),
                    ),
                )
            ).to_json(),
        )

        self.stream = KinesisFirehoseDeliveryStream(
            self,
            "stream",
            name=stream_name,
            destination="extended_s3",
            server_side_encryption=KinesisFirehoseDeliveryStreamServerSideEncryption(
                enabled=True, key_type="AWS_OWNED_CMK"
            ),
            extended_s3_configuration=KinesisFirehoseDeliveryStreamExtendedS3Configuration(
                role_arn=self.role.arn,
                bucket_arn=bucket.arn,
                prefix=prefix,
                error_output_prefix=error_prefix,
                buffering_size=buffering_size_mib,
                buffering_interval=buffering_interval_seconds,
                compression_format="GZIP",
                cloudwatch_logging_options=KinesisFirehoseDeliveryStreamExtendedS3ConfigurationCloudwatchLoggingOptions(
                    enabled=True, log_group_name=self.error_log_group.name, log_stream_name=DELIVERY_ERROR_STREAM
                ),
            ),
        )
        self.alarms = (
            FirehoseDeliveryAlarms(
                self,
                "alarms",
                stream_name=stream_name,
                freshness_threshold_seconds=freshness,
                topic_arn=alarm_topic_arn,
            )
            if alarms
            else None
        )

    def _expire(self, bucket: S3Bucket, days: int) -> None:
        S3BucketLifecycleConfiguration(
            self,
            "lifecycle",
            bucket=bucket.id,
            rule=[
                S3BucketLifecycleConfigurationRule(
                    id="expire-archived-logs",
                    status="Enabled",
                    filter=[S3BucketLifecycleConfigurationRuleFilter(prefix="")],
                    expiration=[S3BucketLifecycleConfigurationRuleExpiration(days=days)],
                    noncurrent_version_expiration=[
                        S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration(noncurrent_days=days)
                    ],
                    abort_incomplete_multipart_upload=[
                        S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload(days_after_initiation=7)
                    ],
                )
            ],
        )

    def grant_put_records(self, grantee: RoleLike | RolePolicy) -> RolePolicy:
        """Let ``grantee`` call ``firehose:PutRecordBatch`` on this stream, and nothing else.

        Args:
            grantee: A role (an inline policy ``put-records-<archive id>`` is
                added to it) or a :class:`~firelens_cdktf.constructs.RolePolicy`
                (the statement joins it: how a task definition gathers its
                routes' grants into one policy).

        Returns:
            The policy that holds the grant.
        """
        return grant_to(
            grantee,
            self,
            f"put-records-{grantee.node.addr[:8]}",
            f"put-records-{self.node.id}",
            self.put_records_statement(),
        )

    def put_records_statement(self) -> Statement:
        """What :meth:`grant_put_records` grants, as a value."""
        return firehose_put_records((self.stream.arn,))


def _check_prefixes(where: str, prefix: str, error_prefix: str) -> None:
    """Firehose's rules for custom prefixes, checked before deploy.

    https://docs.aws.amazon.com/firehose/latest/dev/s3-prefixes.html
    """
    if is_token(prefix) or is_token(error_prefix):
        return
    if "!{" in prefix and not error_prefix:
        raise ConfigError(
            where,
            "error_prefix",
            error_prefix,
            "an error prefix whenever prefix uses !{...} expressions",
            f"set error_prefix, e.g. {HIVE_ERROR_PREFIX!r}",
        )
    if error_prefix and "!{firehose:error-output-type}" not in error_prefix:
        raise ConfigError(
            where,
            "error_prefix",
            error_prefix,
            "a prefix containing !{firehose:error-output-type}",
            f"add !{{firehose:error-output-type}} to error_prefix, e.g. {HIVE_ERROR_PREFIX!r}",
        )
