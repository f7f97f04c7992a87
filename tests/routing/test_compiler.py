"""The compiled config: golden bytes, every guarantee the pipeline relies on, option checks.

The golden files are the output of ``firelens-cdktf compile --out
tests/fixtures/compiled``; after an intended change, rerun it and review the diff.
"""

from __future__ import annotations

import pytest

from conftest import FIXTURES
from firelens_app.routing import article_routing
from firelens_cdktf.errors import RouteError
from firelens_cdktf.fluentbit.config import Section
from firelens_cdktf.fluentbit.image import FLUENT_BIT_INIT_IMAGE, FLUENT_BIT_VERSION
from firelens_cdktf.fluentbit.limits import SIMPLE_AGGREGATION_MIN_FLUENT_BIT
from firelens_cdktf.lint.checks import lint_config
from firelens_cdktf.routing.compiler import CompiledRouting, compile_routing
from firelens_cdktf.routing.routes import AppLogRouting, CloudWatchLogs, LogRouting

COMPILED = FIXTURES / "compiled"


@pytest.fixture(scope="module")
def compiled() -> CompiledRouting:
    return compile_routing(article_routing())


def _sections(compiled: CompiledRouting) -> tuple[Section, ...]:
    return (*compiled.config.filters, *compiled.config.outputs)


def test_extra_conf_matches_the_golden_file(compiled: CompiledRouting) -> None:
    assert compiled.extra_conf == (COMPILED / "extra.conf").read_text()


def test_parsers_file_matches_the_golden_file(compiled: CompiledRouting) -> None:
    assert compiled.parsers_conf == (COMPILED / "parsers_json.conf").read_text()


def test_same_routes_compile_to_the_same_bytes(compiled: CompiledRouting) -> None:
    assert compile_routing(article_routing()).files == compiled.files


def test_files_are_placed_where_firelens_reads_them(compiled: CompiledRouting) -> None:
    assert sorted(compiled.files) == ["/fluent-bit/etc/extra.conf", "/fluent-bit/etc/parsers_json.conf"]


def test_service_sets_flush_grace_and_the_parsers_file(compiled: CompiledRouting) -> None:
    service = compiled.config.service[0]
    assert (service.get("Flush"), service.get("Grace"), service.get("Parsers_File")) == (
        "1",
        "30",
        "/fluent-bit/etc/parsers_json.conf",
    )


def test_every_match_derives_from_the_container_name(compiled: CompiledRouting) -> None:
    assert {s.get("Match") for s in _sections(compiled)} == {
        "rails-app-firelens-*", "routed.rails-app.sql", "routed.rails-app.labelled.*",
    }  # fmt: skip


def test_no_rewrite_tag_matches_everything(compiled: CompiledRouting) -> None:
    assert all(s.get("Match") != "*" for s in compiled.config.filters if s.plugin == "rewrite_tag")


def test_every_filter_and_output_has_an_alias(compiled: CompiledRouting) -> None:
    assert all(s.alias for s in _sections(compiled))


def test_every_rewrite_tag_sets_its_emitter_name_and_buffer_limit(compiled: CompiledRouting) -> None:
    rewrites = [s for s in compiled.config.filters if s.plugin == "rewrite_tag"]
    assert [(s.get("Emitter_Name"), s.get("Emitter_Mem_Buf_Limit")) for s in rewrites] == [
        ("rails-app.route.sql.emitter", "10M"), ("rails-app.route.labelled.emitter", "10M"),
    ]  # fmt: skip


def test_routes_re_emit_into_the_routed_namespace(compiled: CompiledRouting) -> None:
    rules = [s.get("Rule") for s in compiled.config.filters if s.plugin == "rewrite_tag"]
    assert [rule.split()[2] for rule in rules if rule] == [
        "routed.rails-app.sql",
        "routed.rails-app.labelled.$payload['label']",
    ]


def test_no_output_ever_drops_a_chunk_for_running_out_of_retries(compiled: CompiledRouting) -> None:
    assert {s.get("Retry_Limit") for s in compiled.config.outputs} == {"no_limits"}
    assert compiled.config.service_setting("scheduler.cap") == "30"


def test_every_input_and_emitter_buffers_on_disk_so_none_is_paused_for_memory(compiled: CompiledRouting) -> None:
    service = compiled.config
    assert (
        service.service_setting("storage.path"),
        service.service_setting("storage.type"),
        service.service_setting("storage.inherit"),
    ) == ("/var/log/flb-storage/", "filesystem", "On")
    emitters = {
        s.plugin: s.get("emitter_storage.type")
        for s in compiled.config.filters
        if s.plugin in ("rewrite_tag", "multiline")
    }
    assert emitters == {"rewrite_tag": "filesystem", "multiline": "filesystem"}


def test_memory_buffering_and_a_retry_limit_are_still_a_choice() -> None:
    config = compile_routing(article_routing(), storage_path=None, retry_limit=5).config
    assert config.service_setting("storage.path") is None
    assert {s.get("Retry_Limit") for s in config.outputs} == {"5"}
    assert {s.get("emitter_storage.type") for s in config.filters if s.plugin == "rewrite_tag"} == {"memory"}


def test_cloudwatch_outputs_never_create_log_groups(compiled: CompiledRouting) -> None:
    assert {s.get("auto_create_group") for s in compiled.config.outputs if s.plugin == "cloudwatch_logs"} == {"false"}


def test_firehose_outputs_aggregate_records(compiled: CompiledRouting) -> None:
    assert [s.get("simple_aggregation") for s in compiled.config.outputs if s.plugin == "kinesis_firehose"] == ["true"]


def test_comments_say_which_route_each_block_serves(compiled: CompiledRouting) -> None:
    assert [s.comments[0].split(":")[0] for s in compiled.config.outputs] == [
        "rails-app / route 'sql'", "rails-app / route 'labelled'", "rails-app / default",
    ]  # fmt: skip


def test_compiled_config_has_no_lint_finding(compiled: CompiledRouting) -> None:
    assert lint_config(compiled.config, containers=["rails-app"], parsers=compiled.parsers) == ()


def test_exposes_the_log_groups_terraform_creates(compiled: CompiledRouting) -> None:
    assert compiled.log_group_names == ("/sample-metrics-fluentbit/analysis", "/sample-metrics-fluentbit")


def test_exposes_the_delivery_streams_the_task_role_writes_to(compiled: CompiledRouting) -> None:
    assert compiled.delivery_stream_names == ("put-s3-sample-metrics-logs",)


def test_exposes_the_app_containers(compiled: CompiledRouting) -> None:
    assert compiled.containers == ("rails-app",)


def test_pins_an_init_image_with_fluent_bit_4_2_2(compiled: CompiledRouting) -> None:
    assert (compiled.image, FLUENT_BIT_VERSION) == (
        "public.ecr.aws/aws-observability/aws-for-fluent-bit:init-3.2.1",
        (4, 2, 2),
    )


def test_pinned_fluent_bit_supports_firehose_aggregation() -> None:
    assert FLUENT_BIT_VERSION >= SIMPLE_AGGREGATION_MIN_FLUENT_BIT and FLUENT_BIT_INIT_IMAGE.endswith(":init-3.2.1")


def test_grace_and_emitter_limit_can_be_overridden() -> None:
    config = compile_routing(article_routing(), grace_seconds=100, emitter_mem_buf_limit="2M").config
    rewrite_tag = next(f for f in config.filters if f.plugin == "rewrite_tag")
    assert (config.service[0].get("Grace"), rewrite_tag.get("Emitter_Mem_Buf_Limit")) == ("100", "2M")


def test_each_apps_first_filter_joins_the_pieces_docker_cuts_long_lines_into() -> None:
    routing = LogRouting(
        region="ap-northeast-1",
        apps=(
            AppLogRouting(container="web", default=CloudWatchLogs("/web")),
            AppLogRouting(container="worker", default=CloudWatchLogs("/worker"), json_key=None),
        ),
    )
    filters = compile_routing(routing).config.filters
    joins = [f for f in filters if f.plugin == "multiline"]
    assert [(f.get("Match"), f.get("Mode"), f.get("multiline.key_content")) for f in joins] == [
        ("web-firelens-*", "partial_message", "log"),
        ("worker-firelens-*", "partial_message", "log"),
    ]
    assert filters[0] is joins[0]  # before web's parser, which would fail on a piece


def test_an_app_without_routes_sends_everything_to_its_default() -> None:
    routing = LogRouting(region="ap-northeast-1", apps=(AppLogRouting("web", default=CloudWatchLogs("/web")),))
    assert [(s.plugin, s.get("Match")) for s in compile_routing(routing).config.outputs] == [
        ("cloudwatch_logs", "web-firelens-*")
    ]


def test_fails_when_grace_exceeds_the_fargate_stop_timeout() -> None:
    with pytest.raises(RouteError, match="grace_seconds=121"):
        compile_routing(article_routing(), grace_seconds=121)


def test_fails_when_the_emitter_limit_is_not_a_size() -> None:
    with pytest.raises(RouteError, match="emitter_mem_buf_limit='ten megs'"):
        compile_routing(article_routing(), emitter_mem_buf_limit="ten megs")


def test_fails_when_aggregation_needs_a_newer_fluent_bit() -> None:
    with pytest.raises(RouteError, match="simple_aggregation=True"):
        compile_routing(article_routing(), fluent_bit_version=(4, 2, 1))


def test_two_apps_compile_to_separate_pipelines_the_linter_passes() -> None:
    apps = (
        AppLogRouting("web", default=CloudWatchLogs("/web")),
        AppLogRouting("worker", default=CloudWatchLogs("/worker")),
    )
    outputs = compile_routing(LogRouting(region="ap-northeast-1", apps=apps)).config.outputs
    assert [(s.alias, s.get("Match")) for s in outputs] == [
        ("web.default", "web-firelens-*"),
        ("worker.default", "worker-firelens-*"),
    ]


def test_service_serves_the_health_api_on_loopback_for_the_container_health_check(compiled: CompiledRouting) -> None:
    service = compiled.config.service[0]
    assert [service.get(k) for k in ("HTTP_Server", "HTTP_Listen", "HTTP_Port", "Health_Check")] == [
        "On",
        "127.0.0.1",
        "2020",
        "On",
    ]


def test_health_thresholds_are_awss_output_metrics_values(compiled: CompiledRouting) -> None:
    service = compiled.config.service[0]
    assert [service.get(k) for k in ("HC_Errors_Count", "HC_Retry_Failure_Count", "HC_Period")] == ["5", "5", "5"]


def test_http_server_can_be_turned_off() -> None:
    compiled = compile_routing(article_routing(), http_port=None)
    assert (compiled.http_port, compiled.config.service[0].has("HTTP_Server")) == (None, False)


def test_exposes_grace_http_port_and_emitter_buffers_for_the_task_definition(compiled: CompiledRouting) -> None:
    assert (compiled.grace_seconds, compiled.http_port, compiled.emitter_buffer_bytes) == (30, 2020, 2 * 10 * 1024**2)


def test_fails_when_the_http_port_is_one_firelens_holds() -> None:
    with pytest.raises(RouteError, match="http_port=24224"):
        compile_routing(article_routing(), http_port=24224)


def _parser_of(app: AppLogRouting) -> Section:
    compiled = compile_routing(LogRouting(region="eu-west-1", apps=(app,)))
    [parser] = [s for s in compiled.config.filters if s.plugin == "parser"]
    return parser


def test_metadata_is_dropped_from_parsed_records_by_default_as_in_the_article(compiled: CompiledRouting) -> None:
    [parser] = [s for s in compiled.config.filters if s.plugin == "parser"]
    assert (parser.get("Reserve_Data"), parser.get("Preserve_Key")) == (None, None)


def test_keep_metadata_reserves_the_other_keys_and_still_drops_the_parsed_line() -> None:
    parser = _parser_of(AppLogRouting("web", default=CloudWatchLogs("/w"), keep_metadata=True))
    assert (parser.get("Reserve_Data"), parser.get("Preserve_Key")) == ("On", None)


def test_fails_when_keep_metadata_is_not_a_boolean() -> None:
    with pytest.raises(RouteError, match=r"^AppLogRouting\('web'\): keep_metadata='yes'.*allowed: True or False"):
        AppLogRouting("web", default=CloudWatchLogs("/w"), keep_metadata="yes")  # type: ignore[arg-type]


def test_declaring_the_apps_in_another_order_compiles_the_same_bytes() -> None:
    web, worker = (AppLogRouting(name, default=CloudWatchLogs(f"/team/{name}")) for name in ("web", "worker"))
    first = compile_routing(LogRouting(region="eu-west-1", apps=(web, worker)))
    assert first.extra_conf == compile_routing(LogRouting(region="eu-west-1", apps=(worker, web))).extra_conf
