"""Signature Version 4 (AWS4-HMAC-SHA256) for S3: canonical request, signing, and checking.

The pure functions at the top sign as well as verify (tests and demos use them); the
``verify_*`` functions below build their inputs from an S3Request and raise S3Error.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote

from fakes3put._auth import streaming
from fakes3put._auth._common import (
    AMZ_DATE_FORMAT,
    Evidence,
    hmac_sha256,
    iso8601,
    missing_date_error,
    parse_amz_date,
    parse_http_date,
    same_text,
    seconds,
    sha256_hex,
    signature_mismatch,
    skew_error,
    unknown_key_error,
    utf8,
    wire_text,
)
from fakes3put._wire.payload import Payload
from fakes3put._wire.request import S3Request
from fakes3put.errors import S3Error

ALGORITHM = "AWS4-HMAC-SHA256"
SIGV4A_ALGORITHM = "AWS4-ECDSA-P256-SHA256"
TERMINATOR = "aws4_request"
SERVICE = "s3"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
STREAMING_SIGNED = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
STREAMING_SIGNED_TRAILER = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"
STREAMING_UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
MAX_EXPIRES = 604800  # seconds: presigned URLs live at most a week
# Clients discover a bucket's region with a GetBucketLocation signed for us-east-1 (minio does
# when no region is configured); S3 answers that from any region.
DISCOVERY_REGION = "us-east-1"
QUERY_PARAMETERS = (
    "X-Amz-Algorithm",
    "X-Amz-Credential",
    "X-Amz-Signature",
    "X-Amz-Date",
    "X-Amz-SignedHeaders",
    "X-Amz-Expires",
)
_HEX64 = re.compile(r"[0-9a-fA-F]{64}")
_CREDENTIAL_SHAPE = '"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request"'

# --- signing primitives ------------------------------------------------------------------


def credential_scope(date: str, region: str, service: str = SERVICE) -> str:
    """``yyyymmdd/region/service/aws4_request``."""
    return f"{date}/{region}/{service}/{TERMINATOR}"


def derived_keys(secret: str, date: str, region: str, service: str = SERVICE) -> tuple[bytes, bytes, bytes, bytes]:
    """(kDate, kRegion, kService, kSigning): each step is HMAC-SHA256 keyed by the previous one."""
    k_date = hmac_sha256(utf8("AWS4" + secret), date)
    k_region = hmac_sha256(k_date, region)
    k_service = hmac_sha256(k_region, service)
    return k_date, k_region, k_service, hmac_sha256(k_service, TERMINATOR)


def signing_key(secret: str, date: str, region: str, service: str = SERVICE) -> bytes:
    """The SigV4 signing key (kSigning) for one day, region and service."""
    return derived_keys(secret, date, region, service)[3]


KeyCache = dict[tuple[str, str, str, str], bytes]
_KEY_CACHE_LIMIT = 256  # requests with made-up dates or regions cannot grow it without bound


def cached_signing_key(cache: KeyCache | None, secret: str, date: str, region: str, service: str) -> bytes:
    """``signing_key`` memoised in ``cache``: one per fake, so keys derived from its secrets go with it
    (a process-wide cache would keep them after the fake stops)."""
    if cache is None:
        return signing_key(secret, date, region, service)
    ident = (secret, date, region, service)
    key = cache.get(ident)
    if key is None:
        if len(cache) >= _KEY_CACHE_LIMIT:
            cache.clear()
        key = cache[ident] = signing_key(secret, date, region, service)
    return key


def uri_encode(text: str, *, safe: str = "") -> str:
    """RFC 3986 percent-encoding of the UTF-8 bytes (unreserved characters kept, space as %20)."""
    return quote(utf8(text), safe="-_.~" + safe)


def canonical_query(params: Iterable[tuple[str, str | None]]) -> str:
    """The CanonicalQueryString from decoded (name, value) pairs; ``None`` counts as ``""``.

    Sorted by encoded name, then encoded value. ``X-Amz-Signature`` is never part of it.
    """
    pairs = sorted((uri_encode(name), uri_encode(value or "")) for name, value in params if name != "X-Amz-Signature")
    return "&".join(f"{name}={value}" for name, value in pairs)


def canonical_headers(headers: Iterable[tuple[str, str]]) -> tuple[str, str]:
    """(CanonicalHeaders block, SignedHeaders) for the headers to sign, in any order.

    Names are lower-cased and sorted; a name given twice has its values joined with ``,``.
    """
    merged: dict[str, str] = {}
    for raw_name, raw_value in headers:
        name = raw_name.strip().lower()
        value = " ".join(raw_value.split())  # trimmed, inner whitespace runs collapsed (as botocore does)
        merged[name] = f"{merged[name]},{value}" if name in merged else value
    names = sorted(merged)
    block = "".join([f"{name}:{merged[name]}\n" for name in names])
    return block, ";".join(names)


def canonical_request(
    method: str,
    path: str,
    query: Iterable[tuple[str, str | None]],
    headers: Iterable[tuple[str, str]],
    payload_hash: str,
) -> str:
    """The CanonicalRequest.

    ``path`` is the request path exactly as sent (S3 encodes once and never normalises);
    ``query`` holds decoded pairs; ``headers`` are the signed headers and their values.
    """
    block, signed = canonical_headers(headers)
    return "\n".join((method, path or "/", canonical_query(query), block, signed, payload_hash))


def string_to_sign(amz_date: str, scope: str, canonical_request: str) -> str:
    """``AWS4-HMAC-SHA256\\n<X-Amz-Date>\\n<scope>\\n<hex sha256 of the canonical request>``."""
    return f"{ALGORITHM}\n{amz_date}\n{scope}\n{sha256_hex(canonical_request)}"


def signature(key: bytes, string_to_sign: str) -> str:
    """Lower-case hex HMAC-SHA256 of the string to sign under the derived key."""
    return hmac_sha256(key, string_to_sign).hex()


def authorization(access_key: str, scope: str, signed_headers: str, signature: str) -> str:
    """The ``Authorization`` header value for header-based SigV4."""
    return f"{ALGORITHM} Credential={access_key}/{scope}, SignedHeaders={signed_headers}, Signature={signature}"


# --- parsing -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Credential:
    access_key: str
    date: str
    region: str
    service: str
    terminal: str

    @property
    def scope(self) -> str:
        return f"{self.date}/{self.region}/{self.service}/{self.terminal}"


@functools.lru_cache(maxsize=64)  # a client signs request after request with one credential scope
def parse_credential(value: str) -> Credential | None:
    """``<key>/<yyyymmdd>/<region>/<service>/aws4_request``; None if not five non-empty parts."""
    parts = value.rsplit("/", 4)
    if len(parts) != 5 or not all(parts):
        return None
    return Credential(*parts)


@dataclass(frozen=True, slots=True)
class AuthorizationHeader:
    credential: str
    signed_headers: str
    signature: str


def parse_authorization(value: str) -> AuthorizationHeader:
    """Split a SigV4 ``Authorization`` value; ValueError (with S3's wording) if malformed."""
    algorithm, _, rest = value.strip().partition(" ")
    if algorithm != ALGORITHM:
        raise ValueError(f'the authorization header algorithm "{algorithm}" is not supported')
    fields: dict[str, str] = {}
    for component in rest.split(","):
        name, equals, field = component.strip().partition("=")
        if not equals or name in fields:
            raise ValueError(f'the authorization component "{component.strip()}" is malformed.')
        fields[name] = field
    try:
        return AuthorizationHeader(fields["Credential"], fields["SignedHeaders"], fields["Signature"])
    except KeyError:
        raise ValueError(
            "the authorization header requires three components: Credential, SignedHeaders, and Signature."
        ) from None


# --- verification ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Verified:
    """What a verified request hands to the payload check (and to the chunk chain)."""

    access_key: str
    key: bytes
    amz_date: str
    scope: str
    signature: str
    payload_hash: str


@dataclass(frozen=True, slots=True)
class _Claim:
    credential: Credential
    signed_headers: tuple[str, ...]
    signature: str
    amz_date: str
    payload_hash: str
    presigned: bool


def verify_header(
    request: S3Request,
    authorization_value: str,
    *,
    credentials: Mapping[str, str],
    now: datetime,
    expected_region: str,
    max_skew: timedelta,
    signing_keys: KeyCache | None = None,
) -> Verified:
    """Check a header-signed SigV4 request up to and including its seed signature."""
    try:
        parsed = parse_authorization(authorization_value)
    except ValueError as exc:
        raise _malformed_header(
            str(exc),
            "the Authorization header is not 'AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...'.",
        ) from None
    credential = parse_credential(parsed.credential)
    if credential is None:
        raise _malformed_header(
            f"the Credential is mal-formed; expecting {_CREDENTIAL_SHAPE}.",
            f"Credential={parsed.credential!r} does not have five '/'-separated parts.",
        )
    signed = _split_signed_headers(parsed.signed_headers)
    if signed is None:
        raise _malformed_header(
            f'the authorization component "SignedHeaders={parsed.signed_headers}" is malformed.',
            "SignedHeaders must be ';'-separated, non-empty header names.",
        )
    payload_hash = request.headers.get("x-amz-content-sha256")
    if payload_hash is None:
        raise S3Error(
            "InvalidRequest",
            "Missing required header for this request: x-amz-content-sha256",
            hint="header-signed SigV4 requests to S3 must send (and sign) x-amz-content-sha256.",
        )
    check_payload_value(payload_hash)

    raw_date = request.headers.get("x-amz-date")
    basic = parse_amz_date(raw_date.strip()) if raw_date is not None else None
    if raw_date is None:
        raw_date = request.headers.get("date")
        moment = parse_http_date(raw_date) if raw_date is not None else None
    else:
        moment = basic or parse_http_date(raw_date)
    if raw_date is None or moment is None:
        raise missing_date_error()
    # botocore signs the timestamp in the basic format even when it sends a Date header.
    amz_date = raw_date.strip() if basic is not None else moment.strftime(AMZ_DATE_FORMAT)

    claim = _Claim(credential, signed, parsed.signature, amz_date, payload_hash, presigned=False)
    return _verify_claim(
        request,
        claim,
        credentials=credentials,
        expected_region=expected_region,
        signing_keys=signing_keys,
        time_problem=lambda: skew_error(raw_date, moment, now, max_skew),
    )


def verify_query(
    request: S3Request,
    *,
    credentials: Mapping[str, str],
    now: datetime,
    expected_region: str,
    max_skew: timedelta,
    signing_keys: KeyCache | None = None,
) -> Verified:
    """Check a SigV4 presigned URL up to and including its signature."""
    algorithm = request.query_value("X-Amz-Algorithm")
    if algorithm == SIGV4A_ALGORITHM:
        raise sigv4a_not_implemented()
    if algorithm is not None and algorithm != ALGORITHM:
        raise _query_error(
            'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"',
            f"X-Amz-Algorithm is {algorithm!r}; S3 SigV4 presigned URLs use {ALGORITHM!r}.",
        )
    missing = [name for name in QUERY_PARAMETERS if request.query_value(name) is None]
    if missing:
        raise _query_error(
            "Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, "
            "X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters. "
            f"Missing: {', '.join(missing)}.",
            f"the presigned URL lacks {', '.join(missing)}.",
        )
    raw_credential = request.query_value("X-Amz-Credential") or ""
    raw_date = request.query_value("X-Amz-Date") or ""
    raw_expires = request.query_value("X-Amz-Expires") or ""
    raw_signed = request.query_value("X-Amz-SignedHeaders") or ""
    provided = request.query_value("X-Amz-Signature") or ""

    lifetime = _check_expires(raw_expires)
    credential = parse_credential(raw_credential)
    if credential is None:
        raise _query_error(
            "Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; "
            f"expecting {_CREDENTIAL_SHAPE}.",
            f"X-Amz-Credential={raw_credential!r} does not have five '/'-separated parts.",
        )
    moment = parse_amz_date(raw_date)
    if moment is None:
        raise _query_error(
            "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"",
            f"X-Amz-Date={raw_date!r} is not YYYYMMDD'T'HHMMSS'Z' (e.g. 20250115T120000Z).",
        )
    signed = _split_signed_headers(raw_signed)
    if signed is None:
        raise _query_error(
            "X-Amz-SignedHeaders is malformed",
            "X-Amz-SignedHeaders must be ';'-separated, non-empty header names (usually just 'host').",
        )
    payload_hash = _presigned_payload_hash(request)
    check_payload_value(payload_hash)

    claim = _Claim(credential, signed, provided, raw_date, payload_hash, presigned=True)
    return _verify_claim(
        request,
        claim,
        credentials=credentials,
        expected_region=expected_region,
        signing_keys=signing_keys,
        time_problem=lambda: _presigned_time_problem(moment, lifetime, raw_expires, now, max_skew),
    )


def _verify_claim(
    request: S3Request,
    claim: _Claim,
    *,
    credentials: Mapping[str, str],
    expected_region: str,
    signing_keys: KeyCache | None,
    time_problem: Callable[[], S3Error | None],
) -> Verified:
    """The tail both forms share, in S3's order: scope, access key, time, then the signature."""
    _check_scope(claim, request, expected_region)
    secret = credentials.get(claim.credential.access_key)
    if secret is None:
        raise unknown_key_error(claim.credential.access_key, credentials)
    problem = time_problem()
    if problem is not None:
        raise problem
    return _check_signature(request, claim, secret, signing_keys)


def _presigned_time_problem(
    moment: datetime, lifetime: int, raw_expires: str, now: datetime, max_skew: timedelta
) -> S3Error | None:
    """A presigned URL signed in the future, or expired; None while it is valid."""
    if moment - now > max_skew:
        return S3Error(
            "AccessDenied",
            "Request is not yet valid",
            hint=(
                f"X-Amz-Date {iso8601(moment)} is {seconds(moment - now)} s ahead of the fake's clock "
                f"({iso8601(now)}); presign with the fake's clock."
            ),
        )
    try:
        expires_at = moment + timedelta(seconds=lifetime)
    except OverflowError:
        expires_at = datetime.max.replace(tzinfo=moment.tzinfo)
    if expires_at < now:
        return S3Error(
            "AccessDenied",
            "Request has expired",
            extra={"X-Amz-Expires": raw_expires, "Expires": iso8601(expires_at), "ServerTime": iso8601(now)},
            hint=(
                f"the presigned URL expired {seconds(now - expires_at)} s ago (signed {iso8601(moment)}, "
                f"valid {lifetime} s); presign it again or move the fake's clock back."
            ),
        )
    return None


def sigv4a_not_implemented() -> S3Error:
    # SigV4a is asymmetric (ECDSA) and this fake cannot verify it: say so loudly (501)
    # instead of accepting it unchecked or calling it malformed.
    return S3Error(
        "NotImplemented",
        "A header you provided implies functionality that is not implemented",
        hint="SigV4a (AWS4-ECDSA-P256-SHA256) signatures are not supported by the fake; sign with SigV4.",
    )


def check_payload_value(value: str) -> None:
    """Reject x-amz-content-sha256 values S3 does not know (before any signature work)."""
    if value in (UNSIGNED_PAYLOAD, STREAMING_SIGNED, STREAMING_SIGNED_TRAILER, STREAMING_UNSIGNED_TRAILER):
        return
    if _HEX64.fullmatch(value):
        return
    if value.startswith("STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD"):
        raise sigv4a_not_implemented()
    # S3 answers an unknown value with InvalidArgument naming the header.
    raise S3Error(
        "InvalidArgument",
        "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, "
        "STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER or a valid sha256 value.",
        extra={"ArgumentName": "x-amz-content-sha256", "ArgumentValue": value},
        hint=f"x-amz-content-sha256 is {value[:80]!r}: send the hex SHA-256 of the body or one of the named literals.",
    )


def check_payload(payload: Payload, verified: Verified) -> None:
    """After the signature: the body must match what x-amz-content-sha256 promised."""
    chunked = payload.chunked
    value = verified.payload_hash
    if value == UNSIGNED_PAYLOAD:
        return
    if value.startswith("STREAMING-"):
        if chunked is None:
            raise S3Error(
                "InvalidRequest",
                f"x-amz-content-sha256 is {value} but the body is not aws-chunked encoded",
                hint=(
                    f"{value} promises an aws-chunked body, but the request has no "
                    "'Content-Encoding: aws-chunked' body to check; encode the body or send its SHA-256."
                ),
            )
        if value != STREAMING_UNSIGNED_TRAILER:
            streaming.verify_chain(
                chunked,
                key=verified.key,
                amz_date=verified.amz_date,
                scope=verified.scope,
                seed=verified.signature,
                access_key=verified.access_key,
                trailer=value == STREAMING_SIGNED_TRAILER,
            )
        return
    computed = payload.digests.sha256_hex or sha256_hex(payload.data)
    if value.lower() != computed:
        raise S3Error(
            "XAmzContentSHA256Mismatch",
            extra={"ClientComputedContentSHA256": value, "S3ComputedContentSHA256": computed},
            hint=(
                f"x-amz-content-sha256 says {value} but the {len(payload.data)}-byte body hashes to "
                f"{computed}: the body changed after signing, or the hash was taken over other bytes."
            ),
        )


@functools.lru_cache(maxsize=64)  # and with the same signed header names
def _split_signed_headers(value: str) -> tuple[str, ...] | None:
    names = tuple(name.strip().lower() for name in value.split(";"))
    if not all(names):
        return None
    return names


def _presigned_payload_hash(request: S3Request) -> str:
    for name, value in request.query:
        if name.lower() == "x-amz-content-sha256" and value is not None:
            return value
    return request.headers.get("x-amz-content-sha256") or UNSIGNED_PAYLOAD


def _check_expires(raw: str) -> int:
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 18:
        if raw.startswith("-") and raw[1:].isascii() and raw[1:].isdigit():
            raise _query_error("X-Amz-Expires must be non-negative", f"X-Amz-Expires={raw!r} is negative.")
        raise _query_error("X-Amz-Expires should be a number", f"X-Amz-Expires={raw[:40]!r} is not a whole number.")
    lifetime = int(raw)
    if lifetime < 1:
        raise _query_error("X-Amz-Expires must be non-negative", "X-Amz-Expires must be at least 1 second.")
    if lifetime > MAX_EXPIRES:
        raise _query_error(
            "X-Amz-Expires must be less than a week (in seconds); that is, the given X-Amz-Expires "
            "must be less than 604800 seconds",
            f"X-Amz-Expires={lifetime} exceeds {MAX_EXPIRES} s (7 days); botocore does not check this itself.",
        )
    return lifetime


def _accepts_region(request: S3Request, region: str, expected_region: str) -> bool:
    if region == expected_region:
        return True
    is_location = request.method == "GET" and bool(request.bucket) and not request.key and request.has_query("location")
    return is_location and region == DISCOVERY_REGION


def _check_scope(claim: _Claim, request: S3Request, expected_region: str) -> None:
    credential = claim.credential
    if credential.date != claim.amz_date[:8]:
        _raise_scope(
            claim,
            "Invalid credential date. Date is not the same as X-Amz-Date.",
            f"the scope date {credential.date!r} differs from the date of X-Amz-Date {claim.amz_date!r}.",
        )
    if not _accepts_region(request, credential.region, expected_region):
        _raise_scope(
            claim,
            f"the region '{credential.region}' is wrong; expecting '{expected_region}'",
            f"the request was signed for region {credential.region!r} but the bucket lives in "
            f"{expected_region!r}; sign with region_name={expected_region!r}.",
            region=expected_region,
        )
    if credential.service != SERVICE:
        _raise_scope(
            claim,
            f'incorrect service "{credential.service}". This endpoint belongs to "{SERVICE}".',
            f"the scope names service {credential.service!r}; S3 requests are signed for 's3'.",
        )
    if credential.terminal != TERMINATOR:
        _raise_scope(
            claim,
            f'incorrect terminal "{credential.terminal}". This endpoint uses "{TERMINATOR}".',
            f"the scope must end in '{TERMINATOR}', not {credential.terminal!r}.",
        )


def _raise_scope(claim: _Claim, detail: str, hint: str, *, region: str | None = None) -> None:
    extra = {"Region": region} if region is not None else None
    if claim.presigned:
        raise _query_error(f"Error parsing the X-Amz-Credential parameter; {detail}", hint, extra=extra)
    error = _malformed_header(detail, hint, extra=extra)
    if region is not None:
        # A HEAD answer has no body to carry <Region>: botocore finds the region in this header.
        error.headers["x-amz-bucket-region"] = region
    raise error


def _signed_header_values(request: S3Request, claim: _Claim, host: str) -> list[tuple[str, str]]:
    values = []
    for name in claim.signed_headers:
        value = host if name == "host" else request.headers.get(name)
        if value is None:
            value = ""
        elif not value.isascii():
            value = wire_text(value)
        values.append((name, value))
    return values


def _canonical(request: S3Request, claim: _Claim) -> str:
    return canonical_request(
        request.method,
        request.raw_path,
        request.query,
        _signed_header_values(request, claim, request.host),
        claim.payload_hash,
    )


def _check_signature(request: S3Request, claim: _Claim, secret: str, signing_keys: KeyCache | None) -> Verified:
    unsigned = _unsigned_headers(request, claim)
    if unsigned:
        # S3 answers this before comparing signatures: 403 AccessDenied with a HeadersNotSigned
        # element (seen for unsigned x-amz-acl on presigned PUTs); an unsigned host is treated alike.
        raise S3Error(
            "AccessDenied",
            "There were headers present in the request which were not signed",
            extra={"HeadersNotSigned": ", ".join(unsigned)},
            hint=(
                f"these headers are sent but not in SignedHeaders: {', '.join(unsigned)}; S3 requires "
                "'host' and every x-amz-* header to be signed."
            ),
        )
    credential = claim.credential
    key = cached_signing_key(signing_keys, secret, credential.date, credential.region, credential.service)
    scope = credential.scope
    expected_request = _canonical(request, claim)
    expected_sts = string_to_sign(claim.amz_date, scope, expected_request)
    if same_text(claim.signature, signature(key, expected_sts)):
        return Verified(credential.access_key, key, claim.amz_date, scope, claim.signature, claim.payload_hash)
    raise signature_mismatch(
        access_key=credential.access_key,
        string_to_sign=expected_sts,
        provided=claim.signature,
        canonical_request=expected_request,
        hint=_mismatch_hint(request, claim),
        evidence=Evidence(
            "sigv4",
            {
                "request": request,
                "credential": claim.credential,
                "signed_headers": tuple(_signed_header_values(request, claim, request.host)),
                "amz_date": claim.amz_date,
                "payload_hash": claim.payload_hash,
                "provided": claim.signature,
                "presigned": claim.presigned,
                "secret": secret,
                "key": key,
            },
        ),
    )


def _unsigned_headers(request: S3Request, claim: _Claim) -> list[str]:
    signed = set(claim.signed_headers)
    # A presigned request may carry x-amz-content-sha256 unsigned: it is checked against the body.
    exempt = {"x-amz-content-sha256"} if claim.presigned else set()
    unsigned = [] if "host" in signed else ["host"]
    unsigned += sorted(
        name for name in request.headers if name.startswith("x-amz-") and name not in signed and name not in exempt
    )
    return unsigned


def _mismatch_hint(request: S3Request, claim: _Claim) -> str:
    """What the fake can tell from the request alone; the doctor's diagnosis follows it."""
    notes = [
        "the signature was computed over a different canonical request (or with another secret key); "
        "compare CanonicalRequest below with yours."
    ]
    if not re.fullmatch(r"[0-9a-f]{64}", claim.signature):
        notes.append(f"The signature provided ({claim.signature[:80]!r}) is not 64 lower-case hex digits.")
    absent = [name for name in claim.signed_headers if name != "host" and name not in request.headers]
    if absent:
        notes.append(f"Signed header(s) {', '.join(absent)} are not on the request (signed as empty).")
    return " ".join(notes)


def _malformed_header(detail: str, hint: str, *, extra: Mapping[str, str] | None = None) -> S3Error:
    return S3Error(
        "AuthorizationHeaderMalformed",
        f"The authorization header is malformed; {detail}",
        extra=extra,
        hint=hint,
    )


def _query_error(message: str, hint: str, *, extra: Mapping[str, str] | None = None) -> S3Error:
    return S3Error("AuthorizationQueryParametersError", message, extra=extra, hint=hint)
