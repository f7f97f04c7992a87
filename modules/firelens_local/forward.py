"""A client of Fluent Bit's forward input that sends what Docker's fluentd log driver sends for FireLens.

With the ``awsfirelens`` log driver, ECS gives each app container Docker's
``fluentd`` log driver (aws/amazon-ecs-agent agent/engine/docker_task_engine.go,
``getFirelensLogConfig``):

- address ``unix://.../socket/fluent.sock``: the task's socket folder, which
  the router container sees as ``/var/run/`` (agent/api/task/task.go,
  ``firelensSocketBindFormat``), where FireLens's forward input listens
  (:data:`~firelens_local.firelens_config.FIRELENS_SOCKET_PATH`; its TCP
  input, :data:`~firelens_local.firelens_config.FIRELENS_TCP_ADDRESS`, takes the same);
- tag ``<container>-firelens-<task id>``;
- ``fluentd-sub-second-precision`` on, so the time is an EventTime.

Docker posts each stdout line as a record with ``container_id``,
``container_name``, ``source`` and ``log``, and a line of 16 KiB or more as
pieces carrying ``partial_message``, ``partial_id``, ``partial_ordinal`` and
``partial_last`` (moby daemon/logger/fluentd/fluentd.go). fluent-logger-golang
writes each post as one forward-protocol Message, ``[tag, time, record, option]``,
whose option is an empty map unless acks were asked for (``EncodeData``,
fluent/fluent.go; ``MessageExt``, fluent/proto.go); Fluent Bit's in_forward
reads it in Message mode (plugins/in_forward/fw_prot.c).

The records come from :meth:`FirelensContext.wrap_line
<firelens_cdktf.fluentbit.simulator.FirelensContext.wrap_line>`, the same
function the preview wraps lines with, so what the preview predicts and what
the real router receives agree byte for byte. (Docker's record is a Go map,
so its key order varies from record to record; the preview's order is one of
them. Its ``partial_id`` is random; the preview's is the line number.)

Example::

    with ForwardClient(run.socket_path) as client:
        result = client.send_lines(FirelensContext(), "app", ["hello", '{"n":1}'], rate=Rate(lines_per_second=100))
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from firelens_cdktf.fluentbit.records import Pairs
from firelens_cdktf.fluentbit.simulator import FirelensContext
from firelens_local.msgpack_encoder import EventTime, encode
from firelens_local.netns import NetworkNamespace

__all__ = [
    "FeedResult",
    "ForwardClient",
    "Rate",
    "docker_messages",
    "message",
]

#: Bytes gathered before a write when nothing paces the feed (Docker writes each post at once; the
#: stream is the same, only the system calls are fewer).
_WRITE_BATCH_BYTES = 64 * 1024
#: How far ahead of its pace a feed may run before it waits: lines due within this go out together.
_PACING_SLACK_SECONDS = 0.005


def message(tag: str, record: Pairs | Mapping[str, object], event_time: EventTime) -> bytes:
    """One forward-protocol Message as fluent-logger-golang writes it: ``[tag, time, record, {}]``.

    Example:
        >>> message("t", {"log": "x"}, EventTime(1, 2)).hex()
        '94a174d700000000010000000281a36c6f67a17880'
    """
    return encode((tag, event_time, record, {}))


def docker_messages(
    firelens: FirelensContext, container: str, line: str, number: int, event_time: EventTime
) -> tuple[bytes, ...]:
    """The Messages Docker's fluentd driver sends for stdout line ``number`` of ``container`` (one per piece)."""
    tag = firelens.tag(container)
    return tuple(message(tag, record, event_time) for record in firelens.wrap_line(container, line, number))


@dataclass(frozen=True)
class Rate:
    """How fast a feed may go; ``None`` leaves that measure unpaced.

    Attributes:
        lines_per_second: stdout lines per second.
        bytes_per_second: stdout bytes per second: each line's UTF-8 bytes
            plus its newline, what the app writes (the wire carries more:
            the record's other keys and msgpack framing).

    Raises:
        ValueError: a rate that is not positive.
    """

    lines_per_second: float | None = None
    bytes_per_second: float | None = None

    def __post_init__(self) -> None:
        for name in ("lines_per_second", "bytes_per_second"):
            value = getattr(self, name)
            if value is not None and not value > 0:
                raise ValueError(f"Rate({name}={value!r}): give a positive number, or None for no limit")


@dataclass(frozen=True)
class FeedResult:
    """What one :meth:`ForwardClient.send_lines` sent.

    Attributes:
        lines: stdout lines.
        records: forward Messages (a line of 16 KiB or more is several).
        line_bytes: stdout bytes (UTF-8 of each line plus its newline).
        wire_bytes: bytes written to the socket.
        seconds: from the first write to the last.
    """

    lines: int
    records: int
    line_bytes: int
    wire_bytes: int
    seconds: float


class ForwardClient:
    """A connection to a forward input: a unix socket path (FireLens's form) or a TCP address.

    Args:
        address: The socket file, or ``(host, port)``.
        timeout: Seconds any one connect or write may block (a router that
            stopped reading makes writes block).
        netns: For a TCP address: the network namespace it is in (a router
            run's :attr:`~firelens_local.fluent_bit.FluentBitRun.netns`). Default: this process's.
    """

    def __init__(
        self,
        address: str | Path | tuple[str, int],
        *,
        timeout: float = 10.0,
        netns: NetworkNamespace | None = None,
    ) -> None:
        self.address = address
        self.timeout = timeout
        self._netns = netns
        self._sock: socket.socket | None = None

    def connect(self) -> ForwardClient:
        """Open the connection."""
        if isinstance(self.address, tuple):
            if self._netns is not None:
                self._sock = self._netns.connect(self.address, self.timeout)
            else:
                self._sock = socket.create_connection(self.address, timeout=self.timeout)
        else:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.settimeout(self.timeout)
            try:
                sock.connect(str(self.address))
            except OSError:
                sock.close()
                raise
            self._sock = sock
        self._sock.settimeout(self.timeout)
        return self

    def send(self, data: bytes) -> None:
        """Write ``data`` whole (raises ``TimeoutError`` when the reader stops taking it for ``timeout`` seconds)."""
        if self._sock is None:
            self.connect()
        assert self._sock is not None
        self._sock.sendall(data)

    def send_lines(
        self,
        firelens: FirelensContext,
        container: str,
        lines: Iterable[str],
        *,
        first_number: int = 1,
        rate: Rate | None = None,
        max_seconds: float = 600.0,
        clock: Callable[[], float] = time.time,
    ) -> FeedResult:
        """Send stdout ``lines`` of ``container`` (without their newlines) as Docker would, paced by ``rate``.

        Each line's records carry the time it is sent (Docker stamps a line
        when it reads it). Lines are numbered from ``first_number``, the
        number :meth:`FirelensContext.wrap_line` turns into ``partial_id``.

        Raises:
            TimeoutError: the feed would take longer than ``max_seconds``
                (checked before each wait), or a write blocked for ``timeout``.
        """
        start = time.monotonic()
        deadline = start + max_seconds
        pending = bytearray()
        count = records = line_bytes = wire_bytes = 0
        for count, line in enumerate(lines, start=1):
            now = time.monotonic()
            due = start + _seconds_due(rate, count - 1, line_bytes) if rate is not None else now
            if due > deadline or now > deadline:
                late = max(due, now) - start
                raise TimeoutError(f"forward feed: line {count} is due {late:.1f} s in, past max_seconds={max_seconds}")
            if due - now > _PACING_SLACK_SECONDS:
                wire_bytes += self._flush(pending)
                time.sleep(due - now)
            for data in docker_messages(firelens, container, line, first_number + count - 1, _now(clock)):
                pending += data
                records += 1
            line_bytes += len(line.encode("utf-8", "surrogateescape")) + 1
            if len(pending) >= _WRITE_BATCH_BYTES:
                wire_bytes += self._flush(pending)
        wire_bytes += self._flush(pending)
        return FeedResult(count, records, line_bytes, wire_bytes, time.monotonic() - start)

    def _flush(self, pending: bytearray) -> int:
        """Write and empty ``pending``; the number of bytes written."""
        size = len(pending)
        if size:
            self.send(bytes(pending))
            pending.clear()
        return size

    def close(self) -> None:
        """Close the connection (no-op when closed)."""
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def __enter__(self) -> ForwardClient:
        return self.connect()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def _seconds_due(rate: Rate, lines_sent: int, bytes_sent: int) -> float:
    """When, in seconds from the start, the next line may go after ``lines_sent`` lines of ``bytes_sent`` bytes."""
    due = 0.0
    if rate.lines_per_second is not None:
        due = max(due, lines_sent / rate.lines_per_second)
    if rate.bytes_per_second is not None:
        due = max(due, bytes_sent / rate.bytes_per_second)
    return due


def _now(clock: Callable[[], float]) -> EventTime:
    return EventTime.from_seconds(clock())
