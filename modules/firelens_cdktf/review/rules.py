"""The plan review's rules: what each one blocks, the AWS behaviour it guards against, and where AWS says so.

One table (:data:`RULES`), read by the checks (:mod:`.data_rules`,
:mod:`.access_rules`, :mod:`.policies`), by the renderers (the "why" under
each finding) and by ``docs/plan-review.md``. A rule belongs to one family
(:class:`~firelens_cdktf.review.model.FindingKind`); each family has one
allowance flag (:data:`~firelens_cdktf.review.model.ALLOW_FLAGS`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from firelens_cdktf.review.model import FindingKind


@dataclass(frozen=True)
class Rule:
    """One thing the review blocks.

    Attributes:
        id: Stable name, shown next to each finding (``log-retention-lowered``).
        kind: Its family, which decides the allowance flag.
        blocks: When it fires, in one line.
        guards: The AWS behaviour it guards against: what happens if the plan is applied.
        source: The AWS (or Terraform provider) page that documents that behaviour.
    """

    id: str
    kind: FindingKind
    blocks: str
    guards: str
    source: str


_RULES = (
    # --- destroys and wildcards (the first two rules) --------------------------------------------
    Rule(
        "stateful-destroy",
        FindingKind.DESTROY,
        "a resource that holds data (STATEFUL_RESOURCE_TYPES) is deleted or replaced",
        "a deleted bucket, log group, stream, repository, table or key takes its data with it; a "
        "replacement starts empty",
        "https://developer.hashicorp.com/terraform/internals/json-format#change-representation",
    ),
    Rule(
        "iam-wildcard",
        FindingKind.WILDCARD,
        "an Allow statement gains a wildcard action, an unscoped resource, NotAction/NotResource, or a "
        "`*` principal limited by a condition",
        "a wildcard grants every present and future action or resource that matches it, not the ones the code needs",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
    ),
    Rule(
        "log-group-class-changed",
        FindingKind.DESTROY,
        "a log group's log_group_class changes (STANDARD <-> INFREQUENT_ACCESS), which replaces the group",
        "a log group's class is fixed when it is created: the provider deletes the group, with every "
        "event in it, and creates an empty one in the new class",
        "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_CreateLogGroup.html",
    ),
    # --- data deleted in place -------------------------------------------------------------------
    Rule(
        "log-retention-lowered",
        FindingKind.DATA_LOSS,
        "a log group's retention_in_days goes down (0 or unset is never expire)",
        "CloudWatch Logs deletes the events older than the new retention, the ones already stored too "
        "(typically within 72 hours)",
        "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html",
    ),
    Rule(
        "s3-expiration-shortened",
        FindingKind.DATA_LOSS,
        "a lifecycle rule of a bucket that exists gets a shorter or a new expiration, noncurrent-version "
        "expiration or newer_noncurrent_versions, or is enabled",
        "S3 applies lifecycle rules to the objects already in the bucket and permanently removes what "
        "expires (noncurrent versions cannot be recovered)",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/lifecycle-expire-general-considerations.html",
    ),
    Rule(
        "s3-versioning-suspended",
        FindingKind.DATA_LOSS,
        "versioning of a bucket goes from Enabled to Suspended (or its aws_s3_bucket_versioning is "
        "removed, which suspends it)",
        "in a versioning-suspended bucket an overwrite or delete replaces the null version: the previous "
        "content is gone, no noncurrent version is kept",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/AddingObjectstoVersionSuspendedBuckets.html",
    ),
    Rule(
        "firehose-layout-changed",
        FindingKind.DATA_LOSS,
        "a Firehose stream's S3 bucket, prefix, error_output_prefix or dynamic partitioning changes",
        "new objects land under other keys; a Glue table with partition projection only reads keys "
        "that match its storage.location.template, so queries silently stop seeing new records",
        "https://docs.aws.amazon.com/athena/latest/ug/partition-projection-setting-up.html",
    ),
    Rule(
        "glue-schema-changed",
        FindingKind.DATA_LOSS,
        "a Glue table loses a column or partition key, a column changes type, or its storage.location.template changes",
        "Athena reads the objects already written through the new schema: a dropped column's data is "
        "no longer queryable, a retyped one fails or reads as null, a moved template finds other keys",
        "https://docs.aws.amazon.com/athena/latest/ug/handling-schema-updates-chapter.html",
    ),
    Rule(
        "kms-key-disabled",
        FindingKind.DATA_LOSS,
        "a KMS key's is_enabled goes from true to false",
        "a disabled key cannot decrypt: everything encrypted under it is unreadable until it is enabled again",
        "https://docs.aws.amazon.com/kms/latest/developerguide/enabling-keys.html",
    ),
    # --- access opened ---------------------------------------------------------------------------
    Rule(
        "public-ingress",
        FindingKind.EXPOSURE,
        "a security group (inline ingress, aws_security_group_rule or "
        "aws_vpc_security_group_ingress_rule) admits 0.0.0.0/0 or ::/0 on a port it did not admit before",
        "anything on the internet can connect to that port of every interface in the group",
        "https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-18",
    ),
    Rule(
        "public-access-block-loosened",
        FindingKind.EXPOSURE,
        "one of a bucket's four public access block settings goes from true to false, or the block is removed",
        "S3 then accepts (or honours) public ACLs and public bucket policies on the bucket",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html",
    ),
    Rule(
        "public-policy",
        FindingKind.EXPOSURE,
        "a resource or trust policy gains an Allow for principal `*` without a condition that limits the "
        "caller (a fixed aws:SourceArn, aws:SourceAccount, aws:SourceVpc(e), aws:PrincipalOrgID, "
        "aws:PrincipalAccount, aws:PrincipalArn, kms:CallerAccount..., or aws:SourceIp not /0)",
        "S3 (and KMS, SQS, SNS...) treat a grant to everyone that no such condition limits as public: anyone, "
        "in any AWS account or none, gets the granted actions",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html"
        "#access-control-block-public-access-policy-status",
    ),
    Rule(
        "iam-grant-added",
        FindingKind.EXPOSURE,
        "an existing policy document (or a new one attached to an existing role, user, group, bucket or "
        "key) grants an action, resource or principal the current document does not cover, or lifts a Deny",
        "the principal can do more from the moment the plan is applied; IAM evaluates the new document "
        "for every later request",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html",
    ),
    # --- protection removed ----------------------------------------------------------------------
    Rule(
        "encryption-weakened",
        FindingKind.UNPROTECT,
        "a bucket's default encryption drops a level (aws:kms:dsse > aws:kms > AES256; removing the "
        "configuration means AES256), a Firehose stream's server-side encryption or KMS key is removed, "
        "or a log group loses its KMS key",
        "S3 encrypts new objects with the bucket's default; without the KMS key, access to the data is no "
        "longer also controlled (and logged) by the key's policy. Removing an AES256 configuration "
        "changes nothing: S3 falls back to SSE-S3",
        "https://docs.aws.amazon.com/AmazonS3/latest/API/API_DeleteBucketEncryption.html",
    ),
    Rule(
        "tls-only-removed",
        FindingKind.UNPROTECT,
        "a policy loses its Deny of requests where aws:SecureTransport is false (or the policy holding it "
        "is deleted while its bucket stays)",
        "S3 then accepts requests over plain HTTP: the requests and the data they carry can be read or "
        "altered on the way",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html",
    ),
    Rule(
        "deletion-protection-off",
        FindingKind.UNPROTECT,
        "deletion protection goes off: deletion_protection(_enabled), enable_deletion_protection, "
        "disable_api_termination, a log group's skip_destroy, or a bucket's force_destroy / a "
        "repository's force_delete turned on",
        "the next delete (a typo, a renamed construct id, terraform destroy) succeeds and takes the data "
        "with it, where AWS or the provider refused it before",
        "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/WorkingWithTables.Basics.html"
        "#WorkingWithTables.Basics.DeletionProtection",
    ),
)

#: Every rule by id, in the order the docs list them.
RULES: Mapping[str, Rule] = MappingProxyType({rule.id: rule for rule in _RULES})
