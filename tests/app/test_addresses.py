"""Construct ids are a public contract: the synthesized addresses of the default app stay as recorded.

``tests/fixtures/golden/stack_addresses.txt`` was recorded before the move to
the ``firelens_cdktf`` package (its header says how); the README names the one
value that changed with it (the log router image's content tag), which is not
an address.
"""

from __future__ import annotations

import json
from pathlib import Path

from conftest import FIXTURES


def _addresses(synthesized: Path) -> list[str]:
    out = []
    for stack_dir in sorted((synthesized / "stacks").iterdir()):
        doc = json.loads((stack_dir / "cdk.tf.json").read_text())
        for kind in ("resource", "data"):
            for type_, body in sorted(doc.get(kind, {}).items()):
                out += [f"{stack_dir.name} {'data.' if kind == 'data' else ''}{type_}.{name}" for name in sorted(body)]
        out += [f"{stack_dir.name} output.{name}" for name in sorted(doc.get("output", {}))]
    return out


def test_every_address_of_the_default_app_is_as_recorded(synthesized: Path) -> None:
    recorded = [
        line
        for line in (FIXTURES / "golden" / "stack_addresses.txt").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert sorted(_addresses(synthesized)) == sorted(recorded)
