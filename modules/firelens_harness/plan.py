"""``make plan``: plan the stacks against the local emulator and review the plans, as CI does.

What the Makefile calls::

    python -m firelens_harness.plan [--markdown] [--allow-destroy ADDRESS] [--allow-wildcard ADDRESS]
        [--allow-data-loss ADDRESS] [--allow-exposure ADDRESS] [--allow-unprotect ADDRESS]

Steps:

1. the emulator and the state bucket: the pipeline's S3 backend lives in the
   bucket the ``state`` stack creates. When the emulator does not run or the
   bucket is missing, ``state`` is deployed with ``make run``'s own deploy
   (:func:`firelens_harness.run.deploy`, which starts the emulator too);
   otherwise both are reused;
2. synth every stack into ``cdktf.out.emulator/`` (``make run``'s output
   directory: same JSON as ``make synth``, state kept apart from a real account's);
3. ``terraform init``, ``terraform plan -out``, ``terraform show -json`` for
   ``state`` and ``pipeline``; the plan JSON goes to ``.emulator/plans/<stack>.json``.
   ``images`` is not planned: it needs the docker provider and a Docker engine;
4. the review of :mod:`firelens_cdktf.review.plan_review`, as ``firelens-cdktf review`` prints it.

Exits 1 when the review blocks, like the CI job.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from firelens_app.config import PipelineConfig
from firelens_app.paths import PROJECT_ROOT
from firelens_cdktf.cli.arguments import add_review_allowances
from firelens_cdktf.errors import FirelensError
from firelens_cdktf.review.plan_review import review_plans
from firelens_cdktf.review.render import render_review_markdown, render_review_text
from firelens_harness.run import OUTPUT_DIR, STATE_DIR, _port, _s3, deploy
from firelens_local.emulator import emulator_env, is_up
from firelens_local.state import RunRecord, check_locks
from firelens_local.synth import synth_app
from firelens_local.terraform import terraform

#: Stacks planned against the emulator, in dependency order.
PLANNED: tuple[str, ...] = ("state", "pipeline")
#: Why the remaining stack is not planned here.
IMAGES_SKIPPED = (
    "images: not planned here: it builds and pushes the images with the docker provider, which "
    "needs a Docker engine; CI plans it on GitHub's runners, where Docker runs"
)
PLAN_DIR = STATE_DIR / "plans"


def plan_stack(stack: str, env: dict[str, str]) -> Path:
    """``init``, ``plan -out`` and ``show -json`` for one synthesized stack; the JSON file written."""
    workdir = Path(OUTPUT_DIR) / "stacks" / stack
    # -reconfigure: the emulator's backend may differ from a previous init's (another port).
    terraform(workdir, "init", "-input=false", "-reconfigure", env=env)
    terraform(workdir, "plan", "-input=false", "-out=plan.tfplan", env=env)
    PLAN_DIR.mkdir(parents=True, exist_ok=True)
    target = PLAN_DIR / f"{stack}.json"
    target.write_text(terraform(workdir, "show", "-json", "plan.tfplan", env=env).stdout)
    return target


def plan(*, markdown: bool = False, allowances: Mapping[str, Sequence[str]] | None = None) -> int:
    """Run the four steps (module docstring); print the review; 1 when it blocks, else 0.

    Args:
        markdown: Print the pull-request comment instead of the text summary.
        allowances: ``review_plans`` keyword -> addresses, e.g. ``{"allow_data_loss": ["pipeline:ADDRESS"]}``.
    """
    import json

    config = PipelineConfig.from_env()
    endpoint = f"http://127.0.0.1:{_port()}"
    print(f"==> [1/4] emulator on {endpoint} and state bucket {config.state_bucket}", flush=True)
    buckets = (
        {b["Name"] for b in _s3(endpoint, config.region).list_buckets().get("Buckets", [])}
        if is_up(endpoint)
        else set()
    )
    if config.state_bucket in buckets:
        print("    both there: reusing them", flush=True)
        check_locks(
            _s3(endpoint, config.region),
            config.state_bucket,
            record=RunRecord.load(STATE_DIR, _port()),
            output_dir=OUTPUT_DIR,
            say=lambda line: print(f"    {line}", flush=True),
        )
    else:
        print("    deploying the state stack first (it creates the bucket the pipeline's state lives in)", flush=True)
        deploy(("state",))
    env = {**os.environ, **emulator_env(endpoint, config.region), "TF_IN_AUTOMATION": "1"}
    print(f"==> [2/4] synth every stack into {OUTPUT_DIR}/", flush=True)
    synth_app(OUTPUT_DIR, app_dir=PROJECT_ROOT, env=env)
    print(f"==> [3/4] terraform plan: {', '.join(PLANNED)}", flush=True)
    plans = []
    for stack in PLANNED:
        path = plan_stack(stack, env)
        print(f"    {stack}: {path}", flush=True)
        plans.append((stack, json.loads(path.read_text())))
    print(f"    {IMAGES_SKIPPED}", flush=True)
    print("==> [4/4] review", flush=True)
    review = review_plans(plans, **{name: tuple(addresses) for name, addresses in (allowances or {}).items()})
    print()
    print(render_review_markdown(review) if markdown else render_review_text(review), end="")
    return 1 if review.blocked else 0


def main(argv: list[str] | None = None) -> int:
    """Command line: the review's exit status (0 pass, 1 blocked)."""
    parser = argparse.ArgumentParser(prog="python -m firelens_harness.plan", description=__doc__.split("\n\n")[0])
    parser.add_argument("--markdown", action="store_true", help="print the review as the PR comment's Markdown")
    add_review_allowances(parser)
    args = vars(parser.parse_args(argv))
    try:
        return plan(markdown=args.pop("markdown"), allowances=args)
    except FirelensError as error:  # bad settings, a failed synth or Terraform: the message says it all
        raise SystemExit(f"make plan: {error}") from None
    except KeyboardInterrupt:
        print(
            "\nmake plan: interrupted. A state lock Terraform may have left is cleared by the next 'make plan' "
            "or 'make run' when it is this clone's; otherwise 'make unlock' names and clears it.",
            file=sys.stderr,
        )
        raise SystemExit(130) from None


if __name__ == "__main__":
    sys.exit(main())
