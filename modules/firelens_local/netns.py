"""Sockets inside another Linux network namespace, made from this process: how the harness reaches a router run.

A Fargate task has its own network namespace (``awsvpc``): inside it, FireLens's
forward input listens on 127.0.0.1:24224 and its health-check input on
127.0.0.1:8877 (aws/amazon-ecs-agent agent/taskresource/firelens/firelensconfig_unix.go),
and the router config's HTTP server on 127.0.0.1:2020. :mod:`firelens_local.fluent_bit`
runs Fluent Bit in a namespace of its own the same way, so two runs never
clash on those ports. The harness still has to reach it, and it has to reach
the emulator on the host's loopback: a socket belongs to the namespace of the
thread that creates it (``setns(2)`` with ``CLONE_NEWNET`` changes the calling
thread only, see man 2 setns), so :class:`NetworkNamespace` makes sockets on a
short-lived helper thread that entered the namespace, and hands them back to
any thread of this process. The TLS proxy in front of the emulator listens
inside the run's namespace that way and connects to the emulator from the host's.

Linux only; entering a namespace needs ``CAP_SYS_ADMIN`` (root).
"""

from __future__ import annotations

import ctypes
import fcntl
import os
import socket
import struct
import threading
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import TypeVar

__all__ = ["NetworkNamespace"]

T = TypeVar("T")

#: ``CLONE_NEWNET`` (include/uapi/linux/sched.h).
_CLONE_NEWNET = 0x40000000
#: ``SIOCGIFFLAGS``/``SIOCSIFFLAGS`` and ``IFF_UP`` (include/uapi/linux/sockios.h, if.h).
_SIOCGIFFLAGS, _SIOCSIFFLAGS, _IFF_UP = 0x8913, 0x8914, 0x1


def _setns(fd: int) -> None:
    """``setns(fd, CLONE_NEWNET)`` for the calling thread (``os.setns`` arrived only in Python 3.12)."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.setns(fd, _CLONE_NEWNET) != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"setns(CLONE_NEWNET): {os.strerror(errno)} (entering a network namespace needs root)")


class NetworkNamespace:
    """A network namespace held open by a file descriptor, so it outlives the process that made it.

    Args:
        path: The namespace's file, ``/proc/<pid>/ns/net`` of a process inside it.

    Raises:
        OSError: the file cannot be opened (no such process, or not allowed).

    Example::

        netns = NetworkNamespace.of_process(router_pid)
        netns.loopback_up()
        server = netns.listen(("127.0.0.5", 443))       # lives in the router's namespace
        health = netns.connect(("127.0.0.1", 2020), 5.0)
    """

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._fd: int | None = os.open(self.path, os.O_RDONLY | os.O_CLOEXEC)

    @classmethod
    def of_process(cls, pid: int) -> NetworkNamespace:
        """The namespace process ``pid`` is in."""
        return cls(f"/proc/{pid}/ns/net")

    def run(self, action: Callable[[], T], timeout: float = 10.0) -> T:
        """``action()`` on a helper thread inside the namespace; its result (or its error) comes back here.

        Raises:
            TimeoutError: ``action`` did not finish within ``timeout`` seconds.
        """
        if self._fd is None:
            raise ValueError(f"network namespace {self.path} is closed")
        fd = self._fd
        outcome: list[T] = []
        failure: list[BaseException] = []

        def inside() -> None:
            try:
                _setns(fd)
                outcome.append(action())
            except BaseException as error:  # noqa: BLE001 - handed to the calling thread
                failure.append(error)

        # The helper thread ends right after: it never goes back to the host's namespace, so nothing else runs on it.
        helper = threading.Thread(target=inside, name="netns-helper", daemon=True)
        helper.start()
        helper.join(timeout)
        if helper.is_alive():
            raise TimeoutError(f"network namespace {self.path}: the action did not finish within {timeout:.0f} s")
        if failure:
            raise failure[0]
        return outcome[0]

    def loopback_up(self) -> None:
        """Bring the namespace's ``lo`` up (a new namespace starts with it down, and 127.0.0.0/8 unusable)."""

        def up() -> None:
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
                request = struct.pack("16sh", b"lo", 0)
                flags = struct.unpack("16sh", fcntl.ioctl(sock, _SIOCGIFFLAGS, request))[1]
                fcntl.ioctl(sock, _SIOCSIFFLAGS, struct.pack("16sh", b"lo", flags | _IFF_UP))

        self.run(up)

    def listen(self, address: tuple[str, int], backlog: int = 128) -> socket.socket:
        """A TCP socket listening on ``address`` inside the namespace."""

        def bind() -> socket.socket:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            try:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                sock.bind(address)
                sock.listen(backlog)
            except OSError:
                sock.close()
                raise
            return sock

        return self.run(bind)

    def connect(self, address: tuple[str, int], timeout: float) -> socket.socket:
        """A TCP connection from inside the namespace to ``address`` (connect bounded by ``timeout``)."""
        return self.run(lambda: socket.create_connection(address, timeout=timeout), timeout=timeout + 5.0)

    def close(self) -> None:
        """Let go of the namespace (it ends when nothing else holds it: no process, no socket)."""
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> NetworkNamespace:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()
