"""A bad ``FIRELENS_*`` value stops ``make run``/``destroy``/``plan``/``synth`` with one line, never a traceback.

Each case runs the module the Makefile target runs, as a new process with
the bad value in its environment, and reads its stderr. The settings are
checked before anything starts (no emulator, no synth), so each case takes
only an interpreter start. ``make synth`` runs ``main.py`` through the cdktf
CLI, which frames the app's stderr in its own lines: the case runs
``main.py`` as cdktf does and checks the app's own stderr.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from conftest import ROOT

#: name -> (the target's command, the environment it gets, text the one line must contain)
CASES = {
    "run-region": (
        ["-m", "firelens_harness.run", "deploy"],
        {"FIRELENS_REGION": "Tokyo"},
        ("make run:", "region='Tokyo'", "FIRELENS_REGION"),
    ),
    "destroy-region": (
        ["-m", "firelens_harness.run", "destroy"],
        {"FIRELENS_REGION": "Tokyo"},
        ("make destroy:", "region='Tokyo'", "FIRELENS_REGION"),
    ),
    "plan-region": (
        ["-m", "firelens_harness.plan"],
        {"FIRELENS_REGION": "Tokyo"},
        ("make plan:", "region='Tokyo'", "FIRELENS_REGION"),
    ),
    "run-state-bucket": (
        ["-m", "firelens_harness.run", "deploy"],
        {"FIRELENS_STATE_BUCKET": "Bad_Bucket"},
        ("make run:", "Bad_Bucket", "FIRELENS_STATE_BUCKET"),
    ),
    "run-volume-inf": (
        ["-m", "firelens_harness.run", "deploy"],
        {"FIRELENS_LOG_GB_PER_MONTH": "inf"},
        ("FIRELENS_LOG_GB_PER_MONTH='inf'", "finite"),
    ),
    "run-volume-text": (
        ["-m", "firelens_harness.run", "deploy"],
        {"FIRELENS_LOG_GB_PER_MONTH": "lots"},
        ("FIRELENS_LOG_GB_PER_MONTH='lots'",),
    ),
    "synth-region": (["main.py"], {"FIRELENS_REGION": "Tokyo"}, ("main.py:", "region='Tokyo'", "FIRELENS_REGION")),
}


pytestmark = pytest.mark.worker_seconds(7)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_bad_setting_stops_the_target_with_one_line(case: str) -> None:
    args, bad, says = CASES[case]
    # a port nothing listens on: had the check come too late, the run would fail on it, not start an emulator
    env = {**os.environ, **bad, "EMULATOR_PORT": str(_free_port())}
    env.pop("PYTEST_XDIST_WORKER", None)
    done = subprocess.run([sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    lines = done.stderr.strip().splitlines()
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert len(lines) == 1, done.stderr
    assert all(text in lines[0] for text in says), lines[0]
    assert not (ROOT / ".emulator" / f"moto-{env['EMULATOR_PORT']}.pid").exists()
