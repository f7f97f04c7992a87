"""LogArchive: a Firehose delivery stream that stores records gzip-compressed in S3."""

from __future__ import annotations

import difflib
from collections.abc import Sequence

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
    S3BucketLifecycleConfigurationRuleNoncurrentVersionTransition,
    S3BucketLifecycleConfigurationRuleTransition,
)

from constructs import Construct
from firelens_cdktf import limits as _limits
from firelens_cdktf.archive.schema import (
    JSON_FORMAT,
    PARQUET_FORMAT,
    PARQUET_MIN_BUFFER_MIB,
    RECORD_FORMATS,
    SERVICE_NAME,
    service_error_prefix,
    service_prefix,
    service_stream_name,
)
from firelens_cdktf.constructs._synth_time import add_check
from firelens_cdktf.constructs._validation import (
    check_choice,
    check_exactly_one,
    check_pattern,
    check_range,
    check_topic_arn,
    is_token,
    where_of,
)
from firelens_cdktf.constructs.alarms import FirehoseDeliveryAlarms
from firelens_cdktf.constructs.grants import RoleLike, RolePolicy, grant_to
from firelens_cdktf.constructs.kms import LogKey
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
#: Storage classes archived objects may move to, and the fewest days S3 lets an object stay in
#: Standard first. Athena reads each of them as it reads Standard; it skips objects in S3 Glacier
#: Flexible Retrieval and Deep Archive until they are restored
#: (https://docs.aws.amazon.com/athena/latest/ug/querying-glacier.html), so those are not offered.
#: Minimum days: https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-transition-general-considerations.html
TRANSITION_CLASSES: dict[str, int] = {"STANDARD_IA": 30, "ONEZONE_IA": 30, "INTELLIGENT_TIERING": 0, "GLACIER_IR": 0}


class LogArchive(Construct):
    """Kinesis Data Firehose (direct put) -> S3, GZIP, partitioned by day (and by service when shared).

    Args:
        scope: Parent construct.
        id_: Construct id.
        stream_name: Delivery stream name; a route's ``FirehoseStream`` names it. With ``services``,
            the base of each service's stream name (``<stream_name>-<service>``).
        bucket_name: Name of the bucket to create (private, encrypted,
            versioned, TLS-only). Give this or ``bucket``.
        bucket: An existing bucket to deliver into instead of creating one.
        services: The services that share this archive. Each gets its own delivery
            stream, ``<stream_name>-<service>``
            (:func:`~firelens_cdktf.archive.service_stream_name`), whose objects land
            under ``service=<service>/<prefix>``, so one service's queries read only its
            partition. Default: none, one stream named ``stream_name`` writing under
            ``prefix`` (the layout of an archive with one writer).
        keep_unpartitioned_stream: With ``services``, keep the stream named ``stream_name``, writing under
            ``prefix`` as before, while the services move to their own streams: deleting it at once would drop
            what it still buffers and what tasks running the old routing still send. Set it for the deploy that
            adds ``services``; remove it in a later one, once every task runs the new routing and
            ``buffering_interval_seconds`` have passed. Default: ``False``.
        prefix: S3 key prefix. Default: ``year=!{timestamp:yyyy}/month=!{timestamp:MM}/day=!{timestamp:dd}/``.
        error_prefix: Prefix for records that failed; must contain
            ``!{firehose:error-output-type}`` whenever ``prefix`` uses
            expressions (Firehose's rule). Default: ``errors/<same partitions>/!{firehose:error-output-type}/``;
            with ``services``, ``errors/service=<service>/...``.
        record_format: ``"JSON"`` (default): the records as Fluent Bit sends them, JSON lines, GZIP. Or
            ``"PARQUET"``: Firehose converts them to Parquet (Snappy inside the files, the stream itself
            uncompressed), with the columns of the :class:`~firelens_cdktf.constructs.ArchiveQueries` table
            over each stream as schema (each stream needs one), reading them with the OpenX JSON deserializer.
            Keys the table has no column for are not stored; records that cannot be converted go to the
            error prefix (``format-conversion-failed``) as JSON, and an alarm watches them.
        buffering_size_mib: Deliver after this much data. Default: 5 (1-128); 64 with Parquet, Firehose's minimum
            for conversion.
        buffering_interval_seconds: ... or after this long. Default: 300 (0-900).
        expiration_days: Delete archived objects (and old versions) after this
            many days. Default: 365; ``None`` keeps them forever.
        transition_days: Move archived objects to ``transition_storage_class`` after
            this many days. Default: ``None`` (they stay in S3 Standard). Objects under
            128 KB never move (S3's default minimum object size for transitions).
        transition_storage_class: ``STANDARD_IA`` (default), ``ONEZONE_IA``,
            ``INTELLIGENT_TIERING`` or ``GLACIER_IR``: the classes Athena reads without a restore.
        error_log_retention_days: Retention of the delivery-error log group. Default: 30.
        force_destroy: Let ``destroy`` delete a non-empty bucket it created. Default: ``False``.
        alarms: Create each stream's alarms (:class:`~firelens_cdktf.constructs.alarms.FirehoseDeliveryAlarms`:
            delivery success, data freshness, throttled records). Default: ``True``.
        alarm_topic_arn: Standard SNS topic the alarms notify. Default: none
            (alarms change state but notify no one).
        freshness_alarm_seconds: Data-freshness threshold; must exceed
            ``buffering_interval_seconds`` (records wait that long normally) and
            be at most 86400 (Firehose retries for 24 h). Default: the interval
            plus 900 s (1200 s with the default interval).
        kms_key: Encrypt everything the archive holds with this customer-managed key
            (:class:`~firelens_cdktf.constructs.LogKey`): the created bucket (SSE-KMS
            with an S3 Bucket Key), each stream's buffered records
            (``CUSTOMER_MANAGED_CMK``; Firehose creates a grant on the key with the
            deploying principal's ``kms:CreateGrant``), the objects it writes
            (``kms_key_arn``: the delivery role may ``kms:GenerateDataKey`` and
            ``kms:Decrypt`` only through S3, only for this bucket) and the
            delivery-error log group. Default: ``None``, SSE-S3 and an AWS-owned key.

    Attributes:
        bucket: The bucket actually used. ``streams``: stream name -> delivery stream;
        ``stream``: the one stream of an archive without services. ``services``: the
        services given. ``prefix``: the prefix given (before any service partition). ``kms_key``: the key given.
        role: Firehose's delivery role (every stream's). ``error_log_group``: delivery errors.
        alarms: The :class:`~firelens_cdktf.constructs.alarms.FirehoseDeliveryAlarms` of an archive
        without services, or ``None``; ``alarms_by_stream``: stream name -> alarms.

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
        services: Sequence[str] | None = None,
        keep_unpartitioned_stream: bool = False,
        prefix: str = HIVE_PREFIX,
        error_prefix: str = HIVE_ERROR_PREFIX,
        record_format: str = JSON_FORMAT,
        buffering_size_mib: int | None = None,
        buffering_interval_seconds: int = 300,
        expiration_days: int | None = 365,
        transition_days: int | None = None,
        transition_storage_class: str = "STANDARD_IA",
        error_log_retention_days: int = 30,
        force_destroy: bool = False,
        alarms: bool = True,
        alarm_topic_arn: str | None = None,
        freshness_alarm_seconds: int | None = None,
        kms_key: LogKey | None = None,
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
        check_exactly_one(
            where,
            {"bucket_name": bucket_name, "bucket": bucket},
            "pass bucket_name= to create a bucket, or bucket= to use an existing one",
        )
        if bucket_name is not None:
            check_bucket_name(where, "bucket_name", bucket_name)
        self.services = _check_services(where, stream_name, services)
        _check_prefixes(where, prefix, error_prefix)
        check_choice(
            where, "record_format", record_format, RECORD_FORMATS, "JSON keeps the records as sent; PARQUET converts"
        )
        parquet = record_format == PARQUET_FORMAT
        if keep_unpartitioned_stream and (not self.services or parquet):
            raise ConfigError(
                where,
                "keep_unpartitioned_stream",
                keep_unpartitioned_stream,
                "True only with services= and record_format='JSON' (it keeps a one-writer archive's stream "
                "while its services move to their own)",
                "leave it out" if not self.services else "upgrade to services= first, then convert to Parquet",
            )
        if buffering_size_mib is None:
            buffering_size_mib = PARQUET_MIN_BUFFER_MIB if parquet else 5
        if parquet:
            check_range(
                where,
                "buffering_size_mib",
                buffering_size_mib,
                (PARQUET_MIN_BUFFER_MIB, _limits.FIREHOSE_BUFFER_MIB[1]),
                "Firehose converts to Parquet only with 64 MiB of buffer or more: leave it out, or give 64-128",
            )
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
        if transition_days is not None:
            _check_transition(where, transition_days, transition_storage_class, expiration_days)
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
            bucket = SecureBucket(
                self,
                "bucket",
                bucket_name=bucket_name,
                force_destroy=force_destroy,
                kms_key_arn=kms_key.arn if kms_key is not None else None,
            ).bucket
            if expiration_days is not None or transition_days is not None:
                self._lifecycle(bucket, expiration_days, transition_days, transition_storage_class)
        self.bucket = bucket
        self.stream_name = stream_name
        self.prefix = prefix
        self.record_format = record_format
        self.kms_key = kms_key
        #: stream name -> the Glue table (database name, table name, table ARN, database ARN) it converts with
        self._schemas: dict[str, tuple[str, str, str, str]] = {}

        error_group = f"/aws/kinesisfirehose/{stream_name}"
        self.error_log_group = CloudwatchLogGroup(
            self,
            "errors",
            name=error_group,
            retention_in_days=error_log_retention_days,
            kms_key_id=kms_key.encrypt_log_group(error_group) if kms_key is not None else None,
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
                    *(
                        (kms_key.s3_statement("EncryptArchiveObjects", (bucket.arn,), write=True),)
                        if kms_key is not None
                        else ()
                    ),
                )
            ).to_json(),
        )

        # (stream name, construct id suffix, prefix, error prefix): the one stream keeps the ids it always had
        layout = [
            (
                service_stream_name(stream_name, s),
                f"-{s}",
                service_prefix(s) + prefix,
                service_error_prefix(error_prefix, s),
            )
            for s in self.services
        ]
        if keep_unpartitioned_stream or not self.services:  # the one-writer stream, at the address it always had
            layout.insert(0, (stream_name, "", prefix, error_prefix))
        self.streams: dict[str, KinesisFirehoseDeliveryStream] = {}
        self.alarms_by_stream: dict[str, FirehoseDeliveryAlarms] = {}
        for name, suffix, stream_prefix, stream_error_prefix in layout:
            self.streams[name] = KinesisFirehoseDeliveryStream(
                self,
                f"stream{suffix}",
                name=name,
                destination="extended_s3",
                server_side_encryption=KinesisFirehoseDeliveryStreamServerSideEncryption(
                    enabled=True, key_type="CUSTOMER_MANAGED_CMK", key_arn=kms_key.arn
                )
                if kms_key is not None
                else KinesisFirehoseDeliveryStreamServerSideEncryption(enabled=True, key_type="AWS_OWNED_CMK"),
                extended_s3_configuration=KinesisFirehoseDeliveryStreamExtendedS3Configuration(
                    role_arn=self.role.arn,
                    bucket_arn=bucket.arn,
                    prefix=stream_prefix,
                    error_output_prefix=stream_error_prefix,
                    buffering_size=buffering_size_mib,
                    buffering_interval=buffering_interval_seconds,
                    # with conversion, Snappy inside the Parquet files; the stream must not compress again
                    compression_format="UNCOMPRESSED" if parquet else "GZIP",
                    file_extension=".parquet" if parquet else None,
                    kms_key_arn=kms_key.arn if kms_key is not None else None,
                    cloudwatch_logging_options=KinesisFirehoseDeliveryStreamExtendedS3ConfigurationCloudwatchLoggingOptions(
                        enabled=True, log_group_name=self.error_log_group.name, log_stream_name=DELIVERY_ERROR_STREAM
                    ),
                ),
            )
            if alarms:
                self.alarms_by_stream[name] = FirehoseDeliveryAlarms(
                    self,
                    f"alarms{suffix}",
                    stream_name=name,
                    freshness_threshold_seconds=freshness,
                    topic_arn=alarm_topic_arn,
                    converts=parquet,
                )
        self.alarms = None if self.services else self.alarms_by_stream.get(stream_name)
        if parquet:
            add_check(self, self._streams_without_schema)

    def convert_with_table(
        self,
        stream_name: str,
        *,
        database_name: str,
        table_name: str,
        catalog_arn: str,
        database_arn: str,
        table_arn: str,
    ) -> None:
        """Make ``stream_name`` convert its records to Parquet with this Glue table's columns as schema.

        :class:`~firelens_cdktf.constructs.ArchiveQueries` calls it for the streams its table covers: the
        table Athena reads is the schema Firehose writes, so the two cannot drift apart. The delivery role
        may read that table (``glue:GetTable*``), nothing more of the catalog.

        Raises:
            ConfigError: the archive keeps JSON, or the stream already converts with another table.
        """
        where = where_of(self)
        if self.record_format != PARQUET_FORMAT:
            raise ConfigError(
                where,
                "record_format",
                self.record_format,
                "PARQUET to convert",
                "give LogArchive record_format='PARQUET'",
            )
        if stream_name in self._schemas:
            raise ConfigError(
                where,
                "stream_names",
                stream_name,
                f"one schema table per stream (it converts with {self._schemas[stream_name][1]!r})",
                "give one ArchiveQueries per service of the archive",
            )
        self._schemas[stream_name] = (database_name, table_name, table_arn, database_arn)
        stream = self.streams[stream_name]
        stream.add_override(
            "extended_s3_configuration.data_format_conversion_configuration",
            {
                "enabled": True,
                "input_format_configuration": {"deserializer": {"open_x_json_ser_de": {}}},
                "output_format_configuration": {"serializer": {"parquet_ser_de": {"compression": "SNAPPY"}}},
                "schema_configuration": {
                    "database_name": database_name,
                    "table_name": table_name,
                    "role_arn": self.role.arn,
                    "version_id": "LATEST",
                },
            },
        )
        suffix = "" if stream_name == self.stream_name else f"-{stream_name[len(self.stream_name) + 1 :]}"
        IamRolePolicy(
            self,
            f"schema-policy{suffix}",
            role=self.role.name,
            name=f"read-schema{suffix}"[:128],
            policy=PolicyDocument(
                (
                    Statement(
                        sid="ReadConversionSchema",
                        actions=("glue:GetTable", "glue:GetTableVersion", "glue:GetTableVersions"),
                        resources=(catalog_arn, database_arn, table_arn),
                    ),
                )
            ).to_json(),
        )

    def _streams_without_schema(self) -> list[str]:
        missing = [name for name in self.streams if name not in self._schemas]
        if not missing:
            return []
        service = f", service={self.services[0]!r}" if self.services else ""
        return [
            str(
                ConfigError(
                    where_of(self),
                    "record_format",
                    self.record_format,
                    f"a schema table for every stream (none for {', '.join(missing)})",
                    f"add ArchiveQueries(archive=...{service}) for each, whose columns Firehose converts with",
                )
            )
        ]

    @property
    def stream_names(self) -> tuple[str, ...]:
        """Every delivery stream of the archive: ``stream_name``, or one per service."""
        return tuple(self.streams)

    @property
    def stream(self) -> KinesisFirehoseDeliveryStream:
        """The delivery stream of an archive without ``services``.

        Raises:
            ConfigError: the archive has one stream per service (use :meth:`stream_for`).
        """
        if self.services:
            raise ConfigError(
                where_of(self),
                "stream",
                self.stream_names,
                "one stream: this archive has one per service",
                f"use archive.stream_for({self.services[0]!r}) or archive.streams",
            )
        return self.streams[self.stream_name]

    def stream_name_for(self, service: str) -> str:
        """The delivery stream ``service`` writes to (its routes' ``FirehoseStream`` names it).

        Raises:
            ConfigError: ``service`` is not one of the archive's ``services``.
        """
        if service not in self.services:
            close = difflib.get_close_matches(service, self.services, n=1)
            raise ConfigError(
                where_of(self),
                "service",
                service,
                f"one of the archive's services {list(self.services)}",
                f"did you mean {close[0]!r}?" if close else "add it to LogArchive(services=...)",
            )
        return service_stream_name(self.stream_name, service)

    def stream_for(self, service: str) -> KinesisFirehoseDeliveryStream:
        """The delivery stream of ``service`` (see :meth:`stream_name_for`)."""
        return self.streams[self.stream_name_for(service)]

    def _lifecycle(
        self, bucket: S3Bucket, expiration_days: int | None, transition_days: int | None, storage_class: str
    ) -> None:
        rules = []
        if expiration_days is not None:
            rules.append(
                S3BucketLifecycleConfigurationRule(
                    id="expire-archived-logs",
                    status="Enabled",
                    filter=[S3BucketLifecycleConfigurationRuleFilter(prefix="")],
                    expiration=[S3BucketLifecycleConfigurationRuleExpiration(days=expiration_days)],
                    noncurrent_version_expiration=[
                        S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration(noncurrent_days=expiration_days)
                    ],
                    abort_incomplete_multipart_upload=[
                        S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload(days_after_initiation=7)
                    ],
                )
            )
        if transition_days is not None:
            rules.append(
                S3BucketLifecycleConfigurationRule(
                    id="tier-archived-logs",
                    status="Enabled",
                    filter=[S3BucketLifecycleConfigurationRuleFilter(prefix="")],
                    transition=[
                        S3BucketLifecycleConfigurationRuleTransition(days=transition_days, storage_class=storage_class)
                    ],
                    noncurrent_version_transition=[
                        S3BucketLifecycleConfigurationRuleNoncurrentVersionTransition(
                            noncurrent_days=transition_days, storage_class=storage_class
                        )
                    ],
                )
            )
        S3BucketLifecycleConfiguration(self, "lifecycle", bucket=bucket.id, rule=rules)

    def grant_put_records(
        self, grantee: RoleLike | RolePolicy, *, stream_names: Sequence[str] | None = None
    ) -> RolePolicy:
        """Let ``grantee`` call ``firehose:PutRecordBatch`` on this archive's streams, and nothing else.

        Args:
            grantee: A role (an inline policy ``put-records-<archive id>`` is
                added to it) or a :class:`~firelens_cdktf.constructs.RolePolicy`
                (the statement joins it: how a task definition gathers its
                routes' grants into one policy).
            stream_names: Only these of the archive's streams (a service's own). Default: all of them.

        Returns:
            The policy that holds the grant.
        """
        return grant_to(
            grantee,
            self,
            f"put-records-{grantee.node.addr[:8]}",
            f"put-records-{self.node.id}",
            self.put_records_statement(stream_names=stream_names),
        )

    def put_records_statement(self, *, stream_names: Sequence[str] | None = None) -> Statement:
        """What :meth:`grant_put_records` grants, as a value.

        Raises:
            ConfigError: a name in ``stream_names`` that is not one of the archive's streams.
        """
        names = self.stream_names if stream_names is None else tuple(stream_names)
        unknown = [n for n in names if n not in self.streams]
        if unknown:
            raise ConfigError(
                where_of(self),
                "stream_names",
                unknown,
                f"streams of this archive {list(self.streams)}",
                "name the stream of the service that writes, e.g. archive.stream_name_for(service)",
            )
        return firehose_put_records(tuple(self.streams[n].arn for n in names))


def _check_services(where: str, stream_name: str, services: Sequence[str] | None) -> tuple[str, ...]:
    """The services of a shared archive: valid names, each once, each stream name within Firehose's limit."""
    if services is None:
        return ()
    if isinstance(services, str) or not services:
        raise ConfigError(
            where,
            "services",
            services,
            "a non-empty list of service names",
            "pass services=('api', 'worker'), or leave it out for an archive with one writer",
        )
    seen: set[str] = set()
    for service in services:
        check_pattern(
            where,
            "services",
            service,
            SERVICE_NAME,
            "1-255 letters, digits, '-' or '_' (ECS service names)",
            "use the ECS service's name",
        )
        if service in seen:
            raise ConfigError(where, "services", service, "each service once", "remove the repeated name")
        seen.add(service)
        name = service_stream_name(stream_name, service)
        if not _limits.FIREHOSE_STREAM_NAME.match(name):
            raise ConfigError(
                where,
                "services",
                service,
                f"a service whose stream name {name!r} fits Firehose's 64 characters",
                f"shorten stream_name ({len(stream_name)} characters) or the service name",
            )
    return tuple(services)


def _check_transition(where: str, days: int, storage_class: str, expiration_days: int | None) -> None:
    """S3's rules for a lifecycle transition, and Athena's: a class it reads, before the objects expire."""
    check_choice(
        where,
        "transition_storage_class",
        storage_class,
        tuple(TRANSITION_CLASSES),
        "pick a class Athena reads without a restore (S3 Glacier Flexible Retrieval and Deep Archive it skips)",
    )
    minimum = TRANSITION_CLASSES[storage_class]
    upper = (expiration_days - 1) if expiration_days is not None else 36500
    check_range(
        where,
        "transition_days",
        days,
        (max(minimum, 1), upper),
        f"at least {max(minimum, 1)} day(s) for {storage_class} (S3's minimum), and before expiration_days "
        f"({expiration_days})",
    )


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
