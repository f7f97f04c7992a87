"""Apply synthesized stacks with plain ``terraform``, in order: the one helper for it.

Used by the security scan (it plans the applied pipeline) and the tests.
``make run`` deploys with ``cdktf deploy`` instead, and shares the one step
that differs: the ``state`` stack goes through
:func:`~firelens_local.state.ensure_state_stack` first, so that its bucket
exists before its S3 backend is initialised.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from firelens_local.state import ensure_state_stack
from firelens_local.terraform import terraform


def state_bucket(stack_dir: Path) -> str:
    """The bucket a synthesized stack's S3 backend names."""
    return str(json.loads((stack_dir / "cdk.tf.json").read_text())["terraform"]["backend"]["s3"]["bucket"])


def apply_stacks(
    stacks_dir: Path,
    stacks: Sequence[str],
    workdir: Path,
    env: dict[str, str],
    *,
    s3: Any,
    say: Callable[[str], None] = lambda _: None,
) -> dict[str, Path]:
    """Copy each of ``stacks`` from ``stacks_dir`` into ``workdir`` and ``init`` + ``apply`` it, in order.

    The copies keep the synth output untouched and give each caller its own
    ``.terraform`` directory. A ``state`` stack that :func:`ensure_state_stack`
    has just created or adopted is applied and initialised on its S3 backend
    already, so it is not applied a second time. Returns stack name -> its
    working directory.

    Raises:
        TerraformError: a step failed.
    """
    workdirs = {}
    for stack in stacks:
        stack_dir = workdirs[stack] = workdir / stack
        shutil.copytree(stacks_dir / stack, stack_dir)
        say(f"terraform apply {stack}")
        if (
            stack == "state"
            and ensure_state_stack(stack_dir, bucket=state_bucket(stack_dir), s3=s3, env=env, say=say) != "present"
        ):
            continue
        terraform(stack_dir, "init", "-input=false", env=env)
        terraform(stack_dir, "apply", "-auto-approve", "-input=false", env=env)
    return workdirs
