"""Every lint, on a config that has exactly that problem; the article's config as a golden.

``tests/fixtures/golden/article_lint.txt`` is the output of
``firelens-cdktf lint --config tests/fixtures/article/extra.conf --container rails-app``.
"""

from __future__ import annotations

import pytest

from conftest import FIXTURES
from firelens_cdktf.errors import LintError
from firelens_cdktf.fluentbit.config import load_config, parse_config, parse_parsers
from firelens_cdktf.lint import Finding, Severity, check_config, lint_config
from firelens_cdktf.routing.compiler import compile_routing
from firelens_cdktf.routing.routes import AppLogRouting, CloudWatchLogs, LogRouting, Route

JSON_PARSERS = parse_parsers("[PARSER]\n    Name json\n    Format json\n")

OUT = """
[OUTPUT]
    Name  cloudwatch_logs
    Alias main
    Match app-firelens-*
"""


def findings(text: str, **kwargs: object) -> list[tuple[str, str]]:
    found = lint_config(parse_config(text, source="extra.conf"), containers=["app"], **kwargs)  # type: ignore[arg-type]
    return [(f.severity.value, f.code) for f in found]


def rewrite(rule: str, match: str = "app-firelens-*", extra: str = "") -> str:
    return f"[FILTER]\n    Name  rewrite_tag\n    Match {match}\n    Rule  {rule}\n{extra}"


def test_articles_lint_report_matches_the_golden_file() -> None:
    config = load_config(str(FIXTURES / "article" / "extra.conf"))
    parsers = parse_parsers((FIXTURES / "article" / "parsers_json.conf").read_text())
    report = "".join(
        f"{f.severity.value}: [{f.code}] {f}\n" for f in lint_config(config, containers=["rails-app"], parsers=parsers)
    )
    assert report + "1 error(s), 2 warning(s)\n" == (FIXTURES / "golden" / "article_lint.txt").read_text()


def test_fails_on_the_articles_logdata_copies_with_a_clear_message() -> None:
    config = load_config(str(FIXTURES / "article" / "extra.conf"))
    with pytest.raises(
        LintError,
        match=r"re-emits copies tagged \"logdata\.\$payload\['label'\]\".*no \[OUTPUT\] matches"
        r".*Fix: add an \[OUTPUT\] with 'Match logdata\.\*'",
    ):
        check_config(config, containers=["rails-app"])


def test_check_returns_warnings_when_there_is_no_error() -> None:
    config = parse_config(
        rewrite("$name .+ routed.app.$name true") + OUT + "\n[OUTPUT]\n    Name null\n    Match routed.app.*\n"
    )
    assert [f.code for f in check_config(config, containers=["app"])] == ["unsafe-tag-value"]


def test_error_lists_every_error_finding() -> None:
    config = parse_config(rewrite("$a x one false") + rewrite("$b x two false") + OUT)
    with pytest.raises(LintError) as caught:
        check_config(config, containers=["app"])
    assert [f.code for f in caught.value.findings] == ["unrouted-copies", "unrouted-copies"]  # type: ignore[attr-defined]


def test_finding_reads_where_problem_fix() -> None:
    finding = Finding(Severity.ERROR, "x", "[FILTER] rewrite_tag", "drops copies", "add an output")
    assert str(finding) == "[FILTER] rewrite_tag: drops copies. Fix: add an output"


def test_copies_no_output_matches_are_an_error() -> None:
    assert ("error", "unrouted-copies") in findings(rewrite("$name ^x$ sql false") + OUT)


def test_copies_an_output_takes_are_fine() -> None:
    assert (
        findings(rewrite("$name ^x$ routed.sql false") + OUT + "\n[OUTPUT]\n    Name null\n    Match routed.*\n") == []
    )


def test_an_output_no_record_can_reach_is_an_error() -> None:
    assert findings(OUT + "\n[OUTPUT]\n    Name null\n    Match other-firelens-*\n") == [
        ("error", "unreachable-output")
    ]


def test_an_output_fed_only_by_re_emitted_copies_is_reachable() -> None:
    text = rewrite("$name ^x$ routed.sql false") + OUT + "\n[OUTPUT]\n    Name null\n    Match routed.sql\n"
    assert ("error", "unreachable-output") not in findings(text)


def test_a_new_tag_its_own_match_catches_is_a_loop() -> None:
    assert ("error", "rewrite-loop") in findings(rewrite("$name ^x$ app-firelens-again false") + OUT)


def test_a_tag_built_from_tag_its_own_match_catches_is_a_loop() -> None:
    assert ("error", "rewrite-loop") in findings(rewrite("$name ^x$ $TAG.sql false") + OUT)


def test_rewrite_tags_feeding_each_other_are_a_loop() -> None:
    text = rewrite("$name ^x$ ping.x false") + rewrite("$name ^x$ app-firelens-back false", match="ping.*") + OUT
    assert ("error", "rewrite-loop") in findings(text)


def test_a_new_tag_only_some_values_loop_is_a_warning() -> None:
    text = rewrite("$name ^x$ copy.$name true", match="*app-firelens-*") + OUT.replace("app-firelens-*", "*")
    assert ("warning", "possible-loop") in findings(text)


def test_a_regex_that_does_not_compile_is_an_error() -> None:
    assert ("error", "bad-regex") in findings(rewrite("$name ^(x routed.x false") + OUT)


def test_a_match_regex_that_does_not_compile_is_an_error() -> None:
    assert ("error", "bad-regex") in findings("[OUTPUT]\n    Name null\n    Match_Regex ^(x\n")


def test_a_rule_without_four_parts_is_an_error() -> None:
    assert ("error", "bad-rule") in findings(rewrite("$name a b routed.x false") + OUT)


def test_a_keep_that_is_not_a_boolean_is_an_error() -> None:
    assert ("error", "bad-rule") in findings(rewrite("$name ^x$ routed.x maybe") + OUT)


def test_a_tag_with_forbidden_fixed_characters_is_an_error() -> None:
    assert ("error", "invalid-tag") in findings(rewrite("$name ^x$ routed/x false") + OUT)


def test_an_invalid_container_name_is_an_error() -> None:
    found = lint_config(parse_config(OUT), containers=["app one"])
    assert ("error", "invalid-tag") in [(f.severity.value, f.code) for f in found]


def test_a_label_the_regex_lets_through_unsafe_is_a_warning() -> None:
    text = (
        rewrite("$payload['label'] .+ routed.$payload['label'] true")
        + OUT
        + "\n[OUTPUT]\n    Name null\n    Match routed.*\n"
    )
    assert ("warning", "unsafe-tag-value") in findings(text)


def test_a_strict_label_regex_is_tag_safe() -> None:
    text = (
        rewrite(r"$payload['label'] \A[a-z_]+\z routed.$payload['label'] true")
        + OUT
        + "\n[OUTPUT]\n    Name null\n    Match routed.*\n"
    )
    assert findings(text) == []


def test_a_filter_without_match_is_an_error() -> None:
    assert ("error", "missing-match") in findings("[FILTER]\n    Name record_modifier\n    Record a b\n" + OUT)


def test_an_output_without_match_is_an_error() -> None:
    assert ("error", "missing-match") in findings("[OUTPUT]\n    Name null\n" + OUT)


def test_a_parser_filter_without_key_name_is_an_error() -> None:
    assert ("error", "missing-setting") in findings(
        "[FILTER]\n    Name parser\n    Match app-firelens-*\n    Parser json\n" + OUT
    )


def test_a_parser_no_parsers_file_defines_is_an_error() -> None:
    text = "[FILTER]\n    Name parser\n    Match app-firelens-*\n    Key_Name log\n    Parser logfmt\n" + OUT
    assert ("error", "unknown-parser") in findings(text, parsers=JSON_PARSERS)


def test_two_rewrite_tags_with_one_emitter_name_are_an_error() -> None:
    extra = "    Emitter_Name e\n"
    text = rewrite("$a ^x$ routed.a false", extra=extra) + rewrite("$b ^x$ routed.b false", extra=extra) + OUT
    assert ("error", "duplicate-emitter") in findings(text + "\n[OUTPUT]\n    Name null\n    Match routed.*\n")


def test_two_sections_with_one_alias_are_a_warning() -> None:
    assert ("warning", "duplicate-alias") in findings(OUT + OUT)


def test_copies_another_filter_catches_again_are_a_warning() -> None:
    text = (
        rewrite("$a ^x$ routed.a false")
        + "[FILTER]\n    Name record_modifier\n    Match routed.*\n    Record a b\n"
        + OUT
    )
    assert ("warning", "refiltered-copies") in findings(text + "\n[OUTPUT]\n    Name null\n    Match routed.*\n")


def test_a_rewrite_tag_no_record_reaches_is_a_warning() -> None:
    assert ("warning", "idle-filter") in findings(rewrite("$a ^x$ routed.a false", match="nothing") + OUT)


def test_a_regex_the_checks_cannot_read_is_a_warning() -> None:
    text = rewrite(r"$a \p{Alpha} routed.a false") + OUT + "\n[OUTPUT]\n    Name null\n    Match routed.*\n"
    assert ("warning", "regex-not-checked") in findings(text)


def test_an_unset_variable_is_a_warning() -> None:
    assert ("warning", "unresolved-variable") in findings(OUT + "    region ${AWS_REGION}\n")


def test_compiler_returns_the_linters_warnings() -> None:
    main = CloudWatchLogs("/main")
    route = Route(
        "copy",
        field="name",
        pattern="x",
        destination=CloudWatchLogs("/copy"),
        keep_original=True,
        tag_suffix_field="user.id",
    )
    routing = LogRouting(region="ap-northeast-1", apps=(AppLogRouting("app", default=main, routes=(route,)),))
    assert [f.code for f in compile_routing(routing).warnings] == ["unsafe-tag-value"]


def test_a_rule_key_without_dollar_is_a_warning() -> None:
    text = rewrite("name ^x$ routed.x false") + OUT + "\n[OUTPUT]\n    Name null\n    Match routed.*\n"
    assert findings(text) == [("warning", "plain-key")]


@pytest.mark.parametrize(
    ("name", "closest"),
    [
        ("frobnicate", None),
        ("cloudwatchlogs", "cloudwatch_logs"),
        ("s3_bucket", "s3"),
        ("kinesis-firehose", "kinesis_firehose"),
    ],
)
def test_fails_when_a_plugin_name_is_unknown_to_fluent_bit_and_names_the_closest(
    name: str, closest: str | None
) -> None:
    config = parse_config(f"[OUTPUT]\n    Name {name}\n    Match *\n", source="extra.conf")
    [finding] = [f for f in lint_config(config) if f.code == "unknown-plugin"]
    assert (finding.severity, name in finding.problem) == (Severity.ERROR, True)
    if closest is not None:
        assert finding.fix == f"use Name {closest}"
