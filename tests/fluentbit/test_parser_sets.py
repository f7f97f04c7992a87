"""Where parsers come from: every Parsers_File, then the config itself (src/flb_config.c, src/flb_parser.c)."""

from __future__ import annotations

from pathlib import Path

import pytest
from simulation import ALL, run, section

from firelens_cdktf.errors import FluentBitSyntaxError
from firelens_cdktf.fluentbit.config import parse_parsers
from firelens_cdktf.fluentbit.preview_io import load_for_preview


def test_fails_when_a_parser_name_is_defined_twice() -> None:
    # flb_parser_create: "parser named '...' already exists", and the file fails to load
    with pytest.raises(FluentBitSyntaxError, match="'json' is already defined"):
        parse_parsers("[PARSER]\n    Name json\n    Format json\n[PARSER]\n    Name json\n    Format logfmt\n")


def test_parsers_in_the_config_itself_are_loaded_after_the_parsers_files(tmp_path: Path) -> None:
    (tmp_path / "parsers.conf").write_text("[PARSER]\n    Name json\n    Format json\n")
    (tmp_path / "extra.conf").write_text(
        "[SERVICE]\n    Parsers_File parsers.conf\n\n[PARSER]\n    Name kv\n    Format logfmt\n"
    )
    _, parsers = load_for_preview(str(tmp_path / "extra.conf"))
    assert sorted(parsers) == ["json", "kv"]


def test_fails_when_the_config_redefines_a_parser_of_a_parsers_file(tmp_path: Path) -> None:
    (tmp_path / "parsers.conf").write_text("[PARSER]\n    Name json\n    Format json\n")
    (tmp_path / "extra.conf").write_text(
        "[SERVICE]\n    Parsers_File parsers.conf\n\n[PARSER]\n    Name json\n    Format json\n"
    )
    with pytest.raises(FluentBitSyntaxError, match="already defined"):
        load_for_preview(str(tmp_path / "extra.conf"))


def test_multiline_parsers_come_with_the_parsers_file() -> None:
    parsers = parse_parsers('[MULTILINE_PARSER]\n    Name m\n    Type regex\n    Rule "start_state" "/x/"\n')
    assert [s.get("Name") for s in parsers.multiline] == ["m"]


def test_active_false_or_0_turns_a_filter_off_and_nothing_else_does() -> None:
    # flb_filter.c is_active: strcasecmp(val, "FALSE") or strcmp(val, "0")
    def seen(active: str) -> bool:
        record = run(section("record_modifier", "Record seen yes", f"Active {active}") + ALL, "{}").deliveries[0]
        return record.record.last("seen") == "yes"

    assert [seen(value) for value in ("false", "FALSE", "0", "off", "no", "true")] == [
        False,
        False,
        False,
        True,
        True,
        True,
    ]
