"""``make query``: the saved queries' results for each archive table ``make run`` deployed, run with DuckDB."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from botocore.exceptions import BotoCoreError, ClientError

from firelens_app.config import PipelineConfig
from firelens_harness.round_trip import AwsClients, DeployedPipeline
from firelens_local.emulator import env_port, is_up
from firelens_local.query import query_archive, render


def main(argv: list[str] | None = None) -> int:
    """``make query``: print the saved queries' results for each archive table ``make run`` deployed."""
    parser = argparse.ArgumentParser(prog="python -m firelens_harness.query_cli", description=__doc__.split("\n\n")[0])
    parser.add_argument("--day", type=date.fromisoformat, help="UTC day to read, YYYY-MM-DD (default: the newest)")
    parser.add_argument(
        "--outputs",
        type=Path,
        default=Path(".emulator") / "outputs.json",
        help="the pipeline outputs 'make run' wrote (default: .emulator/outputs.json)",
    )
    args = parser.parse_args(argv)
    endpoint = f"http://127.0.0.1:{env_port()}"
    if not is_up(endpoint) or not args.outputs.exists():
        raise SystemExit(
            f"make query: no emulator answers on {endpoint} or {args.outputs} is missing; run "
            "'make run' first (with the same EMULATOR_PORT)"
        )
    pipeline = DeployedPipeline.from_outputs(json.loads(args.outputs.read_text())["pipeline"])
    if not pipeline.archive_tables:
        raise SystemExit("make query: the deployed pipeline has no archive tables; run 'make run' to redeploy it")
    clients = AwsClients.for_endpoint(endpoint, PipelineConfig.from_env().region)
    try:
        for table, workgroup in zip(pipeline.archive_tables, pipeline.athena_workgroups, strict=True):
            run = query_archive(
                s3=clients.s3, glue=clients.glue, athena=clients.athena, table=table, workgroup=workgroup, day=args.day
            )
            print("\n".join(render(run)))
    except (LookupError, ValueError, BotoCoreError, ClientError) as error:
        raise SystemExit(f"make query: {error}") from None
    return 0


if __name__ == "__main__":
    sys.exit(main())
