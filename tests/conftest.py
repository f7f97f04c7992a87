"""Shared fixtures: environment for jsii/Terraform, one synth of main.py per session."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from modules import _terraform_rc  # noqa: E402  (needs ROOT on sys.path)

# The same environment the Makefile exports, for `pytest` run on its own.
os.environ.setdefault("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
os.environ.setdefault("CHECKPOINT_DISABLE", "1")
if not os.environ.get("TF_CLI_CONFIG_FILE", "").startswith(str(ROOT)):
    _rc = ROOT / ".terraform.d" / "cli.tfrc"
    _terraform_rc.main([str(_rc)])
    os.environ["TF_CLI_CONFIG_FILE"] = str(_rc)


def synth_main(outdir: Path, env: dict[str, str] | None = None) -> Path:
    """Run ``python main.py`` with ``outdir`` as the cdktf output directory."""
    result = subprocess.run(
        [sys.executable, "main.py"], cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, **(env or {}), "CDKTF_OUTDIR": str(outdir)},
    )
    assert result.returncode == 0, f"main.py failed:\n{result.stdout}\n{result.stderr}"
    return outdir


@pytest.fixture(scope="session")
def synthesized(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """cdktf output directory of one ``python main.py`` run, shared by the whole session."""
    return synth_main(tmp_path_factory.mktemp("cdktf.out"))


@pytest.fixture(scope="module")
def emulator() -> Iterator["Emulator"]:
    """A moto server on a free port, for one test module."""
    from modules.emulator import Emulator

    with Emulator() as emu:
        yield emu
