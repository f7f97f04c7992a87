"""Construct ids are a public contract: the synthesized addresses of the default app stay as recorded.

``tests/fixtures/golden/stack_addresses.txt`` was recorded before the move to
the ``firelens_cdktf`` package (its header says how); the README names the one
value that changed with it (the log router image's content tag), which is not
an address. Addresses that had to change since (ids that were positions in a
list, now names) are listed there with the ``moved`` block that carries each
deployed resource from its recorded address to the new one
(tests/app/test_upgrade.py applies the old layout, then the new, on the emulator).
"""

from __future__ import annotations

import json
from pathlib import Path

from conftest import FIXTURES

RECORDED = FIXTURES / "golden" / "stack_addresses.txt"


def _addresses(synthesized: Path) -> list[str]:
    out = []
    for stack_dir in sorted((synthesized / "stacks").iterdir()):
        doc = json.loads((stack_dir / "cdk.tf.json").read_text())
        for kind in ("resource", "data"):
            for type_, body in sorted(doc.get(kind, {}).items()):
                out += [f"{stack_dir.name} {'data.' if kind == 'data' else ''}{type_}.{name}" for name in sorted(body)]
        out += [f"{stack_dir.name} output.{name}" for name in sorted(doc.get("output", {}))]
        out += [f"{stack_dir.name} moved {m['from']} -> {m['to']}" for m in doc.get("moved", [])]
    return out


def _recorded() -> list[str]:
    return [line for line in RECORDED.read_text().splitlines() if line and not line.startswith("#")]


def test_every_address_of_the_default_app_is_as_recorded(synthesized: Path) -> None:
    assert sorted(_addresses(synthesized)) == sorted(_recorded())


def test_every_recorded_address_that_changed_is_moved_to_one_that_exists() -> None:
    recorded = _recorded()
    addresses = {line.split(" ", 1)[1] for line in recorded if " moved " not in line}
    moves = [line.split(" moved ", 1)[1].split(" -> ") for line in recorded if " moved " in line]
    assert (
        [source for source, _ in moves if source in addresses],
        [target for _, target in moves if target not in addresses],
        len({source for source, _ in moves}) == len(moves),
    ) == ([], [], True)
