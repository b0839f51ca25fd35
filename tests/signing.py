"""Signing helpers shared by the tests: requests as the wire layer builds them, signed by hand.

``WireRequest`` is an ``S3Request`` that also carries the body it arrived with, so a test can
tamper with either and authenticate the pair the way the fake's pipeline does.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import unquote, urlsplit

from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from fakes3put._auth import Principal, authenticate, check_payload
from fakes3put._wire.chunked import ChunkedBody
from fakes3put._wire.digests import DigestResult
from fakes3put._wire.payload import Payload
from fakes3put._wire.request import Headers, S3Request


@dataclasses.dataclass(frozen=True, slots=True)
class WireRequest(S3Request):
    body: bytes = b""


def payload_of(request: WireRequest, chunked: ChunkedBody | None = None) -> Payload:
    """The Payload the body stage would hand on for ``request.body`` (decoded as ``chunked``)."""
    wire = request.body
    data = chunked.data if chunked is not None else wire
    digests = DigestResult(
        size=len(data),
        md5=hashlib.md5(data, usedforsecurity=False).digest(),
        checksum_algorithm=None,
        checksum=None,
        sha256_hex=hashlib.sha256(wire).hexdigest() if chunked is not None else hashlib.sha256(data).hexdigest(),
    )
    return Payload(data, chunked.wire_length if chunked is not None else len(wire), digests, chunked)


def verify(
    request: WireRequest,
    chunked: ChunkedBody | None = None,
    *,
    credentials: Mapping[str, str],
    now: datetime,
    expected_region: str = "us-east-1",
    **kwargs: Any,
) -> Principal:
    """Authenticate ``request`` from its headers, then check its body, as the pipeline does."""
    authentication = authenticate(request, credentials=credentials, now=now, expected_region=expected_region, **kwargs)
    check_payload(authentication, payload_of(request, chunked))
    return authentication.principal


def parse_query(raw: str) -> tuple[tuple[str, str | None], ...]:
    pairs: list[tuple[str, str | None]] = []
    for item in raw.split("&"):
        if item:
            name, eq, value = item.partition("=")
            pairs.append((unquote(name), unquote(value) if eq else None))
    return tuple(pairs)


def make_request(
    method: str,
    url: str,
    headers: Mapping[str, str | bytes] | None = None,
    body: bytes = b"",
    *,
    bucket: str | None = None,
) -> WireRequest:
    """``bucket`` given = virtual-hosted request for that bucket; otherwise path style."""
    parts = urlsplit(url)
    path = parts.path or "/"
    if bucket is None:
        bucket_name, _, raw_key = path[1:].partition("/")
        addressing = "path"
    else:
        bucket_name, raw_key, addressing = bucket, path[1:], "virtual"
    query = parse_query(parts.query)
    return WireRequest(
        method=method,
        scheme=parts.scheme,
        host=parts.netloc,
        raw_path=path,
        raw_query=parts.query,
        query=query,
        headers=Headers(headers or {}),
        body=body,
        bucket=bucket_name,
        key=unquote(raw_key),
        addressing="virtual" if addressing == "virtual" else "path",
        query_map=dict(query),
    )


def with_headers(request: WireRequest, **changes: str | None) -> WireRequest:
    """Copy of ``request`` with headers set (``None`` removes); names use ``_`` for ``-``."""
    headers: dict[str, str] = dict(request.headers.items())
    for name, value in changes.items():
        lname = name.replace("_", "-").lower()
        if value is None:
            headers.pop(lname, None)
        else:
            headers[lname] = value
    return dataclasses.replace(request, headers=Headers(headers))


def with_query(request: WireRequest, raw_query: str) -> WireRequest:
    query = parse_query(raw_query)
    return dataclasses.replace(request, raw_query=raw_query, query=query, query_map=dict(query))


def from_botocore(aws: AWSRequest, *, bucket: str | None = None, body: bytes | None = None) -> WireRequest:
    prepared = aws.prepare()
    raw = prepared.body if body is None else body
    data = raw.encode() if isinstance(raw, str) else bytes(raw) if isinstance(raw, (bytes, bytearray)) else b""
    headers = dict(prepared.headers.items())
    return make_request(prepared.method, prepared.url, headers, data, bucket=bucket)


def hmac_sha256(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def derived_key(secret: str, scope: str) -> bytes:
    date, region, service, terminal = scope.split("/")
    key = f"AWS4{secret}".encode()
    for part in (date, region, service, terminal):
        key = hmac_sha256(key, part)
    return key


def chain(key: bytes, amz_date: str, scope: str, seed: str, chunks: list[bytes], trailer: str | None) -> bytes:
    """aws-chunked with chunk signatures (and a signed trailer), written from the AWS documentation."""
    empty = hashlib.sha256(b"").hexdigest()
    out, previous = b"", seed
    for data in [*chunks, b""]:
        to_sign = "\n".join(
            ["AWS4-HMAC-SHA256-PAYLOAD", amz_date, scope, previous, empty, hashlib.sha256(data).hexdigest()]
        )
        previous = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        out += f"{len(data):x};chunk-signature={previous}\r\n".encode() + (data + b"\r\n" if data else b"")
    if trailer is not None:
        digest = hashlib.sha256(f"{trailer}\n".encode()).hexdigest()
        to_sign = "\n".join(["AWS4-HMAC-SHA256-TRAILER", amz_date, scope, previous, digest])
        signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        out += f"{trailer}\r\nx-amz-trailer-signature:{signature}\r\n".encode()
    return out + b"\r\n"


class StreamingSigner(S3SigV4Auth):
    """botocore's S3 signer, told the payload is signed aws-chunked (botocore never sends that itself)."""

    def __init__(self, credentials: Credentials, mode: str) -> None:
        super().__init__(credentials, "s3", "us-east-1")
        self.mode = mode

    def payload(self, request: AWSRequest) -> str:
        return self.mode
