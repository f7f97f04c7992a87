"""The cost model: what a month of logs costs routed as configured, against all-CloudWatch.

Prices are a dated table with sources (:mod:`.prices`); the model
(:mod:`.estimate`) states what it does not cover.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from firelens_cdktf._lazy import lazy_exports

if TYPE_CHECKING:
    from firelens_cdktf.cost.estimate import DEFAULT_VOLUME_GB as DEFAULT_VOLUME_GB
    from firelens_cdktf.cost.estimate import VOLUME_ENV as VOLUME_ENV
    from firelens_cdktf.cost.estimate import AthenaScan as AthenaScan
    from firelens_cdktf.cost.estimate import CloudWatchShare as CloudWatchShare
    from firelens_cdktf.cost.estimate import CostEstimate as CostEstimate
    from firelens_cdktf.cost.estimate import FirehoseShare as FirehoseShare
    from firelens_cdktf.cost.estimate import ObservedStream as ObservedStream
    from firelens_cdktf.cost.estimate import Scenario as Scenario
    from firelens_cdktf.cost.estimate import TrafficMix as TrafficMix
    from firelens_cdktf.cost.estimate import estimate as estimate
    from firelens_cdktf.cost.estimate import observe_mix as observe_mix
    from firelens_cdktf.cost.prices import PRICES as PRICES
    from firelens_cdktf.cost.prices import RegionPrices as RegionPrices
    from firelens_cdktf.cost.prices import prices_for as prices_for

_EXPORTS = {
    "estimate": "firelens_cdktf.cost.estimate",
    "CostEstimate": "firelens_cdktf.cost.estimate",
    "TrafficMix": "firelens_cdktf.cost.estimate",
    "CloudWatchShare": "firelens_cdktf.cost.estimate",
    "FirehoseShare": "firelens_cdktf.cost.estimate",
    "Scenario": "firelens_cdktf.cost.estimate",
    "observe_mix": "firelens_cdktf.cost.estimate",
    "AthenaScan": "firelens_cdktf.cost.estimate",
    "ObservedStream": "firelens_cdktf.cost.estimate",
    "VOLUME_ENV": "firelens_cdktf.cost.estimate",
    "DEFAULT_VOLUME_GB": "firelens_cdktf.cost.estimate",
    "PRICES": "firelens_cdktf.cost.prices",
    "prices_for": "firelens_cdktf.cost.prices",
    "RegionPrices": "firelens_cdktf.cost.prices",
}
__all__ = sorted([*_EXPORTS])
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
