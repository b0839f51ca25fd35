"""The body stage: a request body read once, bounded, decoded and hashed into one ``Payload``.

The body is read block by block; aws-chunked framing is decoded and every digest the request
needs (MD5, the claimed checksum, SHA-256 when a signature promises one) is taken in the same
pass. Reading stops one block past the most the request may carry, so a body that never ends
costs one block of memory, not all of it.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from fakes3put._wire import checksums as _checksums
from fakes3put._wire.bodybuffer import BodyBuffer
from fakes3put._wire.chunked import WHOLE_MAX, ChunkedBody, decode_blocks, decode_whole
from fakes3put._wire.digests import DigestResult, Digests
from fakes3put._wire.form import Form, parse_form
from fakes3put._wire.parse import iter_blocks
from fakes3put._wire.request import Headers
from fakes3put.errors import S3Error


@dataclass(frozen=True, slots=True)
class Payload:
    """What the body stage hands on: the object bytes and everything learnt while reading them.

    ``data`` is the payload (for an aws-chunked request, the decoded object bytes);
    ``wire_length`` the bytes on the wire, framing included; ``digests`` MD5, the claimed
    checksum and (when asked for) SHA-256, of ``data`` except that for aws-chunked bodies the
    SHA-256 is of the wire bytes; ``chunked`` the aws-chunked frames, signatures and trailers;
    ``form`` a POST Object body parsed once into its fields and file (``with_form``).
    """

    data: bytes
    wire_length: int
    digests: DigestResult
    chunked: ChunkedBody | None = None
    form: Form | None = None

    def with_form(self, content_type: str | None) -> Payload:
        """This payload with its ``multipart/form-data`` body parsed (S3's POST errors if it is not one)."""
        return Payload(self.data, self.wire_length, self.digests, self.chunked, parse_form(content_type, self.data))


@dataclass(frozen=True, slots=True)
class Limit:
    """The most a body may carry, and how to build the error that refuses one longer (built only
    then: most bodies fit, and an S3Error per request is a visible share of a small one)."""

    max_bytes: int
    error: Callable[[], S3Error]


def is_aws_chunked(headers: Headers) -> bool:
    encoding = (headers.get("content-encoding") or "").lower()
    return "aws-chunked" in encoding or (headers.get("x-amz-content-sha256") or "").startswith("STREAMING-")


def claimed_algorithm(headers: Headers) -> str | None:
    """The checksum algorithm a request's header or announced trailer names (checked fully later)."""
    for name in headers:
        if name.startswith("x-amz-checksum-") and (algorithm := _checksums.algorithm_of_header(name)) is not None:
            return algorithm
    announced = headers.get("x-amz-trailer")
    return _checksums.algorithm_of_header(announced.strip().lower()) if announced is not None else None


def read_payload(headers: Headers, body: Any, *, wire_sha256: bool, limit: Limit | None) -> Payload:
    """Read ``body`` (whatever urllib3 or another transport was handed) into a ``Payload``.

    ``wire_sha256``: a signature promises the SHA-256 of the bytes as sent, so take it.
    ``limit``: refuse (with its error) as soon as more than ``max_bytes`` arrive.
    """
    blocks = iter_blocks(body, None if limit is None else limit.max_bytes + 1)
    if limit is not None:
        blocks = _bounded(blocks, limit)
    aws_chunked = is_aws_chunked(headers)
    # For an aws-chunked body a literal x-amz-content-sha256 is the hash of the encoded stream.
    # No claim: S3 computes CRC64NVME itself, so take it in this same pass.
    algorithm = claimed_algorithm(headers) or _checksums.default_algorithm()
    digests = Digests(checksum_algorithm=algorithm, sha256=wire_sha256 and not aws_chunked)
    wire_hash = hashlib.sha256() if wire_sha256 and aws_chunked else None
    try:
        if aws_chunked:
            if wire_hash is not None:
                blocks = _hashing(blocks, wire_hash)
            first = next(blocks, None)
            following = next(blocks, None) if first is not None and len(first) <= WHOLE_MAX else None
            if first is not None and following is None and len(first) <= WHOLE_MAX:
                chunked = decode_whole(first, digests.update)  # a small body, read in one block
            else:
                pulled = [block for block in (first, following) if block is not None]
                chunked = decode_blocks(itertools.chain(pulled, blocks), digests.update)
            data, wire_length = chunked.data, chunked.wire_length
        elif type(body) is bytes:  # handed over whole (requests, urllib3): nothing to walk or join
            if limit is not None and len(body) > limit.max_bytes:
                raise limit.error()
            chunked = None
            digests.update(body)
            data = body
            wire_length = len(data)
        else:
            chunked = None
            buffer = BodyBuffer()
            for block in blocks:
                digests.update(block)
                buffer.append(block)
            data = buffer.value()
            wire_length = len(data)
    except BaseException:
        digests.abandon()  # the read or the decoding failed: that error is the answer
        raise
    result = digests.finish(sha256_hex=wire_hash.hexdigest() if wire_hash is not None else None)
    return Payload(data, wire_length, result, chunked)


def _bounded(blocks: Iterator[bytes], limit: Limit) -> Iterator[bytes]:
    total = 0
    for block in blocks:
        total += len(block)
        if total > limit.max_bytes:
            raise limit.error()
        yield block


def _hashing(blocks: Iterator[bytes], into: hashlib._Hash) -> Iterator[bytes]:
    for block in blocks:
        into.update(block)
        yield block
