"""FireLens log-routing pipeline: constructs and domain logic.

Importing this package first makes provider bindings load only the
submodules that are used (see :mod:`modules._fast_import`); the public names
below are imported on first access so that command-line tools that need no
CDKTF (``python -m modules preview``) start instantly.
"""

from __future__ import annotations

import importlib
from typing import Any

from . import _fast_import

_fast_import.install()

# public name -> submodule that defines it
_EXPORTS: dict[str, str] = {
    "PipelineConfig": "config",
    "StateStack": "state_stack",
    "StateBucket": "state_stack",
    "ConfigError": "errors",
    "FirelensError": "errors",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    try:
        module_name = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'modules' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(f".{module_name}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
