"""Run plain `terraform` on synthesized stacks (no cdktf CLI: it proves there is no lock-in)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path


def terraform(workdir: Path, *args: str, env: dict[str, str] | None = None,
              ok_codes: tuple[int, ...] = (0,)) -> subprocess.CompletedProcess[str]:
    """Run ``terraform ARGS`` in ``workdir``; fail with its output on an unexpected exit code."""
    result = subprocess.run(
        ["terraform", *args, "-no-color"] if args[0] not in ("version",) else ["terraform", *args],
        cwd=workdir, capture_output=True, text=True, env={**os.environ, **(env or {}), "TF_IN_AUTOMATION": "1"},
    )
    if result.returncode not in ok_codes:
        raise AssertionError(f"terraform {' '.join(args)} in {workdir} exited {result.returncode}:\n"
                             f"{result.stdout}\n{result.stderr}")
    return result


def copy_stack(synthesized: Path, stack: str, dest: Path) -> Path:
    """A private copy of one stack's directory, so tests never share Terraform state."""
    target = dest / stack
    shutil.copytree(synthesized / "stacks" / stack, target)
    return target


def deploy(synthesized: Path, stacks: tuple[str, ...], root: Path, env: dict[str, str]) -> dict[str, Path]:
    """Copy each stack under ``root`` and ``init`` + ``apply`` it, in order; return the working dirs."""
    workdirs = {}
    for stack in stacks:
        workdir = workdirs[stack] = copy_stack(synthesized, stack, root)
        terraform(workdir, "init", "-input=false", env=env)
        terraform(workdir, "apply", "-auto-approve", "-input=false", env=env)
    return workdirs


def plan_json(workdir: Path, env: dict[str, str] | None = None, *extra: str) -> dict:  # type: ignore[type-arg]
    """``terraform plan -out`` then ``terraform show -json``: the machine-readable plan (workdir initialised)."""
    import json

    terraform(workdir, "plan", "-input=false", "-out=plan.tfplan", *extra, env=env)
    return json.loads(terraform(workdir, "show", "-json", "plan.tfplan", env=env).stdout)
