"""Whole FireLens tasks through the preview: an app writing JSON next to an nginx sidecar parsed by a regex
parser (tests/fixtures/fluentbit/multi_container), run the way ``firelens-cdktf preview`` runs them."""

from __future__ import annotations

import io
import json

import pytest
from simulation import pairs

from conftest import FIXTURES
from firelens_cdktf.cli import main
from firelens_cdktf.fluentbit.config import parse_config
from firelens_cdktf.fluentbit.simulator import Simulator

TASK = FIXTURES / "fluentbit" / "multi_container"


@pytest.fixture(scope="module")
def lines() -> list[dict[str, object]]:
    out = io.StringIO()
    code = main(
        ["preview", "--config", str(TASK / "extra.conf"), "--json"],
        stdin=io.StringIO((TASK / "records.jsonl").read_text()),
        stdout=out,
        stderr=io.StringIO(),
    )
    assert code == 0
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_app_json_lines_are_parsed_and_routed_by_name(lines: list[dict[str, object]]) -> None:
    assert [(d["output"], d["record"].get("name")) for d in lines[0]["deliveries"] + lines[2]["deliveries"]] == [
        ("app.default", "Rack"),
        ("app.sql", "ActiveRecord"),
    ]


def test_nginx_access_lines_become_typed_fields_and_keep_the_other_keys(lines: list[dict[str, object]]) -> None:
    record = lines[1]["deliveries"][0]["record"]
    assert (record["method"], record["path"], record["code"], record["size"], record["source"], "log" in record) == (
        "GET",
        "/users/1",
        200,
        612,
        "stdout",
        False,
    )


def test_the_nginx_time_is_read_and_removed_from_the_record(lines: list[dict[str, object]]) -> None:
    assert "time" not in lines[1]["deliveries"][0]["record"]


def test_health_checks_are_excluded_by_grep(lines: list[dict[str, object]]) -> None:
    assert (lines[3]["deliveries"], lines[3]["excluded"]) == (
        [],
        [{"filter": "nginx.drop-health", "tag": "nginx-firelens-0123456789abcdef0123456789abcdef"}],
    )


def test_an_nginx_line_the_regex_does_not_read_goes_on_unchanged(lines: list[dict[str, object]]) -> None:
    record = lines[4]["deliveries"][0]["record"]
    assert (lines[4]["deliveries"][0]["output"], record["source"], record["log"][:10]) == (
        "nginx.access",
        "stderr",
        "2024/05/12",
    )


def test_match_regex_picks_the_nginx_output() -> None:
    config = parse_config("[OUTPUT]\n    Name null\n    Match_Regex ^nginx-firelens-[0-9a-f]+$\n")
    simulator = Simulator(config, {}, firelens=None)
    assert (
        [d.output for d in simulator.run("nginx-firelens-abc", pairs("{}")).deliveries],
        [d.output for d in simulator.run("app-firelens-abc", pairs("{}")).deliveries],
    ) == (["null.0"], [])


def test_match_regex_on_a_filter_selects_its_records() -> None:
    config = parse_config(
        "[FILTER]\n    Name record_modifier\n    Match_Regex ^app-\n    Record seen yes\n"
        "[OUTPUT]\n    Name null\n    Match *\n"
    )
    simulator = Simulator(config, {}, firelens=None)
    assert (
        simulator.run("app-1", pairs("{}")).deliveries[0].record,
        simulator.run("web-1", pairs("{}")).deliveries[0].record,
    ) == (pairs('{"seen":"yes"}'), pairs("{}"))
