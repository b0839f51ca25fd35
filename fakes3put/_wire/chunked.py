"""Decoding of the ``aws-chunked`` content encoding (framing only; signatures are checked in auth).

Wire shape::

    <hex size>[;chunk-signature=<64 hex>]\r\n<size bytes>\r\n   ... repeated
    0[;chunk-signature=<64 hex>]\r\n
    [<trailer name>:<value>\r\n ...]\r\n

The encoded body arrives as the blocks it is read in, pulled one at a time; it is decoded across
block boundaries without joining them first: each chunk's bytes are handed on (to be hashed)
and written to the object's buffer as it is read, so about one copy of the object is held, plus
the current block and the few pieces the MD5 thread has yet to hash.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from fakes3put._wire.bodybuffer import BodyBuffer
from fakes3put.errors import S3Error

_SIGNATURE_EXT = b"chunk-signature="
_HEX_SIZE = re.compile(rb"[0-9a-fA-F]{1,16}")
_MAX_LINE = 8192  # a chunk header or trailer line longer than this is not aws-chunked
_MERGE = 64 * 1024  # blocks smaller than this are joined before decoding

Piece = bytes | memoryview


@dataclass(frozen=True, slots=True)
class Chunk:
    """One chunk: its data is ``data[start:end]`` of the decoded body; the final chunk is empty."""

    start: int
    end: int
    signature: str | None


@dataclass(frozen=True, slots=True)
class ChunkedBody:
    data: bytes
    chunks: tuple[Chunk, ...]
    trailers: tuple[tuple[str, str], ...]
    trailer_signature: str | None
    wire_length: int

    def chunk_data(self, chunk: Chunk) -> memoryview:
        return memoryview(self.data)[chunk.start : chunk.end]


def _add_data_chunk(chunks: list[Chunk], chunk: Chunk) -> None:
    """Unsigned chunks in a row are kept as one run: nothing checks them one by one, and a body of
    many tiny chunks must not cost a record per chunk."""
    if chunk.signature is None and chunks and chunks[-1].signature is None:
        chunks[-1] = Chunk(chunks[-1].start, chunk.end, None)
    else:
        chunks.append(chunk)


def _broken(reason: str) -> S3Error:
    return S3Error("IncompleteBody", f"The request body is not valid aws-chunked encoding: {reason}.")


class _Cursor:
    """Reads lines and byte runs across blocks, pulling each block only when it is needed."""

    def __init__(self, blocks: Iterable[bytes]) -> None:
        self._source = iter(blocks)
        self._block = b""
        self._pos = 0
        self.offset = 0  # bytes consumed so far
        self._pull()

    def _pull(self) -> None:
        """Move to the next block once the current one is used up. Small blocks are merged (up to
        _MERGE bytes), so a body read in tiny pieces costs no view and no loop turn per piece."""
        if self._pos < len(self._block):
            return
        merged: list[bytes] = []
        size = 0
        while size < _MERGE and (following := next(self._source, None)) is not None:
            if following:
                merged.append(following)
                size += len(following)
        self._block = merged[0] if len(merged) == 1 else b"".join(merged)
        self._pos = 0

    def _advance(self, count: int) -> None:
        self.offset += count
        self._pos += count
        if self._pos >= len(self._block):
            self._pull()

    def at_end(self) -> bool:
        return self._pos >= len(self._block)

    def line(self, what: str) -> bytes:
        """The bytes up to the next CRLF (which is consumed)."""
        start = self.offset
        if not self.at_end():  # the usual case: the whole line lies in the current block
            end = self._block.find(b"\r\n", self._pos, self._pos + _MAX_LINE + 2)
            if end >= 0:
                line = self._block[self._pos : end]
                self._advance(end + 2 - self._pos)
                return line
        buffer = b""
        while len(buffer) <= _MAX_LINE + 1:  # a full-length line plus a CR still waiting for its LF
            if self.at_end():
                raise _broken(f"{what} at byte {start} is not terminated")
            window = self._block[self._pos : self._pos + _MAX_LINE + 2]
            combined = buffer + window
            end = combined.find(b"\r\n")
            if end > _MAX_LINE:
                break
            if end >= 0:
                self._advance(end + 2 - len(buffer))
                return combined[:end]
            buffer = combined
            self._advance(len(window))
        raise _broken(f"{what} at byte {start} is longer than {_MAX_LINE} bytes")

    def take(self, count: int, emit: Callable[[Piece], object]) -> bool:
        """Hand ``count`` bytes to ``emit`` as views, a block's worth at most each time, before the
        next block is pulled (so no block is kept for later); False if the blocks end first."""
        while count:
            if self.at_end():
                return False
            piece = memoryview(self._block)[self._pos : self._pos + count]
            emit(piece)
            count -= len(piece)
            self._advance(len(piece))
        return True


def decode_blocks(blocks: Iterable[bytes], on_piece: Callable[[Piece], None] | None = None) -> ChunkedBody:
    """Split an aws-chunked body into data, chunk frames and trailers; S3Error if malformed.

    ``on_piece`` sees every run of object bytes, in order, as it is read.
    """
    cursor = _Cursor(blocks)
    data = BodyBuffer()

    def keep(piece: Piece) -> None:
        # Hashed and copied as soon as it is read: a chunk may span many blocks, and a view kept
        # until the chunk's end would keep every one of them. A framing error later discards all.
        if on_piece is not None:
            on_piece(piece)
        data.append(piece)

    chunks: list[Chunk] = []
    size_so_far = 0
    while True:
        header_at = cursor.offset
        size_field, _, extension = cursor.line("chunk header").partition(b";")
        size_text = size_field.strip()
        if not _HEX_SIZE.fullmatch(size_text):
            raise _broken(f"chunk size {size_text[:20]!r} at byte {header_at} is not a hex number")
        size = int(size_text, 16)
        extension = extension.strip()
        signature = extension[len(_SIGNATURE_EXT) :].decode("latin-1") if extension.startswith(_SIGNATURE_EXT) else None
        if size == 0:
            chunks.append(Chunk(size_so_far, size_so_far, signature))
            break
        if not cursor.take(size, keep):
            raise _broken(f"chunk at byte {header_at} declares {size} bytes but the body ends first")
        ending: list[Piece] = []
        if not cursor.take(2, ending.append) or b"".join(ending) != b"\r\n":
            raise _broken(f"chunk at byte {header_at} is not followed by CRLF after {size} bytes")
        _add_data_chunk(chunks, Chunk(size_so_far, size_so_far + size, signature))
        size_so_far += size

    trailers: list[tuple[str, str]] = []
    trailer_signature = None
    while line := cursor.line("trailer section"):
        name, colon, value = line.partition(b":")
        if not colon:
            raise _broken(f"trailer line {line[:40]!r} has no ':'")
        lname = name.strip().decode("latin-1").lower()
        text = value.strip().decode("latin-1")
        if lname == "x-amz-trailer-signature":
            trailer_signature = text
        else:
            trailers.append((lname, text))
    if not cursor.at_end():
        raise _broken("unexpected bytes after the end of the encoding")
    return ChunkedBody(data.value(), tuple(chunks), tuple(trailers), trailer_signature, cursor.offset)


# A body held in one block of at most this many bytes is decoded by ``decode_whole`` (what a
# small upload is); bigger bodies go through the cursor, which keeps about one copy in memory.
WHOLE_MAX = _MERGE


def decode_whole(encoded: bytes, on_piece: Callable[[Piece], None] | None = None) -> ChunkedBody:
    """``decode_blocks([encoded], on_piece)`` for a body held in one block, in one pass over it.

    Only a well-formed body is decoded here, with no side effect until it has parsed; anything
    else goes to ``decode_blocks``, so the refusal (and its wording) has one source.
    """
    runs: list[bytes] = []
    chunks: list[Chunk] = []
    size_so_far = 0
    pos = 0
    total = len(encoded)
    while True:
        end = encoded.find(b"\r\n", pos, pos + _MAX_LINE + 2)
        if end < 0:
            return decode_blocks([encoded], on_piece)
        size_field, _, extension = encoded[pos:end].partition(b";")
        size_text = size_field.strip()
        if not _HEX_SIZE.fullmatch(size_text):
            return decode_blocks([encoded], on_piece)
        size = int(size_text, 16)
        extension = extension.strip()
        signature = extension[len(_SIGNATURE_EXT) :].decode("latin-1") if extension.startswith(_SIGNATURE_EXT) else None
        pos = end + 2
        if size == 0:
            chunks.append(Chunk(size_so_far, size_so_far, signature))
            break
        after = pos + size
        if after + 2 > total or encoded[after : after + 2] != b"\r\n":
            return decode_blocks([encoded], on_piece)
        runs.append(encoded[pos:after])
        _add_data_chunk(chunks, Chunk(size_so_far, size_so_far + size, signature))
        size_so_far += size
        pos = after + 2

    trailers: list[tuple[str, str]] = []
    trailer_signature = None
    while True:
        end = encoded.find(b"\r\n", pos, pos + _MAX_LINE + 2)
        if end < 0:
            return decode_blocks([encoded], on_piece)
        line = encoded[pos:end]
        pos = end + 2
        if not line:
            break
        name, colon, value = line.partition(b":")
        if not colon:
            return decode_blocks([encoded], on_piece)
        lname = name.strip().decode("latin-1").lower()
        text = value.strip().decode("latin-1")
        if lname == "x-amz-trailer-signature":
            trailer_signature = text
        else:
            trailers.append((lname, text))
    if pos != total:
        return decode_blocks([encoded], on_piece)
    if on_piece is not None:
        for run in runs:
            on_piece(run)
    data = runs[0] if len(runs) == 1 else b"".join(runs)
    return ChunkedBody(data, tuple(chunks), tuple(trailers), trailer_signature, total)


def decode(encoded: bytes) -> ChunkedBody:
    """Decode an aws-chunked body held in one piece."""
    return decode_whole(encoded) if len(encoded) <= WHOLE_MAX else decode_blocks([encoded])
