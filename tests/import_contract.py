"""The import contract of modules/: three homes, layers that import only downward, nothing private borrowed.

Read from the source with :mod:`ast`, never by importing it, so a broken
contract is reported even where an import would fail. The rules:

1. **Homes.** ``firelens_cdktf`` (the library) imports none of the other
   homes. ``firelens_local`` (the reusable harness in the wheel) imports the
   library only. ``firelens_app`` (this project's app) imports the library's
   public API only: a package's ``__init__`` or a public module, never a
   private name. ``firelens_harness`` may import all three.
2. **Layers.** Inside the library, each subpackage sits on a layer
   (:data:`LAYERS`) and imports only from layers below its own; siblings on
   one layer do not import each other.
3. **No package cycles**: among the subpackages of any one package.
4. **Nothing private across packages**: a ``_module`` or a ``_name`` is
   imported only inside the package that holds it.
5. **Imports at the top.** An import inside a function hides a dependency;
   the one reason allowed is start-up time, and the line (or the comment
   just above it) must say so: ``start-up time``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

LIBRARY = "firelens_cdktf"
HOMES = ("firelens_cdktf", "firelens_local", "firelens_app", "firelens_harness")
#: Home -> the homes it may import.
HOME_IMPORTS = {
    "firelens_cdktf": {"firelens_cdktf"},
    "firelens_local": {"firelens_cdktf", "firelens_local"},
    "firelens_app": {"firelens_cdktf", "firelens_app"},
    "firelens_harness": set(HOMES),
}
#: The library's layers, bottom first: a module imports only from layers below its own.
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"errors", "limits", "_lazy", "_fast_import"}),
    frozenset({"fluentbit"}),
    frozenset({"lint", "iam", "archive", "cost"}),
    frozenset({"routing"}),
    frozenset({"constructs"}),
    frozenset({"review"}),
    frozenset({"cli"}),
    frozenset({"", "__main__"}),  # the package's own __init__ (the public API) and python -m
)
LATE_IMPORT_REASON = "start-up time"


@dataclass(frozen=True)
class Import:
    """One import statement's target, as seen from the module that makes it."""

    module: str  # the importing module
    target: str  # the module imported from (absolute)
    names: tuple[str, ...]  # the names taken from it ("" for `import target`)
    line: int
    in_function: bool
    reason_given: bool


@dataclass(frozen=True)
class Violation:
    rule: str
    where: str
    detail: str

    def __str__(self) -> str:
        return f"[{self.rule}] {self.where}: {self.detail}"


def module_name(root: Path, path: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def read_imports(root: Path) -> tuple[set[str], list[Import], set[str]]:
    """Every module under ``root`` (its ``modules/`` folder), every import they make, and the packages."""
    modules: set[str] = set()
    packages: set[str] = set()
    imports: list[Import] = []
    for home in HOMES:
        for path in sorted((root / home).rglob("*.py")):
            name = module_name(root, path)
            modules.add(name)
            is_package = path.name == "__init__.py"
            if is_package:
                packages.add(name)
            source = path.read_text(encoding="utf-8")
            lines = source.splitlines()
            tree = ast.parse(source)
            imports.extend(_imports_of(tree, name, is_package, lines))
    return modules, imports, packages


def _imports_of(tree: ast.Module, module: str, is_package: bool, lines: list[str]) -> Iterator[Import]:
    in_function: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            in_function.update(id(n) for n in ast.walk(node) if isinstance(n, ast.Import | ast.ImportFrom))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Import | ast.ImportFrom):
            continue
        near = " ".join(lines[max(node.lineno - 3, 0) : node.end_lineno or node.lineno])
        reason = LATE_IMPORT_REASON in near
        late = id(node) in in_function
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(module, alias.name, ("",), node.lineno, late, reason)
            continue
        if node.level:
            base = module.split(".") if is_package else module.split(".")[:-1]
            base = base[: len(base) - (node.level - 1)]
            target = ".".join([*base, node.module] if node.module else base)
        else:
            target = node.module or ""
        yield Import(module, target, tuple(a.name for a in node.names), node.lineno, late, reason)


def _home(module: str) -> str:
    return module.split(".")[0]


def _layer(module: str) -> int | None:
    """The layer of a library module (by its first subpackage), or None outside the library."""
    parts = module.split(".")
    if parts[0] != LIBRARY:
        return None
    top = parts[1] if len(parts) > 1 else ""
    return next((i for i, layer in enumerate(LAYERS) if top in layer), None)


def _package_of(module: str, packages: set[str]) -> str:
    return module if module in packages else module.rpartition(".")[0]


def _private_part(module: str) -> str | None:
    """The package that owns a private module in ``module``'s path, or None when the path is public."""
    parts = module.split(".")
    for i, part in enumerate(parts):
        if part.startswith("_") and not part.startswith("__"):
            return ".".join(parts[:i])
    return None


def check(root: Path) -> list[Violation]:
    """Every violation of the contract in ``root`` (a ``modules/`` folder)."""
    modules, imports, packages = read_imports(root)
    out: list[Violation] = []
    for imp in imports:
        if _home(imp.target) not in HOMES:
            continue
        where = f"{imp.module}:{imp.line}"
        source_home, target_home = _home(imp.module), _home(imp.target)
        # the names a `from package import x` brings: a submodule counts as a module import
        targets = [
            (f"{imp.target}.{n}" if f"{imp.target}.{n}" in modules else imp.target, n if n else "") for n in imp.names
        ]
        if target_home not in HOME_IMPORTS[source_home]:
            out.append(Violation("homes", where, f"{source_home} may not import {imp.target}"))
        if imp.in_function and not imp.reason_given:
            out.append(
                Violation(
                    "late-import",
                    where,
                    f"imports {imp.target} inside a function without saying '{LATE_IMPORT_REASON}'",
                )
            )
        for target in sorted({t for t, _ in targets}):
            out.extend(_layer_violations(imp.module, target, where))
        for target, name in targets:
            owner = _private_part(target)
            if owner is not None and not imp.module.startswith(owner + ".") and imp.module != owner:
                out.append(Violation("private", where, f"imports private module {target} of {owner}"))
            if name.startswith("_") and not name.startswith("__") and target not in modules:
                continue  # a missing name: the import itself would fail
            if name.startswith("_") and not name.startswith("__"):
                if _package_of(target, packages) != _package_of(imp.module, packages):
                    out.append(Violation("private", where, f"imports private name {name} from {target}"))
        out.extend(_app_public_api(imp, where, source_home, target_home, packages))
    out.extend(_package_cycles(imports, packages))
    return out


def _layer_violations(module: str, target: str, where: str) -> list[Violation]:
    source_layer, target_layer = _layer(module), _layer(target)
    if source_layer is None or target_layer is None:
        return []
    same_top = module.split(".")[:2] == target.split(".")[:2]
    if target_layer < source_layer or same_top:
        return []
    return [
        Violation(
            "layers",
            where,
            f"{module} (layer {source_layer}) imports {target} (layer {target_layer}): "
            "a layer imports only from the layers below it",
        )
    ]


#: Library modules the app may import from besides the packages' ``__init__``s: plain values only.
APP_PUBLIC_MODULES = frozenset({"firelens_cdktf.errors", "firelens_cdktf.limits"})


def _app_public_api(imp: Import, where: str, source_home: str, target_home: str, packages: set[str]) -> list[Violation]:
    """The app uses the library as another team would: names a package exports, nothing private."""
    if source_home != "firelens_app" or target_home != LIBRARY:
        return []
    out = []
    private = [n for n in imp.names if n.startswith("_")]
    if private:
        out.append(Violation("public-api", where, f"the app imports {', '.join(private)} from {imp.target}"))
    if imp.target not in packages and imp.target not in APP_PUBLIC_MODULES:
        package = imp.target.rpartition(".")[0]
        out.append(
            Violation(
                "public-api",
                where,
                f"the app imports from the module {imp.target}; import what the package {package} exports instead",
            )
        )
    return out


def _package_cycles(imports: list[Import], packages: set[str]) -> list[Violation]:
    """Cycles among sibling subpackages: each package's direct subpackages, by what their modules import."""
    edges: dict[str, set[str]] = {}
    for imp in imports:
        a, b = imp.module.split("."), imp.target.split(".")
        common = 0
        while common < min(len(a), len(b)) and a[common] == b[common]:
            common += 1
        if common >= len(a) - 1 or common >= len(b):
            continue  # the same module's package, or an import of an ancestor package
        child_a, child_b = ".".join(a[: common + 1]), ".".join(b[: common + 1])
        if child_a in packages and child_b in packages and child_a != child_b:
            edges.setdefault(child_a, set()).add(child_b)
    out: list[Violation] = []
    seen: set[str] = set()
    for start in sorted(edges):
        stack = [(start, [start])]
        while stack:
            node, path = stack.pop()
            for nxt in sorted(edges.get(node, ())):
                if nxt == start:
                    cycle = " -> ".join([*path, start])
                    if frozenset(path) not in seen:
                        seen.add(frozenset(path))
                        out.append(Violation("cycles", start, cycle))
                elif nxt not in path:
                    stack.append((nxt, [*path, nxt]))
    return out
