"""What the preview predicts for records too large for their path: a 5 MB line, and records over the outputs' limits.

A 5 MB stdout line never reaches Fluent Bit as one record: Docker's log driver
sends it in 16 KiB pieces. Records that do reach an AWS output whole may be
too large for it: the preview marks each such copy with the plugin's fate.
The rules and their sources are in ``fluentbit/output_limits.py``; their
boundaries are tested in ``test_output_limits.py``.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from conftest import FIXTURES
from firelens_cdktf.cli import main
from firelens_cdktf.fluentbit.simulator import PREVIEW_TASK_ID

COMPILED = FIXTURES / "compiled" / "extra.conf"
TAG = f"rails-app-firelens-{PREVIEW_TASK_ID}"
#: An ActiveRecord line (the SQL route's) of just over 5 MB.
SQL_5MB = json.dumps({"name": "ActiveRecord", "level": "debug", "message": "SELECT " + "x" * 5_000_000})
#: The filter the compiler puts first for each app to join Docker's partial messages.
JOIN_FILTER = """\
[FILTER]
    Name                  multiline
    Alias                 rails-app.join
    Match                 rails-app-firelens-*
    Mode                  partial_message
    multiline.key_content log
"""


def preview(*args: str, stdin: str, config: Path = COMPILED) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(["preview", "--config", str(config), *args], stdin=io.StringIO(stdin), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def _firelens(record: dict[str, object]) -> str:
    return json.dumps({"tag": TAG, "record": record}) + "\n"


@pytest.fixture(scope="module")
def unjoined(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The compiled config without its join filter: what a hand-written config usually is."""
    folder = tmp_path_factory.mktemp("unjoined")
    text = COMPILED.read_text()
    assert JOIN_FILTER in text
    (folder / "extra.conf").write_text(text.replace(JOIN_FILTER, ""))
    (folder / "parsers_json.conf").write_text((FIXTURES / "compiled" / "parsers_json.conf").read_text())
    return folder / "extra.conf"


@pytest.fixture(scope="module")
def split_lines(unjoined: Path) -> list[dict[str, object]]:
    code, out, _ = preview("--json", "--container", "rails-app", stdin=SQL_5MB + "\n", config=unjoined)
    assert code == 0
    return [json.loads(line) for line in out.splitlines()]


def test_a_5mb_line_arrives_as_306_docker_pieces(split_lines: list[dict[str, object]]) -> None:
    assert len(split_lines) == 306  # 305 pieces of 16,384 bytes and the rest
    records = [line["deliveries"][0]["record"] for line in split_lines]  # type: ignore[index]
    assert [r["partial_ordinal"] for r in records] == [str(n) for n in range(1, 307)]  # type: ignore[index]
    assert {r["partial_id"] for r in records} == {f"{1:064x}"}  # type: ignore[index]
    assert [r["partial_last"] for r in records][-2:] == ["false", "true"]  # type: ignore[index]
    assert "".join(r["log"] for r in records) == SQL_5MB  # type: ignore[index, misc]


def test_without_a_partial_message_filter_every_piece_goes_unparsed_to_the_default_output(
    split_lines: list[dict[str, object]],
) -> None:
    outputs = {d["output"] for line in split_lines for d in line["deliveries"]}  # type: ignore[union-attr, index]
    assert outputs == {"rails-app.default"}  # the SQL route never sees a parsed record
    notes = [line["notes"] for line in split_lines]
    assert all(
        len(n) == 1
        and "no multiline filter with Mode partial_message joins them" in n[0]  # type: ignore[index]
        and "moby daemon/logger/copier.go" in n[0]
        for n in notes
    )  # type: ignore[index]


def test_the_compiled_config_joins_the_pieces_and_firehose_then_discards_the_record() -> None:
    code, out, _ = preview("--json", "--container", "rails-app", stdin=SQL_5MB + "\n")
    assert code == 0
    lines = [json.loads(line) for line in out.splitlines()]
    assert len(lines) == 306 and all(line["held"] == [{"filter": "rails-app.join", "tag": TAG}] for line in lines[:-1])
    assert "the multiline filter rails-app.join joins the pieces" in lines[0]["notes"][0]
    deliveries = [d for line in lines for d in line["deliveries"]]
    assert [d["output"] for d in deliveries] == ["rails-app.sql"]  # parsed whole, so the SQL route takes it
    fate = deliveries[0]["fate"]
    assert fate["kind"] == "discarded" and fate["sent_bytes"] == 0
    assert (
        "MAX_EVENT_SIZE 1,024,000" in fate["reason"] and "plugins/out_kinesis_firehose/firehose_api.c" in fate["reason"]
    )


def test_a_200kb_sql_line_is_joined_parsed_and_archived_whole() -> None:
    line = json.dumps({"name": "ActiveRecord", "level": "debug", "message": "SELECT " + "x" * 200_000})
    code, out, _ = preview("--json", "--container", "rails-app", stdin=line + "\n")
    assert code == 0
    deliveries = [d for row in out.splitlines() for d in json.loads(row)["deliveries"]]
    assert [(d["output"], "fate" in d) for d in deliveries] == [("rails-app.sql", False)]
    assert deliveries[0]["record"]["message"].endswith("x" * 200_000)


def test_a_5mb_record_for_cloudwatch_is_discarded_as_too_large_for_the_plugins_buffer() -> None:
    code, out, _ = preview(stdin=_firelens({"log": json.dumps({"name": "web", "message": "y" * 5_000_000})}))
    assert code == 0
    assert "!! discarded by cloudwatch_logs:" in out and "Discarding massive log record" in out
    assert out.rstrip().endswith("1 copies discarded and 0 truncated by their output's size limits")


def test_a_record_just_over_the_event_limit_is_truncated_for_cloudwatch() -> None:
    code, out, _ = preview("--json", stdin=_firelens({"log": json.dumps({"name": "web", "message": "y" * 1_010_000})}))
    assert code == 0
    [delivery] = json.loads(out)["deliveries"]
    assert delivery["output"] == "rails-app.default"
    assert delivery["fate"]["kind"] == "truncated" and "MAX_EVENT_LEN 1,000,000" in delivery["fate"]["reason"]
    assert 999_000 < delivery["fate"]["sent_bytes"] <= 1_000_000


def test_small_records_have_no_fate() -> None:
    code, out, _ = preview("--json", stdin=_firelens({"log": json.dumps({"name": "web", "message": "ok"})}))
    assert code == 0
    assert "fate" not in json.loads(out)["deliveries"][0]


def test_summary_counts_what_the_outputs_discard_and_truncate_and_keeps_only_what_they_send() -> None:
    lines = (
        _firelens({"log": json.dumps({"name": "ActiveRecord", "message": "x" * 2_000_000})})
        + _firelens({"log": json.dumps({"name": "web", "message": "y" * 1_010_000})})
        + _firelens({"log": json.dumps({"name": "ActiveRecord", "message": "SELECT 1"})})
    )
    code, out, _ = preview("--summary", stdin=lines)
    assert code == 0
    assert "1 copies discarded and 1 truncated by their output's size limits" in out


def test_summary_payloads_leave_out_discarded_copies_and_count_truncated_ones_as_sent() -> None:
    from firelens_cdktf.fluentbit.preview_io import load_for_preview
    from firelens_cdktf.fluentbit.preview_summary import PreviewSummary
    from firelens_cdktf.fluentbit.records import decode_json
    from firelens_cdktf.fluentbit.simulator import FirelensContext, Simulator

    config, parsers = load_for_preview(str(COMPILED))
    simulator = Simulator(config, parsers, firelens=FirelensContext())
    summary = PreviewSummary(simulator.output_names)
    for message, name in (("x" * 2_000_000, "ActiveRecord"), ("y" * 1_010_000, "web"), ("SELECT 1", "ActiveRecord")):
        record = decode_json(json.dumps({"log": json.dumps({"name": name, "message": message})}))
        summary.add(simulator.run(TAG, record))  # type: ignore[arg-type]
    sql, default = summary.outputs["rails-app.sql"], summary.outputs["rails-app.default"]
    assert (sql.records, sql.payloads) == (2, 1)  # the 2 MB copy is received, not sent
    assert default.payloads == 1 and 999_000 < default.payload_bytes <= 1_000_000
