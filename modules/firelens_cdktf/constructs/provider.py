"""The AWS provider, configured the way every stack built on this library needs it."""

from __future__ import annotations

from cdktf import TerraformStack
from cdktf_cdktf_provider_aws.provider import AwsProvider

from firelens_cdktf.limits import AWS_PROVIDER_CONSTRAINT


def aws_provider(stack: TerraformStack, *, region: str) -> AwsProvider:
    """Add the AWS provider for ``region`` to ``stack``.

    Credentials and endpoints are deliberately absent: they come from the
    environment (``AWS_PROFILE``, ``AWS_ENDPOINT_URL``, ...), so the same JSON
    deploys to a real account and to a local emulator. The bindings pin the
    provider to exactly the version they were generated from; the override
    widens that to :data:`~firelens_cdktf.limits.AWS_PROVIDER_CONSTRAINT`.

    Example::

        aws_provider(stack, region="ap-northeast-1")
    """
    provider = AwsProvider(stack, "aws", region=region)
    stack.add_override("terraform.required_providers.aws.version", AWS_PROVIDER_CONSTRAINT)
    return provider
