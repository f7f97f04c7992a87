"""``Match`` wildcards (src/flb_router.c) and the set reasoning the linter builds on them."""

from __future__ import annotations

import pytest

from firelens_cdktf.fluentbit.tag_match import covers, overlaps, tag_matches


@pytest.mark.parametrize(
    ("pattern", "tag"),
    [("*", "anything.at.all"), ("rails-app-firelens-*", "rails-app-firelens-1"), ("*active_record", "active_record"),
     ("*rails-app-firelens-*", "old-rails-app-firelens-1"), ("a*b*c", "aXbYc"), ("routed.*", "routed.")],
)  # fmt: skip
def test_star_matches_any_run_of_characters_anywhere(pattern: str, tag: str) -> None:
    assert tag_matches(pattern, tag)


@pytest.mark.parametrize(
    ("pattern", "tag"),
    [("rails-app-firelens-*", "Rails-app-firelens-1"), ("a?c", "abc"), ("app", "app.x"), ("*.sql", "x.sqlx")],
)
def test_everything_but_star_is_literal_and_case_sensitive(pattern: str, tag: str) -> None:
    assert not tag_matches(pattern, tag)


def test_overlapping_globs_share_a_tag() -> None:
    assert overlaps("logdata.*", "*active_record")


def test_disjoint_globs_share_no_tag() -> None:
    assert not overlaps("routed.rails-app.labelled.*", "rails-app-firelens-*")


def test_a_glob_covers_a_narrower_one() -> None:
    assert covers("routed.rails-app.labelled.*", "routed.rails-app.labelled.*")


def test_a_glob_does_not_cover_one_it_only_overlaps() -> None:
    assert not covers("*active_record", "logdata.*")


def test_a_growing_tag_is_covered_by_the_match_it_came_from() -> None:
    assert covers("app-*", "app-*.sql")
