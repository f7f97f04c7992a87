"""Deploy the app's stacks to the local emulator with ``cdktf deploy``.

What ``make run`` and ``make destroy`` call::

    python -m modules.local_run deploy   # start the emulator if needed, deploy, print outputs
    python -m modules.local_run destroy  # destroy what deploy created

The emulator gets its own cdktf output directory (``cdktf.out.emulator``):
the synthesized JSON is byte-for-byte what ``cdktf deploy`` sends to a real
account, but local state files never mix with a real account's.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from .config import PipelineConfig
from .emulator import DEFAULT_PORT, Emulator, emulator_env, empty_bucket, is_up

#: Stacks deployed to the emulator, in dependency order.
STACKS: tuple[str, ...] = ("state", "pipeline")
OUTPUT_DIR = "cdktf.out.emulator"
STATE_DIR = Path(".emulator")


def _port() -> int:
    raw = os.environ.get("EMULATOR_PORT", str(DEFAULT_PORT))
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise SystemExit(f"EMULATOR_PORT={raw!r} is not a TCP port; use a number from 1 to 65535, e.g. EMULATOR_PORT=4567")
    return int(raw)


_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
#: cdktf's lines worth showing as progress; the whole output goes to a log file.
_PROGRESS = re.compile(
    r"(Creation|Modifications|Destruction) complete|Apply complete|Destroy complete|No changes|"
    r"Error|error:|Warning:|Plan:"
)


def _cdktf(args: list[str], env: dict[str, str]) -> None:
    """Run the cdktf CLI; show resource progress and errors, keep the full output in .emulator/."""
    cmd = ["npx", "--no-install", "cdktf", *args, "--output", OUTPUT_DIR]
    STATE_DIR.mkdir(exist_ok=True)
    log_path = STATE_DIR / f"cdktf-{args[0]}-{args[1]}.log"
    print(f"  $ {' '.join(cmd)}   (full output: {log_path})", flush=True)
    with subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True, errors="replace") as proc, \
            open(log_path, "w") as log:
        assert proc.stdout is not None
        shown: set[str] = set()
        for raw in proc.stdout:
            line = _ANSI.sub("", raw).rstrip()
            log.write(line + "\n")
            text = line.strip(" │╷╵")
            if text and _PROGRESS.search(text) and text not in shown:  # cdktf repeats lines on redraw
                shown.add(text)
                print(f"    {text}", flush=True)
    if proc.returncode != 0:
        raise SystemExit(f"cdktf {args[0]} {args[1]} failed with exit code {proc.returncode}; see {log_path}")


def _ensure_lockfiles(stacks: tuple[str, ...], env: dict[str, str]) -> None:
    """Give each stack a provider lock file before ``cdktf deploy`` runs.

    Without one, ``cdktf deploy`` runs ``terraform providers lock``, which asks
    the registry even when the CLI config installs providers from a mirror,
    and so fails on machines that have only the mirror. ``terraform init``
    honours the mirror and writes the lock file itself.
    """
    missing = [s for s in stacks if not (Path(OUTPUT_DIR) / "stacks" / s / ".terraform.lock.hcl").exists()]
    if not missing:
        return
    subprocess.run([sys.executable, "main.py"], env={**env, "CDKTF_OUTDIR": OUTPUT_DIR}, check=True)
    for stack in missing:
        workdir = Path(OUTPUT_DIR) / "stacks" / stack
        result = subprocess.run(["terraform", "init", "-backend=false", "-input=false", "-no-color"],
                                cwd=workdir, env=env, capture_output=True, text=True)
        if result.returncode != 0:
            raise SystemExit(f"terraform init in {workdir} failed:\n{result.stdout}{result.stderr}")


def deploy(stacks: tuple[str, ...] = STACKS) -> dict[str, dict[str, str]]:
    """Start the emulator unless it runs, deploy ``stacks``, return their outputs."""
    config = PipelineConfig.from_env()
    port = _port()
    endpoint = f"http://127.0.0.1:{port}"
    if is_up(endpoint):
        print(f"[1/3] emulator already running on {endpoint}", flush=True)
    else:
        print(f"[1/3] starting the emulator (moto server) on {endpoint}", flush=True)
        STATE_DIR.mkdir(exist_ok=True)
        emu = Emulator(port, log_path=STATE_DIR / "moto.log").start(detach=True)
        assert emu.process is not None
        (STATE_DIR / "moto.pid").write_text(str(emu.process.pid))
    env = {**os.environ, **emulator_env(endpoint, config.region)}
    print(f"[2/3] deploying {', '.join(stacks)} with cdktf deploy", flush=True)
    _ensure_lockfiles(stacks, env)
    outputs: dict[str, dict[str, str]] = {}
    # One stack at a time: cdktf initialises every stack it is given before
    # applying any, and `pipeline`'s backend needs the bucket `state` creates.
    for stack in stacks:
        outputs_file = STATE_DIR / f"outputs-{stack}.json"
        _cdktf(["deploy", stack, "--auto-approve", "--ignore-missing-stack-dependencies",
                "--outputs-file", str(outputs_file)], env)
        outputs.update(json.loads(outputs_file.read_text()))
    (STATE_DIR / "outputs.json").write_text(json.dumps(outputs, indent=2, sort_keys=True) + "\n")
    print("[3/3] outputs", flush=True)
    for stack, values in outputs.items():
        for name, value in sorted(values.items()):
            print(f"  {stack}.{name} = {value}")
    print(f"\nThe emulator keeps running on {endpoint}: 'make destroy' removes the resources, 'make stop' stops it.")
    return outputs


def destroy(stacks: tuple[str, ...] = STACKS) -> None:
    """Destroy ``stacks`` (in reverse dependency order) on the running emulator."""
    config = PipelineConfig.from_env()
    endpoint = f"http://127.0.0.1:{_port()}"
    if not is_up(endpoint):
        raise SystemExit(f"no emulator answers on {endpoint}: nothing to destroy (its resources vanished when it stopped)")
    env = {**os.environ, **emulator_env(endpoint, config.region)}
    for stack in reversed(stacks):
        if stack == "state":
            # The state bucket still holds the other stacks' (now empty) state
            # files, and force_destroy is off so that a real account's state
            # is never deleted by accident. On the emulator, empty it first.
            empty_bucket(endpoint, config.region, config.state_bucket)
        _cdktf(["destroy", stack, "--auto-approve", "--ignore-missing-stack-dependencies"], env)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m modules.local_run")
    parser.add_argument("command", choices=["deploy", "destroy"])
    args = parser.parse_args(argv)
    if args.command == "deploy":
        deploy()
    else:
        destroy()
    return 0


if __name__ == "__main__":
    sys.exit(main())
