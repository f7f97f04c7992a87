"""A throwaway certificate authority for one run: Fluent Bit trusts it, the TLS proxy presents its certificate.

Fluent Bit's AWS outputs speak TLS to the service's regional hostname
(``kinesis_firehose`` always, with verification it cannot turn off:
plugins/out_kinesis_firehose/firehose.c creates its upstream with
``FLB_IO_TLS`` and its TLS context with ``verify`` on; ``cloudwatch_logs``
ends up on TLS too). It trusts the CAs in ``/etc/ssl/certs/ca-bundle.crt``
(``FLB_DEFAULT_SEARCH_CA_BUNDLE``, include/fluent-bit/tls/flb_tls_info.h.in; read in
src/tls/openssl.c) and ignores ``SSL_CERT_FILE``. So a run makes its own CA,
puts it alone in a ``certs/ca-bundle.crt`` that the router's private mount
namespace binds over ``/etc/ssl/certs``, and gives the TLS proxy
(:mod:`firelens_local.fault_proxy`) a certificate that CA signed for the
hostnames the router will ask for. Nothing outside the run trusts it; the
keys live only in the run's folder.

Example:
    >>> aws_hostnames("ap-northeast-1")
    ('firehose.ap-northeast-1.amazonaws.com', 'logs.ap-northeast-1.amazonaws.com', 'sts.ap-northeast-1.amazonaws.com')
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

__all__ = ["CA_BUNDLE_NAME", "AWS_SERVICES", "RunCertificates", "aws_hostnames", "make_run_certificates"]

#: The file Fluent Bit reads its trusted CAs from, inside ``/etc/ssl/certs`` (flb_tls_info.h.in).
CA_BUNDLE_NAME = "ca-bundle.crt"
#: The AWS services the router's outputs call: Firehose, CloudWatch Logs, and STS should a ``role_arn`` be set.
AWS_SERVICES = ("firehose", "logs", "sts")


def aws_hostnames(region: str, services: Sequence[str] = AWS_SERVICES) -> tuple[str, ...]:
    """The regional hostnames Fluent Bit calls for ``services`` (``flb_aws_endpoint``, src/aws/flb_aws_util.c)."""
    return tuple(f"{service}.{region}.amazonaws.com" for service in services)


@dataclass(frozen=True)
class RunCertificates:
    """The files of a run's CA.

    Attributes:
        trust_dir: A folder holding only :data:`CA_BUNDLE_NAME`: bind it over ``/etc/ssl/certs``.
        ca_bundle: The CA's certificate (PEM), inside ``trust_dir``.
        certificate: The server certificate (PEM), signed by the CA.
        key: The server certificate's private key (PEM, unencrypted).
        hostnames: The DNS names the server certificate holds.
        addresses: The IP addresses it holds.
    """

    trust_dir: Path
    ca_bundle: Path
    certificate: Path
    key: Path
    hostnames: tuple[str, ...]
    addresses: tuple[str, ...]


def make_run_certificates(
    folder: Path,
    *,
    hostnames: Sequence[str],
    addresses: Sequence[str] = (),
    valid_for: timedelta = timedelta(days=2),
) -> RunCertificates:
    """Make a CA and a server certificate for ``hostnames`` and ``addresses`` in ``folder``.

    The server certificate also names ``*.<parent>`` of each hostname, so a
    service added later in the same region is covered. Keys are P-256
    (quick to make; OpenSSL and Python's ``ssl`` accept them). Validity
    starts an hour back, so a clock a little behind still accepts them.

    Raises:
        ValueError: no hostname, or an address that is not an IP address.
    """
    if not hostnames:
        raise ValueError("make_run_certificates: give at least one hostname for the server certificate")
    folder.mkdir(parents=True, exist_ok=True)
    trust_dir = folder / "certs"
    trust_dir.mkdir(exist_ok=True)
    now = datetime.now(UTC)
    not_before, not_after = now - timedelta(hours=1), now + valid_for

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "firelens-local run CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(_key_usage(cert_sign=True), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )

    names: list[x509.GeneralName] = []
    for host in dict.fromkeys([*hostnames, *(f"*.{h.split('.', 1)[1]}" for h in hostnames if "." in h)]):
        names.append(x509.DNSName(host))
    names += [x509.IPAddress(ipaddress.ip_address(address)) for address in addresses]
    server_key = ec.generate_private_key(ec.SECP256R1())
    server_cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, hostnames[0])]))
        .issuer_name(ca_name)
        .public_key(server_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_key_usage(cert_sign=False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(server_key.public_key()), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )

    ca_bundle = trust_dir / CA_BUNDLE_NAME
    ca_bundle.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    certificate = folder / "server.crt"
    certificate.write_bytes(server_cert.public_bytes(serialization.Encoding.PEM))
    key = folder / "server.key"
    key.touch(mode=0o600)
    key.write_bytes(
        server_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return RunCertificates(trust_dir, ca_bundle, certificate, key, tuple(hostnames), tuple(addresses))


def _key_usage(*, cert_sign: bool) -> x509.KeyUsage:
    """A CA signs certificates; a server signs its handshakes."""
    return x509.KeyUsage(
        digital_signature=not cert_sign,
        content_commitment=False,
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=cert_sign,
        crl_sign=cert_sign,
        encipher_only=False,
        decipher_only=False,
    )
