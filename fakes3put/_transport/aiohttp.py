"""The aiohttp transport: ``ClientSession._request``, where aiobotocore, aioboto3, s3fs and pandas meet.

aiohttp never reaches urllib3, so async clients get their own patch point. The body is read on
the event loop (it may be an async stream); the fake's own work then runs in a worker thread
(see ``worker``), so a hold can keep several coroutines of one loop waiting without blocking that loop.
The answer is a real ``aiohttp.ClientResponse`` fed from the fake's bytes.

aiohttp is never imported here: the patch goes in when the first fake starts if aiohttp is
already imported, or as soon as its import finishes while a fake runs.
"""

from __future__ import annotations

import asyncio
import inspect
import sys
from types import ModuleType
from typing import Any

from fakes3put import _service
from fakes3put._transport import registry, worker
from fakes3put._transport.imports import ImportWatcher
from fakes3put._wire.request import Address
from fakes3put._wire.response import ConnectionReset, Response, reason_phrase

_original: list[Any] = []  # the ClientSession._request the patch replaced, while it is in
_METHODS_WITHOUT_BODY = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})  # aiohttp's GET_METHODS
_ECONNRESET = 104


class _Collector:
    """The stream writer a payload writes itself into: the bytes as aiohttp would put them on the wire."""

    def __init__(self) -> None:
        self.blocks: list[bytes] = []
        self.output_size = 0
        self.buffer_size = 0

    async def write(self, chunk: bytes | bytearray | memoryview, *_: Any, **__: Any) -> None:
        block = bytes(chunk)
        self.blocks.append(block)
        self.output_size += len(block)

    async def drain(self) -> None:
        return None

    def enable_compression(self, *_: Any, **__: Any) -> None:
        return None

    def enable_chunking(self) -> None:
        return None


class _Delivered:
    """The protocol behind a response whose bytes are all in memory: flow control has nothing to pause."""

    connected = True  # the whole body is already buffered, nothing can be cut off
    _reading_paused = False

    def pause_reading(self, *_: Any, **__: Any) -> None:
        return None

    def resume_reading(self, *_: Any, **__: Any) -> None:
        return None


class _Sent:
    """What ``ClientResponse`` asks of the request's writer once the request is sent."""

    def __init__(self, output_size: int) -> None:
        self.output_size = output_size


def _url_of(aiohttp: ModuleType, session: Any, str_or_url: Any, params: Any) -> Any:
    url = session._build_url(str_or_url) if hasattr(session, "_build_url") else aiohttp.client.URL(str_or_url)
    if params:
        url = url.extend_query(params)
    return url.with_fragment(None)


def _request_headers(aiohttp: ModuleType, session: Any, kwargs: dict[str, Any]) -> Any:
    """The headers aiohttp would send, minus Host and the body's framing (added with the body)."""
    headers = session._prepare_headers(kwargs.get("headers"))
    skip = {name.lower() for name in (kwargs.get("skip_auto_headers") or ())}
    skip.update(name.lower() for name in getattr(session, "_skip_auto_headers", ()) or ())
    automatic = {**aiohttp.client_reqrep.ClientRequest.DEFAULT_HEADERS, "User-Agent": aiohttp.http.SERVER_SOFTWARE}
    for name, value in automatic.items():
        if name not in headers and name.lower() not in skip:
            headers[name] = value
    auth = kwargs.get("auth") or getattr(session, "_default_auth", None)
    if auth is not None and "Authorization" not in headers:
        headers["Authorization"] = auth.encode()
    return headers


async def _read_body(aiohttp: ModuleType, method: str, headers: Any, kwargs: dict[str, Any]) -> tuple[bytes, bool]:
    """The body as bytes, with the framing headers aiohttp derives from it (ClientRequest's rules)."""
    data = kwargs.get("data")
    if data is None and kwargs.get("json") is not None:
        data = aiohttp.payload.JsonPayload(kwargs["json"])
    chunked = bool(kwargs.get("chunked"))
    if data is None:
        if method not in _METHODS_WITHOUT_BODY and not chunked and "Content-Length" not in headers:
            headers["Content-Length"] = "0"
        return b"", chunked
    if isinstance(data, aiohttp.FormData):
        data = data()
    try:
        body = aiohttp.payload.PAYLOAD_REGISTRY.get(data, disposition=None)
    except aiohttp.payload.LookupError:
        body = aiohttp.FormData(data)()
    if not chunked and "Content-Length" not in headers:
        if body.size is not None:
            headers["Content-Length"] = str(body.size)
        else:
            chunked = True
    if chunked and "Transfer-Encoding" not in headers:
        headers["Transfer-Encoding"] = "chunked"
    for name, value in body.headers.items():
        if name not in headers:
            headers[name] = value
    collector = _Collector()
    await body.write(collector)
    return b"".join(collector.blocks), chunked


def _as_aiohttp(
    aiohttp: ModuleType, session: Any, response: Response, *, method: str, url: Any, request_headers: Any, sent: int
) -> Any:
    """The answer as aiohttp would have parsed it off the socket."""
    multidict = sys.modules["multidict"]
    loop = asyncio.get_running_loop()
    fields = list(response.headers.items())
    if not any(name.lower() == "content-length" for name, _ in fields):
        fields.append(("Content-Length", str(len(response.body))))
    request_info = aiohttp.RequestInfo(url, method, multidict.CIMultiDictProxy(request_headers), url)
    offered = {
        "writer": None,
        "continue100": None,
        "timer": aiohttp.helpers.TimerNoop(),
        "request_info": request_info,
        "traces": [],
        "loop": loop,
        "session": session,
        "stream_writer": _Sent(sent),
    }
    accepted = inspect.signature(aiohttp.ClientResponse).parameters
    answer = aiohttp.ClientResponse(method, url, **{k: v for k, v in offered.items() if k in accepted})
    answer._closed = False
    answer.version = aiohttp.HttpVersion11
    answer.status = response.status
    answer.reason = reason_phrase(response.status)
    answer._headers = multidict.CIMultiDictProxy(multidict.CIMultiDict(fields))
    answer._raw_headers = tuple((name.encode("latin-1"), value.encode("latin-1")) for name, value in fields)
    content = aiohttp.StreamReader(_Delivered(), 2**16, loop=loop)
    if response.body and method != "HEAD":
        content.feed_data(response.body)
    content.feed_eof()
    content.on_eof(answer._response_eof)
    answer.content = content
    return answer


async def _raise_for_status(session: Any, answer: Any, wanted: Any) -> None:
    wanted = getattr(session, "_raise_for_status", False) if wanted is None else wanted
    if wanted is True:
        answer.raise_for_status()
    elif callable(wanted):
        await wanted(answer)


def _patched(aiohttp: ModuleType, original: Any) -> Any:
    async def _request(session: Any, method: str, str_or_url: Any, **kwargs: Any) -> Any:
        url = _url_of(aiohttp, session, str_or_url, kwargs.get("params"))
        address = Address.of_url(str(url))
        target = url.raw_path_qs or "/"
        resolution = registry.resolve(method.upper(), address, target)
        if resolution is None:
            return await original(session, method, str_or_url, **kwargs)
        if session.closed:  # as aiohttp itself refuses, so a lifecycle bug shows under the fake too
            raise RuntimeError("Session is closed")
        method = method.upper()
        headers = _request_headers(aiohttp, session, kwargs)
        body, chunked = await _read_body(aiohttp, method, headers, kwargs)

        def answer() -> Response:
            return _service.handle(
                resolution.mount.state,
                method=method,
                address=address,
                url=target,
                raw_headers=headers,
                body=body,
                chunked_transfer=chunked,
                route=resolution.route,
            )

        try:
            response = await worker.off_the_loop(answer)
        except ConnectionReset as reset:
            # What aiohttp raises when the peer resets the socket mid-exchange.
            raise aiohttp.ClientOSError(_ECONNRESET, f"Connection reset by peer (fakes3put {reset.kind})") from None
        result = _as_aiohttp(
            aiohttp, session, response, method=method, url=url, request_headers=headers, sent=len(body)
        )
        await _raise_for_status(session, result, kwargs.get("raise_for_status"))
        return result

    _request.__wrapped__ = original  # type: ignore[attr-defined]
    return _request


def _patch(aiohttp: ModuleType) -> None:
    session_class = aiohttp.ClientSession
    if _original:
        return
    _original[:] = [session_class._request]
    session_class._request = _patched(aiohttp, session_class._request)


_watcher = ImportWatcher("aiohttp", _patch)


def install() -> None:
    """Called under the registry's lock when the first fake starts."""
    aiohttp = sys.modules.get("aiohttp")
    if aiohttp is not None and hasattr(aiohttp, "ClientSession"):
        _patch(aiohttp)
    else:
        _watcher.watch()


def uninstall() -> None:
    """Called under the registry's lock when the last fake stops."""
    _watcher.unwatch()
    aiohttp = sys.modules.get("aiohttp")
    if aiohttp is not None and _original:
        session_class = aiohttp.ClientSession
        if getattr(session_class._request, "__wrapped__", None) is _original[0]:  # else someone patched over us
            session_class._request = _original[0]
    _original.clear()
    worker.retire_idle()
