"""The AWS provider and the S3 backend, as every stack of this project configures them."""

from __future__ import annotations

from cdktf import S3Backend, TerraformStack
from cdktf_cdktf_provider_aws.provider import AwsProvider

from .._limits import AWS_PROVIDER_CONSTRAINT
from .config import PipelineConfig


def aws_provider(stack: TerraformStack, *, region: str) -> AwsProvider:
    """Add the AWS provider for ``region`` to ``stack``.

    Credentials and endpoints are deliberately absent: they come from the
    environment (``AWS_PROFILE``, ``AWS_ENDPOINT_URL``, ...), so the same JSON
    deploys to a real account and to the local emulator. The bindings pin the
    provider to exactly the version they were generated from; the override
    widens that to a constraint any later 5.x satisfies.
    """
    provider = AwsProvider(stack, "aws", region=region)
    stack.add_override("terraform.required_providers.aws.version", AWS_PROVIDER_CONSTRAINT)
    return provider


def s3_backend(stack: TerraformStack, config: PipelineConfig, key: str) -> S3Backend:
    """State in the ``state`` stack's bucket, encrypted, with S3-native locking.

    ``use_lockfile`` (Terraform >= 1.10) postdates cdktf 0.20's S3Backend
    options, hence the override.
    """
    backend = S3Backend(stack, bucket=config.state_bucket, key=f"{key}/terraform.tfstate", region=config.region,
                        encrypt=True)
    stack.add_override("terraform.backend.s3.use_lockfile", True)
    return backend
