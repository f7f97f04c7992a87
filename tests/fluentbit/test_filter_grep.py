"""The grep filter, each behaviour from plugins/filter_grep/grep.c (v4.2.2), function named per test."""

from __future__ import annotations

import pytest
from simulation import ALL, run, section, through

from firelens_cdktf.errors import FluentBitSyntaxError


def grep(*lines: str) -> str:
    return section("grep", *lines)


# grep_filter_data (Logical_Op legacy, the default) ---------------------------------------------------


def test_a_record_matching_regex_is_kept() -> None:
    assert through(grep("Regex level ^error$"), '{"level":"error"}') is not None


def test_a_record_not_matching_regex_is_dropped_and_reported_as_excluded() -> None:
    outcome = run(grep("Regex level ^error$") + ALL, '{"level":"info"}')
    assert (outcome.deliveries, [s.kind for s in outcome.stops]) == ((), ["excluded"])


def test_a_record_matching_exclude_is_dropped() -> None:
    assert through(grep("Exclude log healthcheck"), '{"log":"GET /healthcheck 200"}') is None


def test_legacy_keeps_a_record_at_the_first_matching_regex_without_testing_later_rules() -> None:
    # grep_filter_data: a matching REGEX returns GREP_RET_KEEP at once
    assert through(grep("Regex a ^x$", "Regex b ^y$"), '{"a":"x","b":"no"}') is not None


def test_legacy_drops_a_record_at_the_first_regex_that_does_not_match() -> None:
    assert through(grep("Regex a ^x$", "Regex b ^y$"), '{"a":"no","b":"y"}') is None


def test_legacy_tests_regex_rules_after_excludes_that_did_not_match() -> None:
    assert through(grep("Exclude a ^x$", "Regex b ^y$"), '{"a":"no","b":"y"}') is not None


def test_an_unknown_logical_op_means_legacy() -> None:
    assert through(grep("Logical_Op maybe", "Regex a ^x$", "Regex b ^y$"), '{"a":"x","b":"no"}') is not None


# grep_filter_data_and_or ---------------------------------------------------------------------------


def test_and_keeps_only_records_matching_every_regex() -> None:
    filters = grep("Logical_Op AND", "Regex a ^x$", "Regex b ^y$")
    assert (through(filters, '{"a":"x","b":"y"}') is not None, through(filters, '{"a":"x","b":"no"}')) == (True, None)


def test_or_keeps_records_matching_any_regex() -> None:
    filters = grep("Logical_Op or", "Regex a ^x$", "Regex b ^y$")
    assert through(filters, '{"a":"no","b":"y"}') is not None


def test_or_with_excludes_drops_records_matching_any_exclude() -> None:
    filters = grep("Logical_Op OR", "Exclude a ^x$", "Exclude b ^y$")
    assert through(filters, '{"a":"no","b":"y"}') is None


def test_and_with_excludes_drops_only_records_matching_every_exclude() -> None:
    filters = grep("Logical_Op AND", "Exclude a ^x$", "Exclude b ^y$")
    assert through(filters, '{"a":"x","b":"no"}') is not None


def test_fails_when_regex_and_exclude_are_mixed_with_and_or() -> None:
    # set_rules: "Both 'regex' and 'exclude' are set."
    with pytest.raises(FluentBitSyntaxError, match="Regex and Exclude are both set"):
        run(grep("Logical_Op AND", "Regex a x", "Exclude b y"), "{}")


# keys and values (flb_ra_regex_match) -----------------------------------------------------------------


def test_a_key_without_dollar_is_a_record_accessor_too() -> None:
    assert through(grep("Regex $payload['status'] ^5"), '{"payload":{"status":"503"}}') is not None


@pytest.mark.parametrize("value", ["500", "true", "null", '{"code":"500"}', '["500"]'])
def test_a_regex_never_matches_a_value_that_is_not_a_string(value: str) -> None:
    assert through(grep("Regex status 5"), f'{{"status":{value}}}') is None


def test_a_regex_never_matches_a_missing_key() -> None:
    assert through(grep("Regex status 5"), '{"other":"500"}') is None


def test_an_exclude_on_a_missing_key_keeps_the_record() -> None:
    assert through(grep("Exclude status 5"), '{"other":"500"}') is not None


def test_the_regex_is_the_rest_of_the_line_after_the_first_space() -> None:
    # flb_utils_split(.., ' ', 1): "KEY REGEX with spaces"
    assert through(grep("Regex log GET /health 200"), '{"log":"x GET /health 200"}') is not None


def test_fails_when_a_rule_has_no_regex() -> None:
    with pytest.raises(FluentBitSyntaxError, match="is not 'KEY REGEX'"):
        run(grep("Regex log"), "{}")


def test_fails_when_the_regex_does_not_compile() -> None:
    with pytest.raises(FluentBitSyntaxError, match="does not compile"):
        run(grep("Regex log ^(x"), "{}")
