"""Values worked out when the stack is synthesized, not when a construct is built.

A task definition's containers, the policies granted on its roles, and the
ports its service opens may all grow after the construct that renders them
was built (``add_container`` after the service), so those constructs hand
CDKTF a producer that reads their state at synth: :func:`lazy_string`,
:func:`lazy_value`. :func:`add_check` runs a check at synth too (CDKTF's
``node.add_validation``), for what can only be judged once everything was added.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jsii
from cdktf import IAnyProducer, IResolvable, IResolveContext, IStringProducer, Lazy

from constructs import Construct, IValidation


@jsii.implements(IStringProducer)
class _StringProducer:
    def __init__(self, produce: Callable[[], str]) -> None:
        self._produce = produce

    def produce(self, context: IResolveContext) -> str:
        return self._produce()


@jsii.implements(IAnyProducer)
class _AnyProducer:
    def __init__(self, produce: Callable[[], Any]) -> None:
        self._produce = produce

    def produce(self, context: IResolveContext) -> Any:
        return self._produce()


@jsii.implements(IValidation)
class _Check:
    def __init__(self, check: Callable[[], list[str]]) -> None:
        self._check = check

    def validate(self) -> list[str]:
        return self._check()


def lazy_string(produce: Callable[[], str]) -> str:
    """A string token whose text ``produce()`` returns at synth (it may hold other tokens)."""
    return Lazy.string_value(_StringProducer(produce))


def lazy_value(produce: Callable[[], Any]) -> IResolvable:
    """A token for any JSON value (lists of blocks too) that ``produce()`` returns at synth."""
    return Lazy.any_value(_AnyProducer(produce))


def add_check(construct: Construct, check: Callable[[], list[str]]) -> None:
    """Run ``check`` when the app is synthesized; each string it returns fails the synth with that message."""
    construct.node.add_validation(_Check(check))
