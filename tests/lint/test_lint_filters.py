"""Lint findings for the traps of grep, parser Types and order, and multiline (lint/filters.py)."""

from __future__ import annotations

from firelens_cdktf.fluentbit.config import parse_config, parse_parsers
from firelens_cdktf.lint import Finding, lint_config

PARSERS = parse_parsers(
    "[PARSER]\n    Name json\n    Format json\n\n"
    "[PARSER]\n    Name kv\n    Format logfmt\n\n"
    "[PARSER]\n    Name strict_kv\n    Format logfmt\n    Logfmt_No_Bare_Keys On\n\n"
    "[PARSER]\n    Name access\n    Format regex\n    Regex ^(?<code>\\d+) (?<path>.*)$\n    Types code:integer\n"
)
OUT = "[OUTPUT]\n    Name  cloudwatch_logs\n    Alias main\n    Match app-firelens-*\n"
PARSE = "[FILTER]\n    Name     parser\n    Match    app-firelens-*\n    Key_Name log\n    Parser   {}\n"


def found(text: str) -> list[Finding]:
    return list(lint_config(parse_config(text, source="extra.conf"), containers=["app"], parsers=PARSERS))


def codes(text: str) -> list[tuple[str, str]]:
    return [(f.severity.value, f.code) for f in found(text)]


def only(text: str, code: str) -> Finding:
    matching = [f for f in found(text) if f.code == code]
    assert len(matching) == 1, found(text)
    return matching[0]


# typed-key-never-matches ----------------------------------------------------------------------------


def test_a_route_on_a_key_types_makes_a_number_is_an_error_at_the_rule_line() -> None:
    text = (
        PARSE.format("access") + "[FILTER]\n    Name  rewrite_tag\n    Match app-firelens-*\n"
        "    Rule  $code ^5 routed.errors false\n" + OUT + "[OUTPUT]\n    Name null\n    Match routed.*\n"
    )
    finding = only(text, "typed-key-never-matches")
    assert ("Rule on line 9" in finding.where, "casts to integer" in finding.problem, finding.fix) == (
        True,
        True,
        "drop code:integer from the parser's Types, or test a key that stays a string",
    )


def test_a_grep_regex_on_a_typed_key_is_an_error() -> None:
    text = PARSE.format("access") + "[FILTER]\n    Name  grep\n    Match *\n    Regex code ^2\n" + OUT
    assert "grep drops every record that parser parsed" in only(text, "typed-key-never-matches").problem


def test_types_of_a_json_parser_do_not_count() -> None:
    parsers = parse_parsers("[PARSER]\n    Name json\n    Format json\n    Types code:integer\n")
    text = PARSE.format("json") + "[FILTER]\n    Name  grep\n    Match *\n    Regex code ^2\n" + OUT
    assert lint_config(parse_config(text), containers=["app"], parsers=parsers) == ()


def test_a_rule_before_the_parser_is_fine() -> None:
    text = "[FILTER]\n    Name  grep\n    Match *\n    Regex code ^2\n" + PARSE.format("access") + OUT
    assert ("error", "typed-key-never-matches") not in codes(text)


# logfmt-before-json ---------------------------------------------------------------------------------


def test_logfmt_listed_before_json_is_an_error_at_the_parser_line() -> None:
    text = (
        "[FILTER]\n    Name     parser\n    Match    app-firelens-*\n    Key_Name log\n    Parser   kv\n"
        "    Parser   json\n" + OUT
    )
    finding = only(text, "logfmt-before-json")
    assert ("Parser kv on line 5" in finding.where, finding.fix) == (
        True,
        "list 'Parser json' first: json refuses anything that is not one JSON object",
    )


def test_json_before_logfmt_and_logfmt_without_bare_keys_are_fine() -> None:
    first = PARSE.format("json") + "    Parser   kv\n" + OUT
    strict = PARSE.format("strict_kv") + "    Parser   json\n" + OUT
    assert (codes(first), codes(strict)) == ([], [])


# grep-unreachable-output --------------------------------------------------------------------------------

SQL = (
    "[FILTER]\n    Name  rewrite_tag\n    Match app-firelens-*\n    Rule  $name ^(ActiveRecord)$ routed.sql false\n"
    + OUT
    + "[OUTPUT]\n    Name  kinesis_firehose\n    Alias sql\n    Match routed.sql\n"
)


def test_a_grep_that_drops_every_record_a_route_takes_leaves_its_output_unreachable() -> None:
    text = "[FILTER]\n    Name    grep\n    Match   app-firelens-*\n    Exclude name ^ActiveRecord$\n" + SQL
    finding = only(text, "grep-unreachable-output")
    assert ("'sql'" in finding.where, "rule 1 feeds it" in finding.problem) == (True, True)


def test_a_grep_keeping_other_values_only_leaves_the_output_unreachable() -> None:
    text = "[FILTER]\n    Name  grep\n    Match app-firelens-*\n    Regex name ^(Rack|UsersController)$\n" + SQL
    assert ("error", "grep-unreachable-output") in codes(text)


def test_a_grep_that_lets_the_route_through_is_fine() -> None:
    text = "[FILTER]\n    Name  grep\n    Match app-firelens-*\n    Regex name ^(Rack|ActiveRecord)$\n" + SQL
    assert codes(text) == []


def test_a_grep_after_the_route_does_not_count() -> None:
    text = SQL.replace(
        "[OUTPUT]",
        "[FILTER]\n    Name    grep\n    Match   app-firelens-*\n    Exclude name ^ActiveRecord$\n[OUTPUT]",
        1,
    )
    assert ("error", "grep-unreachable-output") not in codes(text)


# multiline-key-removed / multiline-no-key-content ---------------------------------------------------------

ML = (
    "[FILTER]\n    Name                  multiline\n    Match                 app-firelens-*\n"
    "    multiline.key_content log\n    multiline.parser      java\n"
)


def test_a_multiline_filter_after_a_modify_that_removes_its_key_is_an_error() -> None:
    text = "[FILTER]\n    Name   modify\n    Match  *\n    Remove log\n" + ML + OUT
    finding = only(text, "multiline-key-removed")
    assert (
        "key log on line 8" in finding.where,
        "modify on line 4" in finding.problem,
        "Remove log removes it" in finding.problem,
    ) == (True, True, True)


def test_a_multiline_filter_after_a_parser_filter_of_its_key_is_an_error() -> None:
    assert ("error", "multiline-key-removed") in codes(PARSE.format("json") + ML + OUT)


def test_a_multiline_filter_after_a_parser_that_preserves_the_key_is_fine() -> None:
    text = PARSE.format("json") + "    Preserve_Key On\n" + ML + OUT
    assert ("error", "multiline-key-removed") not in codes(text)


def test_renames_nests_and_allowlists_remove_the_key_too() -> None:
    rename = "[FILTER]\n    Name   modify\n    Match  *\n    Rename log message\n"
    nest = (
        "[FILTER]\n    Name       nest\n    Match      *\n    Operation  nest\n    Wildcard   lo*\n    Nest_under x\n"
    )
    allow = "[FILTER]\n    Name          record_modifier\n    Match         *\n    Allowlist_key message\n"
    assert [("error", "multiline-key-removed") in codes(f + ML + OUT) for f in (rename, nest, allow)] == [True] * 3


def test_a_filter_on_other_records_does_not_count() -> None:
    text = "[FILTER]\n    Name   modify\n    Match  other-*\n    Remove log\n" + ML + OUT
    assert codes(text) == []


def test_java_without_key_content_is_a_warning() -> None:
    text = (
        "[FILTER]\n    Name             multiline\n    Match            app-firelens-*\n"
        "    multiline.parser java\n" + OUT
    )
    assert codes(text) == [("warning", "multiline-no-key-content")]


# metadata-key-dropped -------------------------------------------------------------------------------

ROUTE_ON = (
    "[FILTER]\n    Name  rewrite_tag\n    Match app-firelens-*\n    Rule  ${} ^web$ routed.web false\n"
    + OUT
    + "[OUTPUT]\n    Name null\n    Match routed.*\n"
)


def test_a_route_on_container_name_after_a_parser_that_drops_it_is_a_warning() -> None:
    finding = only(PARSE.format("json") + ROUTE_ON.format("container_name"), "metadata-key-dropped")
    assert (
        finding.severity.value,
        "Reserve_Data Off" in finding.problem,
        finding.fix.startswith("set Reserve_Data On"),
    ) == (
        "warning",
        True,
        True,
    )


def test_a_route_on_container_name_after_a_parser_that_reserves_the_data_is_fine() -> None:
    text = PARSE.format("json") + "    Reserve_Data On\n" + ROUTE_ON.format("container_name")
    assert "metadata-key-dropped" not in [code for _, code in codes(text)]


def test_a_route_on_an_app_key_after_the_parser_is_fine() -> None:
    assert "metadata-key-dropped" not in [code for _, code in codes(PARSE.format("json") + ROUTE_ON.format("name"))]
