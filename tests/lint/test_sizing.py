"""The router sizing rule (firelens_cdktf.lint.sizing): what a declared log rate needs, the warnings when the
router has less, and the task definition that says so at synth."""

from __future__ import annotations

import doctest
import json
from typing import Any

import pytest
from cdktf import TerraformStack, Testing

import firelens_cdktf.lint.sizing as sizing
from firelens_cdktf.constructs import ContainerImageRef, FirelensTaskDefinition, LogRouter
from firelens_cdktf.constructs.container_definitions import log_router_container
from firelens_cdktf.errors import ConfigError
from firelens_cdktf.lint import Severity
from firelens_cdktf.lint.sizing import check_router_size, router_size
from firelens_cdktf.routing import AppLogRouting, CloudWatchLogs, LogRouting, compile_routing

IMAGE = ContainerImageRef.from_registry("public.ecr.aws/example/router:1.0")


def test_the_docstring_examples_run() -> None:
    result = doctest.testmod(sizing)
    assert result.attempted > 0 and result.failed == 0


def test_cpu_grows_with_the_rate_from_the_measured_cost_with_headroom() -> None:
    low, high = router_size(0.25), router_size(1.0)
    assert high.cpu_units > low.cpu_units
    # 1 MB/s for 1,000 s is a GB: the measured CPU seconds per GB, doubled, in 1/1024 vCPU
    assert high.cpu_units == -(-sizing.CPU_SECONDS_PER_GB * sizing.HEADROOM * 1024 // 1000)


def test_memory_is_bounded_by_the_chunks_in_memory_not_by_the_rate() -> None:
    assert router_size(0.1).memory_mib == router_size(1.5).memory_mib == 75  # 12 MiB + 32 chunks of 2,048,000 B
    assert router_size(0.1, max_chunks_up=128).memory_mib == 262


def test_from_two_mb_per_second_aws_floor_applies() -> None:
    below, at = router_size(1.99), router_size(2.0)
    assert below.memory_mib == 75 and at.memory_mib == 239  # 250 MB
    assert at.cpu_units >= 512


@pytest.mark.parametrize("rate", [0.0, -1.0, float("nan"), float("inf")])
def test_a_rate_that_is_not_a_positive_number_is_refused(rate: float) -> None:
    with pytest.raises(ValueError, match="log_mb_per_second=.*give a positive number of MB/s"):
        router_size(rate)


def _codes(rate: float, **router: Any) -> list[str]:
    args: dict[str, Any] = {"cpu_units": None, "memory_reservation_mib": 100, **router}
    return [finding.code for finding in check_router_size(rate, **args)]


def test_a_router_sized_by_the_rule_gets_no_warning() -> None:
    need = router_size(3.0)
    assert _codes(3.0, cpu_units=need.cpu_units, memory_reservation_mib=need.memory_mib) == []
    assert _codes(0.1) == []  # a quiet app: no reservation needed, 100 MiB is enough


@pytest.mark.parametrize(
    ("rate", "router", "codes"),
    [
        (1.0, {}, ["router-cpu-unreserved"]),
        (1.0, {"cpu_units": 256}, ["router-cpu-short"]),
        (2.0, {"cpu_units": 1024}, ["router-memory-short"]),
        (4.0, {"task_cpu_units": 1024}, ["router-exceeds-task", "router-memory-short"]),
    ],
)
def test_each_shortfall_is_a_warning_of_its_own(rate: float, router: dict[str, Any], codes: list[str]) -> None:
    assert _codes(rate, **router) == codes


def test_a_warning_names_the_field_the_value_the_rule_and_the_fix() -> None:
    [finding] = check_router_size(1.0, cpu_units=256, memory_reservation_mib=100, where="svc")
    assert finding.severity is Severity.WARNING
    assert finding.where == "svc.cpu"
    assert finding.problem.startswith("256 CPU units while the sizing rule gives 433 CPU units and 75 MiB for 1 MB/s")
    assert finding.fix.startswith("pass LogRouter(cpu=433)")


@pytest.mark.parametrize("rate", [0, -0.5, float("nan"), "2MB/s"])
def test_log_router_refuses_a_rate_that_is_not_a_positive_number_and_names_the_field(rate: Any) -> None:
    with pytest.raises(ConfigError, match=r"^LogRouter: log_mb_per_second=.* allowed: a positive number of MB/s"):
        LogRouter(image=IMAGE, log_mb_per_second=rate)


def test_the_router_container_reserves_its_cpu_when_given() -> None:
    with_cpu = log_router_container(LogRouter(image=IMAGE, cpu=512), log_group="g", http_port=2020, region="r")
    without = log_router_container(LogRouter(image=IMAGE), log_group="g", http_port=2020, region="r")
    assert with_cpu["cpu"] == 512 and "cpu" not in without


# --- the task definition: warnings at synth --------------------------------------------------------


def _routing() -> Any:
    return compile_routing(
        LogRouting(region="eu-west-1", apps=(AppLogRouting("web", default=CloudWatchLogs("/team/web")),))
    )


def test_the_task_definition_warns_at_synth_when_its_router_is_short_for_the_declared_rate() -> None:
    stack = TerraformStack(Testing.app(), "team")
    task = FirelensTaskDefinition(
        stack,
        "web",
        family="web",
        routing=_routing(),
        log_router=LogRouter(image=IMAGE, log_mb_per_second=2.5),
        cpu=2048,
        memory_mib=4096,
    )

    assert [f.code for f in task.warnings] == ["router-cpu-unreserved", "router-memory-short"]
    assert all(f.where.startswith("FirelensTaskDefinition 'team/web': log_router.") for f in task.warnings)
    notes = [entry.data for entry in task.node.metadata if entry.type == "@cdktf/warn"]
    assert notes == [f"{f} [{f.code}]" for f in task.warnings]


def test_a_router_sized_for_its_rate_synthesizes_quietly_with_its_cpu_reserved() -> None:
    stack = TerraformStack(Testing.app(), "team")
    need = router_size(2.5)
    router = LogRouter(image=IMAGE, log_mb_per_second=2.5, cpu=need.cpu_units, memory_reservation_mib=need.memory_mib)
    task = FirelensTaskDefinition(
        stack, "web", family="web", routing=_routing(), log_router=router, cpu=2048, memory_mib=4096
    )

    assert task.warnings == ()
    assert not [entry for entry in task.node.metadata if entry.type == "@cdktf/warn"]
    [definition] = json.loads(Testing.synth(stack))["resource"]["aws_ecs_task_definition"].values()
    [container] = json.loads(definition["container_definitions"])
    assert container["name"] == "log_router" and container["cpu"] == need.cpu_units


def test_a_router_reserving_more_cpu_than_the_task_has_is_refused() -> None:
    stack = TerraformStack(Testing.app(), "team")
    with pytest.raises(ConfigError, match=r"cpu=256 .*at least the 512 CPU units the containers reserve"):
        FirelensTaskDefinition(
            stack, "web", family="web", routing=_routing(), log_router=LogRouter(image=IMAGE, cpu=512), cpu=256
        )
