"""The yardstick (firelens_harness.yardstick) on a checkout laid out as aws-samples/amazon-ecs-firelens-examples
is, with files of our own: which files are configs, how an example's files are given together, and the exit code.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from firelens_harness.yardstick import configs_of, main, run_config

IMAGE = Path(__file__).resolve().parents[1] / "fixtures" / "image"


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    examples = tmp_path / "examples" / "fluent-bit"
    shutil.copytree(IMAGE / "multi", examples / "multi-config-support" / "config-files")
    (examples / "go-outputs").mkdir(parents=True)
    shutil.copy(IMAGE / "go-outputs.conf", examples / "go-outputs" / "extra.conf")
    custom = examples / "custom-parser" / "image"
    (custom / "conf").mkdir(parents=True)
    (custom / "parsers").mkdir()
    (custom / "parsers" / "app_parser.conf").write_text("[PARSER]\n    Name   app\n    Format json\n")
    (custom / "conf" / "parse.conf").write_text(
        "[SERVICE]\n    Parsers_File /fluent-bit/parsers/app_parser.conf\n\n"
        "[FILTER]\n    Name     parser\n    Match    *-firelens-*\n    Key_Name log\n    Parser   app\n"
    )
    (examples / "streams").mkdir()
    (examples / "streams" / "stream_processing.conf").write_text(
        "[STREAM_TASK]\n    Name errors\n    Exec CREATE STREAM errors AS SELECT * FROM TAG:'*';\n"
    )
    (tmp_path / "examples" / "fluentd").mkdir()
    (tmp_path / "examples" / "fluentd" / "extra.conf").write_text("<filter **>\n  @type concat\n</filter>\n")
    return tmp_path


def test_configs_are_found_as_their_examples_use_them(checkout: Path) -> None:
    found = {name: [p.name for p in files] for name, files in configs_of(checkout)}
    assert found == {
        "examples/fluent-bit/multi-config-support/config-files/*.conf": [
            "filter.conf",
            "input.conf",
            "output.conf",
            "parsers.conf",
        ],
        "examples/fluent-bit/custom-parser/image/conf/parse.conf": ["parse.conf"],
        "examples/fluent-bit/go-outputs/extra.conf": ["extra.conf"],
    }  # parsers-only and stream-task files are not configs; Fluentd's are not Fluent Bit's


def test_a_parsers_file_the_examples_image_copies_in_is_given_with_parsers(checkout: Path) -> None:
    [(name, files)] = [(n, f) for n, f in configs_of(checkout) if n.endswith("parse.conf")]
    run = run_config(name, files, checkout)
    assert "--parsers" in run.args and run.args[run.args.index("--parsers") + 1].endswith("app_parser.conf")
    assert (run.lint_code, run.errors, run.preview_code) == (0, [], 0)


def test_every_config_lints_without_error_and_previews_and_the_table_says_so(
    checkout: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(checkout)]) == 0
    out = capsys.readouterr().out
    assert "| `examples/fluent-bit/go-outputs/extra.conf` | 0 | 0 | 0 | ok |" in out
    assert "| `examples/fluent-bit/multi-config-support/config-files/*.conf` | 0 | 0 | 0 | ok |" in out


def test_a_real_error_fails_the_run_and_is_listed(checkout: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = checkout / "examples" / "fluent-bit" / "go-outputs" / "extra.conf"
    broken.write_text(broken.read_text().replace("    delivery_stream team-archive\n", ""))
    assert main([str(checkout)]) == 1
    assert "refuses to start without delivery_stream" in capsys.readouterr().out


def test_a_folder_that_is_not_the_examples_checkout_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([str(tmp_path)]) == 2
    assert "holds no examples/ folder" in capsys.readouterr().err
