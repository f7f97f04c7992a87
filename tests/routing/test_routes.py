"""The route model: the article's routing in a few lines, and every validation."""

from __future__ import annotations

import pytest

from firelens_app.routing import article_routing
from firelens_cdktf.errors import RouteError
from firelens_cdktf.routing.routes import AppLogRouting, CloudWatchLogs, FirehoseStream, LogRouting, Route

MAIN = CloudWatchLogs("/sample-metrics-fluentbit")
SQL = FirehoseStream("put-s3-sample-metrics-logs")


def _app(*routes: Route, container: str = "rails-app") -> AppLogRouting:
    return AppLogRouting(container=container, default=MAIN, routes=routes)


def test_article_routing_moves_sql_logs_to_the_firehose_stream() -> None:
    sql = article_routing().apps[0].routes[0]
    assert (sql.field, sql.pattern, sql.destination, sql.keep_original) == ("name", "^(ActiveRecord)$", SQL, False)


def test_article_routing_copies_labelled_records_to_a_real_log_group() -> None:
    labelled = article_routing().apps[0].routes[1]
    assert (labelled.keep_original, labelled.tag_suffix_field, labelled.destination) == (
        True,
        "payload.label",
        CloudWatchLogs("/sample-metrics-fluentbit/analysis"),
    )


def test_article_routing_sends_the_rest_of_rails_app_to_the_main_log_group() -> None:
    app = article_routing().apps[0]
    assert (app.container, app.default, article_routing().region) == ("rails-app", MAIN, "ap-northeast-1")


def test_default_routing_is_the_article_routing() -> None:
    assert article_routing() == article_routing()


def test_routing_lists_each_log_group_once_for_terraform() -> None:
    assert [g.log_group for g in article_routing().log_groups] == [
        "/sample-metrics-fluentbit/analysis",
        "/sample-metrics-fluentbit",
    ]


def test_routing_lists_the_firehose_streams_for_iam() -> None:
    assert article_routing().firehose_streams == (SQL,)


def test_app_match_is_derived_from_the_container_name() -> None:
    assert _app(container="worker_1").match == "worker_1-firelens-*"


def test_route_tag_lives_in_the_reserved_routed_namespace() -> None:
    route = Route("sql", field="name", pattern="x", destination=SQL)
    assert _app(route).route_tag(route) == "routed.rails-app.sql"


def test_route_field_becomes_a_record_accessor() -> None:
    route = Route("r", field="payload.label", pattern="x", destination=MAIN)
    assert route.key_path.accessor == "$payload['label']"


def test_fails_when_container_name_is_not_an_ecs_name() -> None:
    with pytest.raises(RouteError, match="container='rails app'"):
        _app(container="rails app")


def test_fails_when_route_names_repeat() -> None:
    route = Route("sql", field="name", pattern="x", destination=SQL)
    with pytest.raises(RouteError, match="unique route names"):
        _app(route, route)


def test_fails_when_route_name_has_upper_case() -> None:
    with pytest.raises(RouteError, match="name='SQL'"):
        Route("SQL", field="name", pattern="x", destination=SQL)


def test_fails_when_pattern_does_not_compile() -> None:
    with pytest.raises(RouteError, match="a valid regex"):
        Route("r", field="name", pattern="^(Active", destination=SQL)


def test_fails_when_pattern_contains_a_space() -> None:
    with pytest.raises(RouteError, match=r"write a space as \\s"):
        Route("r", field="name", pattern="a b", destination=SQL)


def test_fails_when_pattern_uses_syntax_the_preview_cannot_check() -> None:
    with pytest.raises(RouteError, match="regex syntax the preview can check"):
        Route("r", field="name", pattern=r"\p{Alpha}", destination=SQL)


def test_fails_when_field_is_not_a_dotted_path() -> None:
    with pytest.raises(RouteError, match=r"field='payload\.\.label'"):
        Route("r", field="payload..label", pattern="x", destination=SQL)


def test_fails_when_tag_suffix_field_is_not_a_dotted_path() -> None:
    with pytest.raises(RouteError, match="tag_suffix_field="):
        Route("r", field="name", pattern="x", destination=SQL, tag_suffix_field="1abc")


def test_fails_when_log_group_name_has_forbidden_characters() -> None:
    with pytest.raises(RouteError, match="log_group='/a b'"):
        CloudWatchLogs("/a b")


def test_fails_when_retention_is_not_a_cloudwatch_value() -> None:
    with pytest.raises(RouteError, match="retention_days=31"):
        CloudWatchLogs("/a", retention_days=31)


def test_fails_when_stream_prefix_has_a_colon() -> None:
    with pytest.raises(RouteError, match="stream_prefix='a:'"):
        CloudWatchLogs("/a", stream_prefix="a:")


def test_fails_when_delivery_stream_name_is_too_long() -> None:
    with pytest.raises(RouteError, match="delivery_stream="):
        FirehoseStream("s" * 65)


def test_fails_when_one_log_group_is_declared_twice_differently() -> None:
    other = CloudWatchLogs("/sample-metrics-fluentbit", retention_days=7)
    route = Route("r", field="name", pattern="x", destination=other)
    with pytest.raises(RouteError, match="one declaration per AWS resource"):
        LogRouting(region="ap-northeast-1", apps=(_app(route),))


def test_fails_when_region_is_not_an_aws_region() -> None:
    with pytest.raises(RouteError, match="region='tokyo'"):
        LogRouting(region="tokyo", apps=(_app(),))


def test_fails_when_two_apps_use_the_same_container() -> None:
    with pytest.raises(RouteError, match="one AppLogRouting per container"):
        LogRouting(region="ap-northeast-1", apps=(_app(), _app()))


def test_error_message_names_where_field_value_allowed_and_fix() -> None:
    with pytest.raises(RouteError) as caught:
        CloudWatchLogs("/a", retention_days=31)
    assert str(caught.value).startswith(
        "CloudWatchLogs('/a'): retention_days=31 is not valid; allowed: 1, 3,"
    ) and "Fix: " in str(caught.value)


def test_fails_when_one_containers_tags_fit_another_containers_match() -> None:
    with pytest.raises(RouteError, match="rename 'a-firelens-b'"):
        LogRouting(region="ap-northeast-1", apps=(_app(container="a"), _app(container="a-firelens-b")))
