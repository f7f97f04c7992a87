"""The preview on the article's config and on the compiled default config, against golden files.

Goldens are the CLI's output, e.g. ``firelens-cdktf preview --config
tests/fixtures/article/extra.conf --json --container rails-app <
tests/fixtures/records/rails_app_stdout.log``; see the ``GOLDEN`` table for
each. Rerun the command and review the diff after an intended change.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from conftest import FIXTURES
from firelens_cdktf.cli import main

ARTICLE = FIXTURES / "article" / "extra.conf"
COMPILED = FIXTURES / "compiled" / "extra.conf"
RAW_LINES = FIXTURES / "records" / "rails_app_stdout.log"
FIRELENS_RECORDS = FIXTURES / "records" / "firelens_records.jsonl"

#: golden file -> (config, stdin, extra CLI arguments)
GOLDEN = {
    "article_preview.jsonl": (ARTICLE, RAW_LINES, ["--json", "--container", "rails-app"]),
    "article_preview.txt": (ARTICLE, RAW_LINES, ["--container", "rails-app"]),
    "article_firelens_records.jsonl": (ARTICLE, FIRELENS_RECORDS, ["--json"]),
    "default_preview.jsonl": (COMPILED, RAW_LINES, ["--json", "--container", "rails-app"]),
    "default_preview.txt": (COMPILED, RAW_LINES, ["--container", "rails-app"]),
}


def preview(config: Path, stdin: Path, extra: list[str]) -> str:
    out = io.StringIO()
    code = main(
        ["preview", "--config", str(config), *extra],
        stdin=io.StringIO(stdin.read_text()),
        stdout=out,
        stderr=io.StringIO(),
    )
    assert code == 0
    return out.getvalue()


@pytest.fixture(scope="module")
def article_lines() -> list[dict[str, list[dict[str, object]]]]:
    return [json.loads(line) for line in preview(*GOLDEN["article_preview.jsonl"]).splitlines()]


@pytest.fixture(scope="module")
def default_lines() -> list[dict[str, list[dict[str, object]]]]:
    return [json.loads(line) for line in preview(*GOLDEN["default_preview.jsonl"]).splitlines()]


@pytest.mark.parametrize("golden", sorted(GOLDEN))
def test_preview_output_matches_the_golden_file(golden: str) -> None:
    assert preview(*GOLDEN[golden]) == (FIXTURES / "golden" / golden).read_text()


def test_article_preview_shows_the_labelled_copies_reaching_no_output(
    article_lines: list[dict[str, list[dict[str, object]]]],
) -> None:
    dropped = [d["tag"] for line in article_lines for d in line.get("dropped", [])]
    assert dropped == [
        "logdata.user_show",
        "logdata.user_show",
        "logdata.user show",
        "logdata.user\nshow",
        "logdata.ユーザー表示",
    ]


def test_article_preview_sends_sql_logs_only_to_firehose(
    article_lines: list[dict[str, list[dict[str, object]]]],
) -> None:
    sql = [line for line in article_lines if any(d["tag"] == "active_record" for d in line["deliveries"])]
    assert [[d["output"] for d in line["deliveries"]] for line in sql] == [["kinesis_firehose.0"]] * 3


def test_default_preview_drops_nothing(default_lines: list[dict[str, list[dict[str, object]]]]) -> None:
    assert [line for line in default_lines if line.get("dropped") or line.get("notes")] == []


def expected_output(line: str) -> list[str]:
    """What the default routes say about one raw app line, worked out directly.

    A string ``payload`` counts as its own label: Fluent Bit ignores
    sub-keys under a string (see firelens_cdktf.fluentbit.record_accessor).
    """
    try:
        record = json.loads(line)
    except ValueError:
        return ["rails-app.default"]
    if not isinstance(record, dict):
        return ["rails-app.default"]
    if record.get("name") == "ActiveRecord":
        return ["rails-app.sql"]
    payload = record.get("payload")
    label = payload.get("label") if isinstance(payload, dict) else payload
    labelled = isinstance(label, str) and label.isascii() and label.replace("_", "a").replace("-", "a").isalnum()
    return ["rails-app.default", "rails-app.labelled"] if labelled else ["rails-app.default"]


def test_default_preview_counts_per_output_match_what_the_routes_say(
    default_lines: list[dict[str, list[dict[str, object]]]],
) -> None:
    expected: dict[str, int] = {}
    for line in RAW_LINES.read_text().splitlines():
        for output in expected_output(line):
            expected[output] = expected.get(output, 0) + 1
    actual: dict[str, int] = {}
    for line in default_lines:
        for delivery in line["deliveries"]:
            actual[str(delivery["output"])] = actual.get(str(delivery["output"]), 0) + 1
    assert actual == expected == {"rails-app.default": 17, "rails-app.sql": 3, "rails-app.labelled": 2}


def test_default_preview_tags_labelled_copies_with_the_label(
    default_lines: list[dict[str, list[dict[str, object]]]],
) -> None:
    tags = [d["tag"] for line in default_lines for d in line["deliveries"] if d["output"] == "rails-app.labelled"]
    assert tags == ["routed.rails-app.labelled.user_show"] * 2
