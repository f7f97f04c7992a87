"""Usage errors are one line whose Fix fits the cause, with "did you mean" when a name is close to a known one."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from conftest import FIXTURES
from firelens_cdktf.cli import main

ARTICLE = FIXTURES / "article" / "extra.conf"


def usage_error(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    with pytest.raises(SystemExit) as exit_:
        main(list(args), stdin=io.StringIO(""), stdout=io.StringIO(), stderr=io.StringIO())
    assert exit_.value.code == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1
    return lines[0]


def error_line(*args: str) -> str:
    err = io.StringIO()
    assert main(list(args), stdin=io.StringIO(""), stdout=io.StringIO(), stderr=err) == 2
    lines = err.getvalue().splitlines()
    assert len(lines) == 1
    return lines[0]


def test_a_misspelled_option_gets_the_option_it_is_close_to(capsys: pytest.CaptureFixture[str]) -> None:
    line = usage_error(capsys, "preview", "--config", str(ARTICLE), "--jsn")
    assert line == (
        "firelens-cdktf preview: unrecognized arguments: --jsn; did you mean '--json'? "
        "(see firelens-cdktf preview --help)"
    )


def test_a_misspelled_command_gets_the_command_it_is_close_to(capsys: pytest.CaptureFixture[str]) -> None:
    assert "did you mean 'preview'?" in usage_error(capsys, "preveiw")


def test_a_misspelled_choice_gets_the_choice_it_is_close_to(capsys: pytest.CaptureFixture[str]) -> None:
    assert "did you mean 'mermaid'?" in usage_error(capsys, "graph", "--routing", "a:B", "--format", "mermiad")


def test_an_unknown_name_far_from_any_gets_no_guess(capsys: pytest.CaptureFixture[str]) -> None:
    assert "did you mean" not in usage_error(capsys, "preview", "--config", str(ARTICLE), "--xyzzy")


def test_fails_when_the_config_is_missing_naming_the_option_and_where_relative_paths_start() -> None:
    line = error_line("preview", "--config", "no/such/extra.conf")
    assert line.startswith("error: --config no/such/extra.conf: No such file or directory. Fix: check the path")
    assert "a relative path starts at" in line


def test_fails_when_the_config_is_a_folder_saying_to_give_a_file(tmp_path: Path) -> None:
    line = error_line("lint", "--config", str(tmp_path))
    assert line.endswith("Fix: give a file, not a folder")


def test_fails_when_out_is_a_file_saying_it_must_be_a_folder(tmp_path: Path) -> None:
    (tmp_path / "taken").write_text("a file")
    line = error_line("compile", "--routing", "firelens_app.routing:article_routing", "--out", str(tmp_path / "taken"))
    assert line.endswith(
        f"Fix: --out names a folder to write into, and {tmp_path}/taken is a file: give another folder"
    )


def test_fails_when_region_is_given_without_summary() -> None:
    line = error_line("preview", "--config", str(ARTICLE), "--region", "eu-west-1")
    assert line == (
        "error: firelens-cdktf preview: --region='eu-west-1' is not valid; allowed: only with --summary, which "
        "prices the routes. Fix: add --summary, or leave --region out"
    )
