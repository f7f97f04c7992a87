"""The docs are a promise: every Python snippet in the README, docs/ and the examples' READMEs runs.

How a page's snippets run: in order, in one scratch folder, each in a fresh
Python process (as ``__main__``, with ``CDKTF_OUTDIR`` in that folder). A
block whose info string names a file (```` ```python file=main.py ````) is
written to that file instead, for the blocks after it (a CDKTF app that a
later block synthesizes). A block that starts an ``Emulator`` is in the
emulator tier; the rest are pure.

And the prose keeps to the API: every ``Name(param=...)`` in inline code whose
``Name`` the library exports must name parameters it has.
"""

from __future__ import annotations

import importlib
import inspect
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGES = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md"), *(ROOT / "examples").glob("*/README.md")])
_FENCE = re.compile(r"^```python(?P<info>[^\n]*)\n(?P<code>.*?)^```\s*$", re.MULTILINE | re.DOTALL)
#: Seconds one snippet may take (a synth of a whole app is ~10 s; an emulator deploy ~2 min).
TIMEOUT = 600


@dataclass(frozen=True)
class Snippet:
    page: Path
    line: int
    code: str
    file: str | None

    @property
    def needs_emulator(self) -> bool:
        return "Emulator(" in self.code

    @property
    def name(self) -> str:
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def snippets(page: Path) -> list[Snippet]:
    text = page.read_text(encoding="utf-8")
    out = []
    for match in _FENCE.finditer(text):
        info = dict(part.split("=", 1) for part in match["info"].split() if "=" in part)
        out.append(Snippet(page, text.count("\n", 0, match.start()) + 1, match["code"], info.get("file")))
    return out


def _pages_with(kind: str) -> list[Path]:
    chosen = []
    for page in PAGES:
        found = snippets(page)
        if found and any(s.needs_emulator for s in found) == (kind == "emulator"):
            chosen.append(page)
    return chosen


def _run_page(page: Path, tmp_path: Path, env: dict[str, str]) -> None:
    for snippet in snippets(page):
        if snippet.file is not None:
            (tmp_path / snippet.file).write_text(snippet.code, encoding="utf-8")
            continue
        script = tmp_path / f"snippet_{snippet.line}.py"
        script.write_text(snippet.code, encoding="utf-8")
        done = subprocess.run(
            [sys.executable, str(script)],
            cwd=tmp_path,
            env={**os.environ, **env, "CDKTF_OUTDIR": str(tmp_path / "cdktf.out")},
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            stdin=subprocess.DEVNULL,
        )
        assert done.returncode == 0, f"{snippet.name} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"


def test_the_docs_have_python_snippets() -> None:
    assert sum(len(snippets(page)) for page in PAGES) >= 3


@pytest.mark.parametrize("page", _pages_with("pure"), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_snippet_of_the_page_runs(page: Path, tmp_path: Path) -> None:
    _run_page(page, tmp_path, {})


@pytest.mark.emulator
@pytest.mark.worker_seconds(150)
@pytest.mark.parametrize("page", _pages_with("emulator"), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_snippet_of_the_page_runs_against_the_emulator(page: Path, tmp_path: Path) -> None:
    _run_page(page, tmp_path, {})


# --- parameters the prose names ---------------------------------------------------------------

_CALL = re.compile(r"\b([A-Za-z_][A-Za-z0-9_]*)\(([^()`]*)\)")
_KEYWORD = re.compile(r"([a-z_][a-z0-9_*]*)=")


def _exported() -> dict[str, Any]:
    """Every name the library's packages export, by name."""
    names: dict[str, Any] = {}
    for package in (
        "firelens_cdktf",
        *(
            f"firelens_cdktf.{p}"
            for p in ("fluentbit", "lint", "routing", "iam", "archive", "cost", "constructs", "review")
        ),
    ):
        module = importlib.import_module(package)
        for name in getattr(module, "__all__", ()):
            value = getattr(module, name)
            if callable(value):
                names.setdefault(name, value)
    return names


def _parameters(target: Any) -> set[str]:
    # A class's own __init__, not its signature: jsii's metaclass shows every construct as (*args, **kwargs).
    signature = inspect.signature(target.__init__ if inspect.isclass(target) else target)
    return {
        p.name
        for p in signature.parameters.values()
        if p.name != "self" and p.kind not in (inspect.Parameter.VAR_KEYWORD, inspect.Parameter.VAR_POSITIONAL)
    }


def _mentions() -> list[tuple[str, str, str]]:
    """``(page:line, name, keyword)`` for each ``name(keyword=...)`` in the docs' inline code."""
    found = []
    for page in PAGES:
        lines = page.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines, start=1):
            if "misspell" in line or "misspell" in lines[number - 2]:
                continue  # shows what a type checker catches, on purpose
            for span in re.findall(r"`([^`]+)`", line):
                for call in _CALL.finditer(span):
                    for keyword in _KEYWORD.findall(call[2]):
                        found.append((f"{page.relative_to(ROOT)}:{number}", call[1], keyword))
    return found


def test_every_parameter_the_docs_name_exists() -> None:
    exported = _exported()
    missing = []
    checked = 0
    for where, name, keyword in _mentions():
        if name not in exported:
            continue
        checked += 1
        parameters = _parameters(exported[name])
        ok = any(p.startswith(keyword[:-1]) for p in parameters) if keyword.endswith("*") else keyword in parameters
        if not ok:
            missing.append(f"{where}: {name}({keyword}=) is not a parameter of {name}")
    assert checked > 10 and missing == []
