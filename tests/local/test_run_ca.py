"""The run CA: the server certificate chains to it and names every AWS hostname the router calls, and nothing else.

Each check is a real TLS handshake in memory (``ssl.MemoryBIO``) between a server with the
certificate and a client that trusts only ``ca-bundle.crt``, as Fluent Bit does.
"""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest

from firelens_local.run_ca import CA_BUNDLE_NAME, RunCertificates, aws_hostnames, make_run_certificates


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> RunCertificates:
    return make_run_certificates(
        tmp_path_factory.mktemp("ca"), hostnames=aws_hostnames("ap-northeast-1"), addresses=("127.0.0.5",)
    )


def _handshake(certificates: RunCertificates, server_hostname: str) -> None:
    """A TLS handshake that verifies the chain and the name; raises ``ssl.SSLCertVerificationError`` if not."""
    server_context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_context.load_cert_chain(certificates.certificate, certificates.key)
    client_context = ssl.create_default_context(cafile=certificates.ca_bundle)
    to_server, to_client = ssl.MemoryBIO(), ssl.MemoryBIO()
    server_in, server_out = ssl.MemoryBIO(), ssl.MemoryBIO()
    client = client_context.wrap_bio(to_client, to_server, server_hostname=server_hostname)
    server = server_context.wrap_bio(server_in, server_out, server_side=True)
    done = {"client": False, "server": False}
    for _ in range(10):
        for name, side in (("client", client), ("server", server)):
            if not done[name]:
                try:
                    side.do_handshake()
                    done[name] = True
                except ssl.SSLWantReadError:
                    pass
        server_in.write(to_server.read())
        to_client.write(server_out.read())
        if all(done.values()):
            return
    raise AssertionError("the handshake did not finish")


@pytest.mark.parametrize(
    "name",
    [
        "firehose.ap-northeast-1.amazonaws.com",
        "logs.ap-northeast-1.amazonaws.com",
        "sts.ap-northeast-1.amazonaws.com",
        "kinesis.ap-northeast-1.amazonaws.com",  # the region's wildcard
        "127.0.0.5",
    ],
)
def test_a_client_trusting_only_the_run_ca_accepts_the_server_for(certificates: RunCertificates, name: str) -> None:
    _handshake(certificates, name)


@pytest.mark.parametrize("name", ["firehose.us-east-1.amazonaws.com", "example.com", "127.0.0.1"])
def test_fails_when_the_client_asks_for_a_name_the_certificate_does_not_hold(
    certificates: RunCertificates, name: str
) -> None:
    with pytest.raises(ssl.SSLCertVerificationError):
        _handshake(certificates, name)


def test_fails_when_the_client_trusts_another_run_ca(certificates: RunCertificates, tmp_path: Path) -> None:
    other = make_run_certificates(tmp_path, hostnames=aws_hostnames("ap-northeast-1"))
    mixed = RunCertificates(
        other.trust_dir, other.ca_bundle, certificates.certificate, certificates.key, other.hostnames, ()
    )
    with pytest.raises(ssl.SSLCertVerificationError):
        _handshake(mixed, "firehose.ap-northeast-1.amazonaws.com")


def test_the_trust_folder_holds_the_ca_alone_and_the_key_is_private(certificates: RunCertificates) -> None:
    assert [p.name for p in certificates.trust_dir.iterdir()] == [CA_BUNDLE_NAME]
    assert b"PRIVATE KEY" not in certificates.ca_bundle.read_bytes()
    assert certificates.key.stat().st_mode & 0o077 == 0


def test_fails_without_a_hostname(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least one hostname"):
        make_run_certificates(tmp_path, hostnames=())
