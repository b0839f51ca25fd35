"""The started fakes, as every transport sees them, and the one rule for who answers a request.

Process-wide state is only this list and its lock. A transport asks ``resolve`` with the
address a request is going to; it gets the fake that answers (and how the request is routed),
nothing (pass it through), or an ``UnhandledRequestError`` to raise.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING

from fakes3put._transport.routing import Router
from fakes3put._wire.request import Address, Route
from fakes3put.errors import UnhandledRequestError

if TYPE_CHECKING:
    from fakes3put._state import FakeState


@dataclass(eq=False, slots=True)
class Mount:
    """A started fake, as the transports see it: how it routes, where its state lives, its rules."""

    label: str  # how the fake names itself in errors
    router: Router
    state: FakeState
    passthrough: bool
    isolate_environment: bool
    environment: tuple[str, str, str]  # access key, secret key, region put in AWS_* while it runs


@dataclass(frozen=True, slots=True)
class Resolution:
    mount: Mount
    route: Route


lock = threading.Lock()
active: list[Mount] = []  # most recently started last; changed only under ``lock``
served: list[Router] = []  # addresses of running loopback servers: reached over the socket, never refused


def resolve(method: str, address: Address, target: str) -> Resolution | None:
    """Who answers ``method address+target``: the most recent fake that owns the endpoint and has
    the bucket, else the most recent that owns the endpoint. None: let it through to the network.

    Raises UnhandledRequestError when no fake owns it and any started fake says
    ``passthrough=False``: the strictest setting among nested fakes wins, so an inner fake
    never re-opens the network an outer one closed.
    """
    with lock:
        mounts = active[::-1]
        servers = list(served)
    first: Resolution | None = None
    for mount in mounts:
        route = mount.router.route(address, target)
        if route is None:
            continue
        if route.bucket and mount.state.store.bucket(route.bucket) is not None:
            return Resolution(mount, route)
        first = first or Resolution(mount, route)
    if first is not None:
        return first
    if any(router.route(address, target) is not None for router in servers):
        return None  # a fake's own server: the request goes to it through the socket
    if any(not mount.passthrough for mount in mounts):
        raise UnhandledRequestError(_refusal(method, address, target, mounts))
    return None


def owns(address: Address, target: str) -> bool:
    """Whether any started fake answers for this address (no refusal: used to let traffic past mocks)."""
    with lock:
        routers = [mount.router for mount in active] + served
    return any(router.route(address, target) is not None for router in routers)


def _refusal(method: str, address: Address, target: str, mounts: list[Mount]) -> str:
    shown = (
        target
        if target.startswith(("http://", "https://"))
        else f"{address.scheme}://{address.host}:{address.port}{target}"
    )
    lines = [
        f"fakes3put refused a request no fake owns (passthrough=False): {method} {shown}",
        "Active fakes answer for:",
    ]
    lines.extend(f"  - {mount.label}: {', '.join(mount.router.describe())}" for mount in mounts)
    lines.append(
        "Add the endpoint with FakeS3(endpoints=[...]), or allow it with passthrough=True on every active fake."
    )
    return "\n".join(lines)
