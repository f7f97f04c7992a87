"""The S3 backend, as every stack of this project keeps its state."""

from __future__ import annotations

from cdktf import S3Backend, TerraformStack

from firelens_app.config import PipelineConfig


def s3_backend(stack: TerraformStack, config: PipelineConfig, key: str) -> S3Backend:
    """State in the ``state`` stack's bucket, encrypted, with S3-native locking.

    ``use_lockfile`` (Terraform >= 1.10) postdates cdktf 0.20's S3Backend
    options, hence the override.
    """
    backend = S3Backend(
        stack, bucket=config.state_bucket, key=f"{key}/terraform.tfstate", region=config.region, encrypt=True
    )
    stack.add_override("terraform.backend.s3.use_lockfile", True)
    return backend
