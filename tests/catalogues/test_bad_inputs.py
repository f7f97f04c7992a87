"""The bad-input catalogue (tests/catalogues/bad_inputs.py): every broken configuration is rejected at synth time.

One table, one test: each case declares a broken configuration (a construct,
a route, a compile option, a hand-written config) and must raise its
specific exception before any Terraform runs, with a message that names
where (construct path or declaration), the field, the bad value, what is
allowed and how to fix it. ``make scan`` runs it too.
"""

from __future__ import annotations

import pytest
from bad_inputs import CATALOGUE, BadInput, try_case


@pytest.mark.parametrize("case", CATALOGUE, ids=[case.name for case in CATALOGUE])
def test_bad_input_is_rejected_with_a_message_naming_where_field_value_allowed_and_fix(case: BadInput) -> None:
    outcome = try_case(case)
    assert isinstance(outcome.error, case.error), outcome.problem
    message = str(outcome.error)
    assert {part: text in message for part, text in case.parts.items()} == dict.fromkeys(case.parts, True), message


def test_catalogue_holds_at_least_thirty_distinct_cases() -> None:
    assert len({case.name for case in CATALOGUE}) == len(CATALOGUE) >= 30


def test_an_accepted_configuration_is_not_counted_as_rejected() -> None:
    accepted = BadInput("valid", lambda: None, ValueError, "w", "f", "v", "a", "x")
    assert (try_case(accepted).rejected_clearly, try_case(accepted).problem) == (False, "accepted: no error raised")
