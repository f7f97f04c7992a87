"""Every family's allowance can be given where CI reads it: a line of the pull request description."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import yaml

from conftest import ROOT
from firelens_cdktf.review.model import ALLOW_FLAGS


def _allowances_step() -> str:
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "plan.yml").read_text())
    [step] = [
        s
        for s in workflow["jobs"]["review"]["steps"]
        if s.get("name") == "Allowances from the pull request description"
    ]
    run: str = step["run"]
    return run


def test_each_familys_line_in_the_description_becomes_its_flag(tmp_path: Path) -> None:
    lines = [f"/{flag.removeprefix('--')} pipeline:aws_x.y" for flag in ALLOW_FLAGS.values()]
    body = "\r\n".join(["Why this change", *lines, "/allow-everything pipeline:aws_x.y"])
    env = {**os.environ, "BODY": body}
    subprocess.run(["bash", "-e", "-c", _allowances_step()], cwd=tmp_path, env=env, check=True, capture_output=True)
    given = (tmp_path / "allowances.txt").read_text().splitlines()
    assert given == [f"{flag}=pipeline:aws_x.y" for flag in ALLOW_FLAGS.values()]
