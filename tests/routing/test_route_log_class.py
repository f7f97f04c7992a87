"""CloudWatchLogs(log_class=...): what is accepted, what compiles, and what the compiler and CLI lint refuse."""

from __future__ import annotations

import pytest

from firelens_cdktf import AppLogRouting, CloudWatchLogs, LintError, LogClass, LogRouting, Route, RouteError
from firelens_cdktf.routing import compile_routing
from firelens_cdktf.routing.routes import Destination

IA = LogClass.INFREQUENT_ACCESS


def _routing(*routes: Route, default: CloudWatchLogs | None = None) -> LogRouting:
    return LogRouting(
        region="ap-northeast-1",
        apps=(AppLogRouting("web", default=default or CloudWatchLogs("/web"), routes=routes),),
    )


def test_the_class_is_taken_as_the_enum_or_as_aws_spells_it() -> None:
    assert CloudWatchLogs("/audit", log_class="INFREQUENT_ACCESS") == CloudWatchLogs("/audit", log_class=IA)


def test_a_destination_without_a_class_is_standard_and_leaves_the_class_unset() -> None:
    group = CloudWatchLogs("/web")
    assert (group.log_class, group.effective_class, group.infrequent_access) == (None, LogClass.STANDARD, False)


def test_fails_when_the_class_is_not_one_a_route_can_use() -> None:
    with pytest.raises(RouteError) as raised:
        CloudWatchLogs("/audit", log_class="DELIVERY")
    error = raised.value
    assert (error.where, error.field, error.value) == ("CloudWatchLogs('/audit')", "log_class", "DELIVERY")
    assert "INFREQUENT_ACCESS" in error.allowed and "DELIVERY" in error.fix


def test_fails_when_two_routes_name_one_group_in_different_classes() -> None:
    with pytest.raises(RouteError, match=r"log_class='/audit as INFREQUENT_ACCESS and as STANDARD'.*own"):
        _routing(
            Route("audit", field="kind", pattern="^audit$", destination=CloudWatchLogs("/audit", log_class=IA)),
            Route("more", field="kind", pattern="^more$", destination=CloudWatchLogs("/audit")),
        )


def test_an_infrequent_access_route_compiles_to_the_same_output_as_a_standard_one() -> None:
    # The class is the log group's (Terraform's), not Fluent Bit's: PutLogEvents is the same call.
    def extra_conf(destination: CloudWatchLogs) -> str:
        return compile_routing(
            _routing(Route("audit", field="kind", pattern="^audit$", destination=destination))
        ).extra_conf

    assert extra_conf(CloudWatchLogs("/audit", log_class=IA)) == extra_conf(CloudWatchLogs("/audit"))


def test_the_routing_lists_each_groups_class() -> None:
    routing = _routing(
        Route("audit", field="kind", pattern="^audit$", destination=CloudWatchLogs("/audit", log_class=IA))
    )
    assert routing.log_classes == {"/audit": IA, "/web": LogClass.STANDARD}


class _EmfLogs(CloudWatchLogs):
    """A team's destination that writes embedded metric format (the escape hatch of Destination)."""

    def output_options(self, region: str) -> tuple[tuple[str, str], ...]:
        return (*super().output_options(region), ("log_format", "json/emf"))


def test_fails_to_compile_when_an_output_writes_emf_to_an_infrequent_access_group() -> None:
    emf = _EmfLogs("/metrics", log_class=IA)
    assert isinstance(emf, Destination)
    with pytest.raises(LintError, match=r"log group /metrics: .*embedded metric format.*Infrequent Access"):
        compile_routing(_routing(Route("metrics", field="kind", pattern="^metric$", destination=emf)))


def test_emf_to_a_standard_group_compiles() -> None:
    emf = _EmfLogs("/metrics")
    compiled = compile_routing(_routing(Route("metrics", field="kind", pattern="^metric$", destination=emf)))
    assert "json/emf" in compiled.extra_conf
