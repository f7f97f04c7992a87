"""Which log router ``make run`` delivers with: the local stand-in, or a real Fluent Bit.

``ROUTER=stand-in`` (the default) sends each routed copy with the API calls
Fluent Bit's outputs make (:mod:`firelens_local.delivery`). ``ROUTER=fluent-bit``
runs a real Fluent Bit as the log router (:class:`firelens_local.fluent_bit.FluentBitRun`):
the files the router image carries, FireLens's generated config around them,
the image's stop wrapper, fed the app's stdout as Docker's fluentd log driver
feeds FireLens; then it is stopped as ECS stops it (SIGTERM, within its
stopTimeout), and what it delivered is read back with the same check.

The binary: ``FLUENT_BIT=/path/to/fluent-bit``, else what ``make fluent-bit``
built in ``.tools/fluent-bit/``.
"""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from firelens_app.paths import PROJECT_ROOT
from firelens_cdktf.errors import StandInError
from firelens_cdktf.fluentbit.simulator import FirelensContext
from firelens_local.emulator import Emulator
from firelens_local.fluent_bit import FluentBitRun
from firelens_local.forward import ForwardClient

#: Environment variables that choose the router.
ROUTER_ENV = "ROUTER"
BINARY_ENV = "FLUENT_BIT"
STAND_IN = "stand-in"
FLUENT_BIT = "fluent-bit"
#: Where ``make fluent-bit`` puts the binary.
BUILT_BINARY = PROJECT_ROOT / ".tools" / "fluent-bit" / "bin" / "fluent-bit"
#: The router image's stop wrapper, as the image runs it (generated into docker/firelens at synth).
WRAPPER_NAME = "drain-then-stop.sh"
#: Seconds the router may take to stop: the task definition's stopTimeout (Fargate's maximum).
STOP_TIMEOUT_SECONDS = 120


@dataclass(frozen=True)
class RealRouter:
    """A real Fluent Bit to deliver with.

    Attributes:
        binary: The ``fluent-bit`` executable.
        version: What ``fluent-bit --version`` says (first line).
    """

    binary: Path
    version: str


def choose_router(env: Mapping[str, str] | None = None) -> RealRouter | None:
    """The real router ``ROUTER`` asks for, or ``None`` for the stand-in.

    Raises:
        StandInError: ``ROUTER`` is neither value, or ``fluent-bit`` without a runnable binary.
    """
    env = os.environ if env is None else env
    choice = env.get(ROUTER_ENV, "") or STAND_IN
    if choice == STAND_IN:
        return None
    if choice != FLUENT_BIT:
        raise StandInError(
            f"{ROUTER_ENV}={choice}",
            f"is not a router this run knows (allowed: {STAND_IN}, {FLUENT_BIT})",
            f"set {ROUTER_ENV}={FLUENT_BIT} to run the real Fluent Bit, or leave it unset for the stand-in",
        )
    binary = Path(env[BINARY_ENV]) if env.get(BINARY_ENV) else BUILT_BINARY
    if not os.access(binary, os.X_OK):
        raise StandInError(
            f"{ROUTER_ENV}={FLUENT_BIT}",
            f"no Fluent Bit binary at {binary}",
            f"set {BINARY_ENV}=/path/to/fluent-bit, or build one with make fluent-bit SRC=<fluent-bit git dir>",
        )
    if os.geteuid() != 0:
        raise StandInError(
            f"{ROUTER_ENV}={FLUENT_BIT}",
            "the real router runs in private mount and network namespaces, which need root",
            "run make run as root, or leave ROUTER unset for the stand-in",
        )
    version = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=30).stdout
    return RealRouter(binary, (version.splitlines() or ["Fluent Bit (version unknown)"])[0])


@dataclass(frozen=True)
class RouterRun:
    """What the real router did: lines fed, its exit, how long it took to stop, its resources.

    Attributes:
        lines: Lines fed, and pieces (Docker splits lines of 16 KiB or more).
        pieces: Forward messages sent.
        returncode: The router's exit code (0: it flushed everything within its Grace).
        stop_seconds: From SIGTERM to exit.
        cpu_seconds: CPU time of the router.
        peak_rss_bytes: Its peak resident memory.
        log_tail: The end of Fluent Bit's own log (errors and warnings show there).
    """

    lines: int
    pieces: int
    returncode: int | None
    stop_seconds: float
    cpu_seconds: float
    peak_rss_bytes: int
    log_tail: str


def deliver_with_fluent_bit(
    router: RealRouter,
    *,
    router_dir: Path,
    firelens: FirelensContext,
    region: str,
    emulator_port: int,
    container: str,
    lines: Sequence[str],
) -> RouterRun:
    """Run the real router on ``router_dir``'s files, feed it ``lines`` of ``container``, stop it, report.

    Raises:
        StandInError: the router did not exit cleanly within the stopTimeout.
    """
    wrapper = router_dir / WRAPPER_NAME
    with FluentBitRun(
        binary=router.binary,
        router_dir=router_dir,
        firelens=firelens,
        region=region,
        emulator=Emulator(emulator_port),
        wrapper=wrapper if wrapper.exists() else None,
    ) as run:
        with ForwardClient(run.socket_path) as client:
            fed = client.send_lines(firelens, container, lines)
        started = time.monotonic()
        run.stop()
        returncode = run.wait(STOP_TIMEOUT_SECONDS)
        stopped = time.monotonic() - started
        log_tail = run.log_text()[-2000:]
        result = RouterRun(
            lines=fed.lines,
            pieces=fed.records,
            returncode=returncode,
            stop_seconds=stopped,
            cpu_seconds=run.cpu_seconds or 0.0,
            peak_rss_bytes=run.peak_rss_bytes or 0,
            log_tail=log_tail,
        )
    if result.returncode != 0:
        raise StandInError(
            f"the real log router ({router.version})",
            f"exited {result.returncode} {result.stop_seconds:.1f} s after SIGTERM; its log ends:\n{result.log_tail}",
            "read the log above: an output it could not reach, or a config Fluent Bit refused",
        )
    return result
