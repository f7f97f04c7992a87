"""The local AWS emulator (moto's server) on 127.0.0.1.

Used by ``make run`` (a long-lived server on a fixed port) and by the tests
(one server per test module, on a free port, stopped afterwards). Terraform,
the cdktf CLI and boto3 reach it only through the environment that
:meth:`Emulator.env` returns, so the synthesized JSON stays the one that
deploys to a real account.

Command line::

    python -m firelens_local.emulator start --port 4566 --state-dir .emulator [--faults-file plan.json]
    python -m firelens_local.emulator stop --port 4566 --state-dir .emulator

``--port`` defaults to ``EMULATOR_PORT`` (else 4566); each port has its own
pid file, ``.emulator/moto-<port>.pid``.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType
from typing import Any

from firelens_cdktf.errors import EmulatorError
from firelens_local.faults import FAULTS_ENV

#: Port ``make run`` uses unless ``EMULATOR_PORT`` says otherwise.
DEFAULT_PORT = 4566
#: Fake credentials: moto accepts any; real AWS rejects these, so a mistake
#: never reaches a real account.
FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}


def env_port() -> int:
    """``EMULATOR_PORT`` (what the Makefile passes), else :data:`DEFAULT_PORT`."""
    raw = os.environ.get("EMULATOR_PORT", "")
    if not raw:
        return DEFAULT_PORT
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise SystemExit(
            f"EMULATOR_PORT={raw!r} is not a TCP port; use a number from 1 to 65535, e.g. EMULATOR_PORT=4567"
        )
    return int(raw)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def is_up(endpoint: str, timeout: float = 1.0) -> bool:
    """Whether a moto server answers at ``endpoint``.

    Asks for moto's dashboard page, whose size does not grow with the
    emulated resources (``/moto-api/data.json`` does: ~10 MB once a VPC exists).
    """
    try:
        with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=timeout) as resp:
            return bool(resp.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def emulator_env(endpoint: str, region: str) -> dict[str, str]:
    """Environment that points the AWS SDKs, Terraform's provider and S3 backend at ``endpoint``."""
    return {
        **FAKE_CREDENTIALS,
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        "AWS_EC2_METADATA_DISABLED": "true",
    }


def emulator_client(service: str, endpoint: str, region: str) -> Any:
    """A boto3 client of ``service`` on the emulator at ``endpoint``, with its fake credentials."""
    import boto3  # dev dependency: only the emulator commands need it

    return boto3.client(
        service,
        endpoint_url=endpoint,
        region_name=region,
        aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
    )


def empty_bucket(endpoint: str, region: str, bucket: str) -> None:
    """Delete every object version and delete marker in ``bucket`` on the emulator at ``endpoint``.

    Versioned buckets with ``force_destroy`` off (the state bucket) cannot be
    destroyed while they hold anything; on the emulator they are emptied first.
    """
    s3 = emulator_client("s3", endpoint, region)
    try:
        pages = s3.get_paginator("list_object_versions").paginate(Bucket=bucket)
        for page in pages:
            doomed = [
                {"Key": v["Key"], "VersionId": v["VersionId"]}
                for v in page.get("Versions", []) + page.get("DeleteMarkers", [])
            ]
            if doomed:
                s3.delete_objects(Bucket=bucket, Delete={"Objects": doomed, "Quiet": True})
    except s3.exceptions.NoSuchBucket:
        return


class Emulator:
    """A moto server process.

    Args:
        port: Port to listen on. Default: a free port.
        log_path: Where the server's output goes. Default: discarded.
        faults_file: A fault plan (:mod:`firelens_local.faults`) the server
            reads on every ``PutRecordBatch``; the file may appear, change or
            vanish while it runs. Default: no faults, whatever the environment says.

    Example::

        with Emulator() as emu:
            subprocess.run(["terraform", "apply"], env={**os.environ, **emu.env("ap-northeast-1")})
    """

    def __init__(self, port: int | None = None, log_path: Path | None = None, faults_file: Path | None = None) -> None:
        self.port = port or free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self._log_path = log_path
        self.faults_file = faults_file
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60.0, detach: bool = False) -> Emulator:
        """Start the server and wait until it answers.

        Raises:
            EmulatorError: the port is taken (by moto or another program) or the server did not come up in time.
        """
        if is_up(self.endpoint):
            raise EmulatorError(
                f"emulator: a moto server already answers on port {self.port}; stop it "
                f"(EMULATOR_PORT={self.port} make stop) or choose another port"
            )
        check_port_free_or_moto(self.port)
        log = open(self._log_path, "ab") if self._log_path else subprocess.DEVNULL
        env = {key: value for key, value in os.environ.items() if key != FAULTS_ENV}
        if self.faults_file is not None:
            env[FAULTS_ENV] = str(self.faults_file.resolve())
        self.process = subprocess.Popen(
            [sys.executable, "-m", "firelens_local._moto_server", "-H", "127.0.0.1", "-p", str(self.port)],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=detach,
            cwd=Path(__file__).resolve().parents[2],  # the folder holding firelens_cdktf, importable uninstalled too
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise EmulatorError(
                    f"emulator: moto server exited with code {self.process.returncode}"
                    + (f"; see {self._log_path}" if self._log_path else "")
                )
            if is_up(self.endpoint):
                return self
            time.sleep(0.2)
        self.stop()
        raise EmulatorError(f"emulator: moto server did not answer on {self.endpoint} within {timeout:.0f} s")

    def stop(self) -> None:
        """Stop the server (no-op if it is not running)."""
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def env(self, region: str) -> dict[str, str]:
        """See :func:`emulator_env`."""
        return emulator_env(self.endpoint, region)

    def client(self, service: str, region: str) -> Any:
        """See :func:`emulator_client`."""
        return emulator_client(service, self.endpoint, region)

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def pidfile(state_dir: Path, port: int) -> Path:
    """Where the detached server on ``port`` records its pid: one file per port, so two emulators
    of one clone (``EMULATOR_PORT=4567``) never stop each other."""
    return state_dir / f"moto-{port}.pid"


def log_file(state_dir: Path, port: int) -> Path:
    """The detached server's output for ``port``."""
    return state_dir / f"moto-{port}.log"


def listener(port: int) -> str | None:
    """What listens on TCP ``port`` of 127.0.0.1, as ``pid N (command line)``; ``None`` when nothing does.

    Reads ``/proc/net/tcp`` and each process's open sockets (Linux); where
    that is not readable, says only that something listens.
    """
    with socket.socket() as sock:
        sock.settimeout(0.5)
        if sock.connect_ex(("127.0.0.1", port)) != 0:
            return None
    inodes: set[str] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            if len(fields) > 9 and fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(fields[9])
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            fds = list((proc / "fd").iterdir())
        except OSError:
            continue  # another user's process, or gone
        links = set()
        for fd in fds:
            try:
                links.add(os.readlink(fd))
            except OSError:
                continue  # closed meanwhile (the listing's own descriptor, for one)
        if any(f"socket:[{inode}]" in links for inode in inodes):
            try:
                command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
            except OSError:
                command = "?"
            return f"pid {proc.name} ({command[:120]})"
    return "a process this user cannot see"


def check_port_free_or_moto(port: int) -> None:
    """Raise :class:`EmulatorError` when something other than moto listens on ``port``."""
    endpoint = f"http://127.0.0.1:{port}"
    if is_up(endpoint):
        return
    holder = listener(port)
    if holder is not None:
        raise EmulatorError(
            f"emulator: port {port} is taken by {holder}, not a moto server; stop it or choose "
            f"another port, e.g. EMULATOR_PORT={port + 1}"
        )


def _cli_start(port: int, state_dir: Path, faults_file: Path | None = None) -> int:
    state_dir.mkdir(parents=True, exist_ok=True)
    endpoint = f"http://127.0.0.1:{port}"
    pid_path = pidfile(state_dir, port)
    if is_up(endpoint):
        known = f" (pid {pid_path.read_text().strip()})" if pid_path.exists() else ""
        print(f"emulator: already running on {endpoint}{known}")
        return 0
    check_port_free_or_moto(port)
    emu = Emulator(port, log_path=log_file(state_dir, port), faults_file=faults_file)
    emu.start(detach=True)
    assert emu.process is not None
    pid_path.write_text(str(emu.process.pid))
    print(f"emulator: moto server started on {endpoint} (pid {emu.process.pid}, log {log_file(state_dir, port)})")
    return 0


def _cli_stop(port: int, state_dir: Path) -> int:
    pid_path = pidfile(state_dir, port)
    if not pid_path.exists():
        holder = listener(port)
        print(
            f"emulator: none started from this clone on port {port}"
            + (f"; port {port} is held by {holder}, left alone" if holder else "")
        )
        return 0
    pid = int(pid_path.read_text().strip())
    try:
        os.kill(pid, signal.SIGTERM)
        print(f"emulator: stopped the moto server on port {port} (pid {pid})")
    except ProcessLookupError:
        print(f"emulator: the moto server on port {port} (pid {pid}) was not running")
    pid_path.unlink()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m firelens_local.emulator", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    start = sub.add_parser("start", help="start a moto server in the background")
    start.add_argument("--port", type=int, default=env_port())
    start.add_argument("--state-dir", type=Path, default=Path(".emulator"))
    start.add_argument(
        "--faults-file", type=Path, default=None, help="a fault plan for PutRecordBatch (firelens_local.faults)"
    )
    stop = sub.add_parser("stop", help="stop the server 'start' started on --port")
    stop.add_argument("--port", type=int, default=env_port())
    stop.add_argument("--state-dir", type=Path, default=Path(".emulator"))
    args = parser.parse_args(argv)
    try:
        if args.command == "start":
            return _cli_start(args.port, args.state_dir, args.faults_file)
        return _cli_stop(args.port, args.state_dir)
    except EmulatorError as error:
        print(str(error), file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
