"""Let S3 traffic through an active ``responses`` mock, down to urllib3 where the fake sits.

``responses`` answers at ``requests.adapters.HTTPAdapter.send``, above urllib3. While a fake is
started, requests to endpoints it owns skip responses' registry (as its own pass-through
does) and everything else stays with responses. Works in either nesting order because the
class method is wrapped, not one mock instance; and whatever was imported first: if
``responses`` is imported while a fake runs, the bridge goes in as its import finishes.
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Any
from urllib.parse import urlsplit

from fakes3put._transport import registry
from fakes3put._transport.imports import ImportWatcher
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


_watcher = ImportWatcher("responses", _bridge)


def install() -> None:
    """Called under the registry's lock when the first fake starts."""
    responses = sys.modules.get("responses")
    # A module another thread is still importing has no RequestsMock yet: nothing to bridge now.
    if responses is not None and hasattr(responses, "RequestsMock"):
        _bridge(responses)
    else:
        _watcher.watch()


def uninstall() -> None:
    """Called under the registry's lock when the last fake stops."""
    _watcher.unwatch()
    responses = sys.modules.get("responses")
    if responses is not None and _saved:
        current = responses.RequestsMock._on_request
        if getattr(current, "__wrapped__", None) is _saved[0]:  # someone patched over us meanwhile: theirs stays
            responses.RequestsMock._on_request = _saved[0]
    _saved.clear()
