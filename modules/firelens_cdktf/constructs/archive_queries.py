"""ArchiveQueries: a Glue table over a LogArchive, an Athena workgroup, saved queries and a reader policy.

The table, its projection and the SQL come from :mod:`firelens_cdktf.archive.schema`
(pure values, also run locally by ``make query``); this module only turns
them into resources.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cdktf_cdktf_provider_aws.athena_named_query import AthenaNamedQuery
from cdktf_cdktf_provider_aws.athena_workgroup import (
    AthenaWorkgroup,
    AthenaWorkgroupConfiguration,
    AthenaWorkgroupConfigurationResultConfiguration,
    AthenaWorkgroupConfigurationResultConfigurationEncryptionConfiguration,
)
from cdktf_cdktf_provider_aws.data_aws_caller_identity import DataAwsCallerIdentity
from cdktf_cdktf_provider_aws.data_aws_partition import DataAwsPartition
from cdktf_cdktf_provider_aws.data_aws_region import DataAwsRegion
from cdktf_cdktf_provider_aws.glue_catalog_database import GlueCatalogDatabase
from cdktf_cdktf_provider_aws.glue_catalog_table import (
    GlueCatalogTable,
    GlueCatalogTablePartitionKeys,
    GlueCatalogTableStorageDescriptor,
    GlueCatalogTableStorageDescriptorColumns,
    GlueCatalogTableStorageDescriptorSerDeInfo,
)
from cdktf_cdktf_provider_aws.iam_policy import IamPolicy
from cdktf_cdktf_provider_aws.iam_role import IamRole
from cdktf_cdktf_provider_aws.iam_role_policy_attachment import IamRolePolicyAttachment
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
from firelens_cdktf.archive import schema as archive_sql
from firelens_cdktf.archive.schema import Column, SavedQuery
from firelens_cdktf.constructs._validation import check_exactly_one, check_pattern, check_range, is_token, where_of
from firelens_cdktf.constructs.kms import LogKey
from firelens_cdktf.constructs.log_archive import HIVE_PREFIX, LogArchive
from firelens_cdktf.constructs.secure_bucket import SecureBucket, check_bucket_name
from firelens_cdktf.errors import ConfigError
from firelens_cdktf.iam.policy import PolicyDocument, archive_reader

#: Athena's smallest per-query data usage limit, 10 MB; the default is 1 GiB.
#: https://docs.aws.amazon.com/athena/latest/APIReference/API_WorkGroupConfiguration.html
MIN_BYTES_SCANNED_CUTOFF = 10_000_000
DEFAULT_BYTES_SCANNED_CUTOFF = 1024**3
#: Query results are a cache: gone after a week by default.
DEFAULT_RESULTS_EXPIRATION_DAYS = 7
#: Glue/Athena database and table names: lower-case letters, digits and ``_``, at most 255.
#: https://docs.aws.amazon.com/athena/latest/ug/tables-databases-columns-names.html
_GLUE_NAME = re.compile(r"^[a-z0-9_]{1,255}$")
#: Workgroup names. https://docs.aws.amazon.com/athena/latest/APIReference/API_CreateWorkGroup.html
_WORKGROUP_NAME = re.compile(r"^[a-zA-Z0-9._-]{1,128}$")


class ArchiveQueries(Construct):
    """Query a :class:`~firelens_cdktf.constructs.log_archive.LogArchive` with Athena.

    Creates a Glue table over the archive bucket with partition projection
    on ``year``/``month``/``day`` (no crawler, no ``MSCK REPAIR``), an Athena
    workgroup that enforces its settings (results in their own encrypted
    bucket that expires them, a per-query scan limit, CloudWatch metrics),
    the team's saved queries,
    and a managed policy that lets a team query exactly this table in this
    workgroup.

    Args:
        scope: Parent construct.
        id_: Construct id.
        archive: The archive to query. The table's partitions follow its Firehose
            prefix, which must hold ``!{timestamp:yyyy}``, ``!{timestamp:MM}`` and
            ``!{timestamp:dd}`` in that order (the default prefix does).
        service: For an archive shared by ``services``: the one service whose partition
            (``service=<name>/``) the table, the saved queries and the reader policy cover, so
            a team's queries read only its own objects and its readers may read nothing else.
            Leave it out on a shared archive for one table over every service, with ``service``
            a partition key projected as ``injected``: Athena then refuses any query that
            does not name its service (``WHERE service = '...'``); such a table takes no saved
            queries (each team saves its own, with ``service=``). Default: ``None``.
        workgroup_name: The Athena workgroup (letters, digits, ``.``, ``_``, ``-``).
        first_year: First year of the year projection: the year the archive
            started; queries for earlier years find nothing. The projection covers
            :data:`~firelens_cdktf.archive.schema.PROJECTED_YEARS` years from it.
        database_name: Glue database to create. Give this or ``database``.
        database: An existing Glue database to put the table in instead.
        table_name: The table. Default: the delivery stream's name (the service's, with
            ``service``) in lower case with ``_`` for every other character.
        results_bucket_name: Bucket to create for query results (private,
            encrypted, TLS-only; ``destroy`` may delete it with what it holds).
        results_expiration_days: Delete query results after this many days. Default: 7.
        bytes_scanned_cutoff_per_query: Athena cancels a query that scans more.
            Default: 1 GiB; at least 10,000,000.
        columns: The table's columns: the keys of the records the archive holds
            (the year/month/day partition columns are added; do not list them).
        queries: The saved queries: a function of the table's name that returns
            :class:`~firelens_cdktf.archive.SavedQuery` values, each becoming an
            Athena named query in the workgroup. Default: none are saved.
        kms_key: Encrypt the results bucket (SSE-KMS, S3 Bucket Key) and the workgroup's
            results (``SSE_KMS``) with this :class:`~firelens_cdktf.constructs.LogKey`.
            The reader policy then also allows ``kms:GenerateDataKey`` and
            ``kms:Decrypt`` on it, only through S3 and only for the results bucket; with
            an archive under a key, ``kms:Decrypt`` of the archive's objects likewise.
            Default: the archive's ``kms_key``; SSE-S3 when it has none.

    Attributes:
        database, table, workgroup, results_bucket, reader_policy (``aws_iam_policy``),
        named_queries (key -> ``aws_athena_named_query``), table_name, columns, kms_key (the key used, or ``None``).

    Raises:
        ConfigError: a name, year, limit or prefix that cannot work.

    Example::

        queries = ArchiveQueries(stack, "queries", archive=archive, workgroup_name="sample-sql-logs",
                                 database_name="firelens_sample", results_bucket_name="my-org-sample-results",
                                 first_year=2026, columns=[Column("message", STRING), Column("level", STRING)])
        queries.grant_read(analyst_role)
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        archive: LogArchive,
        workgroup_name: str,
        first_year: int,
        results_bucket_name: str,
        database_name: str | None = None,
        database: GlueCatalogDatabase | None = None,
        table_name: str | None = None,
        results_expiration_days: int = DEFAULT_RESULTS_EXPIRATION_DAYS,
        bytes_scanned_cutoff_per_query: int = DEFAULT_BYTES_SCANNED_CUTOFF,
        columns: Sequence[Column],
        queries: Callable[[str], Sequence[SavedQuery]] | None = None,
        service: str | None = None,
        kms_key: LogKey | None = None,
    ) -> None:
        super().__init__(scope, id_)
        where = where_of(self)
        self.kms_key = kms_key = kms_key if kms_key is not None else archive.kms_key
        layout = _Layout.of(where, archive, service, has_queries=queries is not None)
        table_name = table_name or archive_sql.glue_name(layout.stream_name)
        check_exactly_one(
            where,
            {"database_name": database_name, "database": database},
            "pass database_name= to create a Glue database, or database= to use an existing one",
        )
        for field, name in (("database_name", database_name), ("table_name", table_name)):
            if name is not None:
                check_pattern(
                    where,
                    field,
                    name,
                    _GLUE_NAME,
                    "1-255 lower-case letters, digits or '_'",
                    f"use e.g. {archive_sql.glue_name(name)!r}",
                )
        check_pattern(
            where,
            "workgroup_name",
            workgroup_name,
            _WORKGROUP_NAME,
            "1-128 letters, digits, '.', '_' or '-'",
            "rename the workgroup, e.g. 'sample-sql-logs'",
        )
        check_bucket_name(where, "results_bucket_name", results_bucket_name)
        check_range(
            where,
            "first_year",
            first_year,
            (1970, 9999 - archive_sql.PROJECTED_YEARS),
            "use the year the archive started, e.g. 2026",
        )
        check_range(
            where,
            "results_expiration_days",
            results_expiration_days,
            (1, 36500),
            "keep query results a few days, e.g. 7",
        )
        check_range(
            where,
            "bytes_scanned_cutoff_per_query",
            bytes_scanned_cutoff_per_query,
            (MIN_BYTES_SCANNED_CUTOFF, 2**63 - 1),
            "Athena's smallest limit is 10,000,000 bytes; e.g. 1073741824 (1 GiB)",
        )
        keys = layout.partition_keys
        if not columns or {c.name for c in columns} & {k.name for k in keys}:
            raise ConfigError(
                where,
                "columns",
                [c.name for c in columns],
                f"at least one column, none named {', '.join(k.name for k in keys[:-1])} or {keys[-1].name} "
                "(the partition keys)",
                "rename the column: the partition columns are added for you",
            )
        # The partitions follow the stream's own prefix, so they cannot drift apart.
        template = layout.partition_prefix + self._template(where, archive.prefix)

        self.table_name = table_name
        self.columns = tuple(columns)
        self.database = database or GlueCatalogDatabase(
            self,
            "database",
            name=database_name or "",
            description="FireLens log archives: tables over the Firehose archive buckets",
        )
        bucket = archive.bucket.bucket
        parquet = archive.record_format == archive_sql.PARQUET_FORMAT
        self.table = GlueCatalogTable(
            self,
            "table",
            name=table_name,
            database_name=self.database.name,
            table_type="EXTERNAL_TABLE",
            description=f"Records of {layout.description}, "
            + ("Parquet (Snappy)" if parquet else "one JSON object per line, GZIP"),
            parameters={
                "EXTERNAL": "TRUE",
                **({"classification": "parquet"} if parquet else {"classification": "json", "compressionType": "gzip"}),
                **layout.projection,
                **archive_sql.projection_parameters(
                    # "$${" is Terraform's escape for a literal "${": Athena fills in the keys.
                    f"s3://{bucket}/" + template.replace("${", "$${"),
                    first_year,
                    first_year + archive_sql.PROJECTED_YEARS - 1,
                ),
            },
            partition_keys=[
                GlueCatalogTablePartitionKeys(name=k.name, type=k.type.hive(), comment=k.comment) for k in keys
            ],
            storage_descriptor=GlueCatalogTableStorageDescriptor(
                location=f"s3://{bucket}/",
                input_format=archive_sql.PARQUET_INPUT_FORMAT if parquet else archive_sql.INPUT_FORMAT,
                output_format=archive_sql.PARQUET_OUTPUT_FORMAT if parquet else archive_sql.OUTPUT_FORMAT,
                compressed=not parquet,
                ser_de_info=(
                    GlueCatalogTableStorageDescriptorSerDeInfo(
                        name="parquet", serialization_library=archive_sql.PARQUET_SERDE
                    )
                    if parquet
                    else GlueCatalogTableStorageDescriptorSerDeInfo(
                        name="openx-json",
                        serialization_library=archive_sql.JSON_SERDE,
                        parameters=dict(archive_sql.SERDE_PARAMETERS),
                    )
                ),
                columns=[
                    GlueCatalogTableStorageDescriptorColumns(name=c.name, type=c.type.hive(), comment=c.comment or None)
                    for c in columns
                ],
            ),
        )

        self.results_bucket = SecureBucket(
            self,
            "results",
            bucket_name=results_bucket_name,
            force_destroy=True,  # results are a cache, not a record
            kms_key_arn=kms_key.arn if kms_key is not None else None,
        ).bucket
        self._expire(self.results_bucket, results_expiration_days)
        self.workgroup = AthenaWorkgroup(
            self,
            "workgroup",
            name=workgroup_name,
            state="ENABLED",
            description=f"Queries over the {archive.stream_name} archive{layout.scope}: results expire after "
            f"{results_expiration_days} days, at most {bytes_scanned_cutoff_per_query:,} bytes scanned",
            configuration=AthenaWorkgroupConfiguration(
                enforce_workgroup_configuration=True,  # clients cannot send results elsewhere or lift the cutoff
                publish_cloudwatch_metrics_enabled=True,
                bytes_scanned_cutoff_per_query=bytes_scanned_cutoff_per_query,
                result_configuration=AthenaWorkgroupConfigurationResultConfiguration(
                    output_location=f"s3://{self.results_bucket.bucket}/",
                    encryption_configuration=AthenaWorkgroupConfigurationResultConfigurationEncryptionConfiguration(
                        encryption_option="SSE_KMS", kms_key_arn=kms_key.arn
                    )
                    if kms_key is not None
                    else AthenaWorkgroupConfigurationResultConfigurationEncryptionConfiguration(
                        encryption_option="SSE_S3"
                    ),
                ),
            ),
        )
        self.named_queries = {
            query.key: AthenaNamedQuery(
                self,
                f"query-{query.key}",
                name=query.name,
                description=query.description,
                database=self.database.name,
                workgroup=self.workgroup.name,
                query=query.sql,
            )
            for query in (queries(table_name) if queries else ())
        }

        partition = DataAwsPartition(self, "partition")
        region = DataAwsRegion(self, "region")
        caller = DataAwsCallerIdentity(self, "caller")
        catalog_arn = f"arn:{partition.partition}:glue:{region.name}:{caller.account_id}:catalog"
        if parquet:  # the table Athena reads is the schema Firehose converts with
            for stream_name in layout.schema_of:
                archive.convert_with_table(
                    stream_name,
                    database_name=self.database.name,
                    table_name=table_name,
                    catalog_arn=catalog_arn,
                    database_arn=self.database.arn,
                    table_arn=self.table.arn,
                )
        key_statements = []
        if archive.kms_key is not None:
            key_statements.append(
                archive.kms_key.s3_statement("DecryptArchiveObjects", (archive.bucket.arn,), write=False)
            )
        if kms_key is not None:
            key_statements.append(kms_key.s3_statement("EncryptQueryResults", (self.results_bucket.arn,), write=True))
        self.reader_policy = IamPolicy(
            self,
            "reader-policy",
            name_prefix=f"{workgroup_name[:80]}-reader-",
            description=f"Query table {table_name} in Athena workgroup {workgroup_name}, nothing else",
            policy=PolicyDocument(
                archive_reader(
                    workgroup_arn=self.workgroup.arn,
                    catalog_arn=catalog_arn,
                    database_arn=self.database.arn,
                    table_arn=self.table.arn,
                    archive_bucket_arn=archive.bucket.arn,
                    data_prefix=layout.partition_prefix.split("${", 1)[0] + archive.prefix.split("!{", 1)[0],
                    results_bucket_arn=self.results_bucket.arn,
                )
                + tuple(key_statements)
            ).to_json(),
        )

    @staticmethod
    def _template(where: str, prefix: str) -> str:
        if is_token(prefix):
            raise ConfigError(
                where,
                "archive prefix",
                prefix,
                "the prefix text, known at synth",
                "give the LogArchive a literal prefix",
            )
        try:
            return archive_sql.partition_template(prefix)
        except ValueError as error:
            raise ConfigError(
                where,
                "archive prefix",
                prefix,
                "a Firehose prefix with !{timestamp:yyyy}, !{timestamp:MM} and !{timestamp:dd}, "
                f"in that order, and no other expression ({error})",
                f"give the LogArchive the default prefix {HIVE_PREFIX!r}",
            ) from None

    def _expire(self, bucket: S3Bucket, days: int) -> None:
        S3BucketLifecycleConfiguration(
            self,
            "results-lifecycle",
            bucket=bucket.id,
            rule=[
                S3BucketLifecycleConfigurationRule(
                    id="expire-query-results",
                    status="Enabled",
                    filter=[S3BucketLifecycleConfigurationRuleFilter(prefix="")],
                    expiration=[S3BucketLifecycleConfigurationRuleExpiration(days=days)],
                    noncurrent_version_expiration=[
                        S3BucketLifecycleConfigurationRuleNoncurrentVersionExpiration(noncurrent_days=1)
                    ],
                    abort_incomplete_multipart_upload=[
                        S3BucketLifecycleConfigurationRuleAbortIncompleteMultipartUpload(days_after_initiation=1)
                    ],
                )
            ],
        )

    def grant_read(self, role: IamRole) -> IamRolePolicyAttachment:
        """Attach the reader policy to ``role``: query this table in this workgroup, nothing else."""
        return IamRolePolicyAttachment(
            self, f"reader-{role.node.addr[:8]}", role=role.name, policy_arn=self.reader_policy.arn
        )


@dataclass(frozen=True)
class _Layout:
    """Where a table's objects lie in the archive: its stream, the partition keys before the day, their prefix."""

    stream_name: str
    description: str
    partition_keys: tuple[Column, ...]
    #: The key template's start before the day partitions: ``""``, ``service=api/`` or ``service=${service}/``.
    partition_prefix: str
    projection: dict[str, str]
    #: The streams whose records a Parquet archive converts with this table's columns.
    schema_of: tuple[str, ...] = ()

    @property
    def scope(self) -> str:
        """What of a shared archive the workgroup queries (``""`` for an archive with one writer)."""
        if not self.partition_prefix:
            return ""
        service = self.partition_prefix.split("=", 1)[1].rstrip("/")
        return ", every service" if "${" in service else f", service {service}"

    @staticmethod
    def of(where: str, archive: LogArchive, service: str | None, *, has_queries: bool) -> _Layout:
        if not archive.services:
            if service is not None:
                raise ConfigError(
                    where,
                    "service",
                    service,
                    "None: the archive has no services (one stream, objects under its prefix)",
                    "leave service out, or give the LogArchive services=(...)",
                )
            return _Layout(
                archive.stream_name,
                f"Firehose stream {archive.stream_name}",
                archive_sql.PARTITION_KEYS,
                "",
                {},
                (archive.stream_name,),
            )
        if service is None:
            if has_queries:
                raise ConfigError(
                    where,
                    "queries",
                    "given",
                    "no saved queries on the table over every service of a shared archive",
                    f"save a team's queries with service= (one of {list(archive.services)}), "
                    "so they read only its partition",
                )
            key = archive_sql.SERVICE_KEY.name
            return _Layout(
                archive.stream_name,
                f"archive {archive.stream_name}, every service (name one: WHERE {key} = '...')",
                (archive_sql.SERVICE_KEY, *archive_sql.PARTITION_KEYS),
                f"{key}=${{{key}}}/",
                archive_sql.injected_service_parameters(),
            )
        stream_name = archive.stream_name_for(service)
        return _Layout(
            stream_name,
            f"Firehose stream {stream_name} (service {service})",
            archive_sql.PARTITION_KEYS,
            archive_sql.service_prefix(service),
            {},
            (stream_name,),
        )
