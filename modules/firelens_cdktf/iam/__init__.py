"""The IAM policy model: least-privilege documents derived from what a pipeline does.

Pure Python (no CDKTF): the constructs render these documents, and the plan
review reads deployed ones back with :func:`parse_statements`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from firelens_cdktf._lazy import lazy_exports

if TYPE_CHECKING:
    from firelens_cdktf.iam.kms import log_key_policy as log_key_policy
    from firelens_cdktf.iam.policy import STAR_RESOURCE_ACTIONS as STAR_RESOURCE_ACTIONS
    from firelens_cdktf.iam.policy import PolicyDocument as PolicyDocument
    from firelens_cdktf.iam.policy import PolicyStatement as PolicyStatement
    from firelens_cdktf.iam.policy import Statement as Statement
    from firelens_cdktf.iam.policy import archive_reader as archive_reader
    from firelens_cdktf.iam.policy import assume_role_policy as assume_role_policy
    from firelens_cdktf.iam.policy import deny_insecure_transport as deny_insecure_transport
    from firelens_cdktf.iam.policy import ecr_pull as ecr_pull
    from firelens_cdktf.iam.policy import firehose_delivery_to_s3 as firehose_delivery_to_s3
    from firelens_cdktf.iam.policy import firehose_put_records as firehose_put_records
    from firelens_cdktf.iam.policy import grant_violations as grant_violations
    from firelens_cdktf.iam.policy import log_stream_writes as log_stream_writes
    from firelens_cdktf.iam.policy import parse_statements as parse_statements

_EXPORTS = {
    "PolicyDocument": "firelens_cdktf.iam.policy",
    "Statement": "firelens_cdktf.iam.policy",
    "PolicyStatement": "firelens_cdktf.iam.policy",
    "STAR_RESOURCE_ACTIONS": "firelens_cdktf.iam.policy",
    "grant_violations": "firelens_cdktf.iam.policy",
    "parse_statements": "firelens_cdktf.iam.policy",
    "archive_reader": "firelens_cdktf.iam.policy",
    "assume_role_policy": "firelens_cdktf.iam.policy",
    "ecr_pull": "firelens_cdktf.iam.policy",
    "firehose_put_records": "firelens_cdktf.iam.policy",
    "log_stream_writes": "firelens_cdktf.iam.policy",
    "firehose_delivery_to_s3": "firelens_cdktf.iam.policy",
    "deny_insecure_transport": "firelens_cdktf.iam.policy",
    "log_key_policy": "firelens_cdktf.iam.kms",
}
__all__ = sorted([*_EXPORTS])
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
