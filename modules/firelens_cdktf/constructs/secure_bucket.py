"""A private S3 bucket with the settings every bucket of this project needs."""

from __future__ import annotations

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

from constructs import Construct
from firelens_cdktf import limits as _limits
from firelens_cdktf.constructs._validation import where_of
from firelens_cdktf.errors import ConfigError
from firelens_cdktf.iam.policy import PolicyDocument, deny_insecure_transport


class SecureBucket(Construct):
    """An S3 bucket: encrypted at rest (SSE-S3, or SSE-KMS with a key), public access blocked,
    TLS-only bucket policy, versioning on.

    Args:
        scope: Parent construct.
        id_: Construct id.
        bucket_name: The bucket's global name.
        force_destroy: Whether ``terraform destroy`` may delete a non-empty
            bucket. Default: ``False`` (state and log archives are kept).
        kms_key_arn: Encrypt new objects with this customer-managed key (SSE-KMS) and an
            S3 Bucket Key, which cuts KMS requests (and their cost) by reusing a
            bucket-level data key
            (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-key.html).
            Writers and readers then need ``kms:`` permissions on the key.
            Default: ``None``, SSE-S3 (AES256).

    Attributes:
        bucket: The ``aws_s3_bucket`` resource.

    Raises:
        ConfigError: ``bucket_name`` breaks S3's naming rules.
    """

    def __init__(
        self,
        scope: Construct,
        id_: str,
        *,
        bucket_name: str,
        force_destroy: bool = False,
        kms_key_arn: str | None = None,
    ) -> None:
        super().__init__(scope, id_)
        check_bucket_name(where_of(self), "bucket_name", bucket_name)
        self.bucket = S3Bucket(self, "bucket", bucket=bucket_name, force_destroy=force_destroy)
        S3BucketPublicAccessBlock(
            self,
            "public-access",
            bucket=self.bucket.id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
        )
        S3BucketServerSideEncryptionConfigurationA(
            self,
            "encryption",
            bucket=self.bucket.id,
            rule=[
                S3BucketServerSideEncryptionConfigurationRuleA(
                    apply_server_side_encryption_by_default=(
                        S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA(
                            sse_algorithm="aws:kms", kms_master_key_id=kms_key_arn
                        )
                        if kms_key_arn is not None
                        else S3BucketServerSideEncryptionConfigurationRuleApplyServerSideEncryptionByDefaultA(
                            sse_algorithm="AES256"
                        )
                    ),
                    # None leaves the attribute out: buckets without a key synthesize as they always did.
                    bucket_key_enabled=True if kms_key_arn is not None else None,
                )
            ],
        )
        S3BucketVersioningA(
            self,
            "versioning",
            bucket=self.bucket.id,
            versioning_configuration=S3BucketVersioningVersioningConfiguration(status="Enabled"),
        )
        S3BucketPolicy(
            self,
            "tls-only",
            bucket=self.bucket.id,
            policy=PolicyDocument((deny_insecure_transport(self.bucket.arn),)).to_json(),
        )


def check_bucket_name(where: str, field: str, name: str) -> None:
    """Raise :class:`ConfigError` unless ``name`` follows S3's general purpose bucket naming rules.

    https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html
    """
    if not _limits.S3_BUCKET_NAME.match(name) or ".." in name:
        raise ConfigError(
            where,
            field,
            name,
            "3-63 lowercase letters, digits, '.' or '-', starting and ending with a letter or digit",
            "choose a name that follows the S3 bucket naming rules, e.g. 'my-org-sample-logs'",
        )
    if _limits.S3_BUCKET_IP_LIKE.match(name):
        raise ConfigError(
            where,
            field,
            name,
            "a name that is not formatted like an IP address",
            "use letters in the name, e.g. 'my-org-sample-logs'",
        )
    reserved = [p for p in _limits.S3_BUCKET_RESERVED_PREFIXES if name.startswith(p)]
    reserved += [s for s in _limits.S3_BUCKET_RESERVED_SUFFIXES if name.endswith(s)]
    if reserved:
        raise ConfigError(
            where,
            field,
            name,
            f"no reserved prefix ({', '.join(_limits.S3_BUCKET_RESERVED_PREFIXES)}) or suffix "
            f"({', '.join(_limits.S3_BUCKET_RESERVED_SUFFIXES)})",
            f"drop {reserved[0]!r} from the name",
        )
