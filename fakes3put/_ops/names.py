"""S3's naming rules for general purpose buckets."""

from __future__ import annotations

import re

_LABELS = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_IP_LIKE = re.compile(r"\d+\.\d+\.\d+\.\d+")
_BAD_PREFIXES = ("xn--", "sthree-", "amzn-s3-demo-")
_BAD_SUFFIXES = ("-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3")


def bucket_name_problem(name: str) -> str | None:
    """Why S3 refuses ``name`` for a general purpose bucket, or None if it is valid."""
    if not 3 <= len(name) <= 63:
        return "must be between 3 and 63 characters long"
    if not _LABELS.fullmatch(name):
        return "may contain only lower-case letters, digits, '.' and '-', and must start and end with a letter or digit"
    if ".." in name or ".-" in name or "-." in name:
        return "must not contain '..', '.-' or '-.'"
    if _IP_LIKE.fullmatch(name):
        return "must not be formatted as an IP address"
    if name.startswith(_BAD_PREFIXES):
        return f"must not start with {', '.join(_BAD_PREFIXES)}"
    if name.endswith(_BAD_SUFFIXES):
        return f"must not end with {', '.join(_BAD_SUFFIXES)}"
    return None
