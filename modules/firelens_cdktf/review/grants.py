"""What a policy document gains: grants the current document does not cover, and who may use them.

Pure judgement over :class:`~firelens_cdktf.iam.policy.PolicyStatement`
values (the wildcard rule itself stays in :mod:`firelens_cdktf.iam.policy`).

*Covered* is IAM's own matching, applied grant by grant (principal x action x
resource x condition): a planned grant is covered when one current ``Allow``
grant matches it: its action and resource patterns match (``*`` and ``?``,
actions case-insensitively), its principal is the same or everyone, and its
condition is absent or the same. So fewer actions, fewer resources, a
narrower pattern or an added condition narrow and are never a gain; dropping a
condition, a new action or ARN, or a new principal is.

*Public* follows S3's definition of a public policy: a grant to every
principal (``*``, ``AWS:*``) is public unless a condition limits the caller to
fixed values of the keys in :data:`LIMITING_KEYS`, with a positive operator
(``StringEquals``, ``ArnEquals``, ``IpAddress``..., not ``...IfExists``) and no
wildcard or policy variable in the values; ``aws:SourceIp`` must not be a /0.
https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterable
from functools import lru_cache

from firelens_cdktf.iam.policy import Grant, PolicyStatement, is_wildcard_principal, wildcard_parts
from firelens_cdktf.review.model import GrantGain, WildcardFinding

#: Condition keys whose fixed values limit who can use a grant to every principal (lower case).
#: S3's list (the page in the module docstring), plus KMS's kms:CallerAccount, which AWS's own
#: key policies use for the same purpose.
LIMITING_KEYS: frozenset[str] = frozenset(
    {
        "aws:sourcearn",
        "aws:sourcevpc",
        "aws:sourcevpce",
        "aws:sourceowner",
        "aws:sourceaccount",
        "aws:sourceip",
        "aws:principalorgid",
        "aws:principalaccount",
        "aws:principalarn",
        "aws:userid",
        "s3:x-amz-server-side-encryption-aws-kms-key-id",
        "s3:dataaccesspointarn",
        "s3:dataaccesspointaccount",
        "kms:calleraccount",
    }
)
#: Operators that only let a request through when the key has one of the values.
_POSITIVE_OPERATORS = frozenset(
    {"stringequals", "stringequalsignorecase", "stringlike", "arnequals", "arnlike", "ipaddress"}
)


@lru_cache(maxsize=4096)
def _pattern(text: str, ignore_case: bool) -> re.Pattern[str]:
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in text)
    return re.compile(f"^{body}$", re.IGNORECASE | re.DOTALL if ignore_case else re.DOTALL)


def _matches(pattern: str, value: str, *, ignore_case: bool = False) -> bool:
    """Whether an IAM ``pattern`` (``*``, ``?``) matches ``value`` (itself maybe a pattern: then literally)."""
    if pattern == value or pattern == "*":
        return True
    if pattern.startswith("NOT(") or value.startswith("NOT("):
        return False  # NotAction/NotResource lists only cover themselves
    return bool(_pattern(pattern, ignore_case).match(value))


def covers(current: Grant, planned: Grant) -> bool:
    """Whether the ``current`` grant already allows everything the ``planned`` one does."""
    principal, action, resource, condition = current
    if condition and condition != planned[3]:
        return False
    if principal != planned[0] and not (principal and is_wildcard_principal(principal) and "NOT(" not in principal):
        return False
    return _matches(action, planned[1], ignore_case=True) and _matches(resource, planned[2])


def _fixed(value: object) -> bool:
    values = value if isinstance(value, list) else [value]
    return bool(values) and all(isinstance(v, str) and not re.search(r"[*?]|\$\{", v) for v in values)


def _not_everywhere(value: object) -> bool:
    values = value if isinstance(value, list) else [value]
    try:
        return all(ipaddress.ip_network(str(v), strict=False).prefixlen > 0 for v in values)
    except ValueError:
        return False


def limits_caller(condition: str) -> bool:
    """Whether a statement's condition (canonical JSON, or ``""``) limits who can use a grant to everyone."""
    if not condition:
        return False
    try:
        blocks = json.loads(condition)
    except ValueError:
        return False
    for operator, keys in blocks.items() if isinstance(blocks, dict) else ():
        op = operator.lower()
        if op.endswith("ifexists") or op.startswith("forallvalues:"):
            continue  # both pass a request that lacks the key
        if op.split(":", 1)[-1] not in _POSITIVE_OPERATORS or not isinstance(keys, dict):
            continue
        for key, value in keys.items():
            if key.lower() not in LIMITING_KEYS or not _fixed(value):
                continue
            if key.lower() == "aws:sourceip" and not _not_everywhere(value):
                continue
            return True
    return False


def is_public(grant: Grant) -> bool:
    """Whether a grant (of an Allow statement) is to every principal without a limiting condition."""
    principal, _, _, condition = grant
    return bool(principal) and is_wildcard_principal(principal) and not limits_caller(condition)


def uncovered(before: Iterable[PolicyStatement], statement: PolicyStatement) -> list[Grant]:
    """The grants of an Allow ``statement`` that no Allow grant of ``before`` covers, sorted."""
    had = [g for s in before if s.allows for g in s.grants()]
    return sorted(g for g in statement.grants() if not any(covers(old, g) for old in had))


def _distinct(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(v for v in values if v)))


def gains(
    before: tuple[PolicyStatement, ...], after: tuple[PolicyStatement, ...]
) -> tuple[tuple[WildcardFinding, ...], tuple[GrantGain, ...]]:
    """What the Allow statements of ``after`` gain over ``before``: (wildcard gains, other gains).

    A grant lands in one of the two: public grants (everyone, no limiting
    condition) are "other" gains marked public, whatever is wild in them;
    otherwise a grant with a wildcard part is a wildcard gain; the rest are
    other gains.
    """
    wild_found: list[WildcardFinding] = []
    other_found: list[GrantGain] = []
    for statement in after:
        if not statement.allows:
            continue
        wild: list[str] = []
        public: list[Grant] = []
        plain: list[Grant] = []
        for grant in uncovered(before, statement):
            if is_public(grant):
                public.append(grant)
                continue
            parts = wildcard_parts(grant)
            if parts:
                wild += [p for p in parts if p not in wild]
            else:
                plain.append(grant)
        if wild:
            wild_found.append(WildcardFinding(statement, tuple(wild)))
        for grants, is_pub in ((public, True), (plain, False)):
            if grants:
                other_found.append(
                    GrantGain(
                        statement,
                        actions=_distinct(g[1] for g in grants),
                        resources=_distinct(g[2] for g in grants),
                        principals=_distinct(g[0] for g in grants),
                        public=is_pub,
                    )
                )
    return tuple(wild_found), tuple(other_found)


def is_tls_only(statement: PolicyStatement) -> bool:
    """Whether ``statement`` is a TLS-only Deny: it denies requests whose ``aws:SecureTransport`` is false."""
    if statement.allows or not statement.condition:
        return False
    try:
        blocks = json.loads(statement.condition)
    except ValueError:
        return False
    for operator, keys in blocks.items() if isinstance(blocks, dict) else ():
        if operator.lower().startswith("bool") and isinstance(keys, dict):
            for key, value in keys.items():
                values = value if isinstance(value, list) else [value]
                if key.lower() == "aws:securetransport" and [str(v).lower() for v in values] == ["false"]:
                    return True
    return False


def lifted(before: tuple[PolicyStatement, ...], after: tuple[PolicyStatement, ...]) -> tuple[PolicyStatement, ...]:
    """The Deny statements of ``before`` (TLS-only ones aside) whose denials no Deny of ``after`` keeps.

    A Deny is kept when every grant it denies is denied by a planned Deny
    grant that covers it (the same matching as :func:`covers`, reversed: a
    broader or unconditional Deny keeps a narrower one).
    """
    kept = [g for s in after if not s.allows for g in s.grants()]
    out = []
    for statement in before:
        if statement.allows or is_tls_only(statement):
            continue
        if not all(any(covers(new, g) for new in kept) for g in statement.grants()):
            out.append(statement)
    return tuple(out)
