"""Lint and preview model the pinned image, not Fluent Bit alone: AWS's Go outputs, the image's stock files
(with and without a folder extracted from the image) and several config files combined as the init image
combines them. Fixtures: tests/fixtures/image/ (our own files; its README says what each is)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from firelens_cdktf.cli import main
from firelens_cdktf.cli.arguments import COMMANDS
from firelens_cdktf.fluentbit.image_model import GO_OUTPUTS, IMAGE_DESCRIPTION, STOCK_PARSER_FILES, stock_file
from firelens_cdktf.fluentbit.preview_io import IMAGE_ROOT_ENV

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "image"
ROOT = FIXTURES / "root"


def _cli(*args: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdin=io.StringIO(stdin), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(autouse=True)
def _no_image_root_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(IMAGE_ROOT_ENV, raising=False)


# --- the Go outputs -------------------------------------------------------------------------------


def test_the_go_outputs_of_the_image_lint_clean() -> None:
    code, out, _ = _cli("lint", "--config", str(FIXTURES / "go-outputs.conf"))
    assert (code, out.splitlines()[-1]) == (0, "0 error(s), 0 warning(s)")


def test_a_go_output_missing_what_it_needs_is_an_error_naming_the_plugin_and_its_version() -> None:
    code, out, _ = _cli("lint", "--config", str(FIXTURES / "go-outputs-broken.conf"))
    errors = [line for line in out.splitlines() if line.startswith("error:")]
    assert code == 1
    assert len(errors) == 3
    assert "needs exactly one of log_stream_name or log_stream_prefix, and has log_stream_name and " in errors[0]
    assert "aws/amazon-cloudwatch-logs-for-fluent-bit v1.9.4" in errors[0]
    assert "refuses to start without delivery_stream" in errors[1]
    assert "refuses to start without region" in errors[2]


def test_a_name_neither_fluent_bit_nor_the_image_has_is_an_error_naming_the_image(tmp_path: Path) -> None:
    text = (FIXTURES / "go-outputs.conf").read_text().replace("Name            firehose", "Name            firehouse")
    (tmp_path / "firehouse.conf").write_text(text)
    code, out, _ = _cli("lint", "--config", str(tmp_path / "firehouse.conf"))
    [error] = [line for line in out.splitlines() if line.startswith("error:")]
    assert code == 1
    assert f"the pinned image, {IMAGE_DESCRIPTION}, has no output plugin 'firehouse'" in error
    assert error.endswith("Fix: use Name firehose")


def test_the_go_outputs_route_by_match_like_any_output() -> None:
    line = json.dumps({"level": "info"})
    code, out, _ = _cli(
        "preview", "--config", str(FIXTURES / "go-outputs.conf"), "--container", "app", "--json", stdin=line + "\n"
    )
    outputs = [d["output"] for d in json.loads(out.splitlines()[0])["deliveries"]]
    assert (code, outputs) == (0, ["cloudwatch.0", "firehose.1", "kinesis.2"])


def test_the_help_names_the_image_the_linter_models() -> None:
    assert IMAGE_DESCRIPTION.startswith("aws-for-fluent-bit 3.2.1 (Fluent Bit 4.2.2")
    assert "aws-for-fluent-bit 3.2.1 (Fluent Bit 4.2.2 with AWS's Go outputs" in COMMANDS["lint"].help
    assert set(GO_OUTPUTS) == {"cloudwatch", "firehose", "kinesis"}


# --- the image's stock files ----------------------------------------------------------------------


def test_a_stock_parsers_file_without_the_image_folder_is_a_note_not_an_error() -> None:
    code, out, _ = _cli("lint", "--config", str(FIXTURES / "stock-parsers.conf"))
    lines = out.splitlines()
    assert (code, lines[-1]) == (0, "0 error(s), 0 warning(s), 1 note(s)")
    assert lines[0].startswith("note: [image-stock-file] Parsers_File /fluent-bit/parsers/parsers.conf: ")
    assert "docker cp fb:/fluent-bit" in lines[0] and "--image-root" in lines[0]


def test_a_parser_the_stock_file_does_not_define_is_still_an_error(tmp_path: Path) -> None:
    text = (FIXTURES / "stock-parsers.conf").read_text().replace("Parser   json", "Parser   jsn")
    (tmp_path / "typo.conf").write_text(text)
    code, out, _ = _cli("lint", "--config", str(tmp_path / "typo.conf"))
    assert code == 1 and "[unknown-parser]" in out


def test_without_the_folder_the_preview_says_unknown_after_the_stock_parser_and_why() -> None:
    code, out, _ = _cli(
        "preview", "--config", str(FIXTURES / "stock-parsers.conf"), "--container", "app", stdin='{"a":1}\n'
    )
    assert code == 0
    assert "unknown: filter 'parser' (parser.0): parser 'json' is defined in the image's stock " in out
    assert "/fluent-bit/parsers/parsers.conf, which was not read" in out


def test_with_the_folder_the_stock_parser_is_read_and_the_record_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    args = ("preview", "--config", str(FIXTURES / "stock-parsers.conf"), "--container", "app", "--json")
    code, out, _ = _cli(*args, "--image-root", str(ROOT), stdin='{"a":1}\n')
    [delivery] = json.loads(out.splitlines()[0])["deliveries"]
    assert (code, delivery["record"]["a"]) == (0, 1)
    monkeypatch.setenv(IMAGE_ROOT_ENV, str(ROOT))  # the same, from the environment
    assert _cli(*args, stdin='{"a":1}\n')[1] == out
    code, out, _ = _cli("lint", "--config", str(FIXTURES / "stock-parsers.conf"))
    assert out.splitlines()[-1] == "0 error(s), 0 warning(s)"


def test_a_stock_config_include_is_a_note_without_the_folder_and_read_with_it() -> None:
    code, out, _ = _cli("lint", "--config", str(FIXTURES / "stock-include.conf"))
    assert (code, out.splitlines()[-1]) == (0, "0 error(s), 0 warning(s), 1 note(s)")
    assert "@INCLUDE /fluent-bit/configs/minimize-log-loss.conf: a stock file of the image ([SERVICE] Flush 1" in out
    code, out, _ = _cli("lint", "--config", str(FIXTURES / "stock-include.conf"), "--image-root", str(ROOT))
    assert (code, out.splitlines()[-1]) == (0, "0 error(s), 0 warning(s)")


def test_an_image_root_without_the_images_folder_is_refused_with_how_to_extract_it(tmp_path: Path) -> None:
    code, _, err = _cli("lint", "--config", str(FIXTURES / "stock-parsers.conf"), "--image-root", str(tmp_path))
    assert code == 2
    assert err.strip().startswith(f"error: --image-root {tmp_path}: holds no fluent-bit/ folder")


def test_the_stock_file_list_covers_every_parsers_file_of_fluent_bit_4_2_2() -> None:
    # fluent/fluent-bit v4.2.2 conf/: the files the image copies to /fluent-bit/parsers/
    names = {"parsers", "ambassador", "cinder", "extra", "java", "kafka", "mult", "multiline", "openstack"}
    expected = {f"/fluent-bit/parsers/{'parsers' if n == 'parsers' else 'parsers_' + n}.conf" for n in names}
    assert set(STOCK_PARSER_FILES) == expected
    assert "json" in STOCK_PARSER_FILES["/fluent-bit/parsers/parsers.conf"]
    assert stock_file("fluent-bit/configs/parse-json.conf") and not stock_file("/fluent-bit/etc/extra.conf")


# --- several files, as the init image combines them -------------------------------------------------


def _multi(*names: str) -> list[str]:
    return [arg for name in names for arg in ("--config", str(FIXTURES / "multi" / name))]


def test_several_files_combined_lint_clean_where_each_alone_does_not() -> None:
    code, out, _ = _cli("lint", *_multi("input.conf", "filter.conf", "parsers.conf", "output.conf"))
    assert (code, out.splitlines()[-1]) == (0, "0 error(s), 0 warning(s)")
    code, out, _ = _cli("lint", *_multi("filter.conf"))
    assert code == 1 and "[unknown-parser]" in out


def test_several_files_combined_preview_with_the_parser_of_another_file() -> None:
    line = json.dumps({"tag": "app", "record": {"log": "ERROR card declined"}})
    code, out, _ = _cli(
        "preview", *_multi("output.conf", "parsers.conf", "filter.conf", "input.conf"), "--json", stdin=line + "\n"
    )
    [delivery] = json.loads(out.splitlines()[0])["deliveries"]
    assert code == 0
    assert delivery["record"] == {"level": "ERROR", "message": "card declined"}
