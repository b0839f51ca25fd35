"""Let S3 traffic through an active ``responses`` mock, down to urllib3 where the fake sits.

``responses`` answers at ``requests.adapters.HTTPAdapter.send``, above urllib3. While a fake is
started, requests to endpoints it owns skip responses' registry (as its own pass-through
does) and everything else stays with responses. Works in either nesting order because the
class method is wrapped, not one mock instance; and whatever was imported first: if
``responses`` is imported while a fake runs, the bridge goes in as its import finishes.
"""

from __future__ import annotations

import importlib.abc
import importlib.machinery
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

from fakes3put._transport import registry
from fakes3put._wire.request import Address

# The unwrapped RequestsMock._on_request while the bridge is in (empty when it is out); changed
# only under the registry's lock, with the rest of the process-wide patch state.
_saved: list[Any] = []


def _on_request_bridged(original: Any) -> Any:
    def _on_request(self: Any, adapter: Any, request: Any, **kwargs: Any) -> Any:
        url = str(request.url)
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        if registry.owns(Address.of_url(url), target):
            kwargs.pop("retries", None)
            return self._real_send(adapter, request, **kwargs)
        return original(self, adapter, request, **kwargs)

    _on_request.__wrapped__ = original  # type: ignore[attr-defined]
    return _on_request


def _bridge(responses: ModuleType) -> None:
    if _saved:
        return
    mock_class = responses.RequestsMock
    original = mock_class._on_request
    mock_class._on_request = _on_request_bridged(original)
    _saved.append(original)


class _ImportWatcher(importlib.abc.MetaPathFinder):
    """Bridges ``responses`` when it is first imported while a fake runs."""

    def find_spec(
        self,
        fullname: str,
        path: Sequence[str] | None,
        target: ModuleType | None = None,  # noqa: ARG002
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != "responses":
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
                    _bridge(module)

        loader.exec_module = exec_module  # type: ignore[method-assign]
        return spec


_watcher = _ImportWatcher()


def install() -> None:
    """Called under the registry's lock when the first fake starts."""
    responses = sys.modules.get("responses")
    if responses is not None:
        _bridge(responses)
    elif _watcher not in sys.meta_path:
        sys.meta_path.insert(0, _watcher)


def uninstall() -> None:
    """Called under the registry's lock when the last fake stops."""
    if _watcher in sys.meta_path:
        sys.meta_path.remove(_watcher)
    responses = sys.modules.get("responses")
    if responses is not None and _saved:
        responses.RequestsMock._on_request = _saved[0]
    _saved.clear()
