"""Starting and stopping fakes: the transports' patches and the environment follow the active list.

The patches go in when the first fake starts and come out when the last one stops; the
environment is saved when the first isolating fake starts and restored when the last one
stops, in any order.
"""

from __future__ import annotations

from types import ModuleType

from fakes3put._transport import environment, registry, responses_bridge
from fakes3put._transport.registry import Mount

_real_environment: list[environment.SavedEnvironment] = []
_environment_of: list[Mount] = []  # the mount whose credentials are in the environment


def _transports() -> tuple[ModuleType, ...]:
    # The request path loads with the first fake started, not with ``import fakes3put``.
    from fakes3put._transport import aiohttp, httpx, urllib3

    return urllib3, responses_bridge, aiohttp, httpx


def start(mount: Mount) -> None:
    transports = _transports()
    with registry.lock:
        if not registry.active:
            installed: list[ModuleType] = []
            try:
                for transport in transports:
                    transport.install()
                    installed.append(transport)
            except BaseException:
                for transport in reversed(installed):  # all or nothing: no half-patched process
                    transport.uninstall()
                raise
        registry.active.append(mount)
        _isolate_for(registry.active)


def stop(mount: Mount) -> None:
    transports = _transports()
    with registry.lock:
        if mount in registry.active:
            registry.active.remove(mount)
        _isolate_for(registry.active)
        if not registry.active:
            for transport in transports:
                transport.uninstall()


def _isolate_for(active: list[Mount]) -> None:
    """The environment of the most recent isolating fake, or the real one when none is left.

    Applied only when that fake changes, so what a test sets while a fake runs is left alone.
    """
    isolating = [mount for mount in active if mount.isolate_environment]
    newest = isolating[-1] if isolating else None
    if newest is (_environment_of[0] if _environment_of else None):
        return
    _environment_of[:] = [newest] if newest is not None else []
    if newest is not None:
        if not _real_environment:
            _real_environment.append(environment.save())
        environment.apply(*newest.environment)
    elif _real_environment:
        environment.restore(_real_environment.pop())
