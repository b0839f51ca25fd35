"""Every digest a request body needs, in one pass over its bytes as they are read.

MD5 (the ETag and Content-MD5), the flexible checksum the client claims, and SHA-256 when a
signature promises a payload hash. Above ``PARALLEL_FROM`` bytes MD5, the slowest of them,
runs on a helper thread: hashlib releases the GIL, so it overlaps reading and decoding.
"""

from __future__ import annotations

import hashlib
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass

from fakes3put._wire import checksums as _checksums

PARALLEL_FROM = 4 * 1024 * 1024
# Pieces waiting for the MD5 thread keep their blocks alive: past this many, reading waits.
_BACKLOG = 2


@dataclass(frozen=True, slots=True)
class DigestResult:
    size: int
    md5: bytes
    checksum_algorithm: str | None
    checksum: str | None  # base64, as S3 sends it
    sha256_hex: str | None


class _Md5Worker:
    def __init__(self, md5: hashlib._Hash) -> None:
        self._md5 = md5
        self._pieces: queue.Queue[bytes | memoryview | None] = queue.Queue(maxsize=_BACKLOG)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="fakes3put-md5", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while (piece := self._pieces.get()) is not None:
            if self._error is None:
                try:
                    self._md5.update(piece)
                except BaseException as exc:  # keep taking pieces: a reader must never wait on a dead thread
                    self._error = exc

    def update(self, piece: bytes | memoryview) -> None:
        self._pieces.put(piece)

    def finish(self, *, check: bool = True) -> None:
        self._pieces.put(None)
        self._thread.join()
        if check and self._error is not None:
            raise self._error


class Digests:
    """Feed pieces in order with ``update``; then ``finish`` (or ``abandon``) once. Pieces must stay
    unchanged until then."""

    def __init__(self, *, checksum_algorithm: str | None, sha256: bool) -> None:
        self._md5 = hashlib.md5(usedforsecurity=False)
        self._worker: _Md5Worker | None = None
        self._checksum_algorithm = checksum_algorithm
        self._checksum: Callable[[bytes | memoryview], None] | None = None
        self._result_checksum: Callable[[], str] | None = None
        if checksum_algorithm is not None:
            self._checksum, self._result_checksum = _checksums.incremental(checksum_algorithm)
        self._sha256 = hashlib.sha256() if sha256 else None
        self._size = 0

    def update(self, piece: bytes | memoryview) -> None:
        self._size += len(piece)
        if self._worker is None and self._size >= PARALLEL_FROM:
            self._worker = _Md5Worker(self._md5)
        if self._worker is not None:
            self._worker.update(piece)
        else:
            self._md5.update(piece)
        if self._checksum is not None:
            self._checksum(piece)
        if self._sha256 is not None:
            self._sha256.update(piece)

    def abandon(self) -> None:
        """The body's read failed: stop the helper thread, raising nothing over the read's own error."""
        if self._worker is not None:
            self._worker.finish(check=False)

    def finish(self, *, sha256_hex: str | None = None) -> DigestResult:
        """The digests; ``sha256_hex`` stands in for SHA-256 when it was taken over other bytes."""
        if self._worker is not None:
            self._worker.finish()
        return DigestResult(
            size=self._size,
            md5=self._md5.digest(),
            checksum_algorithm=self._checksum_algorithm,
            checksum=self._result_checksum() if self._result_checksum is not None else None,
            sha256_hex=sha256_hex or (self._sha256.hexdigest() if self._sha256 is not None else None),
        )
