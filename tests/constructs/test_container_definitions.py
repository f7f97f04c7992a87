"""Container definitions as plain values: the log router's no-log-loss defaults and the pinned image."""

from __future__ import annotations

from typing import Any

import pytest

from firelens_cdktf.constructs.container_definitions import app_container, log_router_container
from firelens_cdktf.constructs.container_props import AppContainer, ContainerImageRef, DependencyCondition
from firelens_cdktf.constructs.service_props import LogRouter, RouterHealthCheck
from firelens_cdktf.errors import ConfigError

REPOSITORY = "public.ecr.aws/aws-observability/aws-for-fluent-bit"


def _settings(uri: str = f"{REPOSITORY}:init-3.2.1", **overrides: Any) -> LogRouter:
    return LogRouter(image=ContainerImageRef(uri), **overrides)


def test_router_defaults_follow_awss_no_log_loss_guidance() -> None:
    router = log_router_container(_settings(), log_group="/ecs/app/log_router", http_port=2020, region="ap-northeast-1")
    assert (router["memoryReservation"], router["stopTimeout"], router["healthCheck"]["command"][1]) == (
        100,
        120,
        "curl -f http://127.0.0.1:2020/api/v1/uptime || exit 1",
    )


def test_app_waits_until_a_router_with_a_health_check_is_healthy() -> None:
    assert (_settings().start_condition, _settings(health_check=None).start_condition) == (
        DependencyCondition.HEALTHY,
        DependencyCondition.START,
    )


@pytest.mark.parametrize("tag", ["latest", "stable", "init-latest", "init-stable"])
def test_fails_when_the_router_image_tag_moves(tag: str) -> None:
    with pytest.raises(ConfigError, match=rf"^LogRouter: image='.*:{tag}'.*not a moving tag"):
        _settings(f"{REPOSITORY}:{tag}")


def test_fails_when_the_router_image_has_no_tag() -> None:
    with pytest.raises(ConfigError, match="a version tag or a digest"):
        _settings(REPOSITORY)


def test_a_digest_or_a_deploy_time_repository_url_pins_the_image() -> None:
    digest = f"{REPOSITORY}@sha256:{'0' * 64}"
    token_url = "${TfToken[TOKEN.42]}:e55859a407a7a583"
    assert [_settings(uri).image.uri for uri in (digest, token_url)] == [digest, token_url]


def test_fails_when_the_log_driver_buffer_limit_is_negative() -> None:
    with pytest.raises(ConfigError, match="^LogRouter: log_driver_buffer_limit=-1"):
        _settings(log_driver_buffer_limit=-1)


def test_app_container_carries_the_routers_log_driver_buffer_limit() -> None:
    app = app_container(
        AppContainer("app", ContainerImageRef("app:1"), port=3000),
        router=_settings(log_driver_buffer_limit=1000),
        sidecars=(),
    )
    assert (app["logConfiguration"], app["portMappings"]) == (
        {"logDriver": "awsfirelens", "options": {"log-driver-buffer-limit": "1000"}},
        [{"containerPort": 3000, "hostPort": 3000, "protocol": "tcp"}],
    )


def test_health_check_command_follows_the_http_port() -> None:
    assert RouterHealthCheck.OUTPUT_HEALTH.command(2021) == (
        "CMD-SHELL",
        "curl -f http://127.0.0.1:2021/api/v1/health || exit 1",
    )
