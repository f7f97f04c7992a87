"""Benchmark: the real log router's CPU per GB and peak memory, shipped config against the article's, and end to end.

On the same generated sample-app lines (:func:`benchmarks.preview.rails_lines`,
each carrying a sequence number as :mod:`firelens_harness.faults` tags them),
in one run:

1. **Pipeline cost, side by side.** The real Fluent Bit as the FireLens log
   router (:class:`firelens_local.fluent_bit.FluentBitRun`, FireLens's
   generated config around the file) with a copy of the shipped config
   (``docker/firelens/extra.conf``) and a copy of the article's hand-written
   one (``tests/fixtures/article/extra.conf``), each with every ``[OUTPUT]``
   turned into ``null`` (its ``Name`` replaced, the plugin's own keys
   dropped: ``null`` refuses them). Nothing leaves the process: what is
   measured is the input, the filters, the emitters and the buffering. The
   lines go in at a fixed rate (``--mb-per-second``; the article's config
   buffers in memory, and a faster feed would pause its input). CPU is the
   Fluent Bit process's own (``/proc``: user + system) from before the first
   line to when it stops growing, per GB of app stdout; the rounds alternate
   the two configs; medians of ``--rounds`` (3) and the ratio shipped/article.
   Peak RSS is the process's ``VmHWM``.
2. **End to end.** The shipped files as shipped (real outputs, the stop
   wrapper) against the emulator, through the run's TLS proxy, at
   ``--e2e-mb-per-second`` (1 MB/s) for ``--e2e-seconds`` (60 s); every record
   read back and matched by its sequence number (:class:`firelens_harness.faults.Rig`):
   lost must be 0. Its CPU per GB includes the outputs' JSON, HTTP and TLS work.
3. **Sizing.** vCPU per MB/s of logs follows from CPU seconds per GB (a
   vCPU-second per second at 1 MB/s is 1000 s/GB); memory from the peak
   RSS. Printed beside AWS's FireLens guidance (aws/aws-for-fluent-bit,
   ``troubleshooting/debugging.md``, as issue 23 quotes it: 2 MB/s or more
   from one router is "high throughput"; at several MB/s give it at least
   0.5 vCPU and 250 MB).

Needs root and a Fluent Bit binary (``FLUENT_BIT=/path``, else ``make
fluent-bit``'s). All traffic stays on loopback.

Usage::

    python -m benchmarks.router                       # 100 MB a round, 3 rounds, then 60 s at 1 MB/s end to end
    python -m benchmarks.router --mb 300 --rounds 5
    python -m benchmarks.router --skip-e2e
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import socket
import statistics
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

import firelens_cdktf.lint.sizing as sizing
from benchmarks.preview import rails_lines
from firelens_cdktf.errors import StandInError
from firelens_cdktf.fluentbit.simulator import FirelensContext
from firelens_harness.faults import CONTAINER, REGION, Rig, ScenarioResult, find_router, tag_line
from firelens_harness.router_mode import RealRouter
from firelens_local.emulator import Emulator
from firelens_local.fluent_bit import FluentBitRun
from firelens_local.forward import Rate, docker_messages
from firelens_local.msgpack_encoder import EventTime

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "docker" / "firelens"
ARTICLE = ROOT / "tests" / "fixtures" / "article"
#: Keys every output takes (src/flb_output.c's own config map); ``null`` refuses the plugins' own keys.
_OUTPUT_KEYS = {
    "name",
    "match",
    "match_regex",
    "alias",
    "retry_limit",
    "workers",
    "log_level",
    "storage.total_limit_size",
}
#: Distinct lines generated; the feed cycles through them (Fluent Bit's cost does not depend on repeats).
DISTINCT_LINES = 20_000
#: A write's size when feeding the pre-encoded stream.
_WRITE = 64 * 1024
#: AWS's FireLens guidance, as issue 23 quotes aws/aws-for-fluent-bit troubleshooting/debugging.md.
AWS_HIGH_THROUGHPUT_MB_S = 2.0
AWS_MIN_VCPU = 0.5
AWS_MIN_MEMORY_MB = 250


def null_outputs(text: str) -> str:
    """``text`` (a classic-mode config) with every ``[OUTPUT]``'s ``Name`` replaced by ``null`` and the keys
    ``null`` does not take dropped.

    Example:
        >>> print(null_outputs("[OUTPUT]\\n    Name cloudwatch_logs\\n    Match *\\n    region x\\n"), end="")
        [OUTPUT]
            Name null
            Match *
    """
    out = []
    in_output = False
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("["):
            in_output = stripped.lower() == "[output]"
        elif in_output and stripped and not stripped.startswith("#"):
            key = stripped.split(None, 1)[0]
            if key.lower() == "name":
                line = re.sub(r"(?i)(name\s+)\S+", r"\1null", line, count=1)
            elif key.lower() not in _OUTPUT_KEYS:
                continue
        out.append(line)
    return "\n".join(out) + "\n"


def null_copy(source: Path, target: Path) -> Path:
    """A copy of router folder ``source`` in ``target`` whose ``extra.conf`` has only ``null`` outputs."""
    target.mkdir(parents=True)
    for path in source.iterdir():
        if path.is_file() and path.name != "extra.conf":
            shutil.copy(path, target / path.name)
    (target / "extra.conf").write_text(null_outputs((source / "extra.conf").read_text()))
    return target


def generated_lines(count: int) -> list[str]:
    """``count`` distinct generated sample-app lines (:func:`benchmarks.preview.rails_lines`)."""
    return list(islice(rails_lines(), count))


@dataclass(frozen=True)
class Stream:
    """The feed, encoded once: forward Messages as Docker sends them, and the stdout bytes they carry."""

    wire: bytes
    line_bytes: int
    lines: int
    records: int


def encode(firelens: FirelensContext, lines: list[str], total_mb: float) -> Stream:
    """Messages for ``lines``, each numbered as the fault scenarios number theirs, cycled until about
    ``total_mb`` MB of stdout."""
    lines = [tag_line(line, seq) for seq, line in enumerate(lines, start=1)]
    stamp = EventTime.from_seconds(time.time())
    one = b"".join(
        data for n, line in enumerate(lines, start=1) for data in docker_messages(firelens, CONTAINER, line, n, stamp)
    )
    line_bytes = sum(len(line.encode()) + 1 for line in lines)
    records = sum(len(firelens.wrap_line(CONTAINER, line, 1)) for line in lines)
    copies = max(1, round(total_mb * 1e6 / line_bytes))
    return Stream(one * copies, line_bytes * copies, len(lines) * copies, records * copies)


def send(path: Path, stream: Stream, mb_per_second: float) -> float:
    """Write ``stream`` to the router's socket at ``mb_per_second`` of stdout; the seconds it took."""
    wire_per_second = mb_per_second * 1e6 * len(stream.wire) / stream.line_bytes
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(30)
        sock.connect(str(path))
        start = time.monotonic()
        view = memoryview(stream.wire)
        for offset in range(0, len(view), _WRITE):
            due = start + offset / wire_per_second
            pause = due - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            sock.sendall(view[offset : offset + _WRITE])
        return time.monotonic() - start


@dataclass(frozen=True)
class Round:
    """One config's measurement."""

    cpu_seconds: float
    peak_rss_bytes: int
    idle_rss_bytes: int
    send_seconds: float
    paused: bool
    #: Records FireLens's forward input took in, where the config's HTTP server tells (the shipped one's does).
    ingested: int | None


def settle(run: FluentBitRun, timeout: float = 120.0) -> float:
    """Wait until the router's CPU time stops growing (it has processed what it was sent); that CPU time."""
    deadline = time.monotonic() + timeout
    last = run.sample()
    while time.monotonic() < deadline:
        time.sleep(1.0)
        now = run.sample()
        if now is None or last is None:
            raise RuntimeError(f"fluent-bit exited while measured; log:\n{run.log_text()[-2000:]}")
        if now.cpu_seconds - last.cpu_seconds < 0.02:  # under 2 % of a core: idle timers only
            return now.cpu_seconds
        last = now
    raise RuntimeError(f"fluent-bit still busy {timeout:.0f} s after the feed")


def measure(router: RealRouter, router_dir: Path, stream: Stream, firelens: FirelensContext, rate: float) -> Round:
    """One round: start the router on ``router_dir``, feed ``stream``, let it finish; its CPU and memory."""
    with FluentBitRun(
        binary=router.binary, router_dir=router_dir, firelens=firelens, region=REGION, emulator=Emulator()
    ) as run:
        time.sleep(1.0)
        idle = run.sample()
        if idle is None:
            raise RuntimeError("fluent-bit is not running")
        seconds = send(run.socket_path, stream, rate)
        busy = settle(run)
        return Round(
            cpu_seconds=busy - idle.cpu_seconds,
            peak_rss_bytes=run.peak_rss_bytes or 0,
            idle_rss_bytes=idle.rss_bytes,
            send_seconds=seconds,
            paused="paused" in run.log_text(),
            ingested=_ingested(run),
        )


def _ingested(run: FluentBitRun) -> int | None:
    """Records the first forward input (FireLens's unix socket) took in, from ``/api/v1/metrics``; ``None``
    without the HTTP server."""
    if run.http_address is None:
        return None
    status, body = run.http_get("/api/v1/metrics")
    if status != 200:
        return None
    return int(json.loads(body)["input"]["forward.0"]["records"])


@dataclass(frozen=True)
class EndToEnd:
    """The shipped router against the emulator at a fixed rate: what :class:`~firelens_harness.faults.Rig` read
    back, and the router's CPU (Fluent Bit's own, from the first line to the last record stored) and peak RSS."""

    mb: float
    seconds: float
    result: ScenarioResult
    cpu_seconds: float


def end_to_end(router: RealRouter, lines: list[str], mb_per_second: float, seconds: float) -> EndToEnd:
    """Feed ``lines`` (cycled, numbered) at ``mb_per_second`` for ``seconds`` to the shipped router as shipped;
    read everything back."""
    per_line = sum(len(line.encode()) + 1 for line in lines) / len(lines)
    with tempfile.TemporaryDirectory(prefix="bench-router-") as work, Rig(router, Path(work)) as rig:
        started = time.monotonic()
        run = rig.router_run
        before = run.sample()
        numbered = rig.lines(lines, int(mb_per_second * 1e6 * seconds / per_line))
        fed = rig.feed(numbered, Rate(bytes_per_second=mb_per_second * 1e6))
        rig.wait_delivered()
        after = run.sample()
        result = rig.result("end to end", f"{mb_per_second:g} MB/s for {seconds:g} s", started)
    cpu = (after.cpu_seconds if after else 0.0) - (before.cpu_seconds if before else 0.0)
    return EndToEnd(fed.line_bytes / 1e6, fed.seconds, result, cpu)


def _mib(value: float) -> str:
    return f"{value / 2**20:.0f} MiB"


def side_by_side(
    router: RealRouter, stream: Stream, firelens: FirelensContext, rounds: int, rate: float
) -> dict[str, list[Round]]:
    """The rounds of each config, alternating, each in a fresh router."""
    measured: dict[str, list[Round]] = {"shipped": [], "article": []}
    with tempfile.TemporaryDirectory(prefix="bench-router-") as work:
        folders = {
            "shipped": null_copy(SHIPPED, Path(work) / "shipped"),
            "article": null_copy(ARTICLE, Path(work) / "article"),
        }
        for number in range(1, rounds + 1):
            for name, folder in folders.items():
                one = measure(router, folder, stream, firelens, rate)
                measured[name].append(one)
                notes = "  (an input paused: records dropped)" if one.paused else ""
                if one.ingested is not None and one.ingested != stream.records:
                    notes += f"  (took in {one.ingested:,} of {stream.records:,} records)"
                print(
                    f"  round {number} {name:<8} {one.cpu_seconds:6.2f} CPU s  peak {_mib(one.peak_rss_bytes)}{notes}"
                )
    return measured


def print_side_by_side(measured: dict[str, list[Round]], gb: float) -> dict[str, float]:
    """The medians and the ratio; each config's median CPU seconds per GB."""
    per_gb = {name: statistics.median(r.cpu_seconds for r in rounds) / gb for name, rounds in measured.items()}
    print(f"{'config (outputs null)':<22} {'CPU s/GB median':>16} {'min..max':>14} {'peak RSS':>9} {'idle RSS':>9}")
    for name, rounds in measured.items():
        spread = f"{min(r.cpu_seconds for r in rounds) / gb:.1f}..{max(r.cpu_seconds for r in rounds) / gb:.1f}"
        peak = max(r.peak_rss_bytes for r in rounds)
        idle = statistics.median(r.idle_rss_bytes for r in rounds)
        print(f"{name:<22} {per_gb[name]:>16.1f} {spread:>14} {_mib(peak):>9} {_mib(idle):>9}")
    peaks = {name: max(r.peak_rss_bytes for r in rounds) for name, rounds in measured.items()}
    print(
        f"ratio shipped/article: CPU per GB {per_gb['shipped'] / per_gb['article']:.2f}, "
        f"peak RSS {peaks['shipped'] / peaks['article']:.2f}"
    )
    if any(r.paused for rounds in measured.values() for r in rounds):
        print("warning: an input paused in some round (see above): that round's CPU covers fewer records")
    return per_gb


def print_end_to_end(e2e: EndToEnd) -> float:
    """The end-to-end figures; the router's CPU seconds per GB there."""
    total = e2e.result.total
    per_gb = e2e.cpu_seconds / (e2e.mb / 1e3)
    print(
        f"end to end, shipped files as shipped (real outputs, stop wrapper), {e2e.mb:.0f} MB in {e2e.seconds:.0f} s "
        f"({e2e.mb / e2e.seconds:.2f} MB/s, {e2e.result.lines:,} lines) to the emulator over TLS:"
    )
    print(
        f"  expected {total.expected:,}  delivered {total.delivered:,}  lost {total.lost:,}  "
        f"duplicated {total.duplicated:,}  unexpected {total.unexpected:,}"
    )
    print(
        f"  router CPU {per_gb:.1f} s/GB (the outputs' JSON, HTTP and TLS included), "
        f"peak RSS {_mib(e2e.result.peak_rss_bytes or 0)}"
    )
    for problem in e2e.result.problems():
        print(f"  PROBLEM: {problem}")
    return per_gb


def print_sizing(cpu_per_gb: float, peak_rss: int, basis: str) -> None:
    """vCPU and memory per MB/s of logs, beside AWS's guidance."""
    vcpu_per_mb_s = cpu_per_gb / 1000  # CPU s per GB = vCPU-seconds per 1,000 MB; at 1 MB/s, vCPU busy
    print(f"sizing ({basis}): {vcpu_per_mb_s:.3f} vCPU per MB/s of logs; peak RSS {_mib(peak_rss)}")
    for rate in (1.0, AWS_HIGH_THROUGHPUT_MB_S, 5.0):
        print(f"  {rate:g} MB/s: {rate * vcpu_per_mb_s:.2f} vCPU busy")
    print(
        f"AWS's FireLens guidance: {AWS_HIGH_THROUGHPUT_MB_S:g} MB/s or more is high throughput; at several MB/s "
        f"at least {AWS_MIN_VCPU} vCPU and {AWS_MIN_MEMORY_MB} MB. Measured here: 5 MB/s keeps "
        f"{5 * vcpu_per_mb_s:.2f} vCPU busy ({5 * vcpu_per_mb_s / AWS_MIN_VCPU:.0%} of AWS's {AWS_MIN_VCPU}); "
        f"peak RSS {peak_rss / 1e6:.0f} MB ({peak_rss / 1e6 / AWS_MIN_MEMORY_MB:.0%} of {AWS_MIN_MEMORY_MB} MB)."
    )
    print(
        f"the lint's sizing rule (firelens_cdktf.lint.sizing) assumes {sizing.CPU_SECONDS_PER_GB:g} CPU s/GB "
        f"(x{sizing.HEADROOM:g}); this run: {cpu_per_gb:.0f} ({cpu_per_gb / sizing.CPU_SECONDS_PER_GB:.2f} of it). "
        "Update CPU_SECONDS_PER_GB there when this moves."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.router", description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--mb", type=float, default=100.0, help="MB of app stdout per round (default: 100)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of each config, alternating (default: 3)")
    parser.add_argument("--mb-per-second", type=float, default=4.0, help="feed rate of the CPU rounds (default: 4)")
    parser.add_argument("--e2e-mb-per-second", type=float, default=1.0, help="end-to-end rate (default: 1)")
    parser.add_argument("--e2e-seconds", type=float, default=60.0, help="end-to-end duration (default: 60)")
    parser.add_argument("--skip-e2e", action="store_true", help="only the side-by-side CPU and memory")
    args = parser.parse_args(argv)
    try:
        router = find_router()
    except StandInError as error:
        print(f"make bench-router: {error}", file=sys.stderr)
        return 2

    lines = generated_lines(DISTINCT_LINES)
    firelens = FirelensContext(task_id=uuid.uuid4().hex, cluster="bench", task_definition="rails-app:1", region=REGION)
    stream = encode(firelens, lines, args.mb)
    print(f"real {router.version} as the FireLens log router ({router.binary}), {time.strftime('%Y-%m-%d %H:%M %Z')}")
    print(
        f"input: {stream.lines:,} generated sample-app lines ({DISTINCT_LINES:,} distinct), "
        f"{stream.line_bytes / 1e6:.0f} MB of stdout ({stream.line_bytes / stream.lines:.0f} B a line), "
        f"fed at {args.mb_per_second:g} MB/s"
    )
    measured = side_by_side(router, stream, firelens, args.rounds, args.mb_per_second)
    print()
    per_gb = print_side_by_side(measured, stream.line_bytes / 1e9)
    cpu, rss = per_gb["shipped"], max(r.peak_rss_bytes for r in measured["shipped"])
    basis = f"shipped pipeline, outputs null, at {args.mb_per_second:g} MB/s"
    problems = 0
    if not args.skip_e2e:
        print()
        e2e = end_to_end(router, lines, args.e2e_mb_per_second, args.e2e_seconds)
        cpu = print_end_to_end(e2e)
        rss = max(rss, e2e.result.peak_rss_bytes or 0)
        basis = f"end to end, real outputs, at {args.e2e_mb_per_second:g} MB/s"
        problems = len(e2e.result.problems())
    print()
    print_sizing(cpu, rss, basis)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
