"""The pipeline stack: the article's whole pipeline (README, "The pipeline constructs") but the image builds."""

from __future__ import annotations

from cdktf import TerraformOutput, TerraformStack
from cdktf_cdktf_provider_aws.sns_topic import SnsTopic

from constructs import Construct

from .._paths import DOCKER_DIR
from ..constructs.build_context import content_tag, log_router_context, read_context
from ..constructs.container_image import ContainerRepository
from ..constructs.firelens_service import FirelensService
from ..constructs.log_archive import LogArchive
from ..constructs.service_props import AppContainer, LogRouter, RouterAlarms, Sidecar
from ..routing.compiler import CompiledRouting, compile_routing
from ..routing.routes import LogRouting, article_routing
from ._backend import aws_provider, s3_backend
from .config import PipelineConfig

#: The sample app's port (the article's Rails port).
APP_PORT = 3000
#: Images the pipeline runs: name -> build context folder.
IMAGES = {"app": "app", "log-router": "firelens", "postgres": "postgres"}


def pipeline_routing(config: PipelineConfig) -> CompiledRouting:
    """The article's routes, in the configured region, compiled."""
    article = article_routing()
    return compile_routing(LogRouting(region=config.region, apps=article.apps))


class PipelineStack(TerraformStack):
    """The log archive, the ECR repositories, the app's FirelensService and their alarms' SNS topic.

    Every alarm (Firehose delivery, the router's lost logs) notifies the
    ``firelens-<stage>-alerts`` topic; subscribe an e-mail address or a chat
    integration to it to be told.

    Args:
        scope: The app.
        id_: Stack name; also the state key. Default use: ``"pipeline"``.
        config: Environment selection.
        routing: Compiled routes. Default: the article's (:func:`pipeline_routing`).

    Attributes:
        routing, archives (stream name -> LogArchive), repositories (image -> ContainerRepository), service,
        alarm_topic (the ``aws_sns_topic``).
    """

    def __init__(self, scope: Construct, id_: str, *, config: PipelineConfig,
                 routing: CompiledRouting | None = None) -> None:
        super().__init__(scope, id_)
        s3_backend(self, config, id_)
        aws_provider(self, region=config.region)
        self.routing = routing or pipeline_routing(config)

        # Not KMS-encrypted: CloudWatch alarms cannot publish to a topic under the AWS-managed
        # aws/sns key (its policy cannot grant cloudwatch.amazonaws.com); see checkov-allowlist.toml.
        self.alarm_topic = SnsTopic(self, "alarm-topic", name=f"firelens-{config.stage}-alerts")
        self.archives = {
            stream: LogArchive(self, f"archive-{index}", stream_name=stream,
                               bucket_name=config.archive_bucket(stream), alarm_topic_arn=self.alarm_topic.arn)
            for index, stream in enumerate(self.routing.delivery_stream_names)
        }
        self.repositories = {
            image: ContainerRepository(self, f"repository-{image}", name=config.repository_name(image))
            for image in IMAGES
        }
        tags = {
            "app": content_tag(read_context(DOCKER_DIR / IMAGES["app"])),
            "log-router": content_tag(log_router_context(self.routing)),
            "postgres": content_tag(read_context(DOCKER_DIR / IMAGES["postgres"])),
        }
        (app_name,) = self.routing.containers  # the article's task: one app container
        self.service = FirelensService(
            self, "service",
            name=f"{config.stage}-{app_name}",
            routing=self.routing,
            containers=(AppContainer(
                name=app_name, image=self.repositories["app"].image(tags["app"]), port=APP_PORT,
                environment={"DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/app", "RAILS_ENV": config.stage},
            ),),
            log_router=LogRouter(image=self.repositories["log-router"].image(tags["log-router"])),
            log_archives=tuple(self.archives.values()),
            sidecars=(Sidecar.postgres(self.repositories["postgres"].image(tags["postgres"])),),
            alarms=RouterAlarms(topic_arn=self.alarm_topic.arn),
        )

        TerraformOutput(self, "cluster_name", value=self.service.cluster.name)
        TerraformOutput(self, "service_name", value=self.service.service.name)
        TerraformOutput(self, "task_definition_arn", value=self.service.task_definition.arn)
        TerraformOutput(self, "route_log_groups", value=[g.name for g in self.service.route_log_groups.values()])
        TerraformOutput(self, "router_log_group", value=self.service.router_log_group.name)
        TerraformOutput(self, "delivery_streams", value=[a.stream.name for a in self.archives.values()])
        TerraformOutput(self, "archive_buckets", value=[a.bucket.bucket for a in self.archives.values()])
        TerraformOutput(self, "alarm_topic_arn", value=self.alarm_topic.arn)
        TerraformOutput(self, "repository_urls",
                        value={k: r.repository.repository_url for k, r in self.repositories.items()})
