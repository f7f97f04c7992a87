"""What ``preview`` reads: lines counted as given, blank lines said, bytes that are not UTF-8 printed safely."""

from __future__ import annotations

import io
import json

from conftest import FIXTURES
from firelens_cdktf.cli import main
from firelens_cdktf.fluentbit.output_limits import fluent_bit_string

ARTICLE = FIXTURES / "article" / "extra.conf"
COMPILED = FIXTURES / "compiled" / "extra.conf"
RAILS = (FIXTURES / "records" / "rails_app_stdout.log").read_text()


def run(*args: str, stdin: bytes) -> tuple[int, str, str]:
    """Run the CLI on stdin bytes, as a shell pipe gives them; stdout must be valid UTF-8 (strict)."""
    out_bytes = io.BytesIO()
    out = io.TextIOWrapper(out_bytes, encoding="utf-8", errors="strict", newline="\n")
    err = io.StringIO()
    code = main(list(args), stdin=io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8"), stdout=out, stderr=err)
    out.flush()
    return code, out_bytes.getvalue().decode("utf-8"), err.getvalue()


def _with_long_lines(count: int) -> bytes:
    """The sample app's 20 lines, the first ``count`` of them padded past Docker's 16 KiB buffer."""
    lines = RAILS.splitlines()
    for index in range(count):
        lines[index] = lines[index] + " " + "x" * 40_000
    return ("\n".join(lines) + "\n").encode()


# --- lines, not pieces ------------------------------------------------------------------------------------


def test_the_table_counts_input_lines_and_says_how_many_records_docker_made_of_them() -> None:
    _, out, _ = run("preview", "--config", str(ARTICLE), "--container", "rails-app", stdin=_with_long_lines(2))
    assert out.splitlines()[-1].startswith(
        "20 line(s) read, 24 record(s) (2 line(s) of 16 KiB or more, which Docker sends in 6 pieces): "
    )


def test_the_summary_counts_input_lines_not_pieces() -> None:
    _, out, _ = run(
        "preview", "--config", str(ARTICLE), "--container", "rails-app", "--summary", stdin=_with_long_lines(2)
    )
    assert out.splitlines()[0].startswith("20 line(s) read, 24 record(s) (2 line(s) of 16 KiB or more")


def test_each_piece_of_a_long_line_is_numbered_with_its_input_line() -> None:
    _, out, _ = run("preview", "--config", str(ARTICLE), "--container", "rails-app", stdin=_with_long_lines(1))
    numbers = [line.split()[0] for line in out.splitlines() if line.startswith("#")]
    assert numbers[:5] == ["#1", "#1", "#1", "#2", "#3"]


def test_input_without_split_lines_keeps_the_record_count_line() -> None:
    _, out, _ = run("preview", "--config", str(ARTICLE), "--container", "rails-app", stdin=RAILS.encode())
    assert out.splitlines()[-1].startswith("20 record(s) read: ")


# --- blank lines --------------------------------------------------------------------------------------------


def test_a_blank_stdout_line_is_a_record_docker_sends_and_the_preview_says_so() -> None:
    _, out, _ = run("preview", "--config", str(COMPILED), "--container", "rails-app", "--json", stdin=b"\n")
    line = json.loads(out)
    assert line["deliveries"][0]["record"]["log"] == ""
    assert "moby daemon/logger/copier.go passes every line on" in line["notes"][0]


def test_a_blank_stdout_line_is_noted_in_the_table_and_counted() -> None:
    _, out, _ = run("preview", "--config", str(COMPILED), "--container", "rails-app", stdin=b"hello\n\n")
    assert "    !! warning: a blank stdout line: Docker's fluentd log driver" in out
    assert out.splitlines()[-1].startswith("2 line(s) read, 2 record(s) (1 blank): 0 delivered nowhere")


def test_a_blank_line_of_firelens_records_is_a_line_without_a_record_in_the_table() -> None:
    _, out, _ = run("preview", "--config", str(COMPILED), stdin=b"\n")
    assert out.splitlines()[:2] == [
        "#1 (no record)",
        '    !! warning: a blank line holds no FireLens record {"tag": ..., "record": ...}, so nothing is routed '
        "from it (with --container NAME, lines are an app's stdout, where Docker sends blank lines too)",
    ]


# --- bytes that are not UTF-8 ---------------------------------------------------------------------------


def test_json_is_valid_utf8_with_invalid_bytes_written_as_fluent_bit_writes_them() -> None:
    code, out, _ = run(
        "preview", "--config", str(COMPILED), "--container", "rails-app", "--json", stdin=b"boot \xff\xfe done\n"
    )
    line = json.loads(out)
    assert code == 0
    assert (
        line["deliveries"][0]["record"]["log"] == fluent_bit_string(b"boot \xff\xfe done") == "boot \ue0ff\ue0fe done"
    )
    assert "\\ue0ff" in out  # escaped, so that it shows


def test_json_says_on_the_line_that_the_record_holds_bytes_that_are_not_utf8() -> None:
    _, out, _ = run("preview", "--config", str(COMPILED), "--container", "rails-app", "--json", stdin=b"ok\n\xff\n")
    first, second = (json.loads(line) for line in out.splitlines())
    assert "notes" not in first
    assert "flb_utils_write_str_escaped in src/flb_utils.c" in second["notes"][0]


def test_json_drops_a_sequence_cut_short_at_the_end_of_a_string_as_fluent_bit_does() -> None:
    app_line = b'{"name":"Rack","message":"caf\xc3\xa9 \xe3\x81"}\n'  # a JSON log line, its last character cut
    _, out, _ = run("preview", "--config", str(COMPILED), "--container", "rails-app", "--json", stdin=app_line)
    # E3 announces 3 bytes and only 2 are left: skipped; 81 alone is invalid: U+E081
    assert json.loads(out)["deliveries"][0]["record"]["message"] == "café \ue081"


def test_json_follows_the_raw_writer_when_the_config_turns_escape_unicode_off(tmp_path) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "extra.conf"
    config.write_text("[SERVICE]\n    json.escape_unicode off\n[OUTPUT]\n    Name null\n    Match *\n")
    _, out, _ = run("preview", "--config", str(config), "--container", "app", "--json", stdin=b"a\xffb\n")
    line = json.loads(out)
    assert line["deliveries"][0]["record"]["log"] == "a\ufffdb"
    assert "flb_utils_write_str_raw" in line["notes"][0]


def test_the_table_shows_invalid_bytes_as_hex_escapes_with_a_note() -> None:
    code, out, _ = run("preview", "--config", str(COMPILED), "--container", "rails-app", stdin=b"boot \xff ok\n")
    assert code == 0
    assert 'log="boot \\xff ok"' in out.splitlines()[0]
    assert "shown here as \\xNN" in out.splitlines()[2]


def test_a_firelens_record_line_with_invalid_bytes_is_read_not_refused() -> None:
    line = b'{"tag":"rails-app-firelens-1","record":{"log":"\xc0\x80"}}\n'
    code, out, _ = run("preview", "--config", str(COMPILED), "--json", stdin=line)
    # the overlong C0 80 is decoded by flb_utf8_decode, which does not check for overlong forms
    assert (code, json.loads(out)["deliveries"][0]["record"]["log"]) == (0, "\x00")
