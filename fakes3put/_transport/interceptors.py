"""Other interceptors that would answer S3 traffic before the fake: refused loudly, in either order.

moto's ``mock_aws`` answers boto3 from a botocore ``before-send`` handler (one
``BotocoreStubber`` instance, added to botocore's built-in handlers when moto is imported), so
those requests never reach urllib3 and the fake would see nothing. Started before the fake,
moto is refused at ``start()``. Started while a fake runs, its handler is guarded: a request it
would answer for an endpoint a started fake owns raises ``InterceptorConflictError`` in the
client call, and the fake's ``stop()`` raises it again in case the test swallowed the first.
"""

from __future__ import annotations

import sys
import threading
from typing import Any
from urllib.parse import urlsplit

from fakes3put._transport import registry
from fakes3put._wire.request import Address
from fakes3put.errors import InterceptorConflictError

_MOTO_FIRST = (
    "moto's mock_aws is active: its botocore hook would answer boto3's S3 requests before "
    "they reach fakes3put. Stop mock_aws before starting FakeS3 (or use one of the two)."
)
_MOTO_INSIDE = (
    "moto's mock_aws was started while a FakeS3 runs: its botocore hook answers boto3's requests "
    "before they reach fakes3put, so {url} would never reach the fake. Use one of the two, or "
    "stop the fake before starting mock_aws."
)

_lock = threading.Lock()
_guarded: list[tuple[type, Any]] = []  # (moto's stubber class, its original __call__) while guarded
_users: list[None] = []  # one entry per started fake
conflicts: list[str] = []  # URLs refused since the guard went in; the stopping fake reports them


def _moto_stubber() -> Any:
    models = sys.modules.get("moto.core.models")
    return getattr(models, "botocore_stubber", None)


def refuse_active() -> None:
    """Raise if moto's hook is on already (moto started first)."""
    stubber = _moto_stubber()
    if stubber is not None and getattr(stubber, "enabled", False):
        raise InterceptorConflictError(_MOTO_FIRST)


def guard() -> None:
    """While any fake runs, a request moto's hook would answer for a fake's endpoint raises instead."""
    with _lock:
        _users.append(None)
        stubber = _moto_stubber()
        if _guarded or stubber is None:
            return
        cls = type(stubber)
        original = cls.__call__

        def guarded_call(self: Any, event_name: str, request: Any, **kwargs: Any) -> Any:
            if getattr(self, "enabled", False):
                url = str(getattr(request, "url", ""))
                parts = urlsplit(url)
                target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
                if registry.owns(Address.of_url(url), target):
                    conflicts.append(url)
                    raise InterceptorConflictError(_MOTO_INSIDE.format(url=url))
            return original(self, event_name, request, **kwargs)

        cls.__call__ = guarded_call
        _guarded.append((cls, original))


def unguard() -> str | None:
    """The last fake to stop takes the guard out; returns a conflict to report, if one happened."""
    with _lock:
        if _users:
            _users.pop()
        refused = conflicts[0] if conflicts else None
        conflicts.clear()  # reported once, by the fake that stops first
        stubber = _moto_stubber()
        if refused is None and stubber is not None and getattr(stubber, "enabled", False):
            refused = "a request"  # moto started inside the fake before the guard could go in
        if not _users:
            while _guarded:
                cls, original = _guarded.pop()
                cls.__call__ = original  # type: ignore[method-assign]
    return None if refused is None else _MOTO_INSIDE.format(url=refused)
