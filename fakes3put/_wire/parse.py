"""From urlopen's arguments to an S3Request: target, headers and body as S3 would see them."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import unquote, urlsplit

from fakes3put._wire.request import Headers, Route, S3Request
from fakes3put.errors import S3Error

_METHODS_WITH_BODY = frozenset({"PUT", "POST", "PATCH"})


class ClientSideError(Exception):
    """The client's own request failed before reaching S3 (its body's read() raised, or a header
    cannot be encoded): the original exception goes back to the caller, as from a socket."""

    def __init__(self, original: Exception) -> None:
        super().__init__(str(original))
        self.original = original


def _invalid_uri() -> S3Error:
    return S3Error("InvalidURI", "Couldn't parse the specified URI.", status=400)


def parse_uint(text: str, max_digits: int = 19) -> int | None:
    """A non-negative decimal as S3 reads one (ASCII digits only, bounded); None for anything else."""
    text = text.strip()
    if not text or len(text) > max_digits or not (text.isascii() and text.isdigit()):
        return None
    return int(text)


def split_target(url: str) -> tuple[str, str]:
    """``/path?query`` (or an absolute URL, as sent through a proxy) -> (raw path, raw query)."""
    if url.startswith(("http://", "https://")):
        parts = urlsplit(url)
        return parts.path or "/", parts.query
    path, _, query = url.partition("?")
    return path or "/", query


def parse_query(raw_query: str) -> tuple[tuple[str, str | None], ...]:
    """Decoded (name, value) pairs in wire order; ``None`` marks a name sent without ``=``."""
    pairs: list[tuple[str, str | None]] = []
    for item in raw_query.split("&"):
        if not item:
            continue
        name, eq, value = item.partition("=")
        pairs.append((_unquote_query(name), _unquote_query(value) if eq else None))
    return tuple(pairs)


def _unquote_query(text: str) -> str:
    # In a query string '+' means space (form encoding), which is how S3 reads it too.
    return unquote(text.replace("+", " "), errors="strict")


def iter_blocks(body: Any, at_most: int | None = None) -> Iterator[bytes]:
    """The request body as urllib3 would put it on the wire, read exactly once, block by block as it
    is consumed (so decoding and hashing overlap the read). A reader is asked for no more than
    ``at_most`` bytes in one call, so an endless file costs a block, not the machine's memory.
    The client's own failures come out as ``ClientSideError``."""
    try:
        yield from _blocks(body, at_most)
    except Exception as exc:
        raise ClientSideError(exc) from exc


_READ_BLOCK = 1024 * 1024
# Readers whose read() returns everything in one copy; others are read block by block, since
# some (botocore's aws-chunked wrapper) grow an internal buffer per read() and go quadratic.
# (Not io.FileIO: a raw read may return fewer bytes than asked before the end, as a pipe does.)
_WHOLE_READERS = (io.BytesIO, io.BufferedReader)


def _blocks(body: Any, at_most: int | None) -> Iterator[bytes]:
    if body is None:
        return
    if isinstance(body, bytes):
        yield body
    elif isinstance(body, str):
        yield body.encode("utf-8")
    elif isinstance(body, _WHOLE_READERS):
        data = body.read() if at_most is None else body.read(at_most)
        yield data if isinstance(data, bytes) else bytes(data)
    elif hasattr(body, "read"):
        block_size = _READ_BLOCK if at_most is None else min(_READ_BLOCK, max(at_most, 1))
        while block := body.read(block_size):
            yield block.encode("utf-8") if isinstance(block, str) else bytes(block)
    elif isinstance(body, bytearray | memoryview):
        yield bytes(body)
    else:
        for part in body:
            yield part.encode("utf-8") if isinstance(part, str) else bytes(part)


# http.client's own checks in HTTPConnection.putheader (CPython Lib/http/client.py), which urllib3
# runs on every header before a byte is sent: names must be ASCII tokens without ':' or leading
# whitespace, values must not hold a bare CR or LF (a CRLF followed by a space or tab is old-style
# folding and passes).
_LEGAL_HEADER_NAME = re.compile(rb"[^:\s][^:\r\n]*").fullmatch
_ILLEGAL_HEADER_VALUE = re.compile(rb"\n(?![ \t])|\r(?![ \t\n])").search
# The fast path: every name, joined by a separator no legal name holds, in one match.
_PLAIN_NAMES = re.compile(
    r"[\x00-\x08\x0e-\x1f!-9;-\x7f][\x00-\x09\x0b\x0c\x0e-9;-\x7f]*"
    r"(?:\x80[\x00-\x08\x0e-\x1f!-9;-\x7f][\x00-\x09\x0b\x0c\x0e-9;-\x7f]*)*"
).fullmatch


def _refuse_unsendable(raw: Mapping[Any, Any], headers: Headers) -> None:
    """Raise what urllib3 and http.client raise for a header they cannot send (checked against a real
    socket): the header never reaches S3, so S3 never answers it."""
    # botocore's and requests' maps hold only str or bytes (requests checks types itself), so their
    # lower-cased copy is checked; other maps may hold anything urllib3 would choke on.
    text_only = hasattr(raw, "lower_items") or type(raw).__module__ == "botocore.awsrequest"
    given = headers if text_only else raw
    try:
        values, names = "".join(given.values()), "\x80".join(given)
    except TypeError:
        pass  # bytes, int or worse: look closer
    else:
        if values.isascii() and "\r" not in values and "\n" not in values and _PLAIN_NAMES(names):
            return
    for name in raw:
        if not isinstance(name, str | bytes):
            name.lower()  # urllib3 lower-cases every name first: AttributeError, as it raises
    for name, value in raw.items():
        _check_like_putheader(name, value)


def _check_like_putheader(name: str | bytes, value: Any) -> None:
    # urllib3 hands http.client names as str (bytes decoded as latin-1), which encodes them as ASCII.
    wire_name = (name.decode("latin-1") if isinstance(name, bytes) else name).encode("ascii")
    if not _LEGAL_HEADER_NAME(wire_name):
        raise ValueError(f"Invalid header name {wire_name!r}")
    if isinstance(value, str):
        wire_value = value.encode("latin-1")
    elif isinstance(value, int):
        wire_value = str(value).encode("ascii")
    else:
        wire_value = value  # bytes; anything else makes the search raise TypeError, as http.client's does
    if _ILLEGAL_HEADER_VALUE(wire_value):
        raise ValueError(f"Invalid header value {wire_value!r}")


def effective_headers(
    raw: Mapping[str, Any] | None, body: Any, method: str, chunked: bool, *, as_sent: bool = False
) -> Headers:
    """The request headers plus the framing header urllib3 adds on the way to the socket.

    ``as_sent``: the headers came off a socket (the loopback server): they were sendable, and
    nothing is added to them.
    """
    headers = Headers(raw)
    if raw is not None and not as_sent:
        try:
            _refuse_unsendable(raw, headers)
        except (ValueError, TypeError, AttributeError) as exc:  # UnicodeEncodeError is a ValueError
            raise ClientSideError(exc) from exc
    if as_sent or "content-length" in headers or "transfer-encoding" in headers:
        return headers
    if chunked or (body is not None and not isinstance(body, bytes | str | bytearray | memoryview)):
        headers._default("transfer-encoding", "chunked")
    elif body is not None:
        headers._default("content-length", str(len(body.encode("utf-8") if isinstance(body, str) else body)))
    elif method in _METHODS_WITH_BODY:
        headers._default("content-length", "0")
    return headers


def decode_key(raw_key: str, *, plus_as_space: bool) -> str:
    """Percent-decode a key exactly once; '//', '.' and '..' segments stay as sent."""
    if plus_as_space:
        raw_key = raw_key.replace("+", " ")
    try:
        return unquote(raw_key, errors="strict")
    except UnicodeDecodeError:
        raise _invalid_uri() from None


def build_request(
    *,
    method: str,
    scheme: str,
    host: str,
    raw_path: str,
    raw_query: str,
    headers: Headers,
    route: Route,
    plus_as_space: bool,
) -> S3Request:
    try:
        query = parse_query(raw_query)
    except UnicodeDecodeError:
        raise _invalid_uri() from None
    return S3Request(
        method=method,
        scheme=scheme,
        host=host,
        raw_path=raw_path,
        raw_query=raw_query,
        query=query,
        headers=headers,
        bucket=route.bucket,
        key=decode_key(route.raw_key, plus_as_space=plus_as_space),
        addressing=route.addressing,
        endpoint_region=route.region,
        query_map=dict(query),
    )
