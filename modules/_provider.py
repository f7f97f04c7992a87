"""The AWS provider as every stack configures it."""

from __future__ import annotations

from cdktf import TerraformStack
from cdktf_cdktf_provider_aws.provider import AwsProvider

from ._limits import AWS_PROVIDER_CONSTRAINT


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
