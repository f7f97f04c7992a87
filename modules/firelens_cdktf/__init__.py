"""firelens_cdktf: a FireLens log-routing pipeline on ECS Fargate as CDKTF constructs.

The top level holds what a team writes in its app: the constructs and their
settings, the route types, the archive's column and query types, and the
errors. Everything else lives in its layer, each importing only the ones
below it:

- :mod:`firelens_cdktf.fluentbit`: the Fluent Bit 4.2.2 model and simulator;
- :mod:`firelens_cdktf.lint`: findings for any Fluent Bit config;
- :mod:`firelens_cdktf.routing`: routes in Python and their compiler;
- :mod:`firelens_cdktf.iam`, :mod:`firelens_cdktf.archive`,
  :mod:`firelens_cdktf.cost`: IAM documents, the archive's table, the cost model;
- :mod:`firelens_cdktf.constructs`: the CDKTF constructs;
- :mod:`firelens_cdktf.review`: the Terraform plan review;
- :mod:`firelens_cdktf.cli`: the ``firelens-cdktf`` command.

Synth speed: the prebuilt provider packages import all of their ~2,100
resource modules on first import (15-20 s). Call
:func:`use_fast_provider_imports` once, before anything imports a provider
binding, to load only the modules used (same classes, same JSON)::

    import firelens_cdktf
    firelens_cdktf.use_fast_provider_imports()

    from cdktf import App
    from firelens_cdktf import FirelensService, LogArchive
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from firelens_cdktf._fast_import import use_fast_provider_imports as use_fast_provider_imports
from firelens_cdktf._lazy import lazy_exports

if TYPE_CHECKING:
    from firelens_cdktf.archive.schema import Column as Column
    from firelens_cdktf.archive.schema import SavedQuery as SavedQuery
    from firelens_cdktf.constructs.alarms import FirehoseDeliveryAlarms as FirehoseDeliveryAlarms
    from firelens_cdktf.constructs.alarms import RouterLogLossAlarm as RouterLogLossAlarm
    from firelens_cdktf.constructs.archive_queries import ArchiveQueries as ArchiveQueries
    from firelens_cdktf.constructs.container_image import ContainerImage as ContainerImage
    from firelens_cdktf.constructs.container_image import ContainerRepository as ContainerRepository
    from firelens_cdktf.constructs.container_props import AppContainer as AppContainer
    from firelens_cdktf.constructs.container_props import ContainerImageRef as ContainerImageRef
    from firelens_cdktf.constructs.container_props import DependencyCondition as DependencyCondition
    from firelens_cdktf.constructs.container_props import HealthCheck as HealthCheck
    from firelens_cdktf.constructs.container_props import PortMapping as PortMapping
    from firelens_cdktf.constructs.container_props import PortProtocol as PortProtocol
    from firelens_cdktf.constructs.container_props import Secret as Secret
    from firelens_cdktf.constructs.container_props import Sidecar as Sidecar
    from firelens_cdktf.constructs.fargate_service import FirelensFargateService as FirelensFargateService
    from firelens_cdktf.constructs.firelens_service import FirelensService as FirelensService
    from firelens_cdktf.constructs.kms import LogKey as LogKey
    from firelens_cdktf.constructs.log_archive import LogArchive as LogArchive
    from firelens_cdktf.constructs.log_groups import RouteLogGroups as RouteLogGroups
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
    from firelens_cdktf.errors import ConfigError as ConfigError
    from firelens_cdktf.errors import FirelensError as FirelensError
    from firelens_cdktf.errors import LintError as LintError
    from firelens_cdktf.errors import RouteError as RouteError
    from firelens_cdktf.fluentbit.image import FLUENT_BIT_INIT_IMAGE as FLUENT_BIT_INIT_IMAGE
    from firelens_cdktf.limits import LogClass as LogClass
    from firelens_cdktf.routing.compiler import CompiledRouting as CompiledRouting
    from firelens_cdktf.routing.compiler import compile_routing as compile_routing
    from firelens_cdktf.routing.routes import AppLogRouting as AppLogRouting
    from firelens_cdktf.routing.routes import CloudWatchLogs as CloudWatchLogs
    from firelens_cdktf.routing.routes import Destination as Destination
    from firelens_cdktf.routing.routes import FirehoseStream as FirehoseStream
    from firelens_cdktf.routing.routes import LogRouting as LogRouting
    from firelens_cdktf.routing.routes import Route as Route

__version__ = "0.3.0"

_EXPORTS = {
    # constructs and their settings
    "FirelensService": "firelens_cdktf.constructs.firelens_service",
    "FirelensTaskDefinition": "firelens_cdktf.constructs.task_definition",
    "FirelensFargateService": "firelens_cdktf.constructs.fargate_service",
    "RouteLogGroups": "firelens_cdktf.constructs.log_groups",
    "AppContainer": "firelens_cdktf.constructs.container_props",
    "PortMapping": "firelens_cdktf.constructs.container_props",
    "PortProtocol": "firelens_cdktf.constructs.container_props",
    "Secret": "firelens_cdktf.constructs.container_props",
    "ContainerImageRef": "firelens_cdktf.constructs.container_props",
    "Sidecar": "firelens_cdktf.constructs.container_props",
    "HealthCheck": "firelens_cdktf.constructs.container_props",
    "DependencyCondition": "firelens_cdktf.constructs.container_props",
    "LogRouter": "firelens_cdktf.constructs.service_props",
    "NetworkPlacement": "firelens_cdktf.constructs.service_props",
    "ClusterRef": "firelens_cdktf.constructs.service_props",
    "LoadBalancerTarget": "firelens_cdktf.constructs.service_props",
    "RouterAlarms": "firelens_cdktf.constructs.service_props",
    "RouterConfigObjects": "firelens_cdktf.constructs.service_props",
    "RouterConfigInS3": "firelens_cdktf.constructs.router_config_s3",
    "RouterHealthCheck": "firelens_cdktf.constructs.service_props",
    "LogArchive": "firelens_cdktf.constructs.log_archive",
    "LogKey": "firelens_cdktf.constructs.kms",
    "ArchiveQueries": "firelens_cdktf.constructs.archive_queries",
    "SecureBucket": "firelens_cdktf.constructs.secure_bucket",
    "PublicNetwork": "firelens_cdktf.constructs.network",
    "ContainerRepository": "firelens_cdktf.constructs.container_image",
    "ContainerImage": "firelens_cdktf.constructs.container_image",
    "FirehoseDeliveryAlarms": "firelens_cdktf.constructs.alarms",
    "RouterLogLossAlarm": "firelens_cdktf.constructs.alarms",
    "aws_provider": "firelens_cdktf.constructs.provider",
    # routes
    "LogRouting": "firelens_cdktf.routing.routes",
    "AppLogRouting": "firelens_cdktf.routing.routes",
    "Route": "firelens_cdktf.routing.routes",
    "Destination": "firelens_cdktf.routing.routes",
    "CloudWatchLogs": "firelens_cdktf.routing.routes",
    "FirehoseStream": "firelens_cdktf.routing.routes",
    "LogClass": "firelens_cdktf.limits",
    "compile_routing": "firelens_cdktf.routing.compiler",
    "CompiledRouting": "firelens_cdktf.routing.compiler",
    "FLUENT_BIT_INIT_IMAGE": "firelens_cdktf.fluentbit.image",
    # the archive's table
    "Column": "firelens_cdktf.archive.schema",
    "SavedQuery": "firelens_cdktf.archive.schema",
    # errors
    "FirelensError": "firelens_cdktf.errors",
    "ConfigError": "firelens_cdktf.errors",
    "RouteError": "firelens_cdktf.errors",
    "LintError": "firelens_cdktf.errors",
}

__all__ = sorted([*_EXPORTS, "use_fast_provider_imports", "__version__"])
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
