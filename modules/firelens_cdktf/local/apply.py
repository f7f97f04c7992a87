"""Apply synthesized stacks with plain ``terraform``, in order: the one helper for it.

Used by the security scan (it plans the applied pipeline) and the tests.
``make run`` deploys with ``cdktf deploy`` instead, and shares the one step
that differs: the ``state`` stack goes through
:func:`~firelens_cdktf.local.state.ensure_state_stack` first, so that its bucket
exists before its S3 backend is initialised.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .state import ensure_state_stack
from .terraform import terraform


def state_bucket(stack_dir: Path) -> str:
    """The bucket a synthesized stack's S3 backend names."""
    return str(json.loads((stack_dir / "cdk.tf.json").read_text())["terraform"]["backend"]["s3"]["bucket"])


def apply_stacks(stacks_dir: Path, stacks: Sequence[str], workdir: Path, env: dict[str, str], *, s3: Any,
                 say: Callable[[str], None] = lambda _: None) -> dict[str, Path]:
    """Copy each of ``stacks`` from ``stacks_dir`` into ``workdir`` and ``init`` + ``apply`` it, in order.

    The copies keep the synth output untouched and give each caller its own
    ``.terraform`` directory. When ``state`` comes first and its bucket is
    new, the stacks after it are applied as soon as the bucket exists, while
    the state stack's own apply finishes (:func:`ensure_state_stack`): their
    backends need only the bucket. Returns stack name -> its working directory.

    Raises:
        TerraformError: a step failed.
    """
    workdirs = {stack: workdir / stack for stack in stacks}
    for stack in stacks:
        shutil.copytree(stacks_dir / stack, workdirs[stack])

    def apply(stack: str) -> None:
        say(f"terraform apply {stack}")
        terraform(workdirs[stack], "init", "-input=false", env=env)
        terraform(workdirs[stack], "apply", "-auto-approve", "-input=false", env=env)

    done: list[str] = []

    def apply_the_rest() -> None:
        for stack in stacks[1:]:
            apply(stack)
            done.append(stack)

    if stacks and stacks[0] == "state":
        status = ensure_state_stack(workdirs["state"], bucket=state_bucket(workdirs["state"]), s3=s3, env=env,
                                    say=say, when_created=apply_the_rest)
        if status != "present":  # created or adopted: applied, its working directory on the S3 backend
            done.append("state")
    for stack in stacks:
        if stack not in done:
            apply(stack)
    return workdirs
