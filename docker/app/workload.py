"""Run the sample app as a local process, send it a scripted workload, collect its stdout.

For the tests and for ``make run``, which feeds the collected lines to the
log router preview as the awsfirelens driver would feed the app's stdout to
Fluent Bit. The app runs on 127.0.0.1, on a port it picks itself, with the
embedded sqlite3 database (``DATABASE_URL`` is removed from its environment
unless the caller passes one): no Docker, no database server, nothing to
install. POSIX only (the app is stopped with SIGTERM).

Standard library only. ``docker/`` is not a Python package (it would shadow
the Docker SDK's ``docker`` package), so load this file by path::

    import importlib.util, sys
    spec = importlib.util.spec_from_file_location("sample_app_workload", "docker/app/workload.py")
    workload = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = workload
    spec.loader.exec_module(workload)

    run = workload.run_workload()          # list users, show user 1 with a query, an unknown user
    run.lines                              # every stdout line, boot banner first, as strings
    [r.status for r in run.responses]      # [200, 200, 404]

Command line (the lines go to stdout, a summary to stderr; exit status 1 if a
status differs from the expected one or the app did not stop cleanly)::

    python docker/app/workload.py > app-stdout.log
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any, Mapping, Sequence

#: The app's entry point, beside this file.
APP_PATH = Path(__file__).resolve().with_name("app.py")
#: The boot line that says the app accepts requests, and where.
LISTENING_LINE = re.compile(r"\* Listening on http://(?P<host>[^\s:]+):(?P<port>\d+)")
STARTUP_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 10.0
REQUEST_TIMEOUT_S = 10.0


class AppError(RuntimeError):
    """The app did not start, answer or stop as it should; the message says why and shows its stderr."""


@dataclass(frozen=True)
class Step:
    """One request of a workload.

    Attributes:
        path: Path and query string, e.g. ``"/users/1?query=hello"``.
        request_id: Sent as ``X-Request-Id``; the app logs it in
            ``named_tags.request_id``, which finds the step's log lines.
        expected_status: The HTTP status the step should get.
    """

    path: str
    request_id: str
    expected_status: int


#: The article's requests: list users, show user 1 with a query (one labelled
#: ``user_show`` record), an unknown user (404, no labelled record).
DEFAULT_WORKLOAD: tuple[Step, ...] = (
    Step("/users", "workload-list-users", 200),
    Step("/users/1?query=hello", "workload-show-user", 200),
    Step("/users/999", "workload-unknown-user", 404),
)


@dataclass(frozen=True)
class Response:
    """What the app answered to one step: status and parsed JSON body."""

    step: Step
    status: int
    body: Any


@dataclass(frozen=True)
class WorkloadRun:
    """The outcome of :func:`run_workload`.

    Attributes:
        responses: One per step, in order.
        lines: Every line the app wrote to stdout, in order, without newlines:
            plain boot lines, one JSON object per log record, plain shutdown lines.
        stderr: What the app wrote to stderr (normally nothing).
        returncode: The app's exit status after SIGTERM (0 when it stopped cleanly).
    """

    responses: tuple[Response, ...]
    lines: tuple[str, ...]
    stderr: str
    returncode: int

    def unexpected(self) -> list[Response]:
        """The responses whose status is not the step's expected one."""
        return [r for r in self.responses if r.status != r.step.expected_status]


class AppProcess:
    """The sample app running as a child process, its output collected as it comes.

    Args:
        env: Variables to set for the app on top of this process's environment
            (``PORT``, ``BIND_HOST`` and ``DATABASE_URL`` can be overridden here).
            Default: none; the app listens on 127.0.0.1 on a free port with
            the embedded sqlite3 database.
        python: The command that runs Python, with its options. Default: this
            interpreter. ``(sys.executable, "-S")`` proves the app needs no
            installed package.
        startup_timeout: Seconds to wait for the "Listening on" line.

    Example::

        with AppProcess() as app:
            status, body = app.get("/users/1?query=hi", request_id="r1")
        app.lines  # everything the app printed, up to "- Goodbye!"
    """

    def __init__(
        self,
        *,
        env: Mapping[str, str] | None = None,
        python: Sequence[str] = (sys.executable,),
        startup_timeout: float = STARTUP_TIMEOUT_S,
    ) -> None:
        self._env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
        self._env.update({"PORT": "0", "BIND_HOST": "127.0.0.1", "PYTHONUNBUFFERED": "1"})
        self._env.update(env or {})
        self._python = tuple(python)
        self._startup_timeout = startup_timeout
        self._lines: list[str] = []
        self._stderr: list[str] = []
        self._lock = threading.Lock()
        self._listening = threading.Event()
        self._readers: list[threading.Thread] = []
        self._process: subprocess.Popen[bytes] | None = None
        self.base_url = ""
        # Never through a proxy from the environment: the app is on loopback.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))

    @property
    def lines(self) -> tuple[str, ...]:
        """The app's stdout lines so far."""
        with self._lock:
            return tuple(self._lines)

    @property
    def stderr(self) -> str:
        """The app's stderr so far."""
        with self._lock:
            return "".join(self._stderr)

    def start(self) -> None:
        """Start the app and wait until it listens.

        Raises:
            AppError: It exited, or did not listen within ``startup_timeout``.
        """
        process = subprocess.Popen(
            [*self._python, str(APP_PATH)], env=self._env,
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        self._process = process
        assert process.stdout is not None and process.stderr is not None
        self._readers = [
            threading.Thread(target=self._read_stdout, args=(process.stdout,), daemon=True),
            threading.Thread(target=self._read_stderr, args=(process.stderr,), daemon=True),
        ]
        for reader in self._readers:
            reader.start()
        deadline = time.monotonic() + self._startup_timeout
        while not self._listening.wait(0.02):
            if process.poll() is not None:
                self._join_readers()
                raise AppError(f"the sample app exited with status {process.returncode} before listening; "
                               f"stderr:\n{self.stderr}")
            if time.monotonic() > deadline:
                self.stop()
                raise AppError(f"the sample app did not print '* Listening on' within {self._startup_timeout}s; "
                               f"stdout so far: {list(self.lines)}; stderr:\n{self.stderr}")

    def get(self, path: str, *, request_id: str | None = None) -> tuple[int, Any]:
        """``GET path`` like the article's curl; the status and the parsed JSON body.

        Raises:
            AppError: The app is not listening, or did not answer in time.
        """
        if not self.base_url:
            raise AppError("the sample app is not running: call start() first")
        headers = {"Accept": "*/*"}
        if request_id is not None:
            headers["X-Request-Id"] = request_id
        request = urllib.request.Request(self.base_url + path, headers=headers)
        try:
            with self._opener.open(request, timeout=REQUEST_TIMEOUT_S) as reply:
                return int(reply.status), json.loads(reply.read())
        except urllib.error.HTTPError as error:
            with error:
                return int(error.code), json.loads(error.read())
        except (urllib.error.URLError, OSError) as error:
            raise AppError(f"GET {path} failed: {error}; stderr:\n{self.stderr}") from error

    def stop(self, timeout: float = STOP_TIMEOUT_S) -> int:
        """Send SIGTERM, wait for the app to exit and for its output; its exit status.

        Raises:
            AppError: It did not exit within ``timeout`` (it is then killed).
        """
        process = self._process
        if process is None:
            raise AppError("the sample app was never started")
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
                self._join_readers()
                raise AppError(f"the sample app did not exit within {timeout}s of SIGTERM and was killed; "
                               f"stderr:\n{self.stderr}") from None
        self._join_readers()
        self.base_url = ""
        return process.returncode

    def __enter__(self) -> AppProcess:
        self.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._process is not None and self._process.poll() is None:
            self.stop()

    def _read_stdout(self, stream: IO[bytes]) -> None:
        for raw in stream:
            line = raw.decode("utf-8", errors="replace").rstrip("\r\n")
            with self._lock:
                self._lines.append(line)
            match = LISTENING_LINE.fullmatch(line)
            if match and not self._listening.is_set():
                host = match["host"]
                host = "127.0.0.1" if host in ("0.0.0.0", "") else host
                self.base_url = f"http://{host}:{match['port']}"
                self._listening.set()
        stream.close()

    def _read_stderr(self, stream: IO[bytes]) -> None:
        for raw in stream:
            with self._lock:
                self._stderr.append(raw.decode("utf-8", errors="replace"))
        stream.close()

    def _join_readers(self) -> None:
        for reader in self._readers:
            reader.join(STOP_TIMEOUT_S)


def run_workload(
    steps: Sequence[Step] = DEFAULT_WORKLOAD,
    *,
    env: Mapping[str, str] | None = None,
    python: Sequence[str] = (sys.executable,),
) -> WorkloadRun:
    """Start the app, send ``steps`` one after another, stop it; all it printed.

    Args:
        steps: The requests. Default: :data:`DEFAULT_WORKLOAD`.
        env: See :class:`AppProcess`.
        python: See :class:`AppProcess`.

    Raises:
        AppError: The app did not start, answer or stop (see :class:`AppProcess`).
            A status other than the expected one is not an error here: see
            :meth:`WorkloadRun.unexpected`.
    """
    app = AppProcess(env=env, python=python)
    app.start()
    try:
        responses = tuple(Response(step, *app.get(step.path, request_id=step.request_id)) for step in steps)
    finally:
        returncode = app.stop()
    return WorkloadRun(responses=responses, lines=app.lines, stderr=app.stderr, returncode=returncode)


def main() -> int:
    """Command line: run the default workload, print the app's stdout lines; the exit status."""
    run = run_workload()
    sys.stdout.write("".join(line + "\n" for line in run.lines))
    for response in run.responses:
        print(f"GET {response.step.path} -> {response.status} (expected {response.step.expected_status})",
              file=sys.stderr)
    if run.stderr:
        print(f"the app's stderr:\n{run.stderr}", file=sys.stderr)
    if run.unexpected() or run.returncode != 0:
        print(f"failed: {len(run.unexpected())} unexpected status(es), app exit status {run.returncode}",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
