"""``firelens-cdktf``: the preview's input and output contract, and the other subcommands."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES, ROOT
from firelens_cdktf.cli import main
from firelens_cdktf.cli.arguments import COMMANDS
from firelens_cdktf.fluentbit.simulator import PREVIEW_TASK_ID

ARTICLE = FIXTURES / "article"
FIRELENS_LINE = '{"tag":"rails-app-firelens-1","record":{"log":"{\\"name\\":\\"Rack\\"}"}}\n'

#: The app's routing, as a team names its own with --routing.
APP_ROUTING = "firelens_app.routing:article_routing"


def cli(*args: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdin=io.StringIO(stdin), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_json_prints_one_line_per_input_line() -> None:
    code, out, _ = cli("preview", "--config", str(ARTICLE / "extra.conf"), "--json", stdin=FIRELENS_LINE * 3)
    assert (code, len(out.splitlines())) == (0, 3)


def test_json_line_lists_output_tag_and_record_of_each_copy() -> None:
    _, out, _ = cli("preview", "--config", str(ARTICLE / "extra.conf"), "--json", stdin=FIRELENS_LINE)
    delivery = json.loads(out)["deliveries"][0]
    assert (delivery["output"], delivery["tag"], delivery["record"]["name"]) == (
        "cloudwatch_logs.1",
        "rails-app-firelens-1",
        "Rack",
    )


def test_container_wraps_raw_lines_with_a_fixed_task_id() -> None:
    _, out, _ = cli(
        "preview",
        "--config",
        str(ARTICLE / "extra.conf"),
        "--json",
        "--container",
        "rails-app",
        stdin="=> Booting Puma\n",
    )
    assert json.loads(out)["deliveries"][0]["tag"] == f"rails-app-firelens-{PREVIEW_TASK_ID}"


def test_a_blank_line_of_firelens_records_routes_nothing_and_says_so() -> None:
    _, out, _ = cli("preview", "--config", str(ARTICLE / "extra.conf"), "--json", stdin="\n" + FIRELENS_LINE + "\n")
    blank, record, last = (json.loads(line) for line in out.splitlines())
    assert blank["deliveries"] == [] == last["deliveries"] and record["deliveries"]
    assert "a blank line holds no FireLens record" in blank["notes"][0]


def test_table_ends_with_records_and_bytes_per_output() -> None:
    _, out, _ = cli("preview", "--config", str(ARTICLE / "extra.conf"), stdin=FIRELENS_LINE)
    assert out.splitlines()[-4:-1] == [
        "output              records      bytes",
        "kinesis_firehose.0        0          0",
        "cloudwatch_logs.1         1         15",
    ]


def test_parsers_file_resolves_to_the_parsers_argument_of_the_same_name(tmp_path: Path) -> None:
    shutil.copy(ARTICLE / "extra.conf", tmp_path / "extra.conf")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(ARTICLE / "parsers_json.conf", elsewhere / "parsers_json.conf")
    code, out, _ = cli(
        "preview",
        "--config",
        str(tmp_path / "extra.conf"),
        "--parsers",
        str(elsewhere / "parsers_json.conf"),
        "--json",
        stdin=FIRELENS_LINE,
    )
    assert (code, json.loads(out)["deliveries"][0]["record"]) == (0, {"name": "Rack"})


def test_fails_when_the_parsers_file_cannot_be_found(tmp_path: Path) -> None:
    shutil.copy(ARTICLE / "extra.conf", tmp_path / "extra.conf")
    code, _, err = cli("preview", "--config", str(tmp_path / "extra.conf"), stdin=FIRELENS_LINE)
    assert (code, "Parsers_File /fluent-bit/etc/parsers_json.conf: cannot be found" in err) == (2, True)


def test_fails_when_a_line_is_not_a_firelens_record_and_no_container_is_given() -> None:
    code, _, err = cli("preview", "--config", str(ARTICLE / "extra.conf"), stdin="=> Booting Puma\n")
    assert (code, err.startswith("error: stdin line 1: is not a FireLens record")) == (2, True)


def test_fails_when_the_config_is_missing() -> None:
    code, _, err = cli("preview", "--config", "/nonexistent/extra.conf")
    assert (code, err.startswith("error:")) == (2, True)


def test_graph_prints_a_mermaid_flowchart() -> None:
    code, out, _ = cli("graph", "--routing", APP_ROUTING)
    assert (code, out.splitlines()[0]) == (0, "flowchart LR")


def test_compile_writes_the_files_into_a_directory(tmp_path: Path) -> None:
    cli("compile", "--routing", APP_ROUTING, "--out", str(tmp_path))
    assert (tmp_path / "extra.conf").read_text() == (FIXTURES / "compiled" / "extra.conf").read_text()


def test_lint_exits_with_1_on_the_articles_config() -> None:
    code, out, _ = cli("lint", "--config", str(ARTICLE / "extra.conf"), "--container", "rails-app")
    assert (code, out.splitlines()[-1]) == (1, "1 error(s), 2 warning(s)")


def test_subcommands_are_registered_in_one_table() -> None:
    assert sorted(COMMANDS) == ["build-context", "compile", "graph", "lint", "preview", "review"]


def test_preview_does_not_import_cdktf() -> None:
    code = (
        "import io, sys; from firelens_cdktf.cli import main; "
        "main(['preview', '--config', sys.argv[1], '--json'], stdin=io.StringIO(sys.argv[2]), stdout=io.StringIO()); "
        "print(sorted(m for m in sys.modules if m == 'cdktf' or m.startswith(('cdktf.', 'jsii', 'constructs'))))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(ARTICLE / "extra.conf"), FIRELENS_LINE],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert (result.returncode, result.stdout.strip()) == (0, "[]")


# --- streaming and --summary -----------------------------------------------------------------------------

COMPILED = FIXTURES / "compiled" / "extra.conf"
RAILS = (FIXTURES / "records" / "rails_app_stdout.log").read_text()


class _WatchedInput(io.StringIO):
    """stdin that records how much output existed when each line was read."""

    def __init__(self, text: str, out: io.StringIO) -> None:
        super().__init__(text)
        self.out = out
        self.seen: list[int] = []

    def __iter__(self):  # type: ignore[no-untyped-def]
        while line := self.readline():
            self.seen.append(len(self.out.getvalue()))
            yield line


def test_preview_writes_each_outcome_before_reading_the_next_line() -> None:
    out = io.StringIO()
    stdin = _WatchedInput(FIRELENS_LINE * 3, out)
    main(["preview", "--config", str(ARTICLE / "extra.conf"), "--json"], stdin=stdin, stdout=out, stderr=io.StringIO())
    assert stdin.seen[0] == 0 < stdin.seen[1] < stdin.seen[2]


def test_json_ends_with_what_multiline_buffers_held_at_the_end_of_the_input() -> None:
    config = FIXTURES / "fluentbit" / "stack_traces" / "extra.conf"
    _, out, _ = cli(
        "preview",
        "--config",
        str(config),
        "--json",
        "--container",
        "py-worker",
        stdin="Traceback (most recent call last):\n",
    )
    last = json.loads(out.splitlines()[-1])
    assert (len(out.splitlines()), last["end_of_input"], last["deliveries"][0]["output"]) == (2, True, "errors")


def test_summary_prints_records_and_bytes_per_output() -> None:
    code, out, _ = cli("preview", "--config", str(COMPILED), "--container", "rails-app", "--summary", stdin=RAILS)
    table = out.split("\n\n")[0].splitlines()
    assert (code, table[2:5]) == (
        0,
        [
            "rails-app.sql                  3             1,586",
            "rails-app.labelled             2               840",
            "rails-app.default             17             3,686",
        ],
    )


def test_summary_prices_the_routes_with_make_runs_cost_model() -> None:
    _, out, _ = cli(
        "preview",
        "--config",
        str(COMPILED),
        "--container",
        "rails-app",
        "--summary",
        "--gb-per-month",
        "500",
        "--region",
        "ap-northeast-1",
        stdin=RAILS,
    )
    cost = out.split("\n\n")[1]
    assert cost.startswith("Cost estimate: 500 GB of app logs a month in ap-northeast-1")
    assert "30.1% to Firehose put-s3-sample-metrics-logs" in cost
    assert "  all logs to CloudWatch Logs Standard: $" in cost and "  routed as deployed: $" in cost


def test_summary_scales_the_cost_with_the_volume() -> None:
    def routed(gb: str) -> float:
        _, out, _ = cli(
            "preview",
            "--config",
            str(COMPILED),
            "--container",
            "rails-app",
            "--summary",
            "--gb-per-month",
            gb,
            stdin=RAILS,
        )
        line = next(x for x in out.splitlines() if x.startswith("  all logs to CloudWatch Logs Standard"))
        return float(line.split("$")[1].split()[0].replace(",", ""))

    assert round(routed("200") / routed("100"), 6) == 2


def test_summary_says_when_a_region_has_no_prices() -> None:
    _, out, _ = cli(
        "preview",
        "--config",
        str(COMPILED),
        "--container",
        "rails-app",
        "--summary",
        "--region",
        "mars-east-1",
        stdin=RAILS,
    )
    assert out.splitlines()[-1].startswith("Cost estimate:") and "mars-east-1" in out.splitlines()[-1]


def test_fails_when_the_volume_is_not_a_positive_number() -> None:
    code, _, err = cli(
        "preview",
        "--config",
        str(COMPILED),
        "--container",
        "rails-app",
        "--summary",
        "--gb-per-month",
        "-5",
        stdin=RAILS,
    )
    assert (code, err.startswith("error: --gb-per-month: '-5.0' is not a positive")) == (2, True)


def test_a_long_preview_reports_progress_on_stderr(monkeypatch: pytest.MonkeyPatch) -> None:
    from firelens_cdktf.cli import preview as cli_module

    monkeypatch.setattr(cli_module, "PROGRESS_AFTER_SECONDS", 0.0)
    monkeypatch.setattr(cli_module, "PROGRESS_EVERY_SECONDS", 0.0)
    _, _, err = cli("preview", "--config", str(COMPILED), "--container", "rails-app", "--summary", stdin=RAILS * 500)
    assert "preview: 10,000 lines read in" in err


def test_summary_mix_is_the_one_make_runs_observe_mix_gives_for_the_same_deliveries() -> None:
    from firelens_cdktf.cost.estimate import ObservedStream, estimate, observe_mix
    from firelens_cdktf.cost.prices import prices_for
    from firelens_cdktf.fluentbit.preview_io import load_for_preview, read_input_line
    from firelens_cdktf.fluentbit.simulator import FirelensContext, Simulator

    config, parsers = load_for_preview(str(COMPILED))
    firelens = FirelensContext()
    simulator = Simulator(config, parsers, firelens=firelens)
    outcomes = [
        simulator.run(*item)
        for n, line in enumerate(RAILS.splitlines(), 1)
        if (item := read_input_line(line, n, container="rails-app", firelens=firelens))
    ]
    baseline = [next((d for d in o.deliveries if d.tag == o.tag), o.deliveries[0]).json.encode() for o in outcomes]
    groups = {
        "rails-app.default": "/sample-metrics-fluentbit",
        "rails-app.labelled": "/sample-metrics-fluentbit/analysis",
    }
    cloudwatch = [
        ObservedStream(group, tuple(d.json.encode() for o in outcomes for d in o.deliveries if d.output == name))
        for name, group in groups.items()
    ]
    firehose = [
        ObservedStream(
            "put-s3-sample-metrics-logs",
            tuple((d.json + "\n").encode() for o in outcomes for d in o.deliveries if d.output == "rails-app.sql"),
            simple_aggregation=True,
        )
    ]
    expected = estimate(observe_mix(baseline, cloudwatch, firehose), 500, prices_for("ap-northeast-1"))
    _, out, _ = cli(
        "preview",
        "--config",
        str(COMPILED),
        "--container",
        "rails-app",
        "--summary",
        "--gb-per-month",
        "500",
        stdin=RAILS,
    )
    assert f"  routed as deployed: ${expected.routed.total:,.2f} a month" in out
    assert f"  all logs to CloudWatch Logs Standard: ${expected.all_standard.total:,.2f} a month" in out
