"""The package's imports point one way, down the request path; a cycle or an upward import fails."""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

import fakes3put

PACKAGE = Path(fakes3put.__file__).parent

# Lower stages first. A module may import its own stage or any lower one, never a higher one.
STAGES: list[tuple[str, ...]] = [
    ("fakes3put.errors", "fakes3put._settings", "fakes3put._key_owners", "fakes3put._logs"),
    ("fakes3put._wire",),
    ("fakes3put._auth", "fakes3put._commit"),
    ("fakes3put._ops",),
    ("fakes3put._state",),
    ("fakes3put._service",),
    ("fakes3put._transport",),
    ("fakes3put._fake",),
    ("fakes3put._explore", "fakes3put._demo", "fakes3put.pytest_plugin"),
    ("fakes3put", "fakes3put.__main__"),
]


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def stage_of(module: str) -> int:
    best, rank = -1, -1
    for index, prefixes in enumerate(STAGES):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, rank = len(prefix), index
    assert rank >= 0, f"{module} belongs to no stage: add it to STAGES"
    return rank


def imports_of(path: Path) -> set[str]:
    """Every fakes3put module ``path`` imports, at run time or for type checking alike."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.startswith("fakes3put"):
                submodules = [alias.name for alias in node.names if _is_module(node.module, alias.name)]
                found.update(f"{node.module}.{name}" for name in submodules)
                if len(submodules) < len(node.names):  # names defined in the module itself
                    found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("fakes3put"))
    return found


def _is_module(package: str, name: str) -> bool:
    base = PACKAGE.parent.joinpath(*package.split("."), name)
    return base.with_suffix(".py").exists() or (base / "__init__.py").exists()


def graph() -> dict[str, set[str]]:
    modules = {module_name(path): path for path in PACKAGE.rglob("*.py")}
    return {name: {i for i in imports_of(path) if i in modules and i != name} for name, path in modules.items()}


def test_no_relative_imports_hide_an_edge():
    relative = [
        str(path.relative_to(PACKAGE))
        for path in PACKAGE.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ImportFrom) and node.level > 0
    ]
    assert relative == []


def test_no_lower_stage_imports_a_higher_one():
    upward = [
        f"{module} ({stage_of(module)}) imports {target} ({stage_of(target)})"
        for module, targets in graph().items()
        for target in targets
        if stage_of(target) > stage_of(module)
    ]
    assert upward == []


def test_no_import_cycles():
    edges = graph()
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    cycles: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(edges[node]):
            if state.get(target) == 1:
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[node] = 2

    for start in sorted(edges):
        if start not in state:
            visit(start, [start])
    # A package's __init__ re-exporting its submodules is not a cycle of the request path.
    real = [cycle for cycle in cycles if not _only_package_reexports(cycle)]
    assert real == []


def _only_package_reexports(cycle: list[str]) -> bool:
    return any(a.startswith(b + ".") or b.startswith(a + ".") for a, b in itertools.pairwise(cycle))


def test_every_profiled_stage_names_a_function():
    import importlib

    from fakes3put._service import PROFILED_STAGES

    for label, module_name, owner_name, function_name in PROFILED_STAGES:
        module = importlib.import_module(module_name)
        owner = getattr(module, owner_name) if owner_name else module
        assert callable(getattr(owner, function_name, None)), label
