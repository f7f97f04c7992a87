"""The forward client sends Docker's fluentd-driver Messages for FireLens, paced and bounded.

What it writes is compared with Messages written out by hand from the forward protocol
(https://github.com/fluent/fluentd/wiki/Forward-Protocol-Specification-v1) and
fluent-logger-golang's ``MessageExt`` (``[tag, EventTime, record, {}]``).
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from firelens_cdktf.fluentbit.simulator import FirelensContext
from firelens_local.forward import ForwardClient, Rate, docker_messages, message
from firelens_local.msgpack_encoder import EventTime

FIRELENS = FirelensContext(task_id="0123456789abcdef0123456789abcdef", task_definition="app:3")


def _str(text: str) -> bytes:
    data = text.encode()
    return (bytes([0xA0 | len(data)]) if len(data) < 32 else bytes([0xD9, len(data)])) + data


def test_a_message_is_tag_event_time_record_and_an_empty_option_map() -> None:
    expected = (
        b"\x94"  # array of 4
        + _str("app-firelens-0123456789abcdef0123456789abcdef")
        + b"\xd7\x00"  # fixext8, EventTime
        + struct.pack(">II", 1_700_000_000, 5)
        + b"\x81"
        + _str("log")
        + _str("hi")
        + b"\x80"  # option: {} (no chunk: Docker asks for no ack)
    )
    assert message(FIRELENS.tag("app"), {"log": "hi"}, EventTime(1_700_000_000, 5)) == expected


def test_a_line_becomes_the_record_the_preview_wraps_with_docker_keys_in_order() -> None:
    [data] = docker_messages(FIRELENS, "app", "hello", 1, EventTime(7, 0))
    record = (
        b"\x84"
        + _str("container_id")
        + _str(FIRELENS.task_id * 2)
        + _str("container_name")
        + _str("/ecs-app-3-app-01234567")
        + _str("source")
        + _str("stdout")
        + _str("log")
        + _str("hello")
    )
    assert data.endswith(record + b"\x80")


def test_a_line_of_16_kib_or_more_goes_as_partial_message_pieces() -> None:
    pieces = docker_messages(FIRELENS, "app", "x" * 40_000, 9, EventTime(7, 0))
    assert len(pieces) == 3
    partial_id = _str("partial_id") + b"\xd9\x40" + f"{9:064x}".encode()
    assert all(b"partial_message" in piece and partial_id in piece for piece in pieces)
    assert [b"partial_last\xa4true" in piece for piece in pieces] == [False, False, True]


@pytest.fixture
def unix_server(tmp_path: Path) -> Iterator[tuple[Path, bytearray]]:
    """A unix socket that keeps every byte written to it."""
    path = tmp_path / "fluent.sock"
    received = bytearray()
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen()

    def serve() -> None:
        try:
            conn, _ = server.accept()
        except OSError:
            return  # closed by the fixture: the test never connected
        with conn:
            while data := conn.recv(65536):
                received.extend(data)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield path, received
    server.close()
    thread.join(timeout=5)


def test_send_lines_writes_exactly_the_docker_messages_of_each_line(unix_server: tuple[Path, bytearray]) -> None:
    path, received = unix_server
    lines = ['{"a":1}', "plain text", "y" * 20_000]
    with ForwardClient(path) as client:
        result = client.send_lines(FIRELENS, "app", lines, first_number=5, clock=lambda: 42.5)
    deadline = time.monotonic() + 5
    expected = b"".join(
        b"".join(docker_messages(FIRELENS, "app", line, number, EventTime(42, 500_000_000)))
        for number, line in enumerate(lines, start=5)
    )
    while len(received) < len(expected) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert bytes(received) == expected
    assert (result.lines, result.records, result.wire_bytes) == (3, 4, len(expected))
    assert result.line_bytes == sum(len(line) + 1 for line in lines)


def test_send_lines_over_tcp() -> None:
    server = socket.create_server(("127.0.0.1", 0))
    received = bytearray()

    def serve() -> None:
        conn, _ = server.accept()
        with conn:
            while data := conn.recv(65536):
                received.extend(data)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    with server:
        with ForwardClient(server.getsockname()) as client:
            client.send_lines(FIRELENS, "app", ["one"], clock=lambda: 1.0)
        thread.join(timeout=5)  # before the server closes: the connection may still wait to be accepted
    assert bytes(received) == docker_messages(FIRELENS, "app", "one", 1, EventTime(1, 0))[0]


def test_a_rate_spreads_the_lines_over_time(unix_server: tuple[Path, bytearray]) -> None:
    path, _ = unix_server
    with ForwardClient(path) as client:
        result = client.send_lines(FIRELENS, "app", ["z"] * 11, rate=Rate(lines_per_second=100))
    assert result.seconds >= 10 / 100 - 0.005  # the 11th line is due 0.1 s in (within the pacing slack)


def test_fails_when_the_rate_would_run_past_max_seconds(unix_server: tuple[Path, bytearray]) -> None:
    path, _ = unix_server
    started = time.monotonic()
    with ForwardClient(path) as client, pytest.raises(TimeoutError, match="line 2 is due 1.0 s in"):
        client.send_lines(FIRELENS, "app", ["z"] * 5, rate=Rate(bytes_per_second=2), max_seconds=0.5)
    assert time.monotonic() - started < 0.5  # it refuses at once instead of waiting


def test_fails_when_a_rate_is_not_positive() -> None:
    with pytest.raises(ValueError, match=r"Rate\(lines_per_second=0\)"):
        Rate(lines_per_second=0)
