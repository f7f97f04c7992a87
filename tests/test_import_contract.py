"""The import contract of modules/ (tests/import_contract.py) holds, and it catches each kind of break."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from import_contract import check

MODULES = Path(__file__).resolve().parents[1] / "modules"


def test_modules_keep_the_import_contract() -> None:
    assert [str(v) for v in check(MODULES)] == []


@pytest.fixture()
def copy(tmp_path: Path) -> Path:
    root = tmp_path / "modules"
    shutil.copytree(MODULES, root, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    return root


def _plant(root: Path, module: str, line: str) -> None:
    path = root / (module.replace(".", "/") + ".py")
    path.write_text(path.read_text(encoding="utf-8") + "\n" + line + "\n", encoding="utf-8")


@pytest.mark.parametrize(
    "module, line, rule",
    [
        # the Fluent Bit model (bottom layer) reaching up to the command line
        ("firelens_cdktf.fluentbit.config", "from firelens_cdktf.cli.main import main", "layers"),
        # two siblings of one layer importing each other
        ("firelens_cdktf.iam.policy", "from firelens_cdktf.cost.prices import PRICES", "layers"),
        # the library reading the app or the harness
        ("firelens_cdktf.routing.routes", "from firelens_app.routing import article_routing", "homes"),
        ("firelens_local.emulator", "import firelens_harness.run", "homes"),
        # a private module or name of another package
        (
            "firelens_cdktf.routing.compiler",
            "from firelens_cdktf.fluentbit.parsers._json import parse_json_object",
            "private",
        ),
        ("firelens_app.stacks.state", "from firelens_cdktf.constructs._validation import is_token", "private"),
        # the app reaching past a package's exports into one of its modules
        ("firelens_app.stacks.state", "from firelens_cdktf.routing.compiler import compile_routing", "public-api"),
        ("firelens_harness.report", "from firelens_local.emulator import _port_from", "private"),
        # an import hidden in a function
        (
            "firelens_cdktf.routing.diagram",
            "def _late() -> None:\n    from firelens_cdktf.lint import lint_config",
            "late-import",
        ),
    ],
)
def test_fails_on_a_planted_break(copy: Path, module: str, line: str, rule: str) -> None:
    _plant(copy, module, line)
    assert rule in {v.rule for v in check(copy)}


def test_a_late_import_that_says_why_is_allowed(copy: Path) -> None:
    _plant(
        copy,
        "firelens_cdktf.routing.diagram",
        "def _late() -> None:\n    # start-up time: only this command needs the linter\n"
        "    from firelens_cdktf.lint import lint_config",
    )
    assert check(copy) == []


def test_fails_on_a_cycle_between_sibling_packages(copy: Path) -> None:
    _plant(copy, "firelens_cdktf.fluentbit.filters.grep", "from firelens_cdktf.fluentbit.parsers import Parser")
    _plant(copy, "firelens_cdktf.fluentbit.parsers._text", "from firelens_cdktf.fluentbit.filters import is_active")
    cycles = [str(v) for v in check(copy) if v.rule == "cycles"]
    assert (
        cycles and "firelens_cdktf.fluentbit.filters" in cycles[0] and "firelens_cdktf.fluentbit.parsers" in cycles[0]
    )
