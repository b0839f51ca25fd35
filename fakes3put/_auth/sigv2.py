"""Signature Version 2 (HMAC-SHA1): the StringToSign, signing, and checking both forms.

Header form: ``Authorization: AWS <key>:<base64 sig>``. Query form (presigned URL):
``AWSAccessKeyId``, ``Signature`` and ``Expires`` (Unix seconds, signed in the Date slot).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta

from fakes3put._auth._common import (
    Evidence,
    iso8601,
    missing_date_error,
    parse_any_date,
    same_text,
    seconds,
    signature_mismatch,
    skew_error,
    unknown_key_error,
    utf8,
    wire_text,
)
from fakes3put._wire.request import S3Request
from fakes3put.errors import S3Error

# Query parameters that are part of the resource and so are signed: the union of the AWS
# guide's list, the response-* overrides, and what botocore's HmacV1Auth signs.
SIGNED_SUBRESOURCES: frozenset[str] = frozenset(
    {
        "accelerate", "acl", "analytics", "cors", "defaultObjectAcl", "delete", "inventory",
        "lifecycle", "location", "logging", "metrics", "notification", "object-lock",
        "partNumber", "policy", "replication", "requestPayment", "response-cache-control",
        "response-content-disposition", "response-content-encoding", "response-content-language",
        "response-content-type", "response-expires", "restore", "select", "select-type",
        "storageClass", "tagging", "torrent", "uploadId", "uploads", "versionId", "versioning",
        "versions", "website",
    }
)  # fmt: skip

QUERY_PARAMETERS = ("AWSAccessKeyId", "Signature", "Expires")

_FOLD = re.compile(r"[ \t]*\r?\n[ \t]*")


def _unfold(value: str) -> str:
    return _FOLD.sub(" ", value).strip()


def canonical_amz_headers(headers: Iterable[tuple[str, str]]) -> str:
    """The CanonicalizedAmzHeaders block: every ``x-amz-*`` header as ``name:v1,v2\\n``, sorted."""
    merged: dict[str, list[str]] = {}
    for name, value in headers:
        lname = name.strip().lower()
        if lname.startswith("x-amz-"):
            merged.setdefault(lname, []).append(_unfold(value))
    return "".join(f"{name}:{','.join(values)}\n" for name, values in sorted(merged.items()))


def canonical_resource(
    path: str,
    query: Iterable[tuple[str, str | None]] = (),
    *,
    virtual_bucket: str = "",
) -> str:
    """The CanonicalizedResource.

    ``path`` is the request path as sent (still percent-encoded). ``virtual_bucket`` is the
    bucket of a virtual-hosted or CNAME request, which the path does not contain. ``query``
    holds decoded pairs, ``None`` for a name sent without ``=``; only sub-resources count.
    """
    resource = (f"/{virtual_bucket}" if virtual_bucket else "") + (path or "/")
    subresources = sorted(
        ((name, value) for name, value in query if name in SIGNED_SUBRESOURCES),
        key=lambda item: item[0],
    )
    if subresources:
        resource += "?" + "&".join(name if value is None else f"{name}={value}" for name, value in subresources)
    return resource


def string_to_sign(
    method: str,
    *,
    content_md5: str = "",
    content_type: str = "",
    date: str = "",
    amz_headers: Iterable[tuple[str, str]] = (),
    resource: str,
) -> str:
    """The SigV2 StringToSign. ``date`` is the Date header, ``""`` with x-amz-date, or ``Expires``."""
    return f"{method}\n{content_md5}\n{content_type}\n{date}\n{canonical_amz_headers(amz_headers)}{resource}"


def sign(secret: str, string_to_sign: str) -> str:
    """Base64 of HMAC-SHA1(secret, string_to_sign)."""
    digest = hmac.new(utf8(secret), utf8(string_to_sign), hashlib.sha1).digest()
    return base64.b64encode(digest).decode("ascii")


def parse_authorization(value: str) -> tuple[str, str] | None:
    """``AWS <key>:<signature>`` -> (key, signature); None if the value is not that shape."""
    if not value.startswith("AWS "):
        return None
    key, colon, signature = value[4:].strip().rpartition(":")
    if not colon or not key or not signature:
        return None
    return key, signature


# --- verification ----------------------------------------------------------------------


def request_string_to_sign(
    request: S3Request,
    date: str,
    *,
    extra_amz: Iterable[tuple[str, str]] = (),
) -> str:
    """The StringToSign S3 computes for ``request`` with ``date`` in the Date slot.

    ``extra_amz`` adds x-amz-* values carried elsewhere (presigned URLs).
    """
    headers = request.headers
    amz = [(name, wire_text(value)) for name, value in headers.items() if name.startswith("x-amz-")]
    amz.extend(extra_amz)
    virtual = request.addressing == "virtual"
    return string_to_sign(
        request.method,
        content_md5=wire_text(headers.get("content-md5") or "").strip(),
        content_type=wire_text(headers.get("content-type") or "").strip(),
        date=date,
        amz_headers=amz,
        resource=canonical_resource(request.raw_path, request.query, virtual_bucket=request.bucket if virtual else ""),
    )


def verify_header(
    request: S3Request,
    authorization: str,
    *,
    credentials: Mapping[str, str],
    now: datetime,
    max_skew: timedelta,
) -> str:
    """Check a SigV2 ``Authorization`` header; return the access key or raise S3Error."""
    parsed = parse_authorization(authorization)
    if parsed is None:
        raise S3Error(
            "InvalidArgument",
            "AWS authorization header is invalid.  Expected AwsAccessKeyId:signature",
            extra={"ArgumentName": "Authorization", "ArgumentValue": authorization},
            hint="a SigV2 Authorization header reads 'AWS <AccessKeyId>:<base64 signature>'.",
        )
    access_key, provided = parsed

    amz_date = request.headers.get("x-amz-date")
    raw_date = amz_date if amz_date is not None else request.headers.get("date")
    moment = parse_any_date(raw_date) if raw_date is not None else None
    if raw_date is None or moment is None:
        raise missing_date_error()
    secret = credentials.get(access_key)
    if secret is None:
        raise unknown_key_error(access_key, credentials)
    skewed = skew_error(raw_date, moment, now, max_skew)
    if skewed is not None:
        raise skewed

    # With x-amz-date present the Date slot is empty; x-amz-date is signed among the amz headers.
    date_slot = "" if amz_date is not None else wire_text(raw_date).strip()
    expected = request_string_to_sign(request, date_slot)
    if same_text(provided, sign(secret, expected)):
        return access_key
    raise signature_mismatch(
        access_key=access_key,
        string_to_sign=expected,
        provided=provided,
        canonical_request=None,
        hint=_MISMATCH_HINT,
        evidence=_evidence(request, access_key, secret, provided, date_slot, (), presigned=False),
    )


def verify_query(
    request: S3Request,
    *,
    credentials: Mapping[str, str],
    now: datetime,
) -> str:
    """Check a SigV2 presigned URL; return the access key or raise S3Error."""
    access_key = request.query_value("AWSAccessKeyId")
    provided = request.query_value("Signature")
    expires = request.query_value("Expires")
    if access_key is None or provided is None or expires is None:
        missing = [name for name in QUERY_PARAMETERS if request.query_value(name) is None]
        raise S3Error(
            "AccessDenied",
            "Query-string authentication requires the Signature, Expires and AWSAccessKeyId parameters",
            hint=f"the presigned URL lacks {', '.join(missing)} (a name without a value counts as missing).",
        )
    if not (expires.isascii() and expires.isdigit() and len(expires) <= 18):
        raise S3Error(
            "AccessDenied",
            f"Invalid date (should be seconds since epoch): {expires}",
            hint="Expires must be a whole number of seconds since 1970-01-01T00:00:00Z.",
        )
    secret = credentials.get(access_key)
    if secret is None:
        raise unknown_key_error(access_key, credentials)
    deadline = int(expires)
    if deadline < now.timestamp():
        expired_at = datetime.fromtimestamp(deadline, UTC)
        raise S3Error(
            "AccessDenied",
            "Request has expired",
            extra={"Expires": iso8601(expired_at), "ServerTime": iso8601(now)},
            hint=(
                f"the presigned URL expired {seconds(now - expired_at)} s ago (Expires={expires}, "
                f"{iso8601(expired_at)}); presign it again or move the fake's clock back."
            ),
        )

    # x-amz-* parameters in the URL (botocore moves signed x-amz-* headers there, and temporary
    # credentials put x-amz-security-token there) are signed as if they were headers.
    extra_amz = [
        (name.lower(), value or "")
        for name, value in request.query
        if name.lower().startswith("x-amz-") and name.lower() not in request.headers
    ]
    expected = request_string_to_sign(request, expires, extra_amz=extra_amz)
    if same_text(provided, sign(secret, expected)):
        return access_key
    raise signature_mismatch(
        access_key=access_key,
        string_to_sign=expected,
        provided=provided,
        canonical_request=None,
        hint=_MISMATCH_HINT,
        evidence=_evidence(request, access_key, secret, provided, expires, extra_amz, presigned=True),
    )


_MISMATCH_HINT = (
    "the signature was computed over a different StringToSign (or with another secret key); "
    "compare StringToSign below with yours."
)


def _evidence(
    request: S3Request,
    access_key: str,
    secret: str,
    provided: str,
    date_slot: str,
    extra_amz: Iterable[tuple[str, str]],
    *,
    presigned: bool,
) -> Evidence:
    return Evidence(
        "sigv2",
        {
            "request": request,
            "access_key": access_key,
            "secret": secret,
            "provided": provided,
            "date_slot": date_slot,
            "extra_amz": tuple(extra_amz),
            "presigned": presigned,
        },
    )
