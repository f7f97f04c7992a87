"""Run ``terraform`` on a synthesized stack: the one helper for it.

Used by ``make plan``, ``make run``'s lock-file step, the security scan and
the tests. Plain ``terraform`` (not the cdktf CLI) proves there is no lock-in:
the synthesized JSON is an ordinary Terraform configuration.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

from firelens_cdktf.errors import TerraformError

#: How much of a failed command's output the error keeps.
_TAIL = 4000


def terraform(
    workdir: Path | str, *args: str, env: Mapping[str, str] | None = None, ok_codes: tuple[int, ...] = (0,)
) -> subprocess.CompletedProcess[str]:
    """Run ``terraform ARGS -no-color`` in ``workdir``, non-interactively.

    Args:
        workdir: The stack's directory (``<outdir>/stacks/<name>``).
        args: The subcommand and its options, e.g. ``"apply", "-auto-approve"``.
        env: Extra environment variables (e.g. the emulator's endpoint).
        ok_codes: Exit codes that count as success. Default: 0 only
            (``plan -detailed-exitcode`` would add 2).

    Returns:
        The finished process, with ``stdout`` and ``stderr`` as text.

    Raises:
        TerraformError: any other exit code; the message names the command, the
            folder and the exit code, and ends with the command's output.
    """
    command = ["terraform", *args] if args[:1] == ("version",) else ["terraform", *args, "-no-color"]
    result = subprocess.run(
        command,
        cwd=workdir,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        env={**os.environ, **(env or {}), "TF_IN_AUTOMATION": "1"},
    )
    if result.returncode not in ok_codes:
        raise TerraformError(
            f"terraform {' '.join(args)} in {workdir} exited {result.returncode}:\n"
            f"{result.stdout[-_TAIL:]}\n{result.stderr[-_TAIL:]}",
            returncode=result.returncode,
            stdout=result.stdout,
            stderr=result.stderr,
        )
    return result
