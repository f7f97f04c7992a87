"""Benchmark: where ``make run``'s time goes, and ``cdktf synth`` end to end.

On a fresh emulator on a free port (its own state folder, so a running
``make run`` is not disturbed), in one run:

- ``cdktf synth`` through the cdktf CLI, end to end (``npx cdktf synth``);
- the first deploy of ``state`` and ``pipeline`` (``cdktf deploy``, as ``make run``), then a
  second one (nothing to change), each timed, with the slowest resource of the first;
- the round trip's phases: the sample app, routing, delivery, read-back and check.

Then it destroys everything and stops the emulator. Usage::

    python -m benchmarks.run_phases
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from firelens_app.config import PipelineConfig
from firelens_app.paths import PROJECT_ROOT
from firelens_harness import run as local_run
from firelens_harness.round_trip import AwsClients, DeployedPipeline, run_round_trip
from firelens_local.emulator import Emulator, free_port

_CREATION = re.compile(r"(\S+): Creation complete after (?:(\d+)m)?(\d+)s")


def _timed(label: str, action: Callable[[], object]) -> float:
    seconds = _timed_quiet(action)
    print(f"{label:<44} {seconds:7.1f} s", flush=True)
    return seconds


def _slowest_creation(logs: list[Path]) -> str:
    """The longest "Creation complete after" among the cdktf logs of one deploy."""
    found = [
        (int(m.group(2) or 0) * 60 + int(m.group(3)), m.group(1))
        for log in logs
        for m in _CREATION.finditer(log.read_text())
    ]
    if not found:
        return "none"
    seconds, address = max(found)
    return f"{address} ({seconds} s)"


def main() -> int:
    config = PipelineConfig.from_env()
    port = free_port()
    os.environ["EMULATOR_PORT"] = str(port)
    with tempfile.TemporaryDirectory() as tmp:
        local_run.STATE_DIR = Path(tmp) / ".emulator"  # this run's pid, logs and run records
        local_run.OUTPUT_DIR = str(Path(tmp) / "cdktf.out.emulator")
        print(f"emulator on port {port}; cdktf output in {local_run.OUTPUT_DIR}\n", flush=True)
        _timed(
            "cdktf synth (npx cdktf synth, end to end)",
            lambda: subprocess.run(
                ["npx", "--no-install", "cdktf", "synth", "--output", str(Path(tmp) / "synth")],
                cwd=PROJECT_ROOT,
                check=True,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            ),
        )
        with Emulator(port, log_path=Path(tmp) / "moto.log"):
            quiet = open(os.devnull, "w")
            stdout, sys.stdout = sys.stdout, quiet
            try:
                first = _timed_quiet(lambda: local_run.deploy())
                # the first deploy's cdktf logs (pipeline alongside the state bootstrap, then state)
                slowest = _slowest_creation(sorted(local_run.STATE_DIR.glob("cdktf-deploy-*.log")))
                second = _timed_quiet(lambda: local_run.deploy())
            finally:
                sys.stdout = stdout
            print(f"{'first deploy (state + pipeline, cdktf deploy)':<44} {first:7.1f} s")
            print(f"{'  slowest resource':<44} {slowest}")
            print(f"{'second deploy (no changes)':<44} {second:7.1f} s")
            pipeline = DeployedPipeline.from_outputs(
                json.loads((local_run.STATE_DIR / "outputs.json").read_text())["pipeline"]
            )
            result = run_round_trip(
                pipeline=pipeline,
                config=config,
                clients=AwsClients.for_endpoint(f"http://127.0.0.1:{port}", config.region),
            )
            for phase, seconds in result.seconds.items():
                print(f"{'round trip: ' + phase:<44} {seconds:7.1f} s")
            stdout, sys.stdout = sys.stdout, quiet
            try:
                destroy = _timed_quiet(lambda: local_run.destroy())
            finally:
                sys.stdout = stdout
            print(f"{'destroy (pipeline, then state)':<44} {destroy:7.1f} s")
    return 0


def _timed_quiet(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


if __name__ == "__main__":
    raise SystemExit(main())
