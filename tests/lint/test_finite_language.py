"""The finite-language reader the grep lint relies on: exact sets for small anchored patterns, None otherwise."""

from __future__ import annotations

import re

import pytest

from firelens_cdktf.lint.finite_language import LANGUAGE_LIMIT, finite_language


@pytest.mark.parametrize(
    "pattern, values",
    [
        (r"^(ActiveRecord|Sequel)$", {"ActiveRecord", "Sequel"}),
        (r"\A(?:ERROR|WARN)\Z", {"ERROR", "WARN"}),
        (r"^[45]0[0-3]$", {"400", "401", "402", "403", "500", "501", "502", "503"}),
        (r"^ab?c{2}$", {"acc", "abcc"}),
        (r"^(a|b){1,2}$", {"a", "b", "aa", "ab", "ba", "bb"}),
        (r"^\.[\-x]$", {".-", ".x"}),
        (r"^(?P<verb>GET|PUT)$", {"GET", "PUT"}),
        (r"^$", {""}),
    ],
)
def test_small_anchored_patterns_give_exactly_their_values(pattern: str, values: set[str]) -> None:
    assert finite_language(re.compile(pattern)) == values


@pytest.mark.parametrize(
    "pattern",
    [
        r"^a|b$",  # the anchors bind to each branch: "xb" matches too
        r"^abc",
        r"abc$",
        r"^a.b$",
        r"^\d$",
        r"^a*$",
        r"^a+$",
        r"^a{5}$",
        r"^a{2,}$",
        r"^[^a]$",
        r"^(?=a)a$",
        r"^[a-z]{4}$",  # 26**4 values: not small
    ],
)
def test_fails_to_give_a_language_for_unanchored_unbounded_or_large_patterns(pattern: str) -> None:
    assert finite_language(re.compile(pattern)) is None


def test_case_insensitive_patterns_give_no_language() -> None:
    assert finite_language(re.compile("^error$", re.IGNORECASE)) is None


def test_the_limit_is_inclusive() -> None:
    assert finite_language(re.compile("^[a-p]{2}$")) is not None and 16 * 16 == LANGUAGE_LIMIT
