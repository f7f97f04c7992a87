"""A private S3 bucket with the settings every bucket of this project needs."""

from __future__ import annotations

from constructs import Construct
from cdktf_cdktf_provider_aws.s3_bucket import S3Bucket
from cdktf_cdktf_provider_aws.s3_bucket_policy import S3BucketPolicy
from cdktf_cdktf_provider_aws.s3_bucket_public_access_block import S3BucketPublicAccessBlock
from cdktf_cdktf_provider_aws.s3_bucket_server_side_encryption_configuration import (
    S3BucketServerSideEncryptionConfigurationA,
    S3BucketServerSideEncryptionConfigurationRuleA,
    S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA,
)
from cdktf_cdktf_provider_aws.s3_bucket_versioning import (
    S3BucketVersioningA,
    S3BucketVersioningVersioningConfiguration,
)

from . import _limits
from .errors import ConfigError
from .iam import PolicyDocument, deny_insecure_transport


class SecureBucket(Construct):
    """An S3 bucket: encrypted at rest (SSE-S3), public access blocked,
    TLS-only bucket policy, versioning on.

    Args:
        scope: Parent construct.
        id_: Construct id.
        bucket_name: The bucket's global name.
        force_destroy: Whether ``terraform destroy`` may delete a non-empty
            bucket. Default: ``False`` (state and log archives are kept).

    Attributes:
        bucket: The ``aws_s3_bucket`` resource.

    Raises:
        ConfigError: ``bucket_name`` breaks S3's naming rules.
    """

    def __init__(self, scope: Construct, id_: str, *, bucket_name: str, force_destroy: bool = False) -> None:
        super().__init__(scope, id_)
        if not _limits.S3_BUCKET_NAME.match(bucket_name) or ".." in bucket_name:
            raise ConfigError(
                f"SecureBucket '{self.node.path}'", "bucket_name", bucket_name,
                "3-63 lowercase letters, digits, '.' or '-', starting and ending with a letter or digit",
                "choose a name that follows the S3 bucket naming rules",
            )
        self.bucket = S3Bucket(self, "bucket", bucket=bucket_name, force_destroy=force_destroy)
        S3BucketPublicAccessBlock(
            self, "public-access",
            bucket=self.bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
        )
        S3BucketServerSideEncryptionConfigurationA(
            self, "encryption",
            bucket=self.bucket.id,
            rule=[
                S3BucketServerSideEncryptionConfigurationRuleA(
                    apply_server_side_encryption_by_default=(
                        S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA(
                            sse_algorithm="AES256"
                        )
                    )
                )
            ],
        )
        S3BucketVersioningA(
            self, "versioning",
            bucket=self.bucket.id,
            versioning_configuration=S3BucketVersioningVersioningConfiguration(status="Enabled"),
        )
        S3BucketPolicy(
            self, "tls-only",
            bucket=self.bucket.id,
            policy=PolicyDocument((deny_insecure_transport(self.bucket.arn),)).to_json(),
        )
