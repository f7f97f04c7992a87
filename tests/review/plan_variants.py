"""Real plans of changed stacks, for the review's tests: apply once, then plan every variant against that state.

A variant is a function that changes the stack's Terraform JSON (the
synthesized ``cdk.tf.json``) in place. Each one is planned in its own copy of
the applied, initialised directory, all at once (Terraform waits on the
provider far more than it computes), with ``-lock=false -refresh=false``:
nothing changed the deployment since it was applied, so reading every
resource back would only cost CPU and change no plan, and the state is only
read.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from conftest import plan_json, terraform

#: A change to a stack's Terraform JSON.
Variant = Callable[[dict[str, Any]], None]
#: Plans at once: each is a Terraform and a provider process (~400 MB); two cores run about three.
PARALLEL = 4


def resource_where(doc: dict[str, Any], type_: str, **attrs: Any) -> tuple[str, dict[str, Any]]:
    """(address, body) of the one ``type_`` resource whose attributes equal ``attrs``.

    Found by what it is, not by its logical id: construct ids are the app's to change.
    """
    found = [
        (name, body)
        for name, body in doc.get("resource", {}).get(type_, {}).items()
        if all(body.get(k) == v for k, v in attrs.items())
    ]
    assert len(found) == 1, f"expected one {type_} with {attrs}, found {[n for n, _ in found]}"
    return f"{type_}.{found[0][0]}", found[0][1]


def plan_variants(
    workdir: Path,
    env: dict[str, str],
    variants: Mapping[str, Variant],
    out: Path,
    *,
    fresh: tuple[str, ...] = (),
) -> dict[str, Path]:
    """The ``terraform show -json`` file of each variant of the stack applied in ``workdir``.

    Args:
        workdir: The applied stack's initialised directory (only read).
        env: Environment that points Terraform at the emulator.
        variants: Name -> the change.
        out: Where the copies and the plan files go.
        fresh: Variants planned against an empty state instead (a first deploy): their
            backend is a local file that does not exist yet.
    """
    out.mkdir(parents=True, exist_ok=True)
    copies = {}
    for name, change in variants.items():
        copy = copies[name] = out / f"stack-{name}"
        shutil.copytree(workdir, copy, symlinks=True)
        doc = json.loads((copy / "cdk.tf.json").read_text())
        change(doc)
        if name in fresh:
            doc["terraform"]["backend"] = {"local": {"path": "empty.tfstate"}}
            (copy / ".terraform" / "terraform.tfstate").unlink(missing_ok=True)  # the old backend's settings
        (copy / "cdk.tf.json").write_text(json.dumps(doc))

    def plan(name: str) -> dict[str, Any]:
        if name in fresh:
            terraform(copies[name], "init", "-input=false", "-reconfigure", env=env)
            return plan_json(copies[name], env, "-refresh=false")
        return plan_json(copies[name], env, "-lock=false", "-refresh=false")

    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        planned = {name: pool.submit(plan, name) for name in variants}
        files = {}
        for name, result in planned.items():
            files[name] = out / f"{name}.json"
            files[name].write_text(json.dumps(result.result()))
    return files


def unchanged(doc: dict[str, Any]) -> None:
    """The stack as applied."""
