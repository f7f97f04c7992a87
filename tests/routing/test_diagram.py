"""The Mermaid flowchart drawn from the routes."""

from __future__ import annotations

from firelens_app.routing import article_routing
from firelens_cdktf.routing.diagram import render_mermaid
from firelens_cdktf.routing.routes import AppLogRouting, CloudWatchLogs, LogRouting, Route


def test_chart_is_a_left_to_right_flowchart() -> None:
    assert render_mermaid(article_routing()).startswith("flowchart LR\n")


def test_app_feeds_the_log_router_with_its_firelens_tags() -> None:
    assert "app_rails_app -->|\"rails-app-firelens-*<br/>JSON in 'log' parsed\"| router" in render_mermaid(
        article_routing()
    )


def test_every_destination_is_drawn_once() -> None:
    chart = render_mermaid(article_routing())
    assert [chart.count(f'[("{d.label}")]') for d in article_routing().destinations] == [1, 1, 1]


def test_each_route_edge_says_what_it_tests_and_whether_it_moves_or_copies() -> None:
    chart = render_mermaid(article_routing())
    assert ("name ~ ^(ActiveRecord)$<br/>move" in chart, "payload.label ~ \\A[A-Za-z0-9_-]+\\z<br/>copy" in chart) == (
        True,
        True,
    )


def test_the_rest_of_the_logs_go_to_the_default() -> None:
    assert '"rails-app: everything else"| dest2_' in render_mermaid(article_routing())


def test_quotes_in_a_pattern_are_escaped_for_mermaid() -> None:
    route = Route("q", field="msg", pattern="x<y|z", destination=CloudWatchLogs("/q"))
    routing = LogRouting(
        region="ap-northeast-1", apps=(AppLogRouting("app", default=CloudWatchLogs("/main"), routes=(route,)),)
    )
    assert "msg ~ x&lt;y#124;z" in render_mermaid(routing)
