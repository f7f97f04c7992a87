"""Routing authoring: routes declared in Python, and the Fluent Bit config they compile to.

The compiler lints what it writes (:mod:`firelens_cdktf.lint`), so a routing
that would loop or drop records silently never compiles. Pure Python: nothing
here imports CDKTF.

Example::

    from firelens_cdktf.routing import AppLogRouting, CloudWatchLogs, LogRouting, compile_routing

    compiled = compile_routing(LogRouting(region="ap-northeast-1", apps=(
        AppLogRouting(container="web", default=CloudWatchLogs("/web")),)))
    print(compiled.extra_conf)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from firelens_cdktf._lazy import lazy_exports

if TYPE_CHECKING:
    from firelens_cdktf.limits import LogClass as LogClass
    from firelens_cdktf.routing.compiler import CompiledRouting as CompiledRouting
    from firelens_cdktf.routing.compiler import compile_routing as compile_routing
    from firelens_cdktf.routing.diagram import render_mermaid as render_mermaid
    from firelens_cdktf.routing.routes import ROUTED_TAG_PREFIX as ROUTED_TAG_PREFIX
    from firelens_cdktf.routing.routes import AppLogRouting as AppLogRouting
    from firelens_cdktf.routing.routes import CloudWatchLogs as CloudWatchLogs
    from firelens_cdktf.routing.routes import Destination as Destination
    from firelens_cdktf.routing.routes import FirehoseStream as FirehoseStream
    from firelens_cdktf.routing.routes import LogRouting as LogRouting
    from firelens_cdktf.routing.routes import Route as Route

_EXPORTS = {
    "LogRouting": "firelens_cdktf.routing.routes",
    "AppLogRouting": "firelens_cdktf.routing.routes",
    "Route": "firelens_cdktf.routing.routes",
    "Destination": "firelens_cdktf.routing.routes",
    "CloudWatchLogs": "firelens_cdktf.routing.routes",
    "FirehoseStream": "firelens_cdktf.routing.routes",
    "LogClass": "firelens_cdktf.limits",
    "ROUTED_TAG_PREFIX": "firelens_cdktf.routing.routes",
    "compile_routing": "firelens_cdktf.routing.compiler",
    "CompiledRouting": "firelens_cdktf.routing.compiler",
    "render_mermaid": "firelens_cdktf.routing.diagram",
}
__all__ = sorted([*_EXPORTS])
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
