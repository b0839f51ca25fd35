"""Patch a client library as soon as its import finishes, if it is imported while a fake runs.

So fakes3put never imports a client library itself (no cost, no side effect at import), and the
order of ``import`` and ``FakeS3().start()`` in user code does not matter.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Callable, Sequence
from types import ModuleType

from fakes3put._transport import registry


class ImportWatcher(importlib.abc.MetaPathFinder):
    """Calls ``on_import(module)`` under the registry's lock when ``name`` is first imported while a fake runs."""

    def __init__(self, name: str, on_import: Callable[[ModuleType], None]) -> None:
        self.name = name
        self.on_import = on_import

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,  # noqa: ARG002
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != self.name:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        loader = spec.loader if spec is not None else None
        if spec is None or loader is None or not hasattr(loader, "exec_module"):
            return spec
        execute = loader.exec_module

        def exec_module(module: ModuleType) -> None:
            execute(module)
            with registry.lock:
                if registry.active:
                    self.on_import(module)

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec

    def watch(self) -> None:
        if self not in sys.meta_path:
            sys.meta_path.insert(0, self)

    def unwatch(self) -> None:
        if self in sys.meta_path:
            sys.meta_path.remove(self)
