"""Decoding of the ``aws-chunked`` content encoding (framing only; signatures are checked in auth).

Wire shape::

    <hex size>[;chunk-signature=<64 hex>]\r\n<size bytes>\r\n   ... repeated
    0[;chunk-signature=<64 hex>]\r\n
    [<trailer name>:<value>\r\n ...]\r\n
"""

from __future__ import annotations

from dataclasses import dataclass

from .errors import S3Error

_SIGNATURE_EXT = b"chunk-signature="
_MAX_SIZE_FIELD = 16  # hex digits; anything longer is garbage, not a size


@dataclass(frozen=True, slots=True)
class Chunk:
    """One chunk: its data is ``encoded[start:end]``; the final chunk has ``start == end``."""

    start: int
    end: int
    signature: str | None


@dataclass(frozen=True, slots=True)
class ChunkedBody:
    encoded: bytes
    data: bytes
    chunks: tuple[Chunk, ...]
    trailers: tuple[tuple[str, str], ...]
    trailer_signature: str | None

    def chunk_data(self, chunk: Chunk) -> memoryview:
        return memoryview(self.encoded)[chunk.start : chunk.end]


def _broken(reason: str) -> S3Error:
    return S3Error(
        "IncompleteBody",
        f"The request body is not valid aws-chunked encoding: {reason}.",
    )


def decode(encoded: bytes) -> ChunkedBody:
    """Split an aws-chunked body into data, chunk frames and trailers; S3Error if malformed."""
    chunks: list[Chunk] = []
    pos = 0
    total = len(encoded)
    while True:
        eol = encoded.find(b"\r\n", pos)
        if eol < 0:
            raise _broken(f"chunk header at byte {pos} is not terminated")
        size_field, _, extension = encoded[pos:eol].partition(b";")
        size_text = size_field.strip()
        if not size_text or len(size_text) > _MAX_SIZE_FIELD:
            raise _broken(f"chunk size {size_text[:20]!r} at byte {pos} is not a hex number")
        try:
            size = int(size_text, 16)
        except ValueError:
            raise _broken(f"chunk size {size_text[:20]!r} at byte {pos} is not a hex number") from None
        signature = None
        extension = extension.strip()
        if extension.startswith(_SIGNATURE_EXT):
            signature = extension[len(_SIGNATURE_EXT) :].decode("latin-1")
        start = eol + 2
        end = start + size
        if size == 0:
            chunks.append(Chunk(start, start, signature))
            pos = start
            break
        if end + 2 > total:
            raise _broken(f"chunk at byte {pos} declares {size} bytes but the body ends first")
        if encoded[end : end + 2] != b"\r\n":
            raise _broken(f"chunk at byte {pos} is not followed by CRLF after {size} bytes")
        chunks.append(Chunk(start, end, signature))
        pos = end + 2

    trailers: list[tuple[str, str]] = []
    trailer_signature = None
    while True:
        eol = encoded.find(b"\r\n", pos)
        if eol < 0:
            raise _broken("the trailer section is not terminated by an empty line")
        line = encoded[pos:eol]
        pos = eol + 2
        if not line:
            break
        name, colon, value = line.partition(b":")
        if not colon:
            raise _broken(f"trailer line {line[:40]!r} has no ':'")
        lname = name.strip().decode("latin-1").lower()
        text = value.strip().decode("latin-1")
        if lname == "x-amz-trailer-signature":
            trailer_signature = text
        else:
            trailers.append((lname, text))
    if pos != total:
        raise _broken(f"{total - pos} unexpected bytes after the end of the encoding")

    if len(chunks) == 2:  # the common case: one data chunk, no join needed
        data = encoded[chunks[0].start : chunks[0].end]
    else:
        view = memoryview(encoded)
        data = b"".join(view[c.start : c.end] for c in chunks)
    return ChunkedBody(encoded, data, tuple(chunks), tuple(trailers), trailer_signature)
