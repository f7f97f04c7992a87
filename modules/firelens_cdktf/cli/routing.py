"""``firelens-cdktf graph`` and ``compile``: a team's own routing, drawn or compiled to router files."""

from __future__ import annotations

import argparse
import difflib
import importlib
import importlib.machinery
import importlib.util
import os
import sys
from types import ModuleType
from typing import TextIO

from firelens_cdktf.cli.main import EXIT_OK
from firelens_cdktf.errors import FirelensError, RoutingSpecError
from firelens_cdktf.routing.compiler import compile_routing
from firelens_cdktf.routing.diagram import render_mermaid
from firelens_cdktf.routing.routes import LogRouting

_OPTION = "--routing"


def load_routing(spec: str) -> LogRouting:
    """The :class:`LogRouting` that ``spec`` names: ``package.module:attribute`` or ``path/to/file.py:attribute``.

    The attribute may be a ``LogRouting`` or a function of no arguments that
    returns one. A module name is searched in the current directory first,
    then in the installed packages, as ``python -m`` does.

    Raises:
        RoutingSpecError: the spec is malformed, the module or attribute is
            missing, or it is not a routing.
    """
    source, colon, attribute = spec.rpartition(":")
    if not colon or not source or not attribute:
        raise RoutingSpecError(
            _OPTION,
            spec,
            "MODULE:ATTRIBUTE or FILE.py:ATTRIBUTE, e.g. payments.routing:ROUTING",
            "name the module (or file) and the attribute, separated by ':'",
        )
    module = _load_file(spec, source) if source.endswith(".py") else _load_module(spec, source)
    try:
        value = getattr(module, attribute)
    except AttributeError:
        names = sorted(n for n in vars(module) if not n.startswith("_"))
        close = difflib.get_close_matches(attribute, names, n=1)
        hint = f"did you mean {source}:{close[0]}?" if close else f"use one of: {', '.join(names[:8]) or 'none'}"
        raise RoutingSpecError(_OPTION, spec, f"an attribute that {source} defines", hint) from None
    if callable(value) and not isinstance(value, LogRouting):
        try:
            value = value()
        except FirelensError:
            raise  # a routing that cannot be built says so itself
        except TypeError as exc:
            raise RoutingSpecError(
                _OPTION,
                spec,
                f"a LogRouting, or a function of no arguments that returns one (calling it: {exc})",
                "point at the routing itself, or at a function that needs no arguments",
            ) from None
        except Exception as exc:  # noqa: BLE001 - the team's code failed: one line, not our traceback
            raise RoutingSpecError(
                _OPTION,
                spec,
                f"a function that returns a LogRouting (it raised {type(exc).__name__}: {exc})",
                f"run python -c 'import {source}; {source}.{attribute}()' to see where it fails",
            ) from None
    if not isinstance(value, LogRouting):
        raise RoutingSpecError(
            _OPTION,
            spec,
            f"a LogRouting or a function returning one (got {type(value).__name__})",
            "point at the LogRouting(...) your app compiles for FirelensService",
        )
    return value


def _load_module(spec: str, name: str) -> ModuleType:
    cwd = os.getcwd()
    if sys.path[:1] != [cwd]:  # the current directory first, as python -m puts it
        if cwd in sys.path:
            sys.path.remove(cwd)
        sys.path.insert(0, cwd)
    _forget_if_elsewhere(name)
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name is not None and (name == exc.name or name.startswith(exc.name + ".")):
            raise RoutingSpecError(
                _OPTION,
                spec,
                f"an importable module (Python found no module {exc.name!r})",
                "run from the folder that holds your module, give its file as FILE.py:ATTRIBUTE, "
                "or install the package that has it",
            ) from None
        raise _import_failed(spec, name, exc) from None
    except FirelensError:
        raise  # a routing declared wrongly at import says so itself
    except Exception as exc:  # noqa: BLE001 - the team's module failed to import: one line, not a traceback
        raise _import_failed(spec, name, exc) from None


def _forget_if_elsewhere(name: str) -> None:
    """Forget ``name``'s package if this process imported it from another place than the search path now gives
    (a team's module of the same name in another folder): the import then reads the one meant."""
    top = name.partition(".")[0]
    loaded = sys.modules.get(top)
    if loaded is None:
        return
    importlib.invalidate_caches()
    found = importlib.machinery.PathFinder.find_spec(top, sys.path)
    if found is not None and getattr(loaded, "__file__", None) == found.origin:
        return
    for key in [k for k in sys.modules if k == top or k.startswith(top + ".")]:
        del sys.modules[key]


def _load_file(spec: str, path: str) -> ModuleType:
    if not os.path.isfile(path):
        raise RoutingSpecError(_OPTION, spec, "an existing Python file", f"check the path: {path} does not exist")
    name = "_firelens_routing_" + os.path.splitext(os.path.basename(path))[0]
    loader_spec = importlib.util.spec_from_file_location(name, path)
    if loader_spec is None or loader_spec.loader is None:
        raise RoutingSpecError(_OPTION, spec, "a Python source file", "give a .py file")
    module = importlib.util.module_from_spec(loader_spec)
    try:
        loader_spec.loader.exec_module(module)
    except FirelensError:
        raise
    except Exception as exc:  # noqa: BLE001 - as in _load_module
        raise _import_failed(spec, path, exc) from None
    return module


def _import_failed(spec: str, source: str, exc: Exception) -> RoutingSpecError:
    """The team's module is there but does not import: the fix depends on why."""
    if isinstance(exc, ModuleNotFoundError):
        return RoutingSpecError(
            _OPTION,
            spec,
            f"a module whose imports resolve ({source} imports {exc.name!r}, which is not installed)",
            f"install {exc.name} where firelens-cdktf runs, or run firelens-cdktf from the environment that has it",
        )
    if isinstance(exc, SyntaxError):
        return RoutingSpecError(
            _OPTION,
            spec,
            f"valid Python ({exc.filename} line {exc.lineno}: {exc.msg})",
            f"fix the syntax at {exc.filename} line {exc.lineno}",
        )
    return RoutingSpecError(
        _OPTION,
        spec,
        f"a module that imports ({source} raised {type(exc).__name__}: {exc})",
        f"run python -c 'import {source}' to see where it fails"
        if not source.endswith(".py")
        else f"run python {source} to see where it fails",
    )


def run_graph(args: argparse.Namespace, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    stdout.write(render_mermaid(load_routing(args.routing)))
    return EXIT_OK


def run_compile(args: argparse.Namespace, stdin: TextIO, stdout: TextIO, stderr: TextIO) -> int:
    compiled = compile_routing(load_routing(args.routing))
    for finding in compiled.warnings:
        stderr.write(f"warning: {finding}\n")
    if args.out is None:
        for path, text in compiled.files.items():
            stdout.write(f"==> {path} <==\n{text}\n")
        return EXIT_OK
    os.makedirs(args.out, exist_ok=True)
    for path, text in compiled.files.items():
        target = os.path.join(args.out, os.path.basename(path))
        with open(target, "w", encoding="utf-8") as handle:
            handle.write(text)
        stdout.write(f"wrote {target}\n")
    return EXIT_OK
