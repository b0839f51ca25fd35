"""Let S3 traffic through an active ``responses`` mock, down to urllib3 where the fake sits.

``responses`` answers at ``requests.adapters.HTTPAdapter.send``, above urllib3. While a fake is
started, requests to endpoints it owns skip responses' registry (as its own pass-through
does) and everything else stays with responses. Works in either nesting order because the
class method is wrapped, not one mock instance.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

# The unwrapped RequestsMock._on_request while the bridge is in (empty when it is out); changed
# only under _patch's lock, with the rest of the process-wide patch state.
_saved: list[Callable[..., Any]] = []


def install(owns: Callable[[str, str, int, str], bool]) -> None:
    responses = sys.modules.get("responses")
    if responses is None or _saved:
        return
    mock_class = responses.RequestsMock
    original = mock_class._on_request

    def _on_request(self: Any, adapter: Any, request: Any, **kwargs: Any) -> Any:
        parts = urlsplit(str(request.url))
        scheme = parts.scheme or "http"
        port = parts.port or (443 if scheme == "https" else 80)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        if owns(scheme, (parts.hostname or "").lower(), port, target or "/"):
            kwargs.pop("retries", None)
            return self._real_send(adapter, request, **kwargs)
        return original(self, adapter, request, **kwargs)

    _on_request.__wrapped__ = original  # type: ignore[attr-defined]
    mock_class._on_request = _on_request
    _saved.append(original)


def uninstall() -> None:
    responses = sys.modules.get("responses")
    if responses is not None and _saved:
        responses.RequestsMock._on_request = _saved[0]
    _saved.clear()
