"""The router image's stop wrapper: SIGTERM reaches Fluent Bit only once its inputs have stopped taking in records.

A fake router (a Python process that writes when SIGTERM reaches it) runs
behind the wrapper; a local HTTP server plays Fluent Bit's /api/v1/metrics,
its input counters moving for a while after SIGTERM, then standing still.
"""

from __future__ import annotations

import http.server
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from firelens_cdktf.constructs.build_context import drain_wrapper

#: The fake router: records when SIGTERM arrives, then exits 0 (Fluent Bit exits 0 after its Grace).
ROUTER = """
import signal, sys, time
def stop(*_):
    open(sys.argv[1], "w").write(repr(time.monotonic()))
    sys.exit(0)
signal.signal(signal.SIGTERM, stop)
open(sys.argv[1] + ".ready", "w").close()
while True:
    time.sleep(0.05)
"""


class _Metrics:
    """Input counters that keep moving until ``still_at`` (monotonic seconds)."""

    def __init__(self) -> None:
        self.still_at = 0.0

    def body(self) -> bytes:
        count = int(min(time.monotonic(), self.still_at) * 10)
        retries = int(time.monotonic() * 10)  # outputs keep changing: only the inputs decide
        inputs = f'"input":{{"forward.0":{{"records":{count}}}}}'
        return ("{" + inputs + f',"filter":{{}},"output":{{"x":{{"retries":{retries}}}}}}}').encode()


@pytest.fixture()
def metrics() -> Iterator[tuple[_Metrics, str]]:
    state = _Metrics()

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = state.body()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state, f"http://127.0.0.1:{server.server_address[1]}/api/v1/metrics"
    server.shutdown()


def _start(tmp_path: Path, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], Path]:
    wrapper = tmp_path / "drain-then-stop"
    wrapper.write_bytes(drain_wrapper())
    wrapper.chmod(0o755)
    (tmp_path / "router.py").write_text(ROUTER)
    stopped = tmp_path / "stopped"
    process = subprocess.Popen(
        [str(wrapper), sys.executable, str(tmp_path / "router.py"), str(stopped)], env={**os.environ, **env}
    )
    deadline = time.monotonic() + 10
    while not Path(str(stopped) + ".ready").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return process, stopped


def test_sigterm_waits_until_the_inputs_stand_still(tmp_path: Path, metrics: tuple[_Metrics, str]) -> None:
    state, url = metrics
    process, stopped = _start(tmp_path, {"FLB_DRAIN_METRICS_URL": url, "FLB_DRAIN_MAX_SECONDS": "10"})
    sent = time.monotonic()
    state.still_at = sent + 2.5  # records keep arriving for 2.5 s after SIGTERM
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=20) == 0
    delay = float(stopped.read_text()) - sent
    assert 2.5 <= delay <= 8.0  # waited for the counters; the upper bound allows for a busy machine


def test_sigterm_is_passed_on_after_the_longest_wait_when_inputs_never_settle(
    tmp_path: Path, metrics: tuple[_Metrics, str]
) -> None:
    state, url = metrics
    state.still_at = float("inf")
    process, stopped = _start(tmp_path, {"FLB_DRAIN_METRICS_URL": url, "FLB_DRAIN_MAX_SECONDS": "3"})
    sent = time.monotonic()
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=20) == 0
    assert 2.9 <= float(stopped.read_text()) - sent <= 8.0


def test_without_the_http_server_it_waits_the_fallback_then_stops(tmp_path: Path) -> None:
    process, stopped = _start(
        tmp_path, {"FLB_DRAIN_METRICS_URL": "http://127.0.0.1:9/none", "FLB_DRAIN_FALLBACK_SECONDS": "1"}
    )
    sent = time.monotonic()
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=20) == 0
    assert 0.9 <= float(stopped.read_text()) - sent <= 6.0


@pytest.mark.parametrize("shell", [s for s in ("dash", "bash") if shutil.which(s)])
def test_the_routers_exit_status_is_the_wrappers_however_fast_it_exits(tmp_path: Path, shell: str) -> None:
    # The image's /bin/sh is bash (Amazon Linux); Debian's is dash. A child that is gone before the
    # wrapper first waits must still give its status (20 tries make the race likely).
    wrapper = tmp_path / "drain-then-stop"
    wrapper.write_bytes(drain_wrapper())
    codes = {subprocess.run([shell, str(wrapper), "sh", "-c", "exit 7"], timeout=20).returncode for _ in range(20)}
    assert codes == {7}
