"""A TLS-terminating TCP proxy in front of the emulator, whose behaviour a test switches while it runs.

Fluent Bit's AWS outputs reach "AWS" at ``<service>.<region>.amazonaws.com:443``
over TLS (:mod:`firelens_local.run_ca`); the emulator (moto) speaks plain
HTTP on the host's loopback. The proxy sits between them: it presents the
run CA's certificate, and passes the decrypted bytes to the emulator and
back. Fault tests switch its mode to make the endpoint fail the ways a real
one does:

- :attr:`ProxyMode.PASS`: every connection reaches the emulator;
- :attr:`ProxyMode.REFUSE`: nothing listens: connections are refused (the
  proxy cannot count them; the kernel answers);
- :attr:`ProxyMode.DROP`: a connection is accepted and closed at once,
  before the TLS handshake;
- :attr:`ProxyMode.STALL`: a connection is accepted, the handshake done and
  the request read, and nothing ever answers. Fluent Bit's outputs set no
  I/O timeout of their own (``net.io_timeout`` defaults to 0, "infinite":
  src/flb_upstream.c, src/flb_network.c), so such a flush waits until the
  connection breaks.

Leaving :attr:`ProxyMode.PASS` (or :attr:`ProxyMode.STALL`) aborts the
connections open in that mode, as an endpoint that goes away does; the
router's next request opens a new connection and meets the new mode.

It listens only on loopback, in this process's network namespace or in a
router run's (:class:`~firelens_local.netns.NetworkNamespace`), and runs an
asyncio loop on one thread of its own; :meth:`FaultProxy.stop` closes
everything. At most ``max_connections`` are open at once; more are closed on arrival.

Example::

    with FaultProxy(listen=("127.0.0.5", 443), upstream=("127.0.0.1", emu.port),
                    certificate=certs.certificate, key=certs.key) as proxy:
        proxy.set_mode(ProxyMode.REFUSE)   # an outage begins
        ...
        proxy.set_mode(ProxyMode.PASS)     # and ends
        print(proxy.counts())
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import socket
import ssl
import threading
from collections.abc import Coroutine
from enum import Enum
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from firelens_cdktf.errors import EmulatorError
from firelens_local.netns import NetworkNamespace

__all__ = ["FaultProxy", "ProxyMode"]

T = TypeVar("T")

#: Bytes read at a time on either side.
_CHUNK = 64 * 1024


class ProxyMode(Enum):
    """How the proxy treats a connection; see the module's docstring."""

    PASS = "pass"
    REFUSE = "refuse"
    DROP = "drop"
    STALL = "stall"


class FaultProxy:
    """The proxy; see the module's docstring.

    Args:
        listen: Loopback ``(address, port)`` to listen on (port 443 for the router; 0 picks a free port,
            then :attr:`listen_address` holds it).
        upstream: The emulator's plain-HTTP ``(address, port)``, in this process's namespace.
        certificate: PEM server certificate (:class:`firelens_local.run_ca.RunCertificates`).
        key: Its PEM key.
        netns: The namespace to listen in. Default: this process's.
        mode: The mode at start. Default: :attr:`ProxyMode.PASS`.
        max_connections: Connections open at once before new ones are closed on arrival.
        handshake_timeout: Seconds a client has to finish the TLS handshake.

    Raises:
        ValueError: ``listen`` is not a loopback address.
    """

    def __init__(
        self,
        *,
        listen: tuple[str, int],
        upstream: tuple[str, int],
        certificate: Path,
        key: Path,
        netns: NetworkNamespace | None = None,
        mode: ProxyMode = ProxyMode.PASS,
        max_connections: int = 256,
        handshake_timeout: float = 10.0,
    ) -> None:
        if not ipaddress.ip_address(listen[0]).is_loopback:
            raise ValueError(f"FaultProxy(listen={listen!r}): listen on a loopback address (127.0.0.0/8 or ::1)")
        self.listen_address = listen
        self.upstream = upstream
        self._tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._tls.load_cert_chain(certificate, key)
        self._netns = netns
        self._mode = mode
        self._max_connections = max_connections
        self._handshake_timeout = handshake_timeout
        self._counts = dict.fromkeys(ProxyMode, 0)
        self._over_limit = 0
        self._open: dict[asyncio.Task[None], ProxyMode] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.Server | None = None
        self._lock = threading.Lock()

    # --- control, from any thread -------------------------------------------------------

    def start(self, timeout: float = 10.0) -> FaultProxy:
        """Start the loop thread and, unless the mode is REFUSE, listen.

        Raises:
            EmulatorError: the address cannot be listened on.
        """
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._thread = threading.Thread(target=loop.run_forever, name="fault-proxy", daemon=True)
        self._thread.start()
        try:
            self._call(self._apply(self._mode), timeout)
        except OSError as error:
            self.stop()
            raise EmulatorError(f"fault proxy: cannot listen on {self.listen_address}: {error}") from error
        return self

    @property
    def mode(self) -> ProxyMode:
        """The mode new connections meet."""
        return self._mode

    def set_mode(self, mode: ProxyMode, timeout: float = 10.0) -> None:
        """Switch to ``mode``; returns once it is in force (a REFUSE proxy has stopped listening)."""
        self._call(self._apply(mode), timeout)

    def counts(self) -> dict[ProxyMode, int]:
        """Connections accepted so far, by the mode they met (REFUSE stays 0: the kernel refuses them)."""
        with self._lock:
            return dict(self._counts)

    @property
    def over_limit(self) -> int:
        """Connections closed on arrival because ``max_connections`` were open."""
        return self._over_limit

    def stop(self, timeout: float = 10.0) -> None:
        """Stop listening, abort every connection and end the loop thread (no-op when stopped)."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        if loop.is_running():
            with contextlib.suppress(TimeoutError, RuntimeError):
                self._call(self._close_all(), timeout)
            loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout)
        if not thread.is_alive():
            loop.close()
        self._loop = self._thread = None

    def __enter__(self) -> FaultProxy:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()

    def _call(self, coroutine: Coroutine[Any, Any, T], timeout: float) -> T:
        if self._loop is None:
            coroutine.close()
            raise RuntimeError("fault proxy: not started")
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout)

    # --- on the loop thread ---------------------------------------------------------------

    async def _apply(self, mode: ProxyMode) -> None:
        previous, self._mode = self._mode, mode
        if mode is ProxyMode.REFUSE:
            await self._close_server()
        elif self._server is None:
            sock = self._listening_socket()
            self.listen_address = sock.getsockname()[:2]  # the port chosen, if 0 was asked for; kept for a re-listen
            self._server = await asyncio.start_server(self._accept, sock=sock, limit=_CHUNK)
        if mode is not previous:
            for task, met in list(self._open.items()):
                if met is not mode:
                    task.cancel()

    def _listening_socket(self) -> socket.socket:
        if self._netns is not None:
            return self._netns.listen(self.listen_address)
        sock = socket.socket(socket.AF_INET6 if ":" in self.listen_address[0] else socket.AF_INET)
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(self.listen_address)
            sock.listen(128)
        except OSError:
            sock.close()
            raise
        return sock

    async def _close_server(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.close()
            await server.wait_closed()

    async def _close_all(self) -> None:
        await self._close_server()
        tasks = list(self._open)
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=5.0)

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        mode = self._mode
        task = asyncio.current_task()
        assert task is not None
        if len(self._open) >= self._max_connections:
            self._over_limit += 1
            writer.transport.abort()
            return
        with self._lock:
            self._counts[mode] += 1
        if mode is ProxyMode.DROP:
            writer.close()
            return
        self._open[task] = mode
        try:
            await writer.start_tls(self._tls, ssl_handshake_timeout=self._handshake_timeout)
            if mode is ProxyMode.STALL:
                while await reader.read(_CHUNK):
                    pass  # read, never answer
            else:
                await self._pass(reader, writer)
        except (OSError, ssl.SSLError, asyncio.IncompleteReadError, ConnectionError, TimeoutError):
            pass  # the client or the emulator went away: that connection ends
        except asyncio.CancelledError:
            # A mode change or stop() ends it. Not re-raised: asyncio 3.11's stream server asks a finished
            # handler task for its exception, which raises again for a cancelled one and is logged as an error.
            pass
        finally:
            self._open.pop(task, None)
            writer.transport.abort()

    async def _pass(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self.upstream, limit=_CHUNK)
        copies = {asyncio.ensure_future(_copy(reader, up_writer)), asyncio.ensure_future(_copy(up_reader, writer))}
        try:
            # Either side ending ends the connection: HTTP needs nothing after one side closes.
            await asyncio.wait(copies, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for copy in copies:
                copy.cancel()
            await asyncio.gather(*copies, return_exceptions=True)
            up_writer.transport.abort()


async def _copy(source: asyncio.StreamReader, target: asyncio.StreamWriter) -> None:
    """Copy until ``source`` ends (one side of a connection)."""
    while data := await source.read(_CHUNK):
        target.write(data)
        await target.drain()
