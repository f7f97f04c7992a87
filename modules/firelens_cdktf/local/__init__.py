"""Local tooling: the AWS emulator, ``make run``'s round trip and report, ``make query``, ``make plan``,
the stand-in for the log router's AWS outputs, read-back, cost and prices, and the one
helper each that runs synth and Terraform.

Needs the development packages (moto, boto3) for the emulator parts; nothing
here is needed to use the constructs.
"""

from __future__ import annotations

from .._lazy import lazy_exports

_EXPORTS = {
    "Emulator": ".emulator", "emulator_env": ".emulator",
    "synth_app": ".synth", "terraform": ".terraform",
    "run_round_trip": ".round_trip", "DeployedPipeline": ".round_trip",
    "plan_delivery": ".delivery", "DeliveryPlan": ".delivery",
    "CostEstimate": ".cost", "estimate": ".cost",
    "PRICES": ".prices", "prices_for": ".prices",
    "query_archive": ".query", "LocalAthena": ".query", "check_archive": ".archive_check",
}
__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
