"""User metadata (``x-amz-meta-*``): how S3 names, limits and returns it."""

from __future__ import annotations

import base64

from fakes3put._wire.request import Headers
from fakes3put.errors import S3Error

PREFIX = "x-amz-meta-"
MAX_METADATA_BYTES = 2048


def _as_sent(value: str) -> str:
    """Header values arrive as latin-1 text of the wire bytes; UTF-8 bytes mean UTF-8 text."""
    raw = value.encode("latin-1", errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return value


def user_metadata(headers: Headers) -> dict[str, str]:
    """Names lower-cased without the prefix; S3's 2 KB limit on names plus values, in UTF-8 bytes.

    Whether S3 counts the ``x-amz-meta-`` prefix is undocumented; like Ceph, the fake does not.
    """
    metadata = {name[len(PREFIX) :]: _as_sent(value) for name, value in headers.items() if name.startswith(PREFIX)}
    size = sum(len(name.encode()) + len(value.encode()) for name, value in metadata.items())
    if size > MAX_METADATA_BYTES:
        raise S3Error(
            "MetadataTooLarge",
            extra={"Size": str(size), "MaxSizeAllowed": str(MAX_METADATA_BYTES)},
            hint=f"x-amz-meta-* names and values add up to {size} UTF-8 bytes; S3 allows {MAX_METADATA_BYTES}",
        )
    return metadata


def response_value(value: str) -> str:
    """What S3 sends back: ASCII as stored, anything else RFC 2047-encoded (as S3 documents)."""
    if value.isascii():
        return value
    return f"=?UTF-8?B?{base64.b64encode(value.encode()).decode('ascii')}?="
