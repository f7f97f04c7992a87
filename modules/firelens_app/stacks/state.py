"""The bootstrap stack that holds the other stacks' Terraform state."""

from __future__ import annotations

from cdktf import TerraformOutput, TerraformStack

from constructs import Construct
from firelens_app.config import PipelineConfig
from firelens_app.stacks.backend import s3_backend
from firelens_cdktf import SecureBucket
from firelens_cdktf.constructs import aws_provider


class StateStack(TerraformStack):
    """A versioned, encrypted, TLS-only, private S3 bucket for Terraform state.

    Every stack keeps its state in this bucket, this one included (key
    ``<id>/terraform.tfstate``, the same S3 backend settings as the others).
    Before its first deploy the bucket does not exist yet:
    :func:`firelens_local.state.ensure_state_stack` (run by ``make run``,
    ``make deploy`` and the tests) creates it with a temporary local state and
    moves that state into it, or adopts an existing bucket whose state was
    lost. ``make clean`` never touches state.

    Args:
        scope: The app.
        id_: Stack name. Default use: ``"state"``.
        config: Environment selection; ``config.state_bucket`` names the bucket.

    Attributes:
        state_bucket: The :class:`SecureBucket` created.
    """

    def __init__(self, scope: Construct, id_: str, *, config: PipelineConfig) -> None:
        super().__init__(scope, id_)
        s3_backend(self, config, id_)
        aws_provider(self, region=config.region)
        # The state bucket must outlive `destroy` of everything else.
        self.state_bucket = SecureBucket(self, "state", bucket_name=config.state_bucket)
        TerraformOutput(self, "state_bucket_name", value=self.state_bucket.bucket.bucket)
        TerraformOutput(self, "state_bucket_arn", value=self.state_bucket.bucket.arn)
