"""What the rules know of a plan besides one change: what exists, what references what.

The review judges what a change does to what exists, from the plan alone
(``terraform show -json``: ``resource_changes``, ``prior_state``,
``configuration``):

- an update, replacement or delete is judged against its own before;
- a resource the plan creates is judged when it *joins something that
  exists*: its configuration references a resource that exists and stays (a
  rule on an existing security group, a policy attached to an existing role, a
  lifecycle configuration on an existing bucket, a new group in an existing
  VPC), or a resource that exists is updated to reference it (an existing
  service given a new security group). Then it is judged against what it
  joins, or against nothing;
- a resource created together with everything it joins (a stack's first
  deploy, a new bucket with its lifecycle rules, a new role with its policy, a
  new group in a new VPC) holds no data and opens nothing that was closed: it
  is new design, read in the pull request's code, and only the destroy and
  wildcard rules judge it.

So the seed's first deploy, which opens port 3000 of a new group in a new VPC
to the internet, is not blocked by its own design; the same port opened on a
group that exists, or port 22 beside it, is.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from firelens_cdktf.review.model import Action
from firelens_cdktf.review.policies import marked

#: Reference roots that are not managed resources.
_NOT_RESOURCES = frozenset({"data", "var", "local", "module", "each", "count", "path", "self", "terraform"})
_INDEX = re.compile(r"\[[^\]]*\]")


def config_address(address: str) -> str:
    """An instance address without its instance keys: ``module.a[0].aws_x.y["k"]`` -> ``module.a.aws_x.y``."""
    return _INDEX.sub("", address)


@dataclass(frozen=True)
class Planned:
    """One reviewed resource change, as the rules read it.

    Attributes:
        address, type, action: Which instance, and what happens to it.
        before, after: Its values (``{}`` when there is none: before a create, after a delete).
        unknown, before_sensitive, after_sensitive: Terraform's marks for those values.
        judged: Whether the rules judge it (always, but for a create that joins nothing that exists).
    """

    address: str
    type: str
    action: Action
    before: Mapping[str, Any] = field(default_factory=dict)
    after: Mapping[str, Any] = field(default_factory=dict)
    unknown: object = None
    before_sensitive: object = None
    after_sensitive: object = None
    judged: bool = True

    def was(self, *path: object) -> Any:
        """The value at ``path`` before the change; ``None`` when absent or sensitive."""
        if marked(self.before_sensitive, path):
            return None
        return value_at(self.before, path)

    def will(self, *path: object) -> Any:
        """The planned value at ``path``; ``None`` when absent, sensitive or known only after apply."""
        if marked(self.after_sensitive, path) or marked(self.unknown, path):
            return None
        return value_at(self.after, path)

    def can_judge(self, *path: object) -> bool:
        """Whether the planned value at ``path`` can be judged now: known (not computed at apply), not sensitive."""
        return not marked(self.unknown, path) and not marked(self.after_sensitive, path)

    @property
    def label(self) -> str:
        """What people call it: its name, bucket, key id or id, else its address."""
        for values in (self.after, self.before):
            for key in ("name", "bucket", "key_id", "id", "arn"):
                value = values.get(key) if isinstance(values, Mapping) else None
                if isinstance(value, str) and value:
                    return value
        return self.address


def value_at(value: object, path: Sequence[object]) -> Any:
    """The value at ``path`` (map keys and list indexes) in a plan's before or after, ``None`` when absent."""
    for step in path:
        if isinstance(value, Mapping) and isinstance(step, str):
            value = value.get(step)
        elif isinstance(value, list) and isinstance(step, int) and step < len(value):
            value = value[step]
        else:
            return None
    return value


def _references(node: object) -> Iterator[str]:
    if isinstance(node, dict):
        for key, item in node.items():
            if key == "references" and isinstance(item, list):
                yield from (r for r in item if isinstance(r, str))
            else:
                yield from _references(item)
    elif isinstance(node, list):
        for item in node:
            yield from _references(item)


def _resource_reference(reference: str, module: str) -> str | None:
    parts = reference.split(".")
    if len(parts) < 2 or parts[0] in _NOT_RESOURCES:
        return None
    address = f"{parts[0]}.{_INDEX.sub('', parts[1])}"
    return f"{module}.{address}" if module else address


def _created_buckets(changes: Iterable[object]) -> Iterator[str]:
    for rc in changes:
        change = rc.get("change") if isinstance(rc, dict) else None
        if not isinstance(rc, dict) or rc.get("type") != "aws_s3_bucket" or not isinstance(change, dict):
            continue
        after = change.get("after")
        if (
            "create" in (change.get("actions") or [])
            and isinstance(after, dict)
            and isinstance(after.get("bucket"), str)
        ):
            yield after["bucket"]


class PlanIndex:
    """The plan around the changes: prior state, actions, references (built once per stack).

    Args:
        plan: The parsed ``terraform show -json`` plan.
        actions: Reviewed instance address -> what happens to it.
    """

    def __init__(self, plan: Mapping[str, Any], actions: Mapping[str, Action]) -> None:
        self.actions = dict(actions)
        self.prior: dict[str, Mapping[str, Any]] = {}
        self._prior_module(((plan.get("prior_state") or {}).get("values") or {}).get("root_module"))
        self.refs: dict[str, frozenset[str]] = {}
        root = (plan.get("configuration") or {}).get("root_module")
        if isinstance(root, dict):
            self._config_module(root, "")
        self._staying_configs = {config_address(a) for a in self.prior if self.stays(a)}
        #: Names of the buckets this plan creates (new or replacements): they hold nothing yet.
        self.created_buckets = frozenset(_created_buckets(plan.get("resource_changes") or []))

    def _prior_module(self, module: object) -> None:
        if not isinstance(module, dict):
            return
        for resource in module.get("resources") or []:
            if isinstance(resource, dict) and resource.get("mode", "managed") == "managed":
                values = resource.get("values")
                self.prior[str(resource.get("address"))] = values if isinstance(values, dict) else {}
        for child in module.get("child_modules") or []:
            self._prior_module(child)

    def _config_module(self, module: Mapping[str, Any], prefix: str) -> None:
        for resource in module.get("resources") or []:
            if not isinstance(resource, dict) or resource.get("mode", "managed") != "managed":
                continue
            own = f"{resource.get('type')}.{resource.get('name')}"
            refs = {
                ref
                for raw in [*_references(resource.get("expressions")), *(resource.get("depends_on") or [])]
                if isinstance(raw, str) and (ref := _resource_reference(raw, prefix)) is not None
            }
            self.refs[f"{prefix}.{own}" if prefix else own] = frozenset(refs)
        for name, call in (module.get("module_calls") or {}).items():
            if isinstance(call, dict) and isinstance(call.get("module"), dict):
                self._config_module(call["module"], f"{prefix}.module.{name}" if prefix else f"module.{name}")

    def stays(self, address: str) -> bool:
        """Whether the instance exists before the plan and its object is neither deleted nor replaced."""
        return address in self.prior and self.actions.get(address) not in (Action.DELETE, Action.REPLACE)

    def joins_existing(self, address: str) -> bool:
        """Whether a created instance joins something that exists (see the module docstring)."""
        own = config_address(address)
        if self.refs.get(own, frozenset()) & self._staying_configs:
            return True
        return any(
            own in self.refs.get(config_address(other), frozenset())
            for other, action in self.actions.items()
            if action is Action.UPDATE and self.stays(other)
        )

    def buckets(self) -> Iterator[tuple[str, str]]:
        """(address, bucket name) of every bucket in the prior state."""
        for address, values in self.prior.items():
            if _type_of(address) == "aws_s3_bucket":
                name = values.get("bucket")
                if isinstance(name, str):
                    yield address, name

    def bucket_goes(self, name: object) -> bool:
        """Whether this plan deletes or replaces the bucket named ``name`` (so what it held goes with it)."""
        return any(bucket == name and not self.stays(address) for address, bucket in self.buckets())

    def group_resources(self, group_id: object) -> Iterator[tuple[str, Mapping[str, Any]]]:
        """(type, prior values) of the group ``group_id`` and of every ingress rule resource attached to it."""
        for address, values in self.prior.items():
            kind = _type_of(address)
            if (kind in ("aws_security_group", "aws_default_security_group") and values.get("id") == group_id) or (
                kind in ("aws_security_group_rule", "aws_vpc_security_group_ingress_rule")
                and values.get("security_group_id") == group_id
            ):
                yield kind, values


def _type_of(address: str) -> str:
    """The resource type of an instance address (``module.m.aws_s3_bucket.b[0]`` -> ``aws_s3_bucket``)."""
    parts = config_address(address).split(".")
    return parts[-2] if len(parts) >= 2 else ""
