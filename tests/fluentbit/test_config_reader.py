"""Reading and writing Fluent Bit's classic config format."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import FIXTURES
from firelens_cdktf.errors import FluentBitSyntaxError
from firelens_cdktf.fluentbit.config import Entry, Section, load_config, parse_config, parse_parsers, render_config

TWO_OUTPUTS = """\
[OUTPUT]
    Name  cloudwatch_logs
    Match a-firelens-*

[OUTPUT]
    Name  kinesis_firehose
    Alias sql
    Match routed.a.sql
"""


def test_reads_the_articles_config_sections_in_order() -> None:
    config = load_config(str(FIXTURES / "article" / "extra.conf"))
    assert [(s.name, s.plugin) for s in config.sections] == [
        ("SERVICE", ""), ("FILTER", "parser"), ("FILTER", "rewrite_tag"), ("FILTER", "rewrite_tag"),
        ("OUTPUT", "kinesis_firehose"), ("OUTPUT", "cloudwatch_logs"),
    ]  # fmt: skip


def test_keys_are_case_insensitive() -> None:
    section = parse_config("[FILTER]\n    NAME parser\n    key_name log\n").filters[0]
    assert (section.plugin, section.get("Key_Name")) == ("parser", "log")


def test_repeated_keys_keep_every_value_in_order() -> None:
    section = parse_config("[FILTER]\n    Name rewrite_tag\n    Rule a\n    Rule b\n").filters[0]
    assert section.get_all("Rule") == ("a", "b")


def test_a_hash_inside_a_value_is_part_of_the_value() -> None:
    assert parse_config("[OUTPUT]\n    Name x#y\n").outputs[0].get("Name") == "x#y"


def test_comments_above_a_header_are_kept_with_the_section() -> None:
    assert parse_config("# route sql\n[OUTPUT]\n    Name null\n").outputs[0].comments == ("route sql",)


def test_outputs_are_named_by_alias_else_plugin_and_position() -> None:
    config = parse_config(TWO_OUTPUTS)
    assert [config.output_name(s) for s in config.outputs] == ["cloudwatch_logs.0", "sql"]


def test_set_defines_variables_for_later_values() -> None:
    config = parse_config("@SET region=ap-northeast-1\n[OUTPUT]\n    Name null\n    region ${region}\n")
    assert config.outputs[0].get("region") == "ap-northeast-1"


def test_unknown_variables_are_kept_and_listed() -> None:
    config = parse_config("[OUTPUT]\n    Name null\n    region ${AWS_REGION}\n")
    assert (config.outputs[0].get("region"), config.unresolved_variables) == ("${AWS_REGION}", ("AWS_REGION",))


def test_include_splices_a_file_in_place(tmp_path: Path) -> None:
    (tmp_path / "outputs.conf").write_text("[OUTPUT]\n    Name null\n    Match *\n")
    (tmp_path / "main.conf").write_text("[FILTER]\n    Name parser\n\n@INCLUDE outputs.conf\n")
    assert [s.name for s in load_config(str(tmp_path / "main.conf")).sections] == ["FILTER", "OUTPUT"]


def test_fails_when_an_include_is_missing(tmp_path: Path) -> None:
    (tmp_path / "main.conf").write_text("@INCLUDE nowhere.conf\n")
    with pytest.raises(FluentBitSyntaxError, match=r"@INCLUDE 'nowhere\.conf' not found"):
        load_config(str(tmp_path / "main.conf"))


def test_fails_when_indentation_changes_within_a_file() -> None:
    with pytest.raises(FluentBitSyntaxError, match="config line 3: indentation"):
        parse_config("[OUTPUT]\n    Name null\n  Match *\n")


def test_fails_when_an_entry_is_outside_any_section() -> None:
    with pytest.raises(FluentBitSyntaxError, match="outside any section"):
        parse_config("    Name null\n")


def test_fails_when_a_key_has_no_value() -> None:
    with pytest.raises(FluentBitSyntaxError, match="key 'Match' has no value"):
        parse_config("[OUTPUT]\n    Name null\n    Match\n")


def test_fails_when_an_unindented_line_is_not_a_section() -> None:
    with pytest.raises(FluentBitSyntaxError, match="neither a \\[SECTION\\]"):
        parse_config("Name null\n")


def test_rendering_aligns_values_and_writes_comments() -> None:
    text = render_config([Section("OUTPUT", (Entry("Name", "null"), Entry("Match", "*")), ("to nowhere",))])
    assert text == "# to nowhere\n[OUTPUT]\n    Name  null\n    Match *\n"


def _contents(text: str) -> list[tuple[str, list[tuple[str, str]]]]:
    return [(s.name, [(e.key, e.value) for e in s.entries]) for s in parse_config(text).sections]


def test_rendered_config_reads_back_to_the_same_sections() -> None:
    assert _contents(render_config(parse_config(TWO_OUTPUTS).sections)) == _contents(TWO_OUTPUTS)


def test_fails_when_a_value_cannot_be_written_on_one_line() -> None:
    with pytest.raises(FluentBitSyntaxError, match="cannot be written"):
        render_config([Section("OUTPUT", (Entry("Name", "a\nb"),))])


def test_parsers_file_defines_parsers_by_name() -> None:
    parsers = parse_parsers((FIXTURES / "article" / "parsers_json.conf").read_text())
    assert (parsers["json"].format, parsers["json"].decoders) == ("json", (("decode_field_as", "json", "log", None),))


def test_fails_when_a_parser_has_no_format() -> None:
    with pytest.raises(FluentBitSyntaxError, match="needs both Name and Format"):
        parse_parsers("[PARSER]\n    Name json\n")
