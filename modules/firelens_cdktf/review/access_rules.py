"""Rules for access opened and protection removed, outside policy documents.

Security groups admitting the internet on a new port, a bucket's public
access block loosened, encryption weakened, deletion protection turned off.
(Policy documents are judged in :mod:`.policies`.) Same shape as
:mod:`.data_rules`: one check per rule, an :class:`~firelens_cdktf.review.model.Effect`
per thing it would do.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from firelens_cdktf.review.context import PlanIndex, Planned
from firelens_cdktf.review.data_rules import Check, bucket_holds_data
from firelens_cdktf.review.model import Action, Effect

# --- security groups ------------------------------------------------------------------------------

#: Protocol numbers by the names the EC2 API also accepts.
_PROTOCOLS = {"6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6", "-1": "all", "all": "all"}
_ALL_PORTS = (0, 65535)
#: Resources that are a security group with inline rules (the VPC's default group is adopted, not created).
_GROUP_TYPES = frozenset({"aws_security_group", "aws_default_security_group"})
#: (protocol, first port, last port): one public opening.
Opening = tuple[str, int, int]


def _protocol(value: object) -> str:
    text = str(value if value is not None else "-1").lower()
    return _PROTOCOLS.get(text, text)


def _is_internet(cidr: object) -> bool:
    try:
        return ipaddress.ip_network(str(cidr), strict=False).prefixlen == 0
    except ValueError:
        return False


def _ports(protocol: str, low: object, high: object) -> tuple[int, int]:
    if protocol in ("all", "icmp", "icmpv6") or not isinstance(low, int) or not isinstance(high, int):
        return _ALL_PORTS  # ICMP's from/to are a type and code, not ports: the whole protocol
    if low < 0 or high < 0:
        return _ALL_PORTS
    return (low, high) if low <= high else (high, low)


def _openings(kind: str, values: Mapping[str, Any]) -> Iterator[tuple[Opening, str]]:
    """(opening, CIDR) of every internet ingress one group, rule or ingress rule resource holds."""
    if kind in _GROUP_TYPES:
        entries = values.get("ingress") or []
        for entry in entries if isinstance(entries, list) else []:
            if isinstance(entry, Mapping):
                yield from _rule_openings(entry, "protocol", ("cidr_blocks", "ipv6_cidr_blocks"))
    elif kind == "aws_security_group_rule":
        if values.get("type") == "ingress":
            yield from _rule_openings(values, "protocol", ("cidr_blocks", "ipv6_cidr_blocks"))
    elif kind == "aws_vpc_security_group_ingress_rule":
        yield from _rule_openings(values, "ip_protocol", ("cidr_ipv4", "cidr_ipv6"))


def _rule_openings(
    values: Mapping[str, Any], protocol_key: str, cidr_keys: Iterable[str]
) -> Iterator[tuple[Opening, str]]:
    protocol = _protocol(values.get(protocol_key))
    low, high = _ports(protocol, values.get("from_port"), values.get("to_port"))
    for key in cidr_keys:
        raw = values.get(key)
        for cidr in raw if isinstance(raw, list) else [raw]:
            if _is_internet(cidr):
                yield (protocol, low, high), str(cidr)


def _uncovered(opening: Opening, open_before: list[Opening]) -> list[tuple[int, int]]:
    """The port ranges of ``opening`` that no opening of ``open_before`` already covered."""
    protocol, low, high = opening
    if any(p == "all" for p, _, _ in open_before):
        return []
    left = [(low, high)]
    for p, a, b in open_before:
        if p != protocol:
            continue
        left = [part for lo, hi in left for part in ((lo, min(hi, a - 1)), (max(lo, b + 1), hi)) if part[0] <= part[1]]
    return left


def _ports_text(protocol: str, low: int, high: int) -> str:
    if protocol == "all":
        return "every protocol and port"
    if protocol in ("icmp", "icmpv6"):
        return protocol.upper()
    ports = f"port {low}" if low == high else "every port" if (low, high) == _ALL_PORTS else f"ports {low}-{high}"
    return f"{protocol.upper()} {ports}"


def public_ingress(p: Planned, index: PlanIndex) -> Iterator[Effect]:
    """``public-ingress``: a group admits the internet on a port it did not admit before.

    What was open before is the group's own ingress and every ingress rule
    resource attached to it, as the prior state holds them.
    """
    if p.action is Action.DELETE or not p.judged:
        return
    if p.type in _GROUP_TYPES:
        if not p.can_judge("ingress"):
            return
        group = p.will("id") if p.action is Action.UPDATE else None  # a replacement is a new group
    else:
        if not p.can_judge("security_group_id"):
            return
        group = p.will("security_group_id")
    open_before = [opening for opening, _ in _openings(p.type, p.before)]  # nothing before a create
    if group is not None:
        open_before += [o for kind, values in index.group_resources(group) for o, _ in _openings(kind, values)]
    name = _group_name(group, index) or (p.label if p.type in _GROUP_TYPES else str(group))
    seen: set[str] = set()
    for opening, cidr in _openings(p.type, p.after):
        for low, high in _uncovered(opening, open_before):
            text = f"opens {_ports_text(opening[0], low, high)} to the internet ({cidr}) on security group {name}"
            if text not in seen:
                seen.add(text)
                yield Effect("public-ingress", p.address, text)


def _group_name(group: object, index: PlanIndex) -> str | None:
    for kind, values in index.group_resources(group):
        if kind in _GROUP_TYPES:
            return f"{values.get('name') or group} ({group})"
    return None


# --- S3 public access block -----------------------------------------------------------------------

#: Each setting of a public access block, and what turning it off lets through.
_BLOCKS: Mapping[str, str] = {
    "block_public_acls": "public ACLs can be set on the bucket and its objects",
    "ignore_public_acls": "public ACLs already set take effect",
    "block_public_policy": "a public bucket policy can be attached",
    "restrict_public_buckets": "a public bucket policy takes effect",
}


def public_access_block(p: Planned, index: PlanIndex) -> Iterator[Effect]:
    """``public-access-block-loosened``: a setting goes from true to false, or the block goes while the bucket stays."""
    if p.action is Action.CREATE:
        return  # a new block only adds to no block
    bucket = bucket_holds_data(p, index)
    if bucket is None:
        return
    off = [
        (setting, effect)
        for setting, effect in _BLOCKS.items()
        if p.was(setting) is True and (p.action is Action.DELETE or p.will(setting) is False)
    ]
    if off:
        how = "removes the public access block" if p.action is Action.DELETE else "turns off"
        yield Effect(
            "public-access-block-loosened",
            p.address,
            f"{how} {', '.join(s for s, _ in off)} on bucket {bucket}: {'; '.join(e for _, e in off)}",
        )


# --- encryption -----------------------------------------------------------------------------------

#: Default-encryption algorithms of a bucket, weakest first; no configuration means AES256 (SSE-S3).
_SSE_RANK = {"AES256": 1, "aws:kms": 2, "aws:kms:dsse": 3}


def _sse(rules: object) -> str | None:
    best = None
    for rule in rules if isinstance(rules, list) else []:
        default = rule.get("apply_server_side_encryption_by_default") if isinstance(rule, Mapping) else None
        default = default[0] if isinstance(default, list) and default else default
        algorithm = default.get("sse_algorithm") if isinstance(default, Mapping) else None
        if isinstance(algorithm, str) and (best is None or _SSE_RANK.get(algorithm, 0) > _SSE_RANK.get(best, 0)):
            best = algorithm
    return best


def bucket_encryption(p: Planned, index: PlanIndex) -> Iterator[Effect]:
    """``encryption-weakened``: a bucket's default encryption drops a level (removal means AES256)."""
    if p.action is Action.CREATE or (p.action is not Action.DELETE and not p.can_judge("rule")):
        return
    bucket = bucket_holds_data(p, index)
    before = _sse(p.was("rule"))
    after = "AES256" if p.action is Action.DELETE else _sse(p.will("rule"))
    if bucket is None or before is None or after is None:
        return
    if _SSE_RANK.get(after, 0) < _SSE_RANK.get(before, 0):
        how = "the configuration is removed: S3 falls back to" if p.action is Action.DELETE else "to"
        yield Effect(
            "encryption-weakened",
            p.address,
            f"weakens the default encryption of bucket {bucket} from {before} ({how} {after}): new objects "
            "are no longer encrypted under the KMS key",
        )


def firehose_encryption(p: Planned, index: PlanIndex) -> Iterator[Effect]:
    """``encryption-weakened``: a stream's server-side encryption goes off, or its S3 KMS key is removed."""
    if p.action is not Action.UPDATE:
        return
    sse = ("server_side_encryption", 0, "enabled")
    if p.was(*sse) is True and p.can_judge("server_side_encryption") and p.will(*sse) is not True:
        yield Effect(
            "encryption-weakened",
            p.address,
            f"turns off server-side encryption of stream {p.label}: records wait in the stream unencrypted",
        )
    key = ("extended_s3_configuration", 0, "kms_key_arn")
    if p.was(*key) and p.can_judge(*key) and not p.will(*key):
        yield Effect(
            "encryption-weakened",
            p.address,
            f"stops encrypting the objects stream {p.label} writes with KMS key {p.was(*key)}",
        )


def log_group_encryption(p: Planned, index: PlanIndex) -> Iterator[Effect]:
    """``encryption-weakened``: a log group loses its KMS key."""
    if p.action is Action.UPDATE and p.was("kms_key_id") and p.can_judge("kms_key_id") and not p.will("kms_key_id"):
        yield Effect(
            "encryption-weakened",
            p.address,
            f"stops encrypting log group {p.label} with KMS key {p.was('kms_key_id')}",
        )


# --- deletion protection --------------------------------------------------------------------------

#: attribute -> (the types it protects, or () for any type; the protective value; what turning it off does).
_PROTECTION: Mapping[str, tuple[tuple[str, ...], object, str]] = {
    "deletion_protection": ((), True, "deleting it is no longer refused"),
    "deletion_protection_enabled": ((), True, "deleting it is no longer refused"),
    "enable_deletion_protection": ((), True, "deleting it is no longer refused"),
    "disable_api_termination": ((), True, "terminating it is no longer refused"),
    "skip_destroy": (("aws_cloudwatch_log_group",), True, "destroying it deletes the group and its events"),
    "force_destroy": (("aws_s3_bucket",), False, "destroying it deletes every object in it"),
    "force_delete": (("aws_ecr_repository",), False, "destroying it deletes every image in it"),
}


def deletion_protection(p: Planned, index: PlanIndex) -> Iterator[Effect]:
    """``deletion-protection-off``: an attribute of :data:`_PROTECTION` leaves its protective value."""
    if p.action is not Action.UPDATE:
        return
    for attribute, (types, protective, effect) in _PROTECTION.items():
        if types and p.type not in types or attribute not in p.before or not p.can_judge(attribute):
            continue
        before, after = p.was(attribute), p.will(attribute)
        # Cognito's deletion_protection is "ACTIVE"/"INACTIVE"; the others are booleans.
        was_on = before == protective or (protective is True and before == "ACTIVE")
        now_on = after == protective or (protective is True and after == "ACTIVE")
        if was_on and not now_on and (protective is not False or after is True):
            yield Effect(
                "deletion-protection-off",
                p.address,
                f"turns deletion protection of {p.label} off ({attribute} {before} -> {after}): {effect}",
            )


#: The access and protection checks by resource type (``deletion_protection`` runs on every type).
ACCESS_CHECKS: Mapping[str, tuple[Check, ...]] = {
    "aws_security_group": (public_ingress,),
    "aws_default_security_group": (public_ingress,),
    "aws_security_group_rule": (public_ingress,),
    "aws_vpc_security_group_ingress_rule": (public_ingress,),
    "aws_s3_bucket_public_access_block": (public_access_block,),
    "aws_s3_bucket_server_side_encryption_configuration": (bucket_encryption,),
    "aws_kinesis_firehose_delivery_stream": (firehose_encryption,),
    "aws_cloudwatch_log_group": (log_group_encryption,),
}
ANY_TYPE_CHECKS: tuple[Check, ...] = (deletion_protection,)
