"""The urllib3 transport: ``HTTPConnectionPool.urlopen``, where boto3, requests and minio meet.

The patch goes in when the first fake starts and comes out when the last one stops (see
``lifecycle``). The original ``urlopen`` is kept once taken: a thread still inside ``urlopen``
when the last fake stops must find it.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from urllib3 import BaseHTTPResponse, HTTPResponse
from urllib3._collections import HTTPHeaderDict
from urllib3.connectionpool import HTTPConnectionPool
from urllib3.exceptions import MaxRetryError, ProtocolError
from urllib3.util.request import set_file_position
from urllib3.util.retry import Retry

from fakes3put._service import handle
from fakes3put._transport import registry
from fakes3put._wire.request import Address
from fakes3put._wire.response import ConnectionReset, Response, reason_phrase

# urlopen's parameters after (method, url), in order: urllib3 calls it again positionally when it
# retries, so the patch must accept exactly what the original accepts.
_URLOPEN_PARAMETERS = (
    "body",
    "headers",
    "retries",
    "redirect",
    "assert_same_host",
    "timeout",
    "pool_timeout",
    "release_conn",
    "chunked",
    "body_pos",
    "preload_content",
    "decode_content",
)
_original: list[Callable[..., Any]] = []  # the urlopen the patch replaced, once taken


_POSITION = {name: index for index, name in enumerate(_URLOPEN_PARAMETERS)}


def _argument(name: str, args: tuple[Any, ...], kwargs: dict[str, Any], default: Any) -> Any:
    if not args:  # how botocore, requests and urllib3's PoolManager call it: by keyword
        return kwargs.get(name, default)
    index = _POSITION[name]
    return args[index] if index < len(args) else kwargs.get(name, default)


def _address(pool: HTTPConnectionPool, url: str) -> Address:
    # Through a plain-HTTP proxy, urllib3 sends the absolute URL to the proxy's pool: the
    # request goes where the URL says, not to the proxy.
    if url.startswith(("http://", "https://")):
        return Address.of_url(url)
    return Address.of(pool.scheme, pool.host, pool.port)


def _intercept(pool: HTTPConnectionPool, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
    address = _address(pool, url)
    resolution = registry.resolve(method, address, url)
    if resolution is None:
        return _original[0](pool, method, url, *args, **kwargs)
    body = _argument("body", args, kwargs, None)
    # As urlopen does: remember where a file body starts, so a retry sends it again from there.
    body_pos = set_file_position(body, _argument("body_pos", args, kwargs, None))
    try:
        response = handle(
            resolution.mount.state,
            method=method.upper(),
            address=address,
            url=url,
            raw_headers=_argument("headers", args, kwargs, None),
            body=body,
            chunked_transfer=bool(_argument("chunked", args, kwargs, False)),
            route=resolution.route,
        )
    except ConnectionReset as reset:
        raise ProtocolError(
            "Connection aborted.", ConnectionResetError(104, f"Connection reset by peer (fakes3put {reset.kind})")
        ) from None
    answer = _as_urllib3(
        response,
        method=method.upper(),
        url=url,
        preload_content=_argument("preload_content", args, kwargs, True),
        decode_content=_argument("decode_content", args, kwargs, True),
    )
    return _retried(pool, method, url, args, kwargs, answer, body_pos)


def _retried(
    pool: HTTPConnectionPool,
    method: str,
    url: str,
    args: tuple[Any, ...],
    kwargs: dict[str, Any],
    answer: HTTPResponse,
    body_pos: Any,
) -> BaseHTTPResponse:
    """urlopen's own retry on a status (``Retry(status_forcelist=...)``), which a fake answer must get too."""
    if answer.status < 400:  # the usual answer: nothing a status retry would retry (and no Retry built)
        return answer
    retries = _argument("retries", args, kwargs, None)
    if not isinstance(retries, Retry):
        retries = Retry.from_int(retries, redirect=_argument("redirect", args, kwargs, True), default=pool.retries)
    if not retries.is_retry(method, answer.status, bool(answer.headers.get("Retry-After"))):
        return answer
    try:
        retries = retries.increment(method, url, response=answer, _pool=pool)
    except MaxRetryError:
        if retries.raise_on_status:
            raise
        return answer
    retries.sleep(answer)
    given = dict(zip(_URLOPEN_PARAMETERS, args, strict=False)) | kwargs
    return pool.urlopen(method, url, **(given | {"retries": retries, "body_pos": body_pos}))


def _as_urllib3(
    response: Response, *, method: str, url: str, preload_content: bool, decode_content: bool
) -> HTTPResponse:
    """The answer as urllib3 would have built it from the socket."""
    headers = _header_map(response)
    return HTTPResponse(
        body=io.BytesIO(response.body),
        headers=headers,
        status=response.status,
        reason=reason_phrase(response.status),
        preload_content=preload_content,
        decode_content=decode_content,
        request_method=method,
        request_url=url,
        enforce_content_length=True,
    )


def _header_map(response: Response) -> HTTPHeaderDict:
    """The response headers as urllib3's map, a later spelling of a name replacing an earlier one
    (response-* overrides), with Content-Length as the socket would have carried it."""
    # What HTTPHeaderDict.__setitem__ stores, written in one pass; its public API is the fallback.
    container = {name.lower(): [name, value] for name, value in response.headers.items()}
    if "content-length" not in container:
        container["content-length"] = ["Content-Length", str(len(response.body))]
    headers = HTTPHeaderDict()
    if isinstance(getattr(headers, "_container", None), dict):
        headers._container = container
    else:
        for name, value in container.values():
            headers[name] = value
    return headers


def install() -> None:
    """Called under the registry's lock when the first fake starts."""
    pool_class: Any = HTTPConnectionPool  # urlopen is replaced with a function of its full signature
    if pool_class.urlopen is not _intercept:  # whatever is in place now, another patch included
        _original[:] = [pool_class.urlopen]
    pool_class.urlopen = _intercept


def uninstall() -> None:
    """Called under the registry's lock when the last fake stops."""
    pool_class: Any = HTTPConnectionPool
    if pool_class.urlopen is _intercept and _original:  # if someone patched over us meanwhile, theirs stays
        pool_class.urlopen = _original[0]
