"""Content digests: the ETag's MD5, Content-MD5, and S3's flexible checksums.

Every algorithm is the real one. CRC32C and CRC64NVME come from ``anycrc`` (the ``checksums``
extra), imported on first use so ``import fakes3put`` stays cheap; if it is missing the fake
says so loudly instead of quietly computing another CRC.
"""

from __future__ import annotations

import base64
import hashlib
import zlib
from collections.abc import Callable
from typing import Any

from fakes3put.errors import ChecksumUnavailableError

# S3's algorithm name -> (header suffix, digest size in bytes)
ALGORITHMS: dict[str, int] = {"CRC32": 4, "CRC32C": 4, "CRC64NVME": 8, "SHA1": 20, "SHA256": 32}

# What S3 computes and stores when a write claims no checksum (AWS "Checking object integrity":
# "Amazon S3 ... calculates a CRC64NVME checksum ... for objects uploaded without a checksum").
DEFAULT_ALGORITHM = "CRC64NVME"

_anycrc_models: dict[str, Any] = {}
_default_available: list[bool] = []  # filled on first use: is anycrc installed?


def header_name(algorithm: str) -> str:
    return f"x-amz-checksum-{algorithm.lower()}"


def algorithm_of_header(name: str) -> str | None:
    """``x-amz-checksum-crc32c`` -> ``CRC32C``; None for non-checksum headers (``-mode``, ``-type``)."""
    if not name.startswith("x-amz-checksum-"):
        return None
    algorithm = name[len("x-amz-checksum-") :].upper()
    return algorithm if algorithm in ALGORITHMS else None


def _anycrc(model: str) -> Any:
    if model not in _anycrc_models:
        try:
            import anycrc  # type: ignore[import-untyped]
        except ImportError:
            raise ChecksumUnavailableError(
                f"{model} needs the 'anycrc' package: pip install 'fakes3put[checksums]'. "
                "fakes3put never substitutes another algorithm."
            ) from None
        _anycrc_models[model] = anycrc.Model(model)
    return _anycrc_models[model]


def default_algorithm() -> str | None:
    """CRC64NVME when the ``checksums`` extra is installed; None without it, and then the fake
    stores no default checksum rather than failing uploads that never asked for one."""
    if not _default_available:
        try:
            _anycrc("CRC64-NVME")
        except ChecksumUnavailableError:
            _default_available.append(False)
        else:
            _default_available.append(True)
    return DEFAULT_ALGORITHM if _default_available[0] else None


def _crc32(data: bytes | memoryview) -> bytes:
    return zlib.crc32(data).to_bytes(4, "big")


def _crc32c(data: bytes | memoryview) -> bytes:
    return int(_anycrc("CRC32C").calc(data)).to_bytes(4, "big")


def _crc64nvme(data: bytes | memoryview) -> bytes:
    return int(_anycrc("CRC64-NVME").calc(data)).to_bytes(8, "big")


def _sha1(data: bytes | memoryview) -> bytes:
    return hashlib.sha1(data, usedforsecurity=False).digest()


def _sha256(data: bytes | memoryview) -> bytes:
    return hashlib.sha256(data).digest()


_DIGESTS: dict[str, Callable[[bytes | memoryview], bytes]] = {
    "CRC32": _crc32,
    "CRC32C": _crc32c,
    "CRC64NVME": _crc64nvme,
    "SHA1": _sha1,
    "SHA256": _sha256,
}


def checksum(algorithm: str, data: bytes | memoryview) -> str:
    """Base64 of the big-endian digest, as S3 sends it in ``x-amz-checksum-<alg>``."""
    return base64.b64encode(_DIGESTS[algorithm](data)).decode("ascii")


def incremental(algorithm: str) -> tuple[Callable[[bytes | memoryview], None], Callable[[], str]]:
    """(update, result) for computing ``algorithm`` piece by piece; result is base64 like ``checksum``."""
    if algorithm in ("SHA1", "SHA256"):
        hasher = hashlib.sha1(usedforsecurity=False) if algorithm == "SHA1" else hashlib.sha256()
        return hasher.update, lambda: base64.b64encode(hasher.digest()).decode("ascii")
    size = ALGORITHMS[algorithm]
    state = [0]
    if algorithm == "CRC32":

        def update(piece: bytes | memoryview) -> None:
            state[0] = zlib.crc32(piece, state[0])

    else:
        model = _anycrc("CRC32C" if algorithm == "CRC32C" else "CRC64-NVME")
        state[0] = int(model.calc(b""))  # anycrc continues from a previous result: start from the empty input's

        def update(piece: bytes | memoryview) -> None:
            state[0] = int(model.calc(piece, state[0]))

    return update, lambda: base64.b64encode(state[0].to_bytes(size, "big")).decode("ascii")


def md5_digest(data: bytes | memoryview) -> bytes:
    return hashlib.md5(data, usedforsecurity=False).digest()


def etag_of(md5: bytes) -> str:
    return f'"{md5.hex()}"'
