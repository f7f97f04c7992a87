"""``firelens-local``: the local AWS emulator and Terraform's settings for it, for a team's own app.

Installed with the ``[local]`` extra (``pip install 'firelens_cdktf-<version>-py3-none-any.whl[local]'``)::

    firelens-local emulator start --port 4566      # moto's server, in the background, with the corrections
    eval "$(firelens-local env --port 4566)"        # AWS_ENDPOINT_URL, fake credentials, the region
    firelens-local terraformrc .terraformrc         # a provider mirror, when this machine has one
    export TF_CLI_CONFIG_FILE="$PWD/.terraformrc"
    npx cdktf deploy payments --auto-approve
    firelens-local query --table payments_logs.payments_audit_payments_api --workgroup payments-api-audit
    firelens-local emulator stop --port 4566
"""

from __future__ import annotations

import argparse
import shlex
import sys
from datetime import date
from functools import partial
from pathlib import Path

from firelens_local import emulator, terraform_rc

__all__ = ["main"]

DEFAULT_REGION = "ap-northeast-1"


def _env(port: int, region: str) -> int:
    endpoint = f"http://127.0.0.1:{port}"
    if not emulator.is_up(endpoint):
        print(
            f"firelens-local env: no emulator answers on {endpoint}; start one first: "
            f"firelens-local emulator start --port {port}",
            file=sys.stderr,
        )
        return 1
    for key, value in emulator.emulator_env(endpoint, region).items():
        print(f"export {key}={shlex.quote(value)}")
    return 0


def _terraformrc(out: Path) -> int:
    mirror = terraform_rc.find_mirror()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(terraform_rc.render(mirror))
    where = f"providers from the mirror at {mirror}" if mirror else "no provider mirror here: the registry"
    print(f"wrote {out} ({where}); export TF_CLI_CONFIG_FILE={shlex.quote(str(out.resolve()))}")
    return 0


def _query(port: int, region: str, table: str, workgroup: str, day: date | None) -> int:
    # start-up time: DuckDB loads only for this command, not for emulator start/stop or env
    from firelens_local.query import query_archive, render

    endpoint = f"http://127.0.0.1:{port}"
    if not emulator.is_up(endpoint):
        print(f"firelens-local query: no emulator answers on {endpoint}", file=sys.stderr)
        return 1
    client = partial(emulator.emulator_client, endpoint=endpoint, region=region)
    try:
        run = query_archive(
            s3=client("s3"), glue=client("glue"), athena=client("athena"), table=table, workgroup=workgroup, day=day
        )
    except (LookupError, ValueError) as error:
        print(f"firelens-local query: {error}", file=sys.stderr)
        return 1
    print("\n".join(render(run)))
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="firelens-local", description=(__doc__ or "").split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    emu = sub.add_parser("emulator", help="start or stop the local AWS emulator (moto's server)")
    emu.add_argument("action", choices=("start", "stop"))
    emu.add_argument("--port", type=int, default=emulator.env_port(), help="default: EMULATOR_PORT, else 4566")
    emu.add_argument("--state-dir", type=Path, default=Path(".emulator"), help="its pid and log (default: .emulator)")
    env = sub.add_parser("env", help="print export lines that point the AWS SDKs and Terraform at the emulator")
    env.add_argument("--port", type=int, default=emulator.env_port())
    env.add_argument("--region", default=DEFAULT_REGION, help=f"default: {DEFAULT_REGION}")
    rc = sub.add_parser("terraformrc", help="write a Terraform CLI config that uses this machine's provider mirror")
    rc.add_argument("out", type=Path, help="the file to write, e.g. .terraformrc")
    query = sub.add_parser(
        "query", help="run an Athena workgroup's saved queries over one day of an archive table, with DuckDB"
    )
    query.add_argument("--table", required=True, help="the Glue table, database.table")
    query.add_argument("--workgroup", required=True, help="the Athena workgroup whose named queries run")
    query.add_argument("--day", type=date.fromisoformat, help="UTC day, YYYY-MM-DD (default: the newest partition)")
    query.add_argument("--port", type=int, default=emulator.env_port())
    query.add_argument("--region", default=DEFAULT_REGION, help=f"default: {DEFAULT_REGION}")
    args = parser.parse_args(argv)
    if args.command == "query":
        return _query(args.port, args.region, args.table, args.workgroup, args.day)
    if args.command == "emulator":
        return emulator.main([args.action, "--port", str(args.port), "--state-dir", str(args.state_dir)])
    if args.command == "env":
        return _env(args.port, args.region)
    return _terraformrc(args.out)


if __name__ == "__main__":
    raise SystemExit(main())
