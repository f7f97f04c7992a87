"""Run a CDKTF app's synth (``python main.py``) in a fresh process: the one helper for it.

Used by ``make run``, the tests, the security scan and the benchmark. A fresh process because
jsii keeps one JavaScript runtime per process, and ``CDKTF_OUTDIR`` is read once by ``App()``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

from firelens_cdktf.errors import SynthError

#: How much of a failed synth's output the error keeps.
_TAIL = 3000


def synth_app(
    outdir: Path | str,
    *,
    app_dir: Path | None = None,
    env: Mapping[str, str] | None = None,
    python: str = sys.executable,
    entry: str = "main.py",
) -> Path:
    """Synthesize the app in ``app_dir`` into ``outdir``; return ``outdir``.

    Args:
        outdir: cdktf output directory (``CDKTF_OUTDIR``); stacks land in ``outdir/stacks/<name>``.
        app_dir: Folder holding the app's entry point. Default: the current directory.
        env: Extra environment variables (e.g. ``FIRELENS_STAGE``).
        python: Interpreter to run the app with. Default: this one.
        entry: The app's entry point, relative to ``app_dir``. Default: ``main.py``.

    Raises:
        SynthError: the app exited non-zero; the message holds the end of its output.
    """
    app_dir = Path.cwd() if app_dir is None else app_dir
    result = subprocess.run(
        [python, entry],
        cwd=app_dir,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        env={**os.environ, **(env or {}), "CDKTF_OUTDIR": str(outdir)},
    )
    if result.returncode != 0:
        raise SynthError(
            f"{entry} in {app_dir} failed (exit {result.returncode}):\n"
            f"{result.stdout[-_TAIL:]}\n{result.stderr[-_TAIL:]}"
        )
    return Path(outdir)
