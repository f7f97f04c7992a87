"""Benchmark: the preview's throughput against a bare ``json.loads`` loop, and its peak memory.

Generates Rails app stdout lines like ``tests/fixtures/records/rails_app_stdout.log``
(JSON lines of every kind the app writes, plus boot lines that are not JSON),
writes them to a temporary file, then, in one run:

1. reads the file with a bare loop of ``json.loads`` per line (the yardstick);
2. runs ``firelens-cdktf preview --container rails-app`` on the same file
   with the compiled config (``docker/firelens/extra.conf``), output
   discarded, as the readable table and as ``--json``; the three alternate
   for a few rounds, side by side. Throughput is lines per second of the
   process's own CPU time (``time.process_time``): on a machine shared with
   other work, wall time measures the neighbours as much as the code;
3. prints the median and best lines/s of each and the table's ratio to the
   ``json.loads`` loop, median over median (the target is 0.2 or more), then
   the ``--summary`` mode's lines/s (one round) for comparison;
4. runs ``preview --summary`` again in a fresh process on a small and on the
   large input and prints each one's peak RSS (``resource.getrusage``):
   memory is flat when the two are close.

Usage::

    python -m benchmarks.preview                 # 200,000 lines (about 97 MiB), 5 rounds
    python -m benchmarks.preview --lines 50000
    python -m benchmarks.preview --gb 1          # about 1 GB, generated on the fly
    python -m benchmarks.preview --profile       # cProfile of the table, top 25 by own time
    python -m benchmarks.preview --profile json  # ... of preview --json
"""

from __future__ import annotations

import argparse
import cProfile
import json
import os
import pstats
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "docker" / "firelens" / "extra.conf"
CONTAINER = "rails-app"
#: Lines of the small input the memory comparison starts from.
SMALL_LINES = 20_000

_CONTROLLERS = ("UsersController", "PostsController", "SessionsController")
_LABELS = ("user_show", "post_list", "session_new")


def _line(value: dict[str, object]) -> str:
    """One log line as rails_semantic_logger writes it: compact JSON, UTF-8 as is."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def rails_lines(seed: int = 7) -> Iterator[str]:
    """An endless stream of app stdout lines in the proportions a busy Rails app writes them."""
    rng = random.Random(seed)
    request = 0
    yield "=> Booting Puma"
    yield "=> Rails 7.1.3 application starting in production"
    while True:
        request += 1
        rid = f"{rng.getrandbits(128):032x}"
        head = {
            "host": "ip-10-0-1-23",
            "application": "Semantic Logger",
            "environment": "production",
            "timestamp": f"2024-05-12T03:{request // 60 % 60:02d}:{request % 60:02d}.{rng.randrange(10**6):06d}Z",
            "pid": 7,
            "thread": f"puma srv tp {rng.randrange(1, 6):03d}",
            "named_tags": {"request_id": rid, "ip": f"203.0.113.{rng.randrange(1, 255)}"},
        }
        controller = rng.choice(_CONTROLLERS)
        path = f"/users/{rng.randrange(1, 10_000)}?query={rng.getrandbits(24):x}"
        yield _line(
            {
                **head,
                "level": "info",
                "level_index": 2,
                "name": "Rack",
                "message": f'Started --  {{:method=>"GET", :path=>"{path}"}}',
            }
        )
        for _ in range(rng.randrange(1, 4)):
            ms = rng.random() * 3
            yield _line(
                {
                    **head,
                    "level": "debug",
                    "level_index": 1,
                    "name": "ActiveRecord",
                    "message": "User Load",
                    "duration_ms": round(ms, 3),
                    "duration": f"{ms:.3f}ms",
                    "payload": {
                        "sql": 'SELECT "users".* FROM "users" WHERE "users"."id" = $1 LIMIT $2',
                        "allocations": rng.randrange(1, 40),
                        "cached": None,
                    },
                }
            )
        if rng.random() < 0.3:
            yield _line(
                {
                    **head,
                    "level": "info",
                    "level_index": 2,
                    "name": controller,
                    "message": "labelled",
                    "payload": {
                        "label": rng.choice(_LABELS),
                        "user_id": rng.randrange(10_000),
                        "data": {"query": f"{rng.getrandbits(16):x}"},
                    },
                }
            )
        ms = rng.random() * 40
        yield _line(
            {
                **head,
                "level": "info",
                "level_index": 2,
                "name": controller,
                "message": "Completed #show",
                "duration_ms": round(ms, 2),
                "duration": f"{ms:.1f}ms",
                "payload": {
                    "controller": controller,
                    "action": "show",
                    "format": "json",
                    "method": "GET",
                    "path": path,
                    "status": 200,
                    "view_runtime": round(ms / 3, 2),
                    "db_runtime": round(ms / 9, 2),
                    "allocations": rng.randrange(500, 3000),
                    "status_message": "OK",
                },
            }
        )


def write_input(path: Path, *, lines: int | None = None, size_bytes: int | None = None) -> int:
    """Write ``lines`` lines (or about ``size_bytes`` bytes) of app output to ``path``; return the line count."""
    written = count = 0
    with path.open("w", encoding="utf-8") as handle:
        for line in rails_lines():
            if (lines is not None and count >= lines) or (size_bytes is not None and written >= size_bytes):
                break
            handle.write(line + "\n")
            written += len(line) + 1
            count += 1
    return count


def json_loads_rate(path: Path) -> float:
    """Lines per CPU second of a bare ``json.loads`` loop over ``path`` (non-JSON lines caught)."""
    loads = json.loads
    count = 0
    start = time.process_time()
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            count += 1
            try:
                loads(line)
            except ValueError:
                pass
    return count / (time.process_time() - start)


def preview_rate(path: Path, mode: str = "--json") -> float:
    """Lines per CPU second of ``preview`` in ``mode`` (``--json``, ``--summary`` or ``table``), output discarded."""
    from firelens_cdktf.cli import main

    extra = [] if mode == "table" else [mode]
    with path.open(encoding="utf-8") as stdin, open(os.devnull, "w", encoding="utf-8") as sink:
        count = sum(1 for _ in stdin)
        stdin.seek(0)
        start = time.process_time()
        code = main(
            ["preview", "--config", str(CONFIG), "--container", CONTAINER, *extra],
            stdin=stdin,
            stdout=sink,
            stderr=open(os.devnull, "w", encoding="utf-8"),
        )
        elapsed = time.process_time() - start
    if code != 0:
        raise SystemExit(f"preview exited with {code}")
    return count / elapsed


def peak_rss_mib(path: Path) -> float:
    """Peak RSS of a fresh process that runs ``preview --summary`` over ``path`` (the mode that keeps the most)."""
    code = (
        "import resource, sys; from benchmarks.preview import preview_rate; from pathlib import Path; "
        "preview_rate(Path(sys.argv[1]), '--summary'); print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(path)], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    return int(out.split()[-1]) / 1024  # Linux reports KiB


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.preview", description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=200_000, help="lines of input (default: 200,000)")
    parser.add_argument("--gb", type=float, help="instead of --lines: about this many GB of input (e.g. 1)")
    parser.add_argument("--rounds", type=int, help="timed rounds of each, side by side (default: 5; 1 with --gb)")
    parser.add_argument(
        "--profile",
        nargs="?",
        const="table",
        choices=("table", "json"),
        help="print a cProfile of one preview run: the table (default) or --json",
    )
    args = parser.parse_args(argv)
    rounds = args.rounds or (1 if args.gb else 5)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rails_stdout.log"
        if args.gb:
            lines = write_input(path, size_bytes=int(args.gb * 1024**3))
        else:
            lines = write_input(path, lines=args.lines)
        size = path.stat().st_size
        print(
            f"input: {lines:,} lines, {size / 1024**2:,.1f} MiB ({CONFIG.relative_to(ROOT)}, --container "
            f"{CONTAINER}); {rounds} round(s), json.loads, the table and --json side by side",
            flush=True,
        )
        rates: dict[str, list[float]] = {"json.loads loop": [], "preview table": [], "preview --json": []}
        for _ in range(rounds):
            rates["json.loads loop"].append(json_loads_rate(path))
            rates["preview table"].append(preview_rate(path, "table"))
            rates["preview --json"].append(preview_rate(path, "--json"))
        baseline = statistics.median(rates["json.loads loop"])
        print(f"{'':18s} {'median':>12s} {'best':>12s}  median / json.loads median", flush=True)
        for name, values in rates.items():
            median = statistics.median(values)
            print(f"{name + ':':18s} {median:12,.0f} {max(values):12,.0f}  {median / baseline:.3f} (lines/s)")
        ratio = statistics.median(rates["preview table"]) / baseline
        print(f"ratio table/json.loads: {ratio:.3f} (target: 0.2 or more)", flush=True)
        summary = preview_rate(path, "--summary")  # for comparison: one round
        print(f"preview --summary: {summary:12,.0f} lines/s, one round ({summary / baseline:.3f} of json.loads)")
        small = Path(tmp) / "small.log"
        write_input(small, lines=min(SMALL_LINES, lines))
        print(
            f"peak RSS, preview --summary of {min(SMALL_LINES, lines):,} lines: {peak_rss_mib(small):8.1f} MiB",
            flush=True,
        )
        print(f"peak RSS, preview --summary of {lines:,} lines: {peak_rss_mib(path):8.1f} MiB", flush=True)
        if args.profile:
            profiler = cProfile.Profile()
            profiler.enable()
            preview_rate(path, "table" if args.profile == "table" else "--json")
            profiler.disable()
            pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
