"""FireLens log-routing pipeline: constructs and domain logic.

Importing this package first makes provider bindings load only the
submodules that are used (see :mod:`modules._fast_import`); the public names
below are imported on first access so that command-line tools that need no
CDKTF (``python -m modules preview``) start instantly.
"""

from __future__ import annotations

import importlib
from typing import Any

from . import _fast_import

_fast_import.install()

# public name -> submodule that defines it
_EXPORTS: dict[str, str] = {
    "PipelineConfig": "config",
    "StateStack": "state_stack",
    "SecureBucket": "secure_bucket",
    "PipelineStack": "pipeline_stack",
    "ImagesStack": "images_stack",
    "LogArchive": "log_archive",
    "FirelensService": "firelens_service",
    "PublicNetwork": "network",
    "ContainerRepository": "container_image",
    "ContainerImage": "container_image",
    "ContainerImageRef": "container_definitions",
    "Sidecar": "container_definitions",
    "HealthCheck": "container_definitions",
    "DependencyCondition": "container_definitions",
    "ConfigError": "errors",
    "FirelensError": "errors",
    # log routing (pure Python, no CDKTF)
    "LogRouting": "routes",
    "AppLogRouting": "routes",
    "Route": "routes",
    "Destination": "routes",
    "CloudWatchLogs": "routes",
    "FirehoseStream": "routes",
    "DEFAULT_ROUTING": "routes",
    "article_routing": "routes",
    "compile_routing": "fluentbit_compiler",
    "CompiledRouting": "fluentbit_compiler",
    "FluentBitConfig": "fluentbit_config",
    "parse_config": "fluentbit_config",
    "load_config": "fluentbit_config",
    "lint_config": "fluentbit_lint",
    "check_config": "fluentbit_lint",
    "Finding": "fluentbit_lint",
    "Severity": "fluentbit_lint",
    "Simulator": "preview",
    "FirelensContext": "preview",
    "render_mermaid": "diagram",
    "FLUENT_BIT_INIT_IMAGE": "_fluentbit_image",
    "RouteError": "errors",
    "FluentBitSyntaxError": "errors",
    "LintError": "errors",
    "PreviewInputError": "errors",
    # plan review (pure Python, no CDKTF)
    "review_plans": "plan_review",
    "PlanReview": "plan_review",
    "StackReview": "plan_review",
    "render_review_text": "plan_review",
    "render_review_markdown": "plan_review",
    "STATEFUL_RESOURCE_TYPES": "plan_review",
    "PlanReviewError": "plan_review",
    # hardening: router defaults, alarms, least privilege
    "RouterHealthCheck": "container_definitions",
    "LogRouterSettings": "container_definitions",
    "FirehoseDeliveryAlarms": "alarms",
    "RouterLogLossAlarm": "alarms",
    "AlarmSpec": "alarms",
    "grant_violations": "iam",
    "STAR_RESOURCE_ACTIONS": "iam",
    # make run on the emulator: the round trip, its delivery, its check, its cost
    "run_round_trip": "round_trip",
    "DeployedPipeline": "round_trip",
    "plan_delivery": "log_delivery",
    "DeliveryPlan": "log_delivery",
    "StandInError": "log_delivery",
    "DeliveryMismatch": "delivery_check",
    "CostEstimate": "cost",
    "PRICES": "prices",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    try:
        module_name = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'modules' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(f".{module_name}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
