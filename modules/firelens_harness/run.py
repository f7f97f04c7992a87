"""``make run`` and ``make destroy``: the whole pipeline on the local emulator, end to end.

What the Makefile calls::

    python -m firelens_harness.run deploy                # make run: deploy, then the round trip and the report
    python -m firelens_harness.run deploy --deploy-only  # only start the emulator, deploy, print outputs
    python -m firelens_harness.run destroy               # make destroy: destroy what deploy created

``deploy`` shows numbered steps: start the emulator (moto) unless it runs;
deploy ``state`` then ``pipeline`` with ``cdktf deploy``; then the round
trip of :mod:`firelens_harness.round_trip` (run the sample app, route its lines with
the files the log router image carries, deliver them with the local
stand-in for the log router, read them back and check them exactly); then
the report of :mod:`firelens_harness.report`, with a cost estimate scaled to
``FIRELENS_LOG_GB_PER_MONTH`` GB of logs a month (default 1,000, "1 TB").
Any failure exits non-zero with the reason.

The emulator gets its own cdktf output directory (``cdktf.out.emulator``):
the synthesized JSON is byte-for-byte what ``cdktf deploy`` sends to a real
account, but local state files never mix with a real account's.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from firelens_app.config import PipelineConfig, pipeline_routing
from firelens_app.paths import PROJECT_ROOT
from firelens_cdktf.cost.estimate import DEFAULT_VOLUME_GB, VOLUME_ENV, estimate
from firelens_cdktf.cost.prices import prices_for
from firelens_cdktf.errors import FirelensError
from firelens_harness.report import render_report
from firelens_harness.round_trip import AwsClients, DeployedPipeline, run_round_trip
from firelens_harness.router_mode import choose_router
from firelens_local.emulator import (
    FAKE_CREDENTIALS,
    Emulator,
    empty_bucket,
    emulator_env,
    env_port,
    is_up,
    listener,
    log_file,
    pidfile,
)
from firelens_local.state import RunRecord, check_locks, destroy_state_stack, ensure_state_stack
from firelens_local.synth import synth_app
from firelens_local.terraform import terraform

#: Stacks deployed to the emulator, in dependency order.
STACKS: tuple[str, ...] = ("state", "pipeline")
OUTPUT_DIR = "cdktf.out.emulator"
STATE_DIR = Path(".emulator")
#: Exit status after Ctrl-C (128 + SIGINT, as shells report it).
INTERRUPTED = 130


class Steps:
    """Numbered progress lines: ``[n/total] title``, details indented below.

    Args:
        total: how many steps there will be.
    """

    def __init__(self, total: int) -> None:
        self.total = total
        self.number = 0
        self.title = ""

    def step(self, title: str) -> None:
        """Start the next step."""
        self.number += 1
        self.title = title
        print(f"[{self.number}/{self.total}] {title}", flush=True)

    def detail(self, text: str) -> None:
        """A line about the current step."""
        for line in text.splitlines():
            print(f"    {line}", flush=True)

    @property
    def current(self) -> str:
        """``step n/total (title)``."""
        return f"step {self.number}/{self.total} ({self.title})"


def _volume_gb(raw: str | None) -> float:
    """The estimate's volume from ``--gb-per-month`` or :data:`VOLUME_ENV`."""
    text = raw if raw is not None else os.environ.get(VOLUME_ENV, "")
    if not text:
        return DEFAULT_VOLUME_GB
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not (value > 0 and math.isfinite(value)):
        raise SystemExit(
            f"{VOLUME_ENV}={text!r} is not a positive, finite number of GB a month; e.g. {VOLUME_ENV}=5000"
        )
    return value


def _port() -> int:
    return env_port()


def _s3(endpoint: str, region: str) -> Any:
    import boto3  # dev dependency: only the emulator commands need it

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )


_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
#: cdktf's lines worth showing as progress; the whole output goes to a log file.
_PROGRESS = re.compile(
    r"(Creation|Modifications|Destruction) complete|Apply complete|Destroy complete|No changes|"
    r"Error|error:|Warning:|Plan:"
)


def _cdktf(args: list[str], env: dict[str, str], *, log_name: str | None = None) -> None:
    """Run the cdktf CLI; show resource progress and errors, keep the full output in .emulator/."""
    cmd = ["npx", "--no-install", "cdktf", *args, "--output", OUTPUT_DIR]
    STATE_DIR.mkdir(exist_ok=True)
    log_path = STATE_DIR / (log_name or f"cdktf-{args[0]}-{args[1]}.log")
    print(f"  $ {' '.join(cmd)}   (full output: {log_path})", flush=True)
    with (
        subprocess.Popen(
            cmd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
        ) as proc,
        open(log_path, "w") as log,
    ):
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


def _prepare(stacks: tuple[str, ...], env: dict[str, str]) -> None:
    """Synthesize, and give each stack a provider lock file before ``cdktf deploy`` runs.

    Without one, ``cdktf deploy`` runs ``terraform providers lock``, which asks
    the registry even when the CLI config installs providers from a mirror,
    and so fails on machines that have only the mirror. ``terraform init``
    honours the mirror and writes the lock file itself.
    """
    synth_app(OUTPUT_DIR, app_dir=PROJECT_ROOT, env=env)
    for stack in stacks:
        if not (Path(OUTPUT_DIR) / "stacks" / stack / ".terraform.lock.hcl").exists():
            terraform(Path(OUTPUT_DIR) / "stacks" / stack, "init", "-backend=false", "-input=false", env=env)


def _start_emulator(port: int, steps: Steps) -> str:
    """The emulator's endpoint, started in the background unless a moto server already answers there."""
    endpoint = f"http://127.0.0.1:{port}"
    if is_up(endpoint):
        steps.step(f"emulator already running on {endpoint}")
        return endpoint
    steps.step(f"starting the emulator (moto server) on {endpoint}")
    STATE_DIR.mkdir(exist_ok=True)
    emu = Emulator(port, log_path=log_file(STATE_DIR, port)).start(detach=True)
    assert emu.process is not None
    pidfile(STATE_DIR, port).write_text(str(emu.process.pid))
    return endpoint


def deploy(stacks: tuple[str, ...] = STACKS, steps: Steps | None = None) -> dict[str, dict[str, str]]:
    """Start the emulator unless it runs, deploy ``stacks``, return their outputs.

    Args:
        stacks: the stacks, in dependency order.
        steps: where progress goes. Default: three numbered steps of its own
            (emulator, deploy, outputs); given one, it takes two steps of it
            and shows the outputs under the second.
    """
    config = PipelineConfig.from_env()
    port = _port()
    own_steps = steps is None
    steps = steps or Steps(3)
    endpoint = _start_emulator(port, steps)
    env = {**os.environ, **emulator_env(endpoint, config.region)}
    steps.step(f"deploying {', '.join(stacks)} with cdktf deploy")
    s3 = _s3(endpoint, config.region)
    check_locks(
        s3, config.state_bucket, record=RunRecord.load(STATE_DIR, port), output_dir=OUTPUT_DIR, say=steps.detail
    )
    RunRecord.begin(STATE_DIR, port)
    _prepare(stacks, env)
    if "state" in stacks:
        ensure_state_stack(
            Path(OUTPUT_DIR) / "stacks" / "state", bucket=config.state_bucket, s3=s3, env=env, say=steps.detail
        )
    # One cdktf call for every stack (in dependency order), on the synth _prepare made: the state
    # bucket the others' backends need exists by now (ensure_state_stack), so cdktf may initialise
    # them all up front.
    outputs_file = STATE_DIR / "outputs-deploy.json"
    _cdktf(
        ["deploy", *stacks, "--auto-approve", "--skip-synth", "--outputs-file", str(outputs_file)],
        env,
        log_name=f"cdktf-deploy-{'-'.join(stacks)}.log",
    )
    outputs: dict[str, dict[str, str]] = json.loads(outputs_file.read_text())
    (STATE_DIR / "outputs.json").write_text(json.dumps(outputs, indent=2, sort_keys=True) + "\n")
    if own_steps:
        steps.step("outputs")
    else:
        steps.detail(f"outputs (also in {STATE_DIR / 'outputs.json'}):")
    for stack, values in outputs.items():
        for name, value in sorted(values.items()):
            print(f"  {stack}.{name} = {value}")
    if own_steps:
        print(
            f"\nThe emulator keeps running on {endpoint}: 'make destroy' removes the resources, 'make stop' stops it."
        )
    return outputs


def run(volume_gb: float) -> None:
    """``make run``: deploy, then the round trip, then the report.

    Raises:
        SystemExit: any step failed; the message names the step and the reason.
    """
    config = PipelineConfig.from_env()
    real_router = choose_router()  # first: a wrong ROUTER fails before anything is deployed
    endpoint = f"http://127.0.0.1:{_port()}"
    steps = Steps(7)
    outputs = deploy(STACKS, steps)
    try:
        pipeline = DeployedPipeline.from_outputs(outputs["pipeline"])
        result = run_round_trip(
            pipeline=pipeline,
            config=config,
            clients=AwsClients.for_endpoint(endpoint, config.region),
            progress=steps,
            real_router=real_router,
            emulator_port=_port(),
        )
        steps.step("report")
        try:
            prices = prices_for(config.region)
        except KeyError as missing:
            prices, note = None, str(missing.args[0])
        else:
            note = ""
        cost = estimate(result.traffic_mix(), volume_gb, prices) if prices else None
        print()
        print(
            render_report(
                result, pipeline, region=config.region, endpoint=endpoint, estimate=cost, prices=prices, cost_note=note
            ),
            end="",
        )
    except (FirelensError, RuntimeError, KeyError, BotoCoreError, ClientError) as error:
        raise SystemExit(f"make run failed at {steps.current}:\n{error}") from error
    print(
        f"\nThe emulator keeps running on {endpoint}: run 'make run' again to deliver another task's logs, "
        "'make destroy' removes the resources, 'make stop' stops it."
    )


def _archive_buckets(config: PipelineConfig) -> list[str]:
    """The pipeline's archive buckets: from the last deploy's outputs, and from the routes."""
    names = {config.archive_bucket(stream) for stream in pipeline_routing(config).delivery_stream_names}
    outputs_file = STATE_DIR / "outputs.json"
    if outputs_file.exists():
        names.update(json.loads(outputs_file.read_text()).get("pipeline", {}).get("archive_buckets", []))
    return sorted(names)


def destroy(stacks: tuple[str, ...] = STACKS) -> None:
    """Destroy ``stacks`` (in reverse dependency order) on the running emulator."""
    config = PipelineConfig.from_env()
    port = _port()
    endpoint = f"http://127.0.0.1:{port}"
    if not is_up(endpoint):
        holder = listener(port)
        if holder is not None:
            raise SystemExit(
                f"make destroy: port {port} is held by {holder}, not a moto server: nothing of this "
                f"project's is deployed there. Fix: set EMULATOR_PORT to the port 'make run' used"
            )
        raise SystemExit(
            f"no emulator answers on {endpoint}: nothing to destroy (its resources vanished when it stopped)"
        )
    env = {**os.environ, **emulator_env(endpoint, config.region)}
    s3 = _s3(endpoint, config.region)
    check_locks(s3, config.state_bucket, record=RunRecord.load(STATE_DIR, port), output_dir=OUTPUT_DIR, say=print)
    RunRecord.begin(STATE_DIR, port)
    _prepare(stacks, env)
    for stack in reversed(stacks):
        if stack == "pipeline":
            # `make run` delivered logs into the archive buckets, whose
            # force_destroy is off so that a real account's archive is never
            # deleted by accident. On the emulator, empty them first.
            for bucket in _archive_buckets(config):
                empty_bucket(endpoint, config.region, bucket)
        if stack == "state":
            # Last: the bucket holds every stack's state, its own included. force_destroy is off so
            # that a real account's state is never deleted by accident; on the emulator it is emptied.
            destroy_state_stack(
                Path(OUTPUT_DIR) / "stacks" / "state",
                bucket=config.state_bucket,
                env=env,
                say=print,
                empty=lambda: empty_bucket(endpoint, config.region, config.state_bucket),
            )
            continue
        _cdktf(["destroy", stack, "--auto-approve", "--skip-synth", "--ignore-missing-stack-dependencies"], env)


def main(argv: list[str] | None = None) -> int:
    """Command line; exit status 0, or a SystemExit with the reason."""
    parser = argparse.ArgumentParser(prog="python -m firelens_harness.run")
    parser.add_argument("command", choices=["deploy", "destroy"])
    parser.add_argument(
        "--deploy-only",
        action="store_true",
        help="deploy and print the outputs; skip the app, delivery, check and report",
    )
    parser.add_argument(
        "--gb-per-month",
        metavar="GB",
        help=f"app log volume the cost estimate scales to (default: ${VOLUME_ENV} or 1000)",
    )
    args = parser.parse_args(argv)
    try:
        if args.command == "destroy":
            destroy()
        elif args.deploy_only:
            deploy()
        else:
            run(_volume_gb(args.gb_per_month))
    except FirelensError as error:  # bad settings, a failed synth or Terraform: the message says it all
        raise SystemExit(f"make {'destroy' if args.command == 'destroy' else 'run'}: {error}") from None
    except KeyboardInterrupt:
        target = "destroy" if args.command == "destroy" else "run"
        print(
            f"\nmake {target}: interrupted. A state lock Terraform may have left is cleared by the next "
            f"'make {target}' when it is this clone's; otherwise 'make unlock' names and clears it.",
            file=sys.stderr,
        )
        raise SystemExit(INTERRUPTED) from None
    return 0


if __name__ == "__main__":
    sys.exit(main())
