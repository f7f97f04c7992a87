"""Load only the provider-binding submodules the code actually uses.

Why: the prebuilt provider packages (``cdktf_cdktf_provider_aws`` above all)
import every one of their ~2,100 resource submodules from the package
``__init__``. That costs ~15-20 s per ``python main.py`` although a stack
uses a few dozen of them. Each submodule is self-contained: it imports the
package's ``_jsii`` module (which loads the JS assembly) and ``cdktf``, never
its siblings through the package ``__init__``.

How: before anything imports a provider package, :func:`install` registers a
light package object for it in ``sys.modules``. It carries the real
``__path__`` and ``__spec__``, so ``from cdktf_cdktf_provider_aws.s3_bucket
import S3Bucket`` finds and runs exactly that submodule; attribute access
(``cdktf_cdktf_provider_aws.s3_bucket``) imports the submodule on first use
(PEP 562). The classes, their jsii registration and the synthesized JSON are
the same as with the normal import; ``tests/test_fast_import.py`` proves the
bytes are identical.

Set ``FIRELENS_EAGER_IMPORTS=1`` to switch it off (the benchmark does, to
measure the normal import).
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
import types

#: The provider packages whose ``__init__`` eagerly imports every submodule.
LAZY_PACKAGES: tuple[str, ...] = ("cdktf_cdktf_provider_aws", "cdktf_cdktf_provider_docker")

#: Environment variable that turns the mechanism off when set to ``1``.
EAGER_ENV = "FIRELENS_EAGER_IMPORTS"


class _LazyPackage(types.ModuleType):
    """A provider package whose submodules are imported on first access."""

    def __getattr__(self, name: str) -> types.ModuleType:
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            module = importlib.import_module(f"{self.__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{self.__name__}.{name}":
                raise
            raise AttributeError(f"module {self.__name__!r} has no attribute {name!r}") from None
        setattr(self, name, module)
        return module


def _register(name: str) -> bool:
    if name in sys.modules:
        return False  # already imported (normally or lazily): nothing to do
    spec = importlib.util.find_spec(name)
    if spec is None or spec.submodule_search_locations is None:
        return False  # not installed: let the real import report it
    package = _LazyPackage(name, f"{name} (submodules imported on demand)")
    package.__spec__ = spec
    package.__path__ = list(spec.submodule_search_locations)
    package.__file__ = spec.origin
    package.__package__ = name
    sys.modules[name] = package
    return True


def use_fast_provider_imports(packages: tuple[str, ...] = LAZY_PACKAGES) -> list[str]:
    """Register lazy stand-ins for ``packages``; return the names registered.

    Does nothing when ``FIRELENS_EAGER_IMPORTS=1`` or when a package was
    already imported. Safe to call more than once.
    """
    if os.environ.get(EAGER_ENV) == "1":
        return []
    return [name for name in packages if _register(name)]
