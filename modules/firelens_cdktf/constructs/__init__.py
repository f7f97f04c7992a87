"""The constructs: thin CDKTF adapters over the routing, IAM and archive domains.

In aws-cdk-lib's ECS style: :class:`FirelensTaskDefinition` is a Fargate task
definition with a FireLens log router that app containers are added to,
:class:`FirelensFargateService` runs it, and :class:`FirelensService` is the
one call that composes both for the common case. :class:`RouteLogGroups` owns
the routed log groups, :class:`LogArchive` is the Firehose stream and the S3
bucket archived logs land in, :class:`ArchiveQueries` the Glue table, Athena
workgroup and saved queries over it, :class:`RouterConfigInS3` the log
router's files in S3 for AWS's stock init image (no image to build);
resources grant roles what they need
(``archive.grant_put_records(role)``, a :class:`RolePolicy`); the rest are
their parts (a private bucket, a small public network, alarms, ECR
repositories and image builds, the provider, ``moved`` blocks).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from firelens_cdktf._lazy import lazy_exports

if TYPE_CHECKING:
    from firelens_cdktf.constructs.alarms import AlarmSpec as AlarmSpec
    from firelens_cdktf.constructs.alarms import FirehoseDeliveryAlarms as FirehoseDeliveryAlarms
    from firelens_cdktf.constructs.alarms import RouterLogLossAlarm as RouterLogLossAlarm
    from firelens_cdktf.constructs.archive_queries import ArchiveQueries as ArchiveQueries
    from firelens_cdktf.constructs.build_context import content_tag as content_tag
    from firelens_cdktf.constructs.build_context import log_router_context as log_router_context
    from firelens_cdktf.constructs.build_context import read_context as read_context
    from firelens_cdktf.constructs.build_context import write_context as write_context
    from firelens_cdktf.constructs.container_image import ContainerImage as ContainerImage
    from firelens_cdktf.constructs.container_image import ContainerRepository as ContainerRepository
    from firelens_cdktf.constructs.container_image import docker_provider_for_ecr as docker_provider_for_ecr
    from firelens_cdktf.constructs.container_props import AppContainer as AppContainer
    from firelens_cdktf.constructs.container_props import ContainerImageRef as ContainerImageRef
    from firelens_cdktf.constructs.container_props import DependencyCondition as DependencyCondition
    from firelens_cdktf.constructs.container_props import HealthCheck as HealthCheck
    from firelens_cdktf.constructs.container_props import PortMapping as PortMapping
    from firelens_cdktf.constructs.container_props import PortProtocol as PortProtocol
    from firelens_cdktf.constructs.container_props import Secret as Secret
    from firelens_cdktf.constructs.container_props import SecretSource as SecretSource
    from firelens_cdktf.constructs.container_props import Sidecar as Sidecar
    from firelens_cdktf.constructs.fargate_service import FirelensFargateService as FirelensFargateService
    from firelens_cdktf.constructs.firelens_service import FirelensService as FirelensService
    from firelens_cdktf.constructs.grants import RoleLike as RoleLike
    from firelens_cdktf.constructs.grants import RolePolicy as RolePolicy
    from firelens_cdktf.constructs.kms import LogKey as LogKey
    from firelens_cdktf.constructs.log_archive import LogArchive as LogArchive
    from firelens_cdktf.constructs.log_groups import RouteLogGroups as RouteLogGroups
    from firelens_cdktf.constructs.moves import move_from_previous_id as move_from_previous_id
    from firelens_cdktf.constructs.network import PublicNetwork as PublicNetwork
    from firelens_cdktf.constructs.provider import aws_provider as aws_provider
    from firelens_cdktf.constructs.router_config_s3 import RouterConfigInS3 as RouterConfigInS3
    from firelens_cdktf.constructs.secure_bucket import SecureBucket as SecureBucket
    from firelens_cdktf.constructs.service_props import ClusterRef as ClusterRef
    from firelens_cdktf.constructs.service_props import LoadBalancerTarget as LoadBalancerTarget
    from firelens_cdktf.constructs.service_props import LogRouter as LogRouter
    from firelens_cdktf.constructs.service_props import NetworkPlacement as NetworkPlacement
    from firelens_cdktf.constructs.service_props import RouterAlarms as RouterAlarms
    from firelens_cdktf.constructs.service_props import RouterConfigObjects as RouterConfigObjects
    from firelens_cdktf.constructs.service_props import RouterHealthCheck as RouterHealthCheck
    from firelens_cdktf.constructs.task_definition import FirelensTaskDefinition as FirelensTaskDefinition

_EXPORTS = {
    "FirelensService": "firelens_cdktf.constructs.firelens_service",
    "FirelensTaskDefinition": "firelens_cdktf.constructs.task_definition",
    "FirelensFargateService": "firelens_cdktf.constructs.fargate_service",
    "RouteLogGroups": "firelens_cdktf.constructs.log_groups",
    "RolePolicy": "firelens_cdktf.constructs.grants",
    "RoleLike": "firelens_cdktf.constructs.grants",
    "AppContainer": "firelens_cdktf.constructs.container_props",
    "PortMapping": "firelens_cdktf.constructs.container_props",
    "PortProtocol": "firelens_cdktf.constructs.container_props",
    "Secret": "firelens_cdktf.constructs.container_props",
    "SecretSource": "firelens_cdktf.constructs.container_props",
    "ContainerImageRef": "firelens_cdktf.constructs.container_props",
    "Sidecar": "firelens_cdktf.constructs.container_props",
    "HealthCheck": "firelens_cdktf.constructs.container_props",
    "DependencyCondition": "firelens_cdktf.constructs.container_props",
    "LogRouter": "firelens_cdktf.constructs.service_props",
    "NetworkPlacement": "firelens_cdktf.constructs.service_props",
    "ClusterRef": "firelens_cdktf.constructs.service_props",
    "LoadBalancerTarget": "firelens_cdktf.constructs.service_props",
    "RouterAlarms": "firelens_cdktf.constructs.service_props",
    "RouterHealthCheck": "firelens_cdktf.constructs.service_props",
    "RouterConfigObjects": "firelens_cdktf.constructs.service_props",
    "RouterConfigInS3": "firelens_cdktf.constructs.router_config_s3",
    "move_from_previous_id": "firelens_cdktf.constructs.moves",
    "LogArchive": "firelens_cdktf.constructs.log_archive",
    "LogKey": "firelens_cdktf.constructs.kms",
    "ArchiveQueries": "firelens_cdktf.constructs.archive_queries",
    "SecureBucket": "firelens_cdktf.constructs.secure_bucket",
    "PublicNetwork": "firelens_cdktf.constructs.network",
    "FirehoseDeliveryAlarms": "firelens_cdktf.constructs.alarms",
    "RouterLogLossAlarm": "firelens_cdktf.constructs.alarms",
    "AlarmSpec": "firelens_cdktf.constructs.alarms",
    "ContainerRepository": "firelens_cdktf.constructs.container_image",
    "ContainerImage": "firelens_cdktf.constructs.container_image",
    "docker_provider_for_ecr": "firelens_cdktf.constructs.container_image",
    "log_router_context": "firelens_cdktf.constructs.build_context",
    "content_tag": "firelens_cdktf.constructs.build_context",
    "read_context": "firelens_cdktf.constructs.build_context",
    "write_context": "firelens_cdktf.constructs.build_context",
    "aws_provider": "firelens_cdktf.constructs.provider",
}
__all__ = sorted([*_EXPORTS])
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
