"""A real Fluent Bit as the FireLens log router, against the emulator, with the router image's files unchanged.

:class:`FluentBitRun` starts the binary the way a Fargate task runs its log router:

- **The config FireLens generates** (:mod:`firelens_local.firelens_config`) at
  ``/fluent-bit/etc/fluent-bit.conf``, ``@INCLUDE``-ing the router image's
  own file. The image's folder (``docker/firelens/`` here) is seen as
  ``/fluent-bit/etc``, so ``Parsers_File /fluent-bit/etc/parsers_json.conf``
  and the like resolve as in the image; its files are linked, never copied
  or edited.
- **A private mount namespace** (``unshare -m``, as root) that shows the
  router its run folder where the image and FireLens put things
  (:mod:`firelens_local.run_folder`): ``/fluent-bit/etc``, ``/var/run`` (so
  ``/var/run/fluent.sock`` is :attr:`FluentBitRun.socket_path` on the host),
  ``/etc/hosts`` (the AWS hostnames at the proxy's address), ``/etc/ssl/certs``
  (the run CA alone) and the config's ``storage.path``.
- **A private network namespace** (``unshare -n``), like the task's own in
  ``awsvpc`` mode: FireLens's inputs on 127.0.0.1:24224 and 127.0.0.1:8877
  and the config's HTTP server (127.0.0.1:2020 in this project's) are the
  run's alone, so runs never clash and nothing on the host is in the way.
  The run reaches the emulator only through a :class:`~firelens_local.fault_proxy.FaultProxy`
  listening *inside* the namespace on ``<aws_address>:443`` and connecting
  to the emulator from the host's (:mod:`firelens_local.netns`); the proxy
  is :attr:`FluentBitRun.proxy`, for outage tests. Credentials are the
  emulator's fake ones, in the environment (Fluent Bit's first provider).
  The HTTP server is reached with :meth:`FluentBitRun.http_get`.
- **Optionally through the image's stop wrapper** (``wrapper``, e.g.
  ``docker/firelens/drain-then-stop.sh``), run with ``sh`` before the
  binary, as the image's ``CMD`` runs it, so a test meets the image's own stop behaviour.

Everything of a run lives in its folder (a new temporary one unless
``run_dir`` is given). :meth:`FluentBitRun.close` ends the processes (their
process group), the proxy and the folder; the mounts go with the namespace.

Not modelled: the init image's ``-e`` Go plugins (``cloudwatch``,
``firehose``, ``kinesis``: the binary is built without them) and its other
stock files (``/fluent-bit/parsers/``, ``/fluent-bit/configs/``: a config
naming them fails to start, saying so in its log); its
``aws_fluent_bit_init_*`` files (FireLens's ``config-file-type file`` is
what this project uses); outputs FireLens adds from app containers' log
options (this project's set none). Every file of ``router_dir`` appears in
``/fluent-bit/etc``, also those the image does not copy there (a
``Dockerfile``): Fluent Bit reads only what the config names.

Example::

    with Emulator() as emu, FluentBitRun(binary=Path(".tools/fluent-bit/bin/fluent-bit"),
                                       router_dir=Path("docker/firelens"), firelens=FirelensContext(),
                                       region="ap-northeast-1", emulator=emu,
                                       wrapper=Path("docker/firelens/drain-then-stop.sh")) as run:
        with ForwardClient(run.socket_path) as client:
            client.send_lines(FirelensContext(), "rails-app", lines)
        run.stop()                 # SIGTERM, as ECS stops the router
        run.wait(timeout=60)
        print(run.returncode, run.peak_rss_bytes, run.cpu_seconds)
"""

from __future__ import annotations

import http.client
import os
import re
import select
import shutil
import signal
import socket
import tempfile
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from firelens_cdktf.errors import EmulatorError
from firelens_cdktf.fluentbit.config import FluentBitConfig
from firelens_cdktf.fluentbit.simulator import FirelensContext
from firelens_local.emulator import Emulator
from firelens_local.fault_proxy import FaultProxy
from firelens_local.netns import NetworkNamespace
from firelens_local.run_folder import AWS_ADDRESS, RunFolder, read_run_config, router_environment, write_run_folder

__all__ = ["FluentBitRun", "ProcessSample"]

#: How often the router's peak memory is read.
_SAMPLE_SECONDS = 0.1
#: The last bytes of the router's log a failure message carries.
_LOG_TAIL = 3000


@dataclass(frozen=True)
class ProcessSample:
    """The router process now (``/proc``): resident and peak memory in bytes, CPU seconds so far."""

    rss_bytes: int
    peak_rss_bytes: int
    cpu_seconds: float


class FluentBitRun:
    """One real Fluent Bit as a task's log router; see the module's docstring.

    Args:
        binary: The ``fluent-bit`` executable (Fluent Bit 4.2.2, as the router image ships).
        router_dir: The router image's ``/fluent-bit/etc`` files (its config and parsers).
        firelens: The task's values (tag, ECS metadata) the feed and the preview use too.
        region: The region the config's outputs name.
        emulator: Where the outputs' calls go, through the run's proxy.
        config_file: The name of the router's config in ``router_dir`` (FireLens's ``config-file-value``).
        wrapper: A POSIX sh script taking the command to run as its arguments. Default: none, Fluent Bit alone.
        memory_reservation_mib: The router container's ``memoryReservation``; FireLens's forward input
            gets half as ``Mem_Buf_Limit``. Default: none, so 25MB.
        env: More environment for Fluent Bit and the wrapper (``FLB_DRAIN_MAX_SECONDS``, say).
        run_dir: The run's folder, kept afterwards. Default: a temporary folder, removed by :meth:`close`.
        aws_address: The loopback address the AWS hostnames resolve to inside the run.

    Attributes:
        pid: The run's process once started: Fluent Bit, or the wrapper running it.
        returncode: Its exit code once :meth:`wait` saw it exit (negative: the signal that ended it).
        cpu_seconds: CPU time of the run, user and system, once it exited (:meth:`wait`).

    Raises:
        ValueError: a missing binary, folder or wrapper (:meth:`start` checks the folder's files).
    """

    def __init__(
        self,
        *,
        binary: Path,
        router_dir: Path,
        firelens: FirelensContext,
        region: str,
        emulator: Emulator,
        config_file: str = "extra.conf",
        wrapper: Path | None = None,
        memory_reservation_mib: int | None = None,
        env: Mapping[str, str] | None = None,
        run_dir: Path | None = None,
        aws_address: str = AWS_ADDRESS,
    ) -> None:
        if not os.access(binary, os.X_OK):
            raise ValueError(f"FluentBitRun(binary={str(binary)!r}): no executable there")
        if not router_dir.is_dir():
            raise ValueError(f"FluentBitRun(router_dir={str(router_dir)!r}): no such folder")
        if wrapper is not None and not wrapper.is_file():
            raise ValueError(f"FluentBitRun(wrapper={str(wrapper)!r}): no such script")
        self.binary = binary.resolve()
        self.router_dir = router_dir.resolve()
        self.firelens = firelens
        self.region = region
        self.emulator = emulator
        self.config_file = config_file
        self.wrapper = wrapper.resolve() if wrapper is not None else None
        self.memory_reservation_mib = memory_reservation_mib
        self.aws_address = aws_address
        self._extra_env = dict(env or {})
        self._temporary = run_dir is None
        self.run_dir = Path(tempfile.mkdtemp(prefix="fluent-bit-run-")) if run_dir is None else run_dir.resolve()
        self.pid: int | None = None
        self.returncode: int | None = None
        self.cpu_seconds: float | None = None
        self._peak_rss: int | None = None
        self._reap_lock = threading.Lock()
        self._monitor: threading.Thread | None = None
        self._closing = False
        self._netns: NetworkNamespace | None = None
        self._proxy: FaultProxy | None = None
        self._folder: RunFolder | None = None
        self._config: FluentBitConfig | None = None

    # --- where things are -----------------------------------------------------------------

    @property
    def socket_path(self) -> Path:
        """The host path of the router's ``/var/run/fluent.sock``: what the feed connects to."""
        return self.folder.socket_path

    @property
    def log_path(self) -> Path:
        """Fluent Bit's own output (and the wrapper's)."""
        return self.folder.log

    @property
    def folder(self) -> RunFolder:
        """The run's folder (:mod:`firelens_local.run_folder`), once :meth:`start` has written it."""
        if self._folder is None:
            raise RuntimeError("FluentBitRun: not started")
        return self._folder

    @property
    def netns(self) -> NetworkNamespace:
        """The run's network namespace (for a TCP feed to FireLens's 127.0.0.1:24224)."""
        if self._netns is None:
            raise RuntimeError("FluentBitRun: not started")
        return self._netns

    @property
    def proxy(self) -> FaultProxy:
        """The router's only way to "AWS": switch its mode for an outage."""
        if self._proxy is None:
            raise RuntimeError("FluentBitRun: not started")
        return self._proxy

    @property
    def config(self) -> FluentBitConfig:
        """The whole config the router runs (FireLens's plus the included file), as the preview reads it."""
        if self._config is None:
            self._config = read_run_config(self.folder.etc)
        return self._config

    def log_text(self) -> str:
        """What the router has written so far."""
        try:
            return self.log_path.read_text(errors="replace")
        except (FileNotFoundError, RuntimeError):
            return ""

    # --- lifecycle ----------------------------------------------------------------------

    def start(self, timeout: float = 30.0) -> FluentBitRun:
        """Write the run's folder, start the router and wait until its forward socket takes connections.

        Call it from a thread that outlives the run (the main thread, say): the
        router is stopped when the thread that started it ends (``setpriv
        --pdeathsig``, so a harness killed without :meth:`close` leaves no router behind).

        Raises:
            EmulatorError: ``unshare`` or ``setpriv`` is missing, the namespaces
                or mounts fail (not root?), or the router exits or does not
                listen in time; the message carries the end of its log.
        """
        unshare, setpriv = shutil.which("unshare"), shutil.which("setpriv")
        if unshare is None or setpriv is None:
            raise EmulatorError(
                "fluent-bit run: `unshare` and `setpriv` (util-linux) must be on PATH; they make the run's namespaces"
            )
        folder = self._folder = write_run_folder(
            self.run_dir,
            binary=self.binary,
            router_dir=self.router_dir,
            firelens=self.firelens,
            region=self.region,
            config_file=self.config_file,
            wrapper=self.wrapper,
            memory_reservation_mib=self.memory_reservation_mib,
            aws_address=self.aws_address,
        )
        deadline = time.monotonic() + timeout
        stdin_r, stdin_w = os.pipe()
        stdout_r, stdout_w = os.pipe()
        errors = os.open(folder.start_log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
        try:
            try:
                self.pid = os.posix_spawn(
                    setpriv,
                    # --pdeathsig: should this process die without close(), the router is stopped all the same
                    [setpriv, "--pdeathsig", "TERM", unshare, "--mount", "--net", "/bin/sh", str(folder.script)],
                    router_environment(self.firelens, self.region, self._extra_env),
                    file_actions=[
                        (os.POSIX_SPAWN_DUP2, stdin_r, 0),
                        (os.POSIX_SPAWN_DUP2, stdout_w, 1),
                        (os.POSIX_SPAWN_DUP2, errors, 2),
                    ],
                    setsid=True,  # its own process group: close() ends the wrapper, Fluent Bit and their children
                )
            finally:
                for fd in (stdin_r, stdout_w, errors):
                    os.close(fd)
            self._wait_ready_line(stdout_r, deadline)
            self._netns = NetworkNamespace.of_process(self.pid)
            self._netns.loopback_up()
            self._proxy = FaultProxy(
                listen=(self.aws_address, 443),
                upstream=("127.0.0.1", self.emulator.port),
                certificate=folder.certificates.certificate,
                key=folder.certificates.key,
                netns=self._netns,
            ).start()
            os.write(stdin_w, b"start\n")
            self._monitor = threading.Thread(target=self._watch_memory, name="fluent-bit-memory", daemon=True)
            self._monitor.start()
            self._wait_listening(deadline)
        except BaseException:
            self.close()
            raise
        finally:
            os.close(stdin_w)
            os.close(stdout_r)
        return self

    def stop(self, signal: int = signal.SIGTERM) -> None:
        """Send ``signal`` to the router (to the wrapper when there is one), as ECS does to stop the container."""
        if self.pid is not None and self.returncode is None:
            os.kill(self.pid, signal)

    def wait(self, timeout: float = 60.0) -> int:
        """Wait until the router has exited; its exit code (negative: the signal that ended it).

        Also sets :attr:`cpu_seconds` from the kernel's account of the
        process (``wait4``), which includes the processes it waited for: with
        a wrapper, the wrapper and its ``curl`` calls too (Fluent Bit's share
        dominates), and the final :attr:`peak_rss_bytes`.

        Raises:
            TimeoutError: still running after ``timeout`` seconds.
        """
        if self.pid is None:
            raise RuntimeError("FluentBitRun: not started")
        deadline = time.monotonic() + timeout
        while True:
            with self._reap_lock:
                if self.returncode is not None:
                    return self.returncode
                pid, status, usage = os.wait4(self.pid, os.WNOHANG)
                if pid == self.pid:
                    self.returncode = os.waitstatus_to_exitcode(status)
                    self.cpu_seconds = usage.ru_utime + usage.ru_stime
                    if self._monitor is not None:
                        self._monitor.join(timeout=2 * _SAMPLE_SECONDS)
                    return self.returncode
            if time.monotonic() >= deadline:
                raise TimeoutError(f"fluent-bit run: still running {timeout:.0f} s after wait() (pid {self.pid})")
            time.sleep(0.05)

    def running(self) -> bool:
        """Whether the router has not exited yet."""
        if self.pid is None:
            return False
        try:
            self.wait(timeout=0)
        except TimeoutError:
            return True
        return False

    @property
    def peak_rss_bytes(self) -> int | None:
        """Fluent Bit's peak resident memory so far (its ``VmHWM``, read every 0.1 s while it runs, so a peak
        in its last 0.1 s can be missed); ``None`` before the first reading.

        Not ``wait4``'s ``ru_maxrss``: after ``exec`` that keeps the peak of the
        process image before it, here this Python process's (Linux ``exec_mmap``).
        """
        return self._peak_rss

    def fluent_bit_pid(self) -> int | None:
        """The Fluent Bit process (the run's own process, or the wrapper's child running the binary);
        ``None`` before it runs the binary or after it exits. Reads ``/proc`` only."""
        if self.pid is None or self.returncode is not None:
            return None
        candidates = [str(self.pid)]
        if self.wrapper is not None:
            try:
                candidates = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text().split()
            except OSError:
                return None
        for candidate in candidates:
            try:
                # the binary, or what a launcher of the same name runs (firelens_local.router_image)
                if (exe := Path(f"/proc/{candidate}/exe").resolve()) == self.binary or exe.name == self.binary.name:
                    return int(candidate)
            except OSError:
                continue
        return None

    def sample(self) -> ProcessSample | None:
        """Fluent Bit's memory and CPU now, from ``/proc``; ``None`` when it is not running the binary."""
        pid = self.fluent_bit_pid()
        if pid is None:
            return None
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return None
        kib = {m.group(1): int(m.group(2)) for m in re.finditer(r"^(VmRSS|VmHWM):\s+(\d+) kB", status, re.MULTILINE)}
        if "VmHWM" not in kib:
            return None  # exited, not yet reaped: its memory is gone
        fields = stat.rsplit(")", 1)[1].split()  # after the command name, which may hold spaces
        ticks = os.sysconf("SC_CLK_TCK")
        cpu = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime (man 5 proc: fields 14 and 15)
        return ProcessSample(kib.get("VmRSS", 0) * 1024, kib["VmHWM"] * 1024, cpu)

    def _watch_memory(self) -> None:
        """Keep :attr:`peak_rss_bytes` up to date until the run ends (never longer: it checks every 0.1 s)."""
        while self.returncode is None and not self._closing:
            now = self.sample()
            if now is not None:
                self._peak_rss = max(self._peak_rss or 0, now.peak_rss_bytes)
            time.sleep(_SAMPLE_SECONDS)

    @property
    def http_address(self) -> tuple[str, int] | None:
        """Where the router's HTTP server listens inside the run (``None`` when the config turns it off).

        Fluent Bit's defaults: off, 0.0.0.0, port 2020 (include/fluent-bit/flb_config.h ``FLB_CONFIG_HTTP_LISTEN``,
        ``FLB_CONFIG_HTTP_PORT``).
        """
        if (self.config.service_setting("HTTP_Server") or "off").lower() not in ("on", "true", "yes", "1"):
            return None
        listen = self.config.service_setting("HTTP_Listen") or "0.0.0.0"
        host = "127.0.0.1" if listen in ("0.0.0.0", "::") else listen
        return host, int(self.config.service_setting("HTTP_Port") or 2020)

    def http_get(self, path: str, timeout: float = 5.0) -> tuple[int, bytes]:
        """``GET path`` on the router's HTTP server (from inside its network namespace): status and body.

        Raises:
            ValueError: the config does not turn the HTTP server on.
            OSError: nothing answers.
        """
        address = self.http_address
        if address is None:
            raise ValueError("fluent-bit run: the config sets no HTTP_Server On")
        host, port = address
        connection = http.client.HTTPConnection(host, port, timeout=timeout)
        connection.sock = self.netns.connect((host, port), timeout)  # made inside the run's namespace
        try:
            connection.request("GET", path)
            answer = connection.getresponse()
            return answer.status, answer.read()
        finally:
            connection.close()

    def close(self, grace: float = 10.0) -> None:
        """End the run: SIGTERM then, after ``grace`` seconds, SIGKILL to its process group; stop the proxy;
        let go of the namespace; remove a temporary run folder."""
        self._closing = True
        if self.pid is not None and self.returncode is None:
            try:
                os.killpg(self.pid, signal.SIGTERM)
                self.wait(timeout=grace)
            except (TimeoutError, ProcessLookupError):
                try:
                    os.killpg(self.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.wait(timeout=grace)
        if self._proxy is not None:
            self._proxy.stop()
        if self._netns is not None:
            self._netns.close()
        if self._temporary:
            shutil.rmtree(self.run_dir, ignore_errors=True)

    def __enter__(self) -> FluentBitRun:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # --- starting ----------------------------------------------------------------------------

    def _wait_ready_line(self, stdout: int, deadline: float) -> None:
        """Wait for ``start.sh`` to say its mounts are done."""
        seen = b""
        while b"\n" not in seen:
            remaining = deadline - time.monotonic()
            readable, _, _ = select.select([stdout], [], [], max(0.0, remaining))
            chunk = os.read(stdout, 64) if readable else b""
            if not chunk:
                raise EmulatorError(
                    "fluent-bit run: the namespace script did not get ready (is this root? "
                    f"`unshare --mount --net` and `mount --bind` need it); {self._start_errors()}"
                )
            seen += chunk
        if seen.strip() != b"ready":
            raise EmulatorError(f"fluent-bit run: unexpected output {seen!r} from start.sh; {self._start_errors()}")

    def _wait_listening(self, deadline: float) -> None:
        """Wait until the forward socket takes a connection, and the HTTP server too when the config has one
        (it starts a little after the inputs; the stop wrapper reads it)."""
        http = self.http_address
        while time.monotonic() < deadline:
            if not self.running():
                raise EmulatorError(
                    f"fluent-bit run: the router exited with code {self.returncode} before listening; "
                    f"log ({self.log_path}):\n{self.log_text()[-_LOG_TAIL:]}"
                )
            if self._accepts_forward() and (http is None or self._accepts_http(http)):
                return
            time.sleep(0.05)
        raise EmulatorError(
            f"fluent-bit run: not listening on {self.socket_path}"
            + (f" and {http[0]}:{http[1]}" if http else "")
            + f" in time; log:\n{self.log_text()[-_LOG_TAIL:]}"
        )

    def _accepts_forward(self) -> bool:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
            try:
                probe.connect(str(self.socket_path))
            except OSError:
                return False
            return True

    def _accepts_http(self, address: tuple[str, int]) -> bool:
        try:
            self.netns.connect(address, timeout=1.0).close()
        except OSError:
            return False
        return True

    def _start_errors(self) -> str:
        try:
            text = self.folder.start_log.read_text(errors="replace").strip()
        except OSError:
            text = ""
        return f"start.sh said: {text[-_LOG_TAIL:]}" if text else "start.sh said nothing"
