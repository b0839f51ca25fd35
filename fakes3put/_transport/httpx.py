"""The httpx transports: ``HTTPTransport.handle_request`` and ``AsyncHTTPTransport.handle_async_request``.

httpx (aiobotocore's optional ``HttpxSession`` backend, or plain httpx code) never reaches urllib3
or aiohttp. httpx has already framed the request (Host, Content-Length or Transfer-Encoding) when
it reaches its transport, so the headers are taken as they are. The async transport runs the fake
in a worker thread, as the aiohttp transport does; the sync one runs it in the caller's thread.

httpx is never imported here: the patch goes in when the first fake starts if httpx is already
imported, or as soon as its import finishes while a fake runs.
"""

from __future__ import annotations

import sys
from types import ModuleType
from typing import Any

from fakes3put import _service
from fakes3put._transport import registry, worker
from fakes3put._transport.imports import ImportWatcher
from fakes3put._wire.request import Address
from fakes3put._wire.response import ConnectionReset, Response, reason_phrase

_originals: dict[str, Any] = {}  # method name -> the original it replaced, while the patch is in


def _resolve(request: Any) -> tuple[registry.Resolution | None, Address, str]:
    url = str(request.url)
    target = request.url.raw_path.decode("ascii") or "/"
    address = Address.of_url(url)
    return registry.resolve(request.method.upper(), address, target), address, target


def _answer(resolution: registry.Resolution, request: Any, address: Address, target: str, body: bytes) -> Response:
    return _service.handle(
        resolution.mount.state,
        method=request.method.upper(),
        address=address,
        url=target,
        raw_headers=request.headers,
        body=body,
        chunked_transfer="chunked" in request.headers.get("transfer-encoding", "").lower(),
        route=resolution.route,
    )


def _as_httpx(httpx: ModuleType, response: Response, request: Any) -> Any:
    fields = list(response.headers.items())
    if not any(name.lower() == "content-length" for name, _ in fields):
        fields.append(("Content-Length", str(len(response.body))))
    return httpx.Response(
        response.status,
        headers=fields,
        content=b"" if request.method.upper() == "HEAD" else response.body,
        request=request,
        extensions={"http_version": b"HTTP/1.1", "reason_phrase": reason_phrase(response.status).encode("ascii")},
    )


def _reset(httpx: ModuleType, reset: ConnectionReset, request: Any) -> Exception:
    # What httpcore's socket read raises for a reset peer, as httpx re-raises it.
    error: Exception = httpx.ReadError(
        f"[Errno 104] Connection reset by peer (fakes3put {reset.kind})", request=request
    )
    return error


def _patch(httpx: ModuleType) -> None:
    if _originals:
        return
    sync_original = httpx.HTTPTransport.handle_request
    async_original = httpx.AsyncHTTPTransport.handle_async_request

    def handle_request(transport: Any, request: Any) -> Any:
        resolution, address, target = _resolve(request)
        if resolution is None:
            return sync_original(transport, request)
        body = request.read()
        try:
            response = _answer(resolution, request, address, target, body)
        except ConnectionReset as reset:
            raise _reset(httpx, reset, request) from None
        return _as_httpx(httpx, response, request)

    async def handle_async_request(transport: Any, request: Any) -> Any:
        resolution, address, target = _resolve(request)
        if resolution is None:
            return await async_original(transport, request)
        body = await request.aread()
        try:
            response = await worker.off_the_loop(lambda: _answer(resolution, request, address, target, body))
        except ConnectionReset as reset:
            raise _reset(httpx, reset, request) from None
        return _as_httpx(httpx, response, request)

    handle_request.__wrapped__ = sync_original  # type: ignore[attr-defined]
    handle_async_request.__wrapped__ = async_original  # type: ignore[attr-defined]
    _originals.update(handle_request=sync_original, handle_async_request=async_original)
    httpx.HTTPTransport.handle_request = handle_request
    httpx.AsyncHTTPTransport.handle_async_request = handle_async_request


_watcher = ImportWatcher("httpx", _patch)


def install() -> None:
    """Called under the registry's lock when the first fake starts."""
    httpx = sys.modules.get("httpx")
    if httpx is not None and hasattr(httpx, "AsyncHTTPTransport"):
        _patch(httpx)
    else:
        _watcher.watch()


def uninstall() -> None:
    """Called under the registry's lock when the last fake stops."""
    _watcher.unwatch()
    httpx = sys.modules.get("httpx")
    if httpx is not None:
        for owner in (httpx.HTTPTransport, httpx.AsyncHTTPTransport):
            for name, original in _originals.items():
                current = owner.__dict__.get(name)
                if current is not None and getattr(current, "__wrapped__", None) is original:  # else patched over us
                    setattr(owner, name, original)
    _originals.clear()
