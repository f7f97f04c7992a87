"""Lazy re-exports for the package's ``__init__`` modules (PEP 562).

A subpackage lists its public names and the module that defines each; a name
is imported on first access. So ``from firelens_cdktf.routing import Route``
never imports CDKTF, and importing the top-level package costs nothing until
a construct is used.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(
    package: str, exports: Mapping[str, str], namespace: dict[str, Any]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``__getattr__`` and ``__dir__`` for ``package`` whose public names live in ``exports``.

    Args:
        package: the package's ``__name__``.
        exports: public name -> module (relative to ``package``) that defines it.
        namespace: the package's ``globals()``; a name once imported is cached there.
    """

    def __getattr__(name: str) -> Any:
        try:
            module_name = exports[name]
        except KeyError:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        value = getattr(importlib.import_module(module_name, package), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted(set(namespace) | set(exports))

    return __getattr__, __dir__
