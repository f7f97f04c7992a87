"""Benchmark: `python main.py` with the normal provider import vs the fast one.

Runs both variants of the same app alternately, several times each, in fresh
processes, and prints each median and the ratio (normal / fast), plus whether
the two produced the same bytes. Usage::

    python -m benchmarks.synth [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from firelens_cdktf._fast_import import EAGER_ENV
from firelens_local.synth import synth_app


def _synth_once(outdir: Path, eager: bool) -> float:
    start = time.perf_counter()
    synth_app(outdir, env={EAGER_ENV: "1" if eager else "0"})
    return time.perf_counter() - start


def _tree(outdir: Path) -> dict[str, bytes]:
    return {str(p.relative_to(outdir)): p.read_bytes() for p in sorted(outdir.glob("stacks/*/cdk.tf.json"))}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.synth", description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each variant (default: 5)")
    args = parser.parse_args(argv)
    times: dict[str, list[float]] = {"normal": [], "fast": []}
    trees: dict[str, dict[str, bytes]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(1, args.runs + 1):
            for variant in ("normal", "fast"):
                outdir = Path(tmp) / f"{variant}-{run}"
                seconds = _synth_once(outdir, eager=variant == "normal")
                times[variant].append(seconds)
                trees.setdefault(variant, _tree(outdir))
                print(f"run {run}/{args.runs} {variant:>6}: {seconds:6.2f} s", flush=True)
    normal, fast = statistics.median(times["normal"]), statistics.median(times["fast"])
    print(f"\nmedian normal import: {normal:.2f} s ({args.runs} runs)")
    print(f"median fast import:   {fast:.2f} s ({args.runs} runs)")
    print(f"ratio normal/fast:    {normal / fast:.2f}x")
    print(
        f"same cdk.tf.json bytes: {'yes' if trees['normal'] == trees['fast'] else 'NO'} ({len(trees['fast'])} stacks)"
    )
    return 0 if trees["normal"] == trees["fast"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
