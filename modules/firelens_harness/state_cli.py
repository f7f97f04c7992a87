"""``make unlock`` and ``make deploy``'s first step: this app's state bucket on the emulator or an account.

``unlock`` lists and clears the state locks an interrupted run left on the
emulator; ``bootstrap`` creates or adopts the state bucket of your AWS
account, with the state stack's own state inside it.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import boto3

from firelens_app.config import PipelineConfig
from firelens_app.paths import PROJECT_ROOT
from firelens_cdktf.errors import FirelensError, StateError
from firelens_local.emulator import FAKE_CREDENTIALS, env_port, is_up
from firelens_local.state import ensure_state_stack, find_locks
from firelens_local.synth import synth_app


def main(argv: list[str] | None = None) -> int:
    """``unlock`` and ``bootstrap``; errors print one line and exit non-zero."""
    parser = argparse.ArgumentParser(prog="python -m firelens_harness.state_cli", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("unlock", help="list and clear the state locks on the emulator's state bucket (EMULATOR_PORT)")
    boot = sub.add_parser("bootstrap", help="create or adopt the state bucket of your AWS account, state inside it")
    boot.add_argument("--output", default="cdktf.out", help="cdktf output directory (default: cdktf.out)")
    args = parser.parse_args(argv)
    try:
        config = PipelineConfig.from_env()
        if args.command == "unlock":
            endpoint = f"http://127.0.0.1:{env_port()}"
            if not is_up(endpoint):
                raise StateError(
                    f"no emulator answers on {endpoint}: no lock to clear there. For a real account use "
                    "`terraform -chdir=cdktf.out/stacks/<stack> force-unlock -force <lock id>`"
                )
            s3 = boto3.client(
                "s3",
                endpoint_url=endpoint,
                region_name=config.region,
                aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
                aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
            )
            locks = find_locks(s3, config.state_bucket)
            for lock in locks:
                s3.delete_object(Bucket=config.state_bucket, Key=lock.key)
                print(f"cleared {lock.describe()}")
            print(f"{len(locks)} lock(s) cleared on {endpoint}, bucket {config.state_bucket}")
            return 0
        env = dict(os.environ)
        synth_app(args.output, app_dir=PROJECT_ROOT)
        done = ensure_state_stack(
            Path(args.output) / "stacks" / "state",
            bucket=config.state_bucket,
            s3=boto3.client("s3", region_name=config.region),
            env=env,
            say=print,
        )
        print(f"state stack: {done}")
        return 0
    except FirelensError as error:
        print(f"{parser.prog} {args.command}: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
