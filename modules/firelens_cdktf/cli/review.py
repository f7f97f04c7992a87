"""``firelens-cdktf review``: the plan review, as text or the PR comment's Markdown."""

from __future__ import annotations

import argparse
import json
from typing import TextIO

from firelens_cdktf.cli.main import EXIT_FINDINGS, EXIT_OK
from firelens_cdktf.errors import PlanReviewError
from firelens_cdktf.review.plan_review import review_plans, stack_argument
from firelens_cdktf.review.render import render_review_markdown, render_review_text


def run_review(args: argparse.Namespace, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    plans = []
    for argument in args.plans:
        stack, path = stack_argument(argument)
        with open(path, encoding="utf-8") as handle:
            try:
                plans.append((stack, json.load(handle)))
            except ValueError as exc:
                raise PlanReviewError(
                    path, f"not JSON ({exc})", "pass the output of `terraform show -json PLANFILE`"
                ) from None
    review = review_plans(
        plans,
        allow_destroy=args.allow_destroy,
        allow_wildcard=args.allow_wildcard,
        allow_data_loss=args.allow_data_loss,
        allow_exposure=args.allow_exposure,
        allow_unprotect=args.allow_unprotect,
    )
    stdout.write(render_review_markdown(review) if args.markdown else render_review_text(review))
    if args.json_out:
        with open(args.json_out, "w", encoding="utf-8") as handle:
            json.dump(review.to_dict(), handle, indent=2)
            handle.write("\n")
    return EXIT_FINDINGS if review.blocked else EXIT_OK
