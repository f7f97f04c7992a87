"""The images stack: builds the pipeline's images and pushes them to its ECR repositories.

It needs a Docker engine where Terraform runs, so it is deployed only where
one exists (``make images``); ``make run`` deploys ``state`` and
``pipeline`` only. Deploy it after ``pipeline``, which creates the
repositories; the tasks pull the images by the same content-hash tags.
"""

from __future__ import annotations

from cdktf import TerraformOutput, TerraformStack
from cdktf_cdktf_provider_aws.data_aws_ecr_repository import DataAwsEcrRepository

from constructs import Construct
from firelens_app.config import PipelineConfig, pipeline_routing
from firelens_app.paths import DOCKER_DIR
from firelens_app.stacks.backend import s3_backend
from firelens_app.stacks.pipeline import IMAGES
from firelens_cdktf import CompiledRouting, ContainerImage, aws_provider
from firelens_cdktf.constructs import docker_provider_for_ecr, log_router_context, write_context


class ImagesStack(TerraformStack):
    """Build ``docker/<context>`` for each of the pipeline's images and push it.

    The log router's context (``docker/firelens/``) is written here, at synth,
    from the compiled routes: Dockerfile ``FROM`` the pinned aws-for-fluent-bit
    init image plus ``extra.conf`` and the parsers file. Those files are
    generated; a test fails if the committed copy differs from the routes.

    Args:
        scope: The app.
        id_: Stack name; also the state key. Default use: ``"images"``.
        config: Environment selection (the same as the pipeline stack's).
        routing: Compiled routes. Default: the pipeline's.
    """

    def __init__(
        self, scope: Construct, id_: str, *, config: PipelineConfig, routing: CompiledRouting | None = None
    ) -> None:
        super().__init__(scope, id_)
        s3_backend(self, config, id_)
        aws_provider(self, region=config.region)
        docker_provider_for_ecr(self)
        write_context(DOCKER_DIR / IMAGES["log-router"], log_router_context(routing or pipeline_routing(config)))
        for image, folder in IMAGES.items():
            repository = DataAwsEcrRepository(self, f"repository-{image}", name=config.repository_name(image))
            built = ContainerImage(
                self, f"image-{image}", repository_url=repository.repository_url, context=DOCKER_DIR / folder
            )
            TerraformOutput(self, f"image_{image.replace('-', '_')}", value=built.image_uri)
