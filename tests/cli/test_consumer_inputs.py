"""``lint`` and ``preview`` on a team's own routing (``--routing``), and the ``--container`` names they accept."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from conftest import FIXTURES
from firelens_cdktf.cli import main
from firelens_cdktf.fluentbit.simulator import PREVIEW_TASK_ID

ARTICLE = FIXTURES / "article" / "extra.conf"
COMPILED = FIXTURES / "compiled" / "extra.conf"

#: A second team's routing: a web and a worker container, SQL of the web app to Firehose.
TEAM_ROUTING = """
from firelens_cdktf import AppLogRouting, CloudWatchLogs, FirehoseStream, LogRouting, Route

ROUTING = LogRouting(
    region="eu-west-1",
    apps=(
        AppLogRouting(
            "web",
            default=CloudWatchLogs("/payments/web"),
            routes=(Route("sql", field="name", pattern="^ActiveRecord$", destination=FirehoseStream("payments-sql")),),
        ),
        AppLogRouting("worker", default=CloudWatchLogs("/payments/worker")),
    ),
)
"""


def cli(*args: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdin=io.StringIO(stdin), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture()
def team(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    (tmp_path / "payments_routing.py").write_text(TEAM_ROUTING)
    monkeypatch.chdir(tmp_path)
    return "payments_routing:ROUTING"


def test_preview_routes_a_teams_lines_with_its_routing_compiled_in_memory(team: str) -> None:
    lines = '{"name":"ActiveRecord","message":"SELECT 1"}\n{"name":"Rack","message":"GET /"}\n'
    code, out, _ = cli("preview", "--routing", team, "--container", "web", "--json", stdin=lines)
    outputs = [[d["output"] for d in json.loads(line)["deliveries"]] for line in out.splitlines()]
    assert (code, outputs) == (0, [["web.sql"], ["web.default"]])


def test_preview_with_a_routing_file_path_reads_the_same_routing(tmp_path: Path) -> None:
    (tmp_path / "routing.py").write_text(TEAM_ROUTING)
    code, out, _ = cli("preview", "--routing", f"{tmp_path}/routing.py:ROUTING", "--container", "worker", stdin="x\n")
    assert (code, out.splitlines()[1].split()[:2]) == (0, ["->", "worker.default"])


def test_lint_on_a_routing_reports_what_compile_reports(team: str) -> None:
    assert cli("lint", "--routing", team) == (0, "0 error(s), 0 warning(s)\n", "")


def test_lint_on_a_routing_checks_the_routings_containers_by_default(
    team: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from firelens_cdktf.cli import lint as lint_command

    seen: list[Any] = []
    monkeypatch.setattr(
        lint_command, "lint_config", lambda config, *, containers, parsers, log_classes: seen.append(containers) or []
    )
    cli("lint", "--routing", team)
    assert seen == [["web", "worker"]]


def test_fails_when_both_config_and_routing_are_given(team: str) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli("preview", "--config", str(ARTICLE), "--routing", team)
    assert exit_.value.code == 2


def test_fails_with_one_line_when_neither_config_nor_routing_is_given(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli("lint")
    assert capsys.readouterr().err.splitlines() == [
        "firelens-cdktf lint: one of the arguments --config --routing is required (see firelens-cdktf lint --help)"
    ]


def test_fails_when_parsers_are_given_with_a_routing(team: str) -> None:
    code, _, err = cli("lint", "--routing", team, "--parsers", "parsers.conf")
    assert code == 2 and "--parsers='parsers.conf' is not valid" in err and "--routing compiles its own" in err


# --- --container ----------------------------------------------------------------------------------------


def test_fails_when_the_container_is_not_one_the_config_routes() -> None:
    code, out, err = cli("preview", "--config", str(ARTICLE), "--container", "webb", stdin="hello\n")
    assert (code, out) == (2, "")
    assert err.startswith(
        f"error: {ARTICLE}: --container='webb' is not valid; allowed: a container it routes: rails-app"
    )


def test_an_unknown_container_close_to_a_routed_one_gets_did_you_mean(team: str) -> None:
    code, _, err = cli("preview", "--routing", team, "--container", "wrker", stdin="x\n")
    assert code == 2 and "routes: web, worker" in err and "did you mean --container worker?" in err


def test_fails_when_lint_is_given_a_container_the_config_does_not_route() -> None:
    code, _, err = cli("lint", "--config", str(COMPILED), "--container", "rails-ap")
    assert code == 2 and "did you mean --container rails-app?" in err and "Match rails-ap-firelens-*" in err


def test_a_container_a_catch_all_match_takes_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "extra.conf").write_text("[OUTPUT]\n    Name null\n    Match *\n")
    code, out, _ = cli(
        "preview", "--config", str(tmp_path / "extra.conf"), "--container", "anything", "--json", stdin="x\n"
    )
    assert (code, json.loads(out)["deliveries"][0]["tag"]) == (0, f"anything-firelens-{PREVIEW_TASK_ID}")


def test_a_line_that_is_not_a_firelens_record_names_the_containers_to_pass(team: str) -> None:
    code, _, err = cli("preview", "--routing", team, stdin="plain text\n")
    assert code == 2 and err.rstrip().endswith(
        "Fix: to read raw app output lines, pass --container web or --container worker"
    )


def test_a_module_of_the_same_name_in_another_folder_is_read_from_the_current_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from firelens_cdktf.cli.routing import load_routing

    for team, container in (("a", "api"), ("b", "worker")):
        (tmp_path / team).mkdir()
        (tmp_path / team / "same_name_routing.py").write_text(
            "from firelens_cdktf import AppLogRouting, CloudWatchLogs, LogRouting\n"
            f"ROUTING = LogRouting(region='eu-west-1', apps=(AppLogRouting({container!r}, "
            "default=CloudWatchLogs('/t/app')),))\n"
        )
    monkeypatch.chdir(tmp_path / "a")
    assert [app.container for app in load_routing("same_name_routing:ROUTING").apps] == ["api"]
    monkeypatch.chdir(tmp_path / "b")
    assert [app.container for app in load_routing("same_name_routing:ROUTING").apps] == ["worker"]
