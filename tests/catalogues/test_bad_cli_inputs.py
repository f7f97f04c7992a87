"""Every subcommand rejects input it cannot use with one line and a non-zero exit, never a traceback."""

from __future__ import annotations

import pytest
from bad_cli_inputs import CATALOGUE, BadCommand, run_case


@pytest.mark.parametrize("case", CATALOGUE, ids=[c.name for c in CATALOGUE])
def test_fails_with_one_clear_line_and_no_traceback(case: BadCommand) -> None:
    assert run_case(case).problem == ""


def test_the_catalogue_covers_every_subcommand() -> None:
    from firelens_cdktf.cli.arguments import COMMANDS

    assert set(COMMANDS) <= {case.argv[0] for case in CATALOGUE if case.argv}
