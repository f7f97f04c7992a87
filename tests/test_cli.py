"""``firelens-cdktf``: the preview's input and output contract, and the other subcommands."""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import FIXTURES, ROOT
from firelens_cdktf.cli import COMMANDS, main
from firelens_cdktf.routing.preview import PREVIEW_TASK_ID

ARTICLE = FIXTURES / "article"
FIRELENS_LINE = '{"tag":"rails-app-firelens-1","record":{"log":"{\\"name\\":\\"Rack\\"}"}}\n'


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


def test_blank_input_lines_are_skipped() -> None:
    _, out, _ = cli("preview", "--config", str(ARTICLE / "extra.conf"), "--json", stdin="\n" + FIRELENS_LINE + "\n")
    assert len(out.splitlines()) == 1


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
    code, out, _ = cli("graph")
    assert (code, out.splitlines()[0]) == (0, "flowchart LR")


def test_compile_writes_the_files_into_a_directory(tmp_path: Path) -> None:
    cli("compile", "--out", str(tmp_path))
    assert (tmp_path / "extra.conf").read_text() == (FIXTURES / "compiled" / "extra.conf").read_text()


def test_lint_exits_with_1_on_the_articles_config() -> None:
    code, out, _ = cli("lint", "--config", str(ARTICLE / "extra.conf"), "--container", "rails-app")
    assert (code, out.splitlines()[-1]) == (1, "1 error(s), 2 warning(s)")


def test_subcommands_are_registered_in_one_table() -> None:
    assert sorted(COMMANDS) == ["compile", "graph", "lint", "preview", "review"]


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
