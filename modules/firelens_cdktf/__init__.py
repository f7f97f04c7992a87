"""firelens_cdktf: a FireLens log-routing pipeline on ECS Fargate as CDKTF constructs.

What a consuming team needs is exported here: the constructs, the route
types and the errors. The layers live in subpackages:

- :mod:`firelens_cdktf.routing`: routes, the Fluent Bit config they compile
  to, the linter and the preview (pure Python);
- :mod:`firelens_cdktf.constructs`: ``FirelensService``, ``LogArchive`` and their parts;
- :mod:`firelens_cdktf.stacks`: this project's own stacks;
- :mod:`firelens_cdktf.local`: the emulator and ``make run``/``make plan`` tooling;
- :mod:`firelens_cdktf.review`: plan review, security scan, bad-input catalogue.

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

from ._fast_import import use_fast_provider_imports as use_fast_provider_imports
from ._lazy import lazy_exports

__version__ = "0.2.0"

_EXPORTS = {
    # constructs
    "FirelensService": ".constructs.firelens_service",
    "AppContainer": ".constructs.service_props",
    "LogRouter": ".constructs.service_props",
    "NetworkPlacement": ".constructs.service_props",
    "RouterAlarms": ".constructs.service_props",
    "LogArchive": ".constructs.log_archive",
    "ArchiveQueries": ".constructs.archive_queries",
    "SecureBucket": ".constructs.secure_bucket",
    "PublicNetwork": ".constructs.network",
    "ContainerRepository": ".constructs.container_image",
    "ContainerImage": ".constructs.container_image",
    "ContainerImageRef": ".constructs.service_props",
    "Sidecar": ".constructs.service_props",
    "HealthCheck": ".constructs.service_props",
    "DependencyCondition": ".constructs.service_props",
    "RouterHealthCheck": ".constructs.service_props",
    "FirehoseDeliveryAlarms": ".constructs.alarms",
    "RouterLogLossAlarm": ".constructs.alarms",
    # routes
    "LogRouting": ".routing.routes",
    "AppLogRouting": ".routing.routes",
    "Route": ".routing.routes",
    "Destination": ".routing.routes",
    "CloudWatchLogs": ".routing.routes",
    "FirehoseStream": ".routing.routes",
    "compile_routing": ".routing.compiler",
    "CompiledRouting": ".routing.compiler",
    "FLUENT_BIT_INIT_IMAGE": ".routing.image",
    # errors
    "FirelensError": ".errors",
    "ConfigError": ".errors",
    "RouteError": ".errors",
    "FluentBitSyntaxError": ".errors",
    "LintError": ".errors",
    "PreviewInputError": ".errors",
}

__all__ = sorted([*_EXPORTS, "use_fast_provider_imports", "__version__"])
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
