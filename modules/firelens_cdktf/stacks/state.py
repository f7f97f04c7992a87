"""The bootstrap stack that holds the other stacks' Terraform state."""

from __future__ import annotations

from cdktf import LocalBackend, TerraformOutput, TerraformStack

from constructs import Construct

from ..constructs.secure_bucket import SecureBucket
from ._backend import aws_provider
from .config import PipelineConfig

#: Local state file of the ``state`` stack, relative to the stack's working
#: directory (``<cdktf output dir>/stacks/state``): a separate output dir
#: (the emulator run uses one) therefore keeps a separate state.
LOCAL_STATE_FILE = "terraform.state.tfstate"


class StateStack(TerraformStack):
    """A versioned, encrypted, TLS-only, private S3 bucket for Terraform state.

    It keeps its own state locally (it cannot store state in the bucket it
    creates); every other stack uses the S3 backend in this bucket.

    Args:
        scope: The app.
        id_: Stack name. Default use: ``"state"``.
        config: Environment selection; ``config.state_bucket`` names the bucket.

    Attributes:
        state_bucket: The :class:`SecureBucket` created.
    """

    def __init__(self, scope: Construct, id_: str, *, config: PipelineConfig) -> None:
        super().__init__(scope, id_)
        LocalBackend(self, path=LOCAL_STATE_FILE)
        aws_provider(self, region=config.region)
        # The state bucket must outlive `destroy` of everything else.
        self.state_bucket = SecureBucket(self, "state", bucket_name=config.state_bucket)
        TerraformOutput(self, "state_bucket_name", value=self.state_bucket.bucket.bucket)
        TerraformOutput(self, "state_bucket_arn", value=self.state_bucket.bucket.arn)
