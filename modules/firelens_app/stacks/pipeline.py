"""The pipeline stack: the article's whole pipeline but the image builds (docs/constructs.md)."""

from __future__ import annotations

from cdktf import TerraformOutput, TerraformStack
from cdktf_cdktf_provider_aws.glue_catalog_database import GlueCatalogDatabase
from cdktf_cdktf_provider_aws.sns_topic import SnsTopic

from constructs import Construct
from firelens_app.config import STACK_KEY, PipelineConfig, pipeline_routing
from firelens_app.paths import DOCKER_DIR
from firelens_app.sql_logs import SQL_LOG_COLUMNS, saved_queries
from firelens_app.stacks.backend import s3_backend
from firelens_cdktf import (
    AppContainer,
    ArchiveQueries,
    CompiledRouting,
    ContainerRepository,
    FirelensService,
    LogArchive,
    LogKey,
    LogRouter,
    RouterAlarms,
    Sidecar,
    aws_provider,
)
from firelens_cdktf.archive import glue_name
from firelens_cdktf.constructs import content_tag, log_router_context, move_from_previous_id, read_context

#: The sample app's port (the article's Rails port).
APP_PORT = 3000
#: Images the pipeline runs: name -> build context folder.
IMAGES = {"app": "app", "log-router": "firelens", "postgres": "postgres"}
#: The year the archive starts: the archive tables' year projection begins here. It is
#: fixed, not the year of the synth, so that a later deploy never hides older partitions.
ARCHIVE_FIRST_YEAR = 2026


def query_results_bucket(config: PipelineConfig, stream: str) -> str:
    """Bucket for the Athena results of one archive: ``<archive bucket>-results``, within S3's 63 characters."""
    suffix = "-results"
    return config.archive_bucket(stream)[: 63 - len(suffix)].rstrip("-") + suffix


class PipelineStack(TerraformStack):
    """The log archive, the ECR repositories, the app's FirelensService and their alarms' SNS topic.

    Every alarm (Firehose delivery, the router's lost logs) notifies the
    ``firelens-<stage>-alerts`` topic; subscribe an e-mail address or a chat
    integration to it to be told. With ``config.kms_key`` set, one customer-managed
    key (:class:`LogKey`) encrypts the buckets, streams, log groups, repositories
    and the topic.

    Args:
        scope: The app.
        id_: Stack name; also the state key. Default use: ``"pipeline"``.
        config: Environment selection.
        routing: Compiled routes. Default: the article's (:func:`pipeline_routing`).
        archive_queries: Make each archive queryable with Athena (:class:`ArchiveQueries`:
            a Glue table with partition projection in the ``firelens_<stage>_logs``
            database, workgroup ``firelens-<stage>-<stream>``, saved queries, a reader
            policy). Default: ``True``.

    Attributes:
        routing, archives (stream name -> LogArchive), repositories (image -> ContainerRepository), service,
        alarm_topic (the ``aws_sns_topic``), kms_key (the :class:`LogKey` or ``None``), archive_database
        (``aws_glue_catalog_database`` or ``None``), archive_queries (stream name -> ArchiveQueries).
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        config: PipelineConfig,
        routing: CompiledRouting | None = None,
        archive_queries: bool = True,
    ) -> None:
        super().__init__(scope, id_)
        s3_backend(self, config, id_)
        aws_provider(self, region=config.region)
        self.routing = routing or pipeline_routing(config)

        self.kms_key = (
            (
                LogKey(self, "key", alias=f"alias/firelens-{config.stage}")
                if config.kms_key == STACK_KEY
                else LogKey(self, "key", key_arn=config.kms_key)
            )
            if config.kms_key
            else None
        )
        # Without a customer-managed key the topic is not KMS-encrypted: CloudWatch alarms cannot publish
        # to a topic under the AWS-managed aws/sns key (its policy cannot grant cloudwatch.amazonaws.com).
        self.alarm_topic = SnsTopic(
            self,
            "alarm-topic",
            name=f"firelens-{config.stage}-alerts",
            kms_master_key_id=self.kms_key.allow_alarm_topic() if self.kms_key else None,
        )
        # Ids name the stream (they were its position, archive-<n>: the moved blocks keep what is deployed).
        self.archives = {
            stream: LogArchive(
                self,
                f"archive-{stream}",
                stream_name=stream,
                bucket_name=config.archive_bucket(stream),
                alarm_topic_arn=self.alarm_topic.arn,
                kms_key=self.kms_key,
                record_format=config.archive_format,
            )
            for stream in self.routing.delivery_stream_names
        }
        for index, archive in enumerate(self.archives.values()):
            move_from_previous_id(archive, f"archive-{index}")
        self.archive_database = (
            GlueCatalogDatabase(
                self,
                "archive-database",
                name=glue_name(f"firelens_{config.stage}_logs"),
                description="FireLens log archives: one table per Firehose archive",
            )
            if archive_queries
            else None
        )
        self.archive_queries = {
            stream: ArchiveQueries(
                self,
                f"queries-{stream}",
                archive=archive,
                database=self.archive_database,
                workgroup_name=f"firelens-{config.stage}-{stream}"[:128],
                results_bucket_name=query_results_bucket(config, stream),
                first_year=ARCHIVE_FIRST_YEAR,
                columns=SQL_LOG_COLUMNS,
                queries=saved_queries,
            )
            for stream, archive in self.archives.items()
            if self.archive_database
        }
        for index, queries in enumerate(self.archive_queries.values()):
            move_from_previous_id(queries, f"queries-{index}")
        self.repositories = {
            image: ContainerRepository(
                self, f"repository-{image}", name=config.repository_name(image), kms_key=self.kms_key
            )
            for image in IMAGES
        }
        tags = {
            "app": content_tag(read_context(DOCKER_DIR / IMAGES["app"])),
            "log-router": content_tag(log_router_context(self.routing)),
            "postgres": content_tag(read_context(DOCKER_DIR / IMAGES["postgres"])),
        }
        (app_name,) = self.routing.containers  # the article's task: one app container
        self.service = FirelensService(
            self,
            "service",
            name=f"{config.stage}-{app_name}",
            routing=self.routing,
            containers=(
                AppContainer(
                    name=app_name,
                    image=self.repositories["app"].image(tags["app"]),
                    port=APP_PORT,
                    environment={"DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/app", "RAILS_ENV": config.stage},
                ),
            ),
            log_router=LogRouter(image=self.repositories["log-router"].image(tags["log-router"])),
            log_archives=tuple(self.archives.values()),
            sidecars=(Sidecar.postgres(self.repositories["postgres"].image(tags["postgres"])),),
            alarms=RouterAlarms(topic_arn=self.alarm_topic.arn),
            kms_key=self.kms_key,
        )

        TerraformOutput(self, "cluster_name", value=self.service.cluster_name)
        TerraformOutput(self, "service_name", value=self.service.service.name)
        TerraformOutput(self, "task_definition_arn", value=self.service.task_definition.arn)
        TerraformOutput(self, "route_log_groups", value=[g.name for g in self.service.route_log_groups.values()])
        TerraformOutput(self, "router_log_group", value=self.service.router_log_group.name)
        TerraformOutput(self, "delivery_streams", value=[a.stream.name for a in self.archives.values()])
        TerraformOutput(self, "archive_buckets", value=[a.bucket.bucket for a in self.archives.values()])
        TerraformOutput(self, "alarm_topic_arn", value=self.alarm_topic.arn)
        if self.archive_queries:
            queries = self.archive_queries.values()
            TerraformOutput(self, "archive_tables", value=[f"{q.database.name}.{q.table.name}" for q in queries])
            TerraformOutput(self, "athena_workgroups", value=[q.workgroup.name for q in queries])
            TerraformOutput(self, "archive_reader_policies", value=[q.reader_policy.arn for q in queries])
        TerraformOutput(
            self, "repository_urls", value={k: r.repository.repository_url for k, r in self.repositories.items()}
        )
