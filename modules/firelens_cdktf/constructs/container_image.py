"""ECR repositories and the images built into them."""

from __future__ import annotations

import json
from pathlib import Path

from cdktf import TerraformStack
from cdktf_cdktf_provider_aws.data_aws_ecr_authorization_token import DataAwsEcrAuthorizationToken
from cdktf_cdktf_provider_aws.ecr_lifecycle_policy import EcrLifecyclePolicy
from cdktf_cdktf_provider_aws.ecr_repository import (
    EcrRepository,
    EcrRepositoryEncryptionConfiguration,
    EcrRepositoryImageScanningConfiguration,
)
from cdktf_cdktf_provider_docker.image import Image, ImageBuild
from cdktf_cdktf_provider_docker.provider import DockerProvider, DockerProviderRegistryAuth
from cdktf_cdktf_provider_docker.registry_image import RegistryImage

from constructs import Construct
from firelens_cdktf import limits as _limits
from firelens_cdktf.constructs._validation import check_pattern, check_range, where_of
from firelens_cdktf.constructs.build_context import content_tag, read_context
from firelens_cdktf.constructs.container_props import ContainerImageRef
from firelens_cdktf.constructs.kms import LogKey


class ContainerRepository(Construct):
    """A private ECR repository: scan on push, immutable tags, keeps the last ``keep_images``.

    Args:
        scope: Parent construct.
        id_: Construct id.
        name: Repository name, e.g. ``sample/rails-app``.
        keep_images: Images kept; older ones expire. Default: 10.
        force_delete: Let ``destroy`` delete a repository that still holds
            images. Default: ``False``.
        kms_key: Encrypt the images with this customer-managed key (``KMS``). ECR
            creates a grant on the key with the deploying principal's permissions, so
            pulling needs no ``kms:`` action. A repository's encryption is fixed when it
            is created: giving an existing repository a key replaces it (its images are
            deleted; push them again). Default: ``None``, AES256.

    Attributes:
        repository: The ``aws_ecr_repository``.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        name: str,
        keep_images: int = 10,
        force_delete: bool = False,
        kms_key: LogKey | None = None,
    ) -> None:
        super().__init__(scope, id_)
        where = where_of(self)
        check_pattern(
            where,
            "name",
            name,
            _limits.ECR_REPOSITORY_NAME,
            "2-256 lowercase letters and digits, separated by '.', '_', '-' or '/'",
            "use lowercase, e.g. 'sample/rails-app'",
        )
        check_range(where, "keep_images", keep_images, (1, 1000), "keep at least one image")
        self.name = name
        self.repository = EcrRepository(
            self,
            "repository",
            name=name,
            image_tag_mutability="IMMUTABLE",  # a content-hash tag must always mean the same bytes
            image_scanning_configuration=EcrRepositoryImageScanningConfiguration(scan_on_push=True),
            encryption_configuration=[
                EcrRepositoryEncryptionConfiguration(encryption_type="KMS", kms_key=kms_key.arn)
                if kms_key is not None
                else EcrRepositoryEncryptionConfiguration(encryption_type="AES256")
            ],
            force_delete=force_delete,
        )
        EcrLifecyclePolicy(
            self,
            "lifecycle",
            repository=self.repository.name,
            policy=json.dumps(
                {
                    "rules": [
                        {
                            "rulePriority": 1,
                            "description": f"keep the last {keep_images} images",
                            "selection": {
                                "tagStatus": "any",
                                "countType": "imageCountMoreThan",
                                "countNumber": keep_images,
                            },
                            "action": {"type": "expire"},
                        }
                    ]
                }
            ),
        )

    def image(self, tag: str) -> ContainerImageRef:
        """The image ``<repository url>:<tag>``; the execution role may pull exactly this repository."""
        return ContainerImageRef(uri=f"{self.repository.repository_url}:{tag}", ecr_repository_arn=self.repository.arn)


class ContainerImage(Construct):
    """Build a folder under ``docker/`` and push it to an existing ECR repository.

    Needs a Docker engine where Terraform runs (the docker provider builds
    locally). The tag is the content hash of the build context, the same
    one :meth:`ContainerRepository.image` is given in the pipeline stack.

    Args:
        scope: Parent construct (the stack needs a :func:`docker_provider_for_ecr`).
        id_: Construct id.
        repository_url: ``<account>.dkr.ecr.<region>.amazonaws.com/<name>``.
        context: The build context directory.
        tag: Default: the context's content hash.

    Attributes:
        image_uri: What was pushed.
    """

    def __init__(
        self, scope: Construct, id_: str, *, repository_url: str, context: Path, tag: str | None = None
    ) -> None:
        super().__init__(scope, id_)
        tag = tag or content_tag(read_context(context))
        self.image_uri = f"{repository_url}:{tag}"
        image = Image(
            self,
            "build",
            name=self.image_uri,
            keep_locally=True,
            build_attribute=ImageBuild(context=str(context.resolve()), platform="linux/amd64"),
        )
        RegistryImage(self, "push", name=image.name, keep_remotely=True)


def docker_provider_for_ecr(stack: TerraformStack) -> DockerProvider:
    """A docker provider logged in to the account's ECR registry (short-lived token)."""
    token = DataAwsEcrAuthorizationToken(stack, "ecr-token")
    return DockerProvider(
        stack,
        "docker",
        registry_auth=[
            DockerProviderRegistryAuth(address=token.proxy_endpoint, username=token.user_name, password=token.password)
        ],
    )
