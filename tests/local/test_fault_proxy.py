"""The fault proxy: TLS in front of a plain HTTP server, and the four ways it can fail the router, switched live.

The "emulator" here is a tiny local HTTP server; the client trusts only the run CA, as Fluent Bit does.
"""

from __future__ import annotations

import http.server
import socket
import ssl
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from firelens_local.fault_proxy import FaultProxy, ProxyMode
from firelens_local.run_ca import RunCertificates, aws_hostnames, make_run_certificates

HOST = "firehose.ap-northeast-1.amazonaws.com"
REQUEST = f"GET /ping HTTP/1.1\r\nHost: {HOST}\r\n\r\n".encode()


class _Upstream(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the emulator's server speaks
    paths: list[str] = []

    def do_GET(self) -> None:  # http.server's name for it
        _Upstream.paths.append(self.path)
        body = b"pong"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> RunCertificates:
    return make_run_certificates(tmp_path_factory.mktemp("ca"), hostnames=aws_hostnames("ap-northeast-1"))


@pytest.fixture
def upstream() -> Iterator[tuple[str, int]]:
    _Upstream.paths = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Upstream)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server.server_address[0], int(server.server_address[1])
    server.shutdown()
    server.server_close()


@pytest.fixture
def proxy(certificates: RunCertificates, upstream: tuple[str, int]) -> Iterator[FaultProxy]:
    with FaultProxy(
        listen=("127.0.0.7", 0), upstream=upstream, certificate=certificates.certificate, key=certificates.key
    ) as running:
        yield running


def _connect(proxy: FaultProxy, certificates: RunCertificates, timeout: float = 2.0) -> ssl.SSLSocket:
    context = ssl.create_default_context(cafile=certificates.ca_bundle)
    raw = socket.create_connection(proxy.listen_address, timeout=timeout)
    try:
        return context.wrap_socket(raw, server_hostname=HOST)
    except BaseException:
        raw.close()
        raise


def _ask(conn: ssl.SSLSocket) -> bytes:
    conn.sendall(REQUEST)
    answer = b""
    while not answer.endswith(b"pong"):
        chunk = conn.recv(4096)
        if not chunk:
            raise ConnectionError("closed before the answer")
        answer += chunk
    return answer


def test_pass_forwards_the_decrypted_request_and_the_answer(proxy: FaultProxy, certificates: RunCertificates) -> None:
    with _connect(proxy, certificates) as conn:
        assert _ask(conn).startswith(b"HTTP/1.1 200")
    assert _Upstream.paths == ["/ping"]
    assert proxy.counts()[ProxyMode.PASS] == 1


def test_refuse_stops_listening_until_the_endpoint_is_back(proxy: FaultProxy, certificates: RunCertificates) -> None:
    proxy.set_mode(ProxyMode.REFUSE)
    with pytest.raises(ConnectionRefusedError):
        _connect(proxy, certificates)
    proxy.set_mode(ProxyMode.PASS)
    with _connect(proxy, certificates) as conn:  # the same address and port again
        assert _ask(conn).startswith(b"HTTP/1.1 200")


def test_drop_closes_a_connection_before_the_handshake(proxy: FaultProxy, certificates: RunCertificates) -> None:
    proxy.set_mode(ProxyMode.DROP)
    with pytest.raises((ssl.SSLError, ConnectionError)):
        _connect(proxy, certificates)
    assert proxy.counts()[ProxyMode.DROP] == 1
    assert _Upstream.paths == []


def test_stall_reads_the_request_and_never_answers(proxy: FaultProxy, certificates: RunCertificates) -> None:
    proxy.set_mode(ProxyMode.STALL)
    with _connect(proxy, certificates, timeout=0.5) as conn, pytest.raises(TimeoutError):
        _ask(conn)
    assert proxy.counts()[ProxyMode.STALL] == 1
    assert _Upstream.paths == []


def test_leaving_pass_ends_the_connections_already_open(proxy: FaultProxy, certificates: RunCertificates) -> None:
    with _connect(proxy, certificates) as conn:
        _ask(conn)  # a kept-alive connection, as Fluent Bit's outputs keep theirs
        proxy.set_mode(ProxyMode.DROP)
        with pytest.raises((ssl.SSLError, ConnectionError)):
            _ask(conn)
    assert _Upstream.paths == ["/ping"]


def test_leaving_stall_releases_the_stalled_connections(proxy: FaultProxy, certificates: RunCertificates) -> None:
    proxy.set_mode(ProxyMode.STALL)
    with _connect(proxy, certificates, timeout=5.0) as conn:
        conn.sendall(REQUEST)
        proxy.set_mode(ProxyMode.PASS)
        with pytest.raises((ssl.SSLError, ConnectionError)):
            _ask(conn)  # ended, not answered: the request was never sent on


def test_connections_past_the_limit_are_closed_on_arrival(
    certificates: RunCertificates, upstream: tuple[str, int]
) -> None:
    with FaultProxy(
        listen=("127.0.0.7", 0),
        upstream=upstream,
        certificate=certificates.certificate,
        key=certificates.key,
        mode=ProxyMode.STALL,
        max_connections=1,
    ) as proxy:
        with _connect(proxy, certificates, timeout=5.0):
            with pytest.raises((ssl.SSLError, ConnectionError)):
                _connect(proxy, certificates)
        assert proxy.over_limit == 1


def test_fails_when_asked_to_listen_beyond_loopback(certificates: RunCertificates, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="listen on a loopback address"):
        FaultProxy(
            listen=("0.0.0.0", 0), upstream=("127.0.0.1", 1), certificate=certificates.certificate, key=certificates.key
        )
