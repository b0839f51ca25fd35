"""The one patch point: ``urllib3.connectionpool.HTTPConnectionPool.urlopen``.

Process-wide state is only this: the list of started fakes (most recent last), the original
``urlopen``, the real environment while fakes isolate it, and the lock around them. The patch
goes in when the first fake starts and comes out when the last one stops; the environment is
saved when the first isolating fake starts and restored when the last one stops, in any order.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from urllib3.connectionpool import HTTPConnectionPool

from fakes3put._transport import environment, responses_bridge
from fakes3put.errors import UnhandledRequestError

if TYPE_CHECKING:
    from fakes3put._fake import FakeS3


class _PatchState:
    def __init__(self) -> None:
        self.active: list[FakeS3] = []
        # Kept once taken: a thread still inside urlopen when the last fake stops must find it.
        self.original: Callable[..., Any] | None = None
        self.real_environment: environment.SavedEnvironment | None = None
        self.environment_of: FakeS3 | None = None  # the fake whose credentials are in the environment


_lock = threading.Lock()
_state = _PatchState()


def _address(pool: HTTPConnectionPool) -> tuple[str, str, int]:
    scheme = pool.scheme or "http"
    return scheme, (pool.host or "").lower(), pool.port or (443 if scheme == "https" else 80)


def owned(scheme: str, host: str, port: int, target: str) -> bool:
    """Whether any started fake answers for this address (used by the responses bridge)."""
    with _lock:
        fakes = list(_state.active)
    return any(fake._route(scheme, host, port, target) is not None for fake in fakes)


def _intercept(
    pool: HTTPConnectionPool, method: str, url: str, body: Any = None, headers: Any = None, **kwargs: Any
) -> Any:
    with _lock:
        fakes = list(reversed(_state.active))
        original = _state.original
    scheme, host, port = _address(pool)
    owners = [(fake, route) for fake in fakes if (route := fake._route(scheme, host, port, url)) is not None]
    if owners:
        # Fall through: the most recent fake that has the bucket answers, else the most recent owner.
        fake, route = next(((f, r) for f, r in owners if f._has_bucket(r.bucket)), owners[0])
        return fake._answer(pool, method, url, body, headers, route, kwargs)
    if fakes and not fakes[0].passthrough:
        raise UnhandledRequestError(_refusal(method, scheme, host, port, url, fakes))
    assert original is not None
    return original(pool, method, url, body, headers, **kwargs)


def _refusal(method: str, scheme: str, host: str, port: int, url: str, fakes: list[FakeS3]) -> str:
    lines = [
        f"fakes3put refused a request no fake owns (passthrough=False): {method} {scheme}://{host}:{port}{url}",
        "Active fakes answer for:",
    ]
    for fake in fakes:
        lines.append(f"  - {fake!r}: {', '.join(fake._endpoint_descriptions())}")
    lines.append("Add the endpoint with FakeS3(endpoints=[...]) or allow it with passthrough=True.")
    return "\n".join(lines)


def activate(fake: FakeS3) -> None:
    with _lock:
        if not _state.active:
            current: Callable[..., Any] = HTTPConnectionPool.urlopen
            if current is not _intercept:  # whatever is in place now, another patch included
                _state.original = current
            HTTPConnectionPool.urlopen = _intercept  # type: ignore[assignment,method-assign]
            responses_bridge.install(owned)
        _state.active.append(fake)
        _isolate_for(_state.active)


def deactivate(fake: FakeS3) -> None:
    with _lock:
        if fake in _state.active:
            _state.active.remove(fake)
        _isolate_for(_state.active)
        if not _state.active and _state.original is not None:
            installed: Callable[..., Any] = HTTPConnectionPool.urlopen
            if installed is _intercept:  # if someone patched over us meanwhile, theirs stays
                HTTPConnectionPool.urlopen = _state.original  # type: ignore[method-assign]
            responses_bridge.uninstall()


def _isolate_for(active: list[FakeS3]) -> None:
    """The environment of the most recent isolating fake, or the real one when none is left.

    Applied only when that fake changes, so what a test sets while a fake runs is left alone.
    """
    isolating = [fake for fake in active if fake.isolate_environment]
    newest = isolating[-1] if isolating else None
    if newest is _state.environment_of:
        return
    _state.environment_of = newest
    if newest is not None:
        if _state.real_environment is None:
            _state.real_environment = environment.save()
        environment.apply(newest.access_key, newest.secret_key, newest.region)
    elif _state.real_environment is not None:
        environment.restore(_state.real_environment)
        _state.real_environment = None
