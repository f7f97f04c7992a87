"""The constructs: thin CDKTF adapters over the routing domain and the IAM documents.

:class:`FirelensService` runs app containers on Fargate with a FireLens log
router; :class:`LogArchive` is the Firehose stream and the S3 bucket its SQL
logs land in, :class:`ArchiveQueries` the Glue table, Athena workgroup and saved
queries over it (their SQL in the pure ``constructs.archive_sql``); the rest are their parts (a private bucket, a small public
network, alarms, ECR repositories and image builds, container definitions,
IAM documents). Names are imported on first use: ``constructs.iam`` and
``constructs.container_definitions`` are plain Python and import no CDKTF.
"""

from __future__ import annotations

from .._lazy import lazy_exports

_EXPORTS = {
    "FirelensService": ".firelens_service",
    "AppContainer": ".service_props", "LogRouter": ".service_props", "NetworkPlacement": ".service_props",
    "RouterAlarms": ".service_props",
    "LogArchive": ".log_archive",
    "ArchiveQueries": ".archive_queries",
    "SavedQuery": ".archive_sql", "saved_queries": ".archive_sql", "SQL_LOG_COLUMNS": ".archive_sql",
    "SecureBucket": ".secure_bucket",
    "PublicNetwork": ".network",
    "FirehoseDeliveryAlarms": ".alarms", "RouterLogLossAlarm": ".alarms", "AlarmSpec": ".alarms",
    "ContainerRepository": ".container_image", "ContainerImage": ".container_image",
    "ContainerImageRef": ".service_props", "Sidecar": ".service_props",
    "HealthCheck": ".service_props", "DependencyCondition": ".service_props",
    "RouterHealthCheck": ".service_props",
    "PolicyDocument": ".iam", "Statement": ".iam", "PolicyStatement": ".iam", "STAR_RESOURCE_ACTIONS": ".iam",
    "grant_violations": ".iam", "parse_statements": ".iam", "archive_reader": ".iam",
    "log_router_context": ".build_context", "content_tag": ".build_context", "read_context": ".build_context",
    "write_context": ".build_context",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
