"""Helpers shared by the signature checkers: text encoding, time formats, error builders."""

from __future__ import annotations

import functools
import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, Literal

from fakes3put import _key_owners
from fakes3put.errors import S3Error

AMZ_DATE_FORMAT = "%Y%m%dT%H%M%SZ"  # SigV4 "basic" timestamp, e.g. 20250115T120000Z
_AMZ_DATE = re.compile(r"[0-9]{8}T[0-9]{6}Z")


def utf8(text: str) -> bytes:
    """UTF-8 bytes of ``text``; lone surrogates pass through instead of raising."""
    return text.encode("utf-8", "surrogatepass")


def wire_text(value: str) -> str:
    """Undo the latin-1 decoding of a header value if its wire bytes were UTF-8.

    Signers hash the UTF-8 of the text they were given; the request's headers hold the
    wire bytes decoded as latin-1. Re-reading those bytes as UTF-8 recovers the signed text;
    bytes that are not UTF-8 were latin-1 text to begin with, so the value is kept.
    """
    if value.isascii():
        return value
    try:
        return value.encode("latin-1").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return value


def hmac_sha256(key: bytes, text: str) -> bytes:
    return hmac.digest(key, utf8(text), "sha256")  # the one-shot C path: no HMAC object per call


def sha256_hex(data: bytes | memoryview | str) -> str:
    return hashlib.sha256(utf8(data) if isinstance(data, str) else data).hexdigest()


def hex_dump(text: str) -> str:
    """S3's ``*Bytes`` rendering: each UTF-8 byte as two lower-case hex digits, space-separated."""
    return " ".join(f"{byte:02x}" for byte in utf8(text))


def same_text(provided: str, expected: str) -> bool:
    """Constant-time comparison that accepts any text (compare_digest refuses non-ASCII str)."""
    return hmac.compare_digest(utf8(provided), utf8(expected))


def as_utc(moment: datetime) -> datetime:
    """An aware UTC datetime; naive values are taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def iso8601(moment: datetime) -> str:
    """S3's ``ServerTime``/``Expires`` element format: ``2025-01-15T12:00:00Z``."""
    return as_utc(moment).strftime("%Y-%m-%dT%H:%M:%SZ")


@functools.lru_cache(maxsize=64)  # a client sends the same second many times: parse it once
def parse_amz_date(text: str) -> datetime | None:
    """Parse ``YYYYMMDD'T'HHMMSS'Z'``; None unless the text is exactly that shape and a real time."""
    if not _AMZ_DATE.fullmatch(text):
        return None
    try:  # by hand: strptime is a large share of a small request's cost
        return datetime(
            int(text[0:4]),
            int(text[4:6]),
            int(text[6:8]),
            int(text[9:11]),
            int(text[11:13]),
            int(text[13:15]),
            tzinfo=UTC,
        )
    except ValueError:
        return None


def parse_http_date(text: str) -> datetime | None:
    """Parse an RFC 1123 date (``Tue, 27 Mar 2007 19:36:42 +0000``); None if it is not one."""
    if not text.isascii() or len(text) > 64:
        return None
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    try:
        return as_utc(parsed)
    except (ValueError, OverflowError):  # a zone offset pushed it past year 1..9999
        return None


def parse_any_date(text: str) -> datetime | None:
    """A request timestamp in either of the formats S3 accepts in ``x-amz-date``/``Date``."""
    text = text.strip()
    return parse_amz_date(text) or parse_http_date(text)


def seconds(delta: timedelta) -> int:
    return int(delta.total_seconds())


def describe_skew(request_time: datetime, now: datetime) -> str:
    offset = seconds(request_time - now)
    direction = "ahead of" if offset > 0 else "behind"
    return f"{abs(offset)} s {direction}"


def skew_error(raw: str, request_time: datetime, now: datetime, max_skew: timedelta) -> S3Error | None:
    """RequestTimeTooSkewed if ``request_time`` is more than ``max_skew`` away from ``now``."""
    if abs(request_time - now) <= max_skew:
        return None
    return S3Error(
        "RequestTimeTooSkewed",
        extra={
            "RequestTime": raw,
            "ServerTime": iso8601(now),
            "MaxAllowedSkewMilliseconds": str(int(max_skew.total_seconds() * 1000)),
        },
        hint=(
            f"the request was signed at {iso8601(request_time)}, {describe_skew(request_time, now)} "
            f"the fake's clock ({iso8601(now)}); at most {seconds(max_skew)} s are allowed. "
            "Sign with the fake's clock (freezegun/time-machine move it) or widen max_skew."
        ),
    )


def missing_date_error() -> S3Error:
    return S3Error(
        "AccessDenied",
        "AWS authentication requires a valid Date or x-amz-date header",
        hint="send an RFC 1123 Date header or an x-amz-date header (YYYYMMDD'T'HHMMSS'Z') with the request.",
    )


def unknown_key_error(access_key: str, known: Iterable[str]) -> S3Error:
    names = sorted(known)
    shown = ", ".join(repr(name) for name in names[:5]) + (", ..." if len(names) > 5 else "")
    return S3Error(
        "InvalidAccessKeyId",
        extra={"AWSAccessKeyId": access_key},
        hint=(
            f"access key {access_key!r} is not among the fake's credentials "
            f"({shown or 'none configured'}); {_key_owners.likely_cause(access_key)}"
        ),
    )


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the signature doctor needs to re-sign one mismatch: which search (``kind``) and its
    arguments. It travels up with the error; ``authenticate`` hands it to the doctor, so the
    signers never call the doctor that builds on them."""

    kind: Literal["sigv4", "sigv2", "chunk", "trailer"]
    arguments: Mapping[str, Any]


class SignatureMismatch(S3Error):
    """SignatureDoesNotMatch, carrying the evidence for the doctor's diagnosis."""

    def __init__(self, *, evidence: Evidence | None, extra: Mapping[str, str], hint: str) -> None:
        super().__init__("SignatureDoesNotMatch", extra=extra, hint=hint)
        self.evidence = evidence


def signature_mismatch(
    *,
    access_key: str,
    string_to_sign: str,
    provided: str,
    canonical_request: str | None,
    hint: str,
    evidence: Evidence | None = None,
) -> SignatureMismatch:
    """SignatureDoesNotMatch with S3's diagnostic elements, in S3's order.

    ``evidence`` lets the signature doctor (``fakes3put._auth.doctor``) add its sentence after the
    hint; like the hint, it goes only into the call log, never into the XML.
    """
    extra = {
        "AWSAccessKeyId": access_key,
        "StringToSign": string_to_sign,
        "SignatureProvided": provided,
        "StringToSignBytes": hex_dump(string_to_sign),
    }
    if canonical_request is not None:
        extra["CanonicalRequest"] = canonical_request
        extra["CanonicalRequestBytes"] = hex_dump(canonical_request)
    return SignatureMismatch(evidence=evidence, extra=extra, hint=hint)
