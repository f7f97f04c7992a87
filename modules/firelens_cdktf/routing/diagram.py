"""Draw a routing as a Mermaid flowchart (app -> log router -> routes -> destinations).

``firelens-cdktf graph --routing MODULE:ATTRIBUTE`` prints a team's routing.
The chart is drawn from the same :class:`~firelens_cdktf.routing.routes.LogRouting` the
compiler reads, so it cannot drift from the deployed config.

Example:
    >>> from firelens_cdktf.routing.routes import AppLogRouting, CloudWatchLogs, LogRouting
    >>> routing = LogRouting(region="eu-west-1", apps=(AppLogRouting("web", default=CloudWatchLogs("/team/web")),))
    >>> render_mermaid(routing).splitlines()[0]
    'flowchart LR'
"""

from __future__ import annotations

import re

from firelens_cdktf.fluentbit.image import FLUENT_BIT_INIT_IMAGE
from firelens_cdktf.routing.routes import AppLogRouting, Destination, LogRouting, Route


def render_mermaid(routing: LogRouting, *, image: str = FLUENT_BIT_INIT_IMAGE) -> str:
    """Mermaid ``flowchart LR`` source for ``routing``, ending with a newline."""
    image_tag = image.rsplit(":", 1)[-1]
    lines = ["flowchart LR", f'    router[["log_router<br/>Fluent Bit, aws-for-fluent-bit {_text(image_tag)}"]]']
    destinations: dict[Destination, str] = {}
    for index, destination in enumerate(routing.destinations):
        node = _node_id(f"dest{index}", destination.identity[1])
        destinations[destination] = node
        lines.append(f'    {node}[("{_text(destination.label)}")]')
    for app in routing.apps:
        app_node = _node_id("app", app.container)
        parse = f"<br/>JSON in {app.json_key!r} parsed" if app.json_key else ""
        if app.json_key and app.keep_metadata:
            parse += ", metadata kept"
        lines.append(f'    {app_node}["{_text(app.container)} container<br/>stdout via awsfirelens"]')
        lines.append(f'    {app_node} -->|"{_text(app.match)}{parse}"| router')
        for route in app.routes:
            lines.append(f'    router -->|"{_route_label(app, route)}"| {destinations[route.destination]}')
        lines.append(f'    router -->|"{_text(app.container)}: everything else"| {destinations[app.default]}')
    return "\n".join(lines) + "\n"


def _route_label(app: AppLogRouting, route: Route) -> str:
    action = "copy" if route.keep_original else "move"
    tag = app.route_tag(route) + (f".&lt;{route.tag_suffix_field}&gt;" if route.tag_suffix_field else "")
    return (
        f"{_text(app.container)} route {_text(route.name)}: {_text(route.field)} ~ "
        f"{_text(route.pattern)}<br/>{action}, tag {tag}"
    )


def _node_id(prefix: str, name: str) -> str:
    return f"{prefix}_" + re.sub(r"[^A-Za-z0-9]", "_", name).strip("_")


def _text(text: str) -> str:
    """Escape text for a quoted Mermaid label."""
    return (
        text.replace("&", "&amp;")
        .replace('"', "#quot;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("|", "#124;")
    )
