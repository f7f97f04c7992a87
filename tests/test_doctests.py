"""Every ``>>>`` example in the library's and firelens_local's docstrings runs, and says what it shows."""

from __future__ import annotations

import doctest
import importlib
from pathlib import Path

import pytest

MODULES = Path(__file__).resolve().parents[1] / "modules"


def _modules_with_examples() -> list[str]:
    names = []
    for package in ("firelens_cdktf", "firelens_local"):
        for path in sorted((MODULES / package).rglob("*.py")):
            if ">>>" in path.read_text(encoding="utf-8"):
                parts = path.relative_to(MODULES).with_suffix("").parts
                names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


@pytest.mark.parametrize("name", _modules_with_examples())
def test_docstring_examples_run(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS, verbose=False)
    assert result.attempted > 0 and result.failed == 0
