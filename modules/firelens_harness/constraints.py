"""``constraints.txt``: the known-good versions a team installs the wheel with (``pip install ... -c constraints.txt``).

The versions this project is tested with, from ``Pipfile.lock``: its default
section (cdktf, constructs, the provider bindings, jsii and what they need)
and, for the ``[local]`` extra, the locked versions of every package the
extra's requirements pull in (moto's server, boto3, DuckDB and their
dependencies), found by walking the installed packages' metadata.

Run as ``python -m firelens_harness.constraints [OUT]`` (``make constraints``);
tests/examples/test_payments_example.py checks the committed file is what this writes.
"""

from __future__ import annotations

import json
import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from firelens_app.paths import PROJECT_ROOT

__all__ = ["constraints", "main"]

LOCK = PROJECT_ROOT / "Pipfile.lock"
PYPROJECT = PROJECT_ROOT / "pyproject.toml"
OUT = PROJECT_ROOT / "constraints.txt"
_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^\]]*\])?")


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement_names(requirement: str) -> tuple[str, set[str], str]:
    """A requirement's name, extras and environment marker (``''`` when none)."""
    spec, _, marker = requirement.partition(";")
    match = _NAME.match(spec)
    if match is None:
        raise ValueError(f"unreadable requirement {requirement!r}")
    extras = {e.strip() for e in (match.group(2) or "[]")[1:-1].split(",") if e.strip()}
    return _canonical(match.group(1)), extras, marker.strip()


def _closure(roots: list[str]) -> set[str]:
    """The installed packages ``roots`` (requirement strings) need, by canonical name, roots included."""
    seen: set[str] = set()
    todo = [_requirement_names(r)[:2] for r in roots]
    while todo:
        name, extras = todo.pop()
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue  # a requirement for another platform or Python: not installed, not locked
        if name in seen and not extras:
            continue
        seen.add(name)
        for requirement in dist.requires or []:
            child, child_extras, marker = _requirement_names(requirement)
            extra_needed = re.search(r"extra\s*==\s*['\"]([^'\"]+)['\"]", marker)
            if extra_needed and extra_needed.group(1) not in extras:
                continue
            if child not in seen:
                todo.append((child, child_extras))
    return seen


def _local_extra() -> list[str]:
    extras: dict[str, list[str]] = tomllib.loads(PYPROJECT.read_text())["project"]["optional-dependencies"]
    return extras["local"]


def constraints() -> str:
    """The constraints file's text."""
    lock = json.loads(LOCK.read_text())
    locked = {
        _canonical(name): entry["version"].lstrip("=")
        for section in ("default", "develop")
        for name, entry in lock[section].items()
        if "version" in entry
    }
    names = {_canonical(name) for name in lock["default"]} | _closure(_local_extra())
    lines = [
        "# Known-good versions for firelens-cdktf and its [local] extra: what this project is tested with",
        "# (Pipfile.lock). pip install 'firelens_cdktf-<version>-py3-none-any.whl[local]' -c constraints.txt",
        "# Written by python -m firelens_harness.constraints (make constraints); do not edit.",
    ]
    lines += [f"{name}=={locked[name]}" for name in sorted(names) if name in locked]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0]) if args else OUT
    out.write_text(constraints())
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
