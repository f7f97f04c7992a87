"""``firelens-cdktf build-context``: a team's router image context written from its routing, and the tag printed."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from firelens_cdktf.cli import main
from firelens_cdktf.constructs import content_tag, log_router_context, read_context
from firelens_cdktf.routing.compiler import compile_routing
from firelens_cdktf.routing.routes import AppLogRouting, CloudWatchLogs, LogRouting, Route

TEAM_ROUTING = """from firelens_cdktf import AppLogRouting, CloudWatchLogs, LogRouting, Route

ROUTING = LogRouting(
    region="eu-west-1",
    apps=(
        AppLogRouting(
            "payments-api",
            default=CloudWatchLogs("/payments/app"),
            routes=(Route("errors", field="level", pattern="^error$", destination=CloudWatchLogs("/payments/errors")),),
        ),
    ),
)
"""
#: The same routing, as the team's app compiles it for its task definition.
ROUTING = LogRouting(
    region="eu-west-1",
    apps=(
        AppLogRouting(
            "payments-api",
            default=CloudWatchLogs("/payments/app"),
            routes=(Route("errors", field="level", pattern="^error$", destination=CloudWatchLogs("/payments/errors")),),
        ),
    ),
)


def cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdin=io.StringIO(""), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture()
def team(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "payments_routing.py").write_text(TEAM_ROUTING)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_writes_the_context_and_prints_the_tag_the_task_definition_references(team: Path) -> None:
    code, out, err = cli("build-context", "--routing", "payments_routing:ROUTING", "--out", "docker/log-router")
    expected = log_router_context(compile_routing(ROUTING))
    assert (code, out, read_context(team / "docker" / "log-router")) == (0, f"{content_tag(expected)}\n", expected)
    assert sorted(expected) == ["Dockerfile", "drain-then-stop.sh", "extra.conf", "parsers_json.conf"]
    assert err.startswith("wrote docker/log-router: ")


def test_a_second_run_changes_nothing_and_prints_the_same_tag(team: Path) -> None:
    first = cli("build-context", "--routing", "payments_routing.py:ROUTING", "--out", "ctx")
    second = cli("build-context", "--routing", "payments_routing.py:ROUTING", "--out", "ctx")
    assert (second[0], second[1], second[2].startswith("unchanged: ctx")) == (0, first[1], True)


def test_fails_when_out_is_a_folder_of_other_files(team: Path) -> None:
    (team / "src").mkdir()
    (team / "src" / "app.py").write_text("print('mine')\n")
    code, out, err = cli("build-context", "--routing", "payments_routing:ROUTING", "--out", "src")
    assert (code, out, (team / "src" / "app.py").exists()) == (2, "", True)
    assert "--out='src'" in err and "a folder of its own" in err
