"""Fluent Bit regexes (Onigmo, Ruby syntax) give the same answers in the preview."""

from __future__ import annotations

import pytest

from firelens_cdktf.fluentbit.onigmo import InvalidRegex, UnsupportedRegex, compile_onigmo


def found(pattern: str, value: str) -> bool:
    return compile_onigmo(pattern).search(value) is not None


def test_a_regex_matches_anywhere_in_the_value() -> None:
    assert found("Record", "ActiveRecord")


def test_caret_and_dollar_match_at_any_line() -> None:
    assert found("^(ActiveRecord)$", "noise\nActiveRecord")


def test_backslash_a_and_z_match_the_whole_value_only() -> None:
    assert not found(r"\A[a-z]+\z", "abc\ndef")


def test_backslash_d_is_ascii_only() -> None:
    assert not found(r"^\d$", "٣")


def test_backslash_h_is_a_hex_digit() -> None:
    assert found(r"^\h+$", "c0ffee")


def test_named_groups_make_plain_groups_non_capturing() -> None:
    assert compile_onigmo("(?<kind>[a-z]+)-([0-9]+)").groups == 1


def test_plain_groups_capture_without_named_groups() -> None:
    assert compile_onigmo("^([a-z]+)-([0-9]+)$").groups == 2


def test_slashes_with_i_make_the_regex_case_insensitive() -> None:
    assert found("/activerecord/i", "ActiveRecord")


def test_slashes_without_options_are_stripped() -> None:
    assert found("/^a$/", "a")


def test_match_regex_is_anchored_at_the_start_only() -> None:
    assert compile_onigmo("rails").match_prefix("rails-app-firelens-1") is not None


@pytest.mark.parametrize(
    "pattern", [r"\p{Alpha}", r"\G", r"[[:alpha:]]", r"[a-z&&[^x]]", r"(?~abc)", "(?<=ab|c)x", "a**", "(?<n>a)(?<n>b)"]
)
def test_unmodelled_syntax_is_reported_not_guessed(pattern: str) -> None:
    with pytest.raises(UnsupportedRegex):
        compile_onigmo(pattern)


@pytest.mark.parametrize("pattern", ["^(Active", "[a-", "a{2,1}"])
def test_fails_when_the_regex_does_not_compile(pattern: str) -> None:
    with pytest.raises(InvalidRegex):
        compile_onigmo(pattern)


@pytest.mark.parametrize(
    ("pattern", "onigmo_says"),
    [
        pytest.param("x{99999999999}", "too big number for repeat range", id="repeat-count-too-large"),
        pytest.param("x{100001}", "too big number for repeat range", id="repeat-over-onigmo-maximum"),
        pytest.param("(?<=a+)b", "invalid pattern in look-behind", id="variable-length-lookbehind"),
        pytest.param("(?<=a{1,2})b", "invalid pattern in look-behind", id="ranged-lookbehind"),
        pytest.param(r"(?<n>a)(b)\1", "numbered backref/call is not allowed", id="named-and-numbered-groups"),
    ],
)
def test_fails_where_onigmo_rejects_what_python_would_accept(pattern: str, onigmo_says: str) -> None:
    # lib/onigmo/regparse.c (fluent/fluent-bit v4.2.2): ONIG_MAX_REPEAT_NUM, look-behind lengths, and
    # numbered back-references once a pattern has named groups.
    with pytest.raises(InvalidRegex, match=onigmo_says):
        compile_onigmo(pattern)


@pytest.mark.parametrize("pattern", ["(?<=a{2})b", "x{100000}", r"(?<n>a)\k<n>", "(?<!x)y"])
def test_onigmo_accepts_fixed_lookbehinds_the_maximum_repeat_and_named_backrefs(pattern: str) -> None:
    assert compile_onigmo(pattern).source == pattern
