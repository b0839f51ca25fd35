"""Request authentication: decide which scheme a request uses, then verify it.

Schemes: SigV2 (header or presigned query), SigV4 (header or presigned query, with
signed/unsigned aws-chunked payloads) and anonymous. ``authenticate`` raises S3Error
exactly where S3 would reject the request.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from fakes3put._auth import sigv2, sigv4
from fakes3put._auth._common import SignatureMismatch, as_utc
from fakes3put._wire.payload import Payload
from fakes3put._wire.request import S3Request
from fakes3put.errors import S3Error

__all__ = ["Authentication", "Principal", "authenticate", "check_payload"]

ANONYMOUS = "anonymous"
SIGV2_HEADER = "sigv2-header"
SIGV2_QUERY = "sigv2-query"
SIGV4_HEADER = "sigv4-header"
SIGV4_QUERY = "sigv4-query"

_SIGV2_QUERY_MARKERS = ("AWSAccessKeyId", "Signature")
_SIGV4_QUERY_MARKERS = ("X-Amz-Algorithm", "X-Amz-Credential", "X-Amz-Signature")


@dataclass(frozen=True, slots=True)
class Principal:
    access_key: str | None  # None = anonymous
    scheme: str  # "anonymous" | "sigv2-header" | "sigv2-query" | "sigv4-header" | "sigv4-query"


@dataclass(frozen=True, slots=True)
class Authentication:
    """Who signed a request, and what its signature still promises about the body (SigV4)."""

    principal: Principal
    promise: sigv4.Verified | None = None


def check_payload(authentication: Authentication, payload: Payload) -> None:
    """After the body is read: it must be what the signature promised (hash, chunk signatures)."""
    if authentication.promise is not None:
        try:
            sigv4.check_payload(payload, authentication.promise)
        except SignatureMismatch as mismatch:
            _diagnose(mismatch)
            raise


def _diagnose(mismatch: SignatureMismatch) -> None:
    """A signature mismatch leaves with the doctor's diagnosis in its hint (call log only).

    Called from a plain ``except`` (a context manager would cost every accepted request its
    generator and frames)."""
    if mismatch.evidence is not None:
        from fakes3put._auth import doctor  # loaded after a first mismatch only

        diagnosis = doctor.diagnose(mismatch.evidence)
        mismatch.hint = f"{mismatch.hint} {diagnosis}" if mismatch.hint else diagnosis


def authenticate(
    request: S3Request,
    *,
    credentials: Mapping[str, str],
    now: datetime,
    expected_region: str,
    verify: bool = True,
    max_skew: timedelta = timedelta(minutes=15),
    signing_keys: sigv4.KeyCache | None = None,
) -> Authentication:
    """Identify who signed ``request`` and, unless ``verify`` is False, check it as S3 would.

    Decided from the request line and headers alone, before the body is read: what the signature
    says about the body is checked afterwards by ``check_payload``. ``credentials`` maps access
    key ids to secrets; ``now`` is the fake's clock; ``signing_keys`` memoises derived SigV4 keys
    for the caller (one per fake). Raises S3Error on any rejection.
    """
    authorization = request.headers.get("authorization")
    query_schemes = (
        [
            scheme
            for scheme, markers in ((SIGV2_QUERY, _SIGV2_QUERY_MARKERS), (SIGV4_QUERY, _SIGV4_QUERY_MARKERS))
            if any(request.has_query(name) for name in markers)
        ]
        if request.query_map
        else []
    )
    if not verify:
        return Authentication(_identify(request, authorization, query_schemes))
    try:
        return _verify(request, authorization, query_schemes, credentials, now, expected_region, max_skew, signing_keys)
    except SignatureMismatch as mismatch:
        _diagnose(mismatch)
        raise


def _verify(
    request: S3Request,
    authorization: str | None,
    query_schemes: list[str],
    credentials: Mapping[str, str],
    now: datetime,
    expected_region: str,
    max_skew: timedelta,
    signing_keys: sigv4.KeyCache | None,
) -> Authentication:

    if (authorization is not None and query_schemes) or len(query_schemes) > 1:
        # S3's wording for this case, as commonly quoted; the reference marks it unverified.
        raise S3Error(
            "InvalidArgument",
            "Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, "
            "Signature query string parameter or the Authorization header should be specified",
            extra={"ArgumentName": "Authorization", "ArgumentValue": authorization or ""},
            hint=(
                "the request carries more than one of: an Authorization header, SigV2 query "
                "parameters, SigV4 query parameters; send exactly one."
            ),
        )
    clock = as_utc(now)
    if authorization is not None:
        return _verify_header(
            request,
            authorization,
            credentials=credentials,
            now=clock,
            expected_region=expected_region,
            max_skew=max_skew,
            signing_keys=signing_keys,
        )
    if query_schemes == [SIGV2_QUERY]:
        return Authentication(Principal(sigv2.verify_query(request, credentials=credentials, now=clock), SIGV2_QUERY))
    if query_schemes == [SIGV4_QUERY]:
        verified = sigv4.verify_query(
            request,
            credentials=credentials,
            now=clock,
            expected_region=expected_region,
            max_skew=max_skew,
            signing_keys=signing_keys,
        )
        return Authentication(Principal(verified.access_key, SIGV4_QUERY), verified)
    return Authentication(Principal(None, ANONYMOUS))


def _verify_header(
    request: S3Request,
    authorization: str,
    *,
    credentials: Mapping[str, str],
    now: datetime,
    expected_region: str,
    max_skew: timedelta,
    signing_keys: sigv4.KeyCache | None,
) -> Authentication:
    algorithm = authorization.strip().partition(" ")[0]
    if algorithm == "AWS":
        access_key = sigv2.verify_header(request, authorization, credentials=credentials, now=now, max_skew=max_skew)
        return Authentication(Principal(access_key, SIGV2_HEADER))
    if algorithm == sigv4.ALGORITHM:
        verified = sigv4.verify_header(
            request,
            authorization,
            credentials=credentials,
            now=now,
            expected_region=expected_region,
            max_skew=max_skew,
            signing_keys=signing_keys,
        )
        return Authentication(Principal(verified.access_key, SIGV4_HEADER), verified)
    if algorithm == sigv4.SIGV4A_ALGORITHM:
        raise sigv4.sigv4a_not_implemented()
    raise S3Error(
        "InvalidArgument",
        "Unsupported Authorization Type",
        extra={"ArgumentName": "Authorization", "ArgumentValue": authorization},
        hint=(
            f"the Authorization header starts with {algorithm[:40]!r}; S3 accepts 'AWS <key>:<sig>' (SigV2) "
            "or 'AWS4-HMAC-SHA256 Credential=...' (SigV4)."
        ),
    )


def _identify(request: S3Request, authorization: str | None, query_schemes: list[str]) -> Principal:
    """Lenient mode: name the principal the request claims to be, checking nothing."""
    if authorization is not None:
        algorithm, _, rest = authorization.strip().partition(" ")
        if algorithm == "AWS":
            key = rest.strip().rpartition(":")[0]
            return Principal(key or None, SIGV2_HEADER)
        if algorithm in (sigv4.ALGORITHM, sigv4.SIGV4A_ALGORITHM):
            for component in rest.split(","):
                name, _, value = component.strip().partition("=")
                if name == "Credential":
                    return Principal(value.rsplit("/", 4)[0] or None, SIGV4_HEADER)
            return Principal(None, SIGV4_HEADER)
    if SIGV4_QUERY in query_schemes:
        credential = request.query_value("X-Amz-Credential") or ""
        return Principal(credential.rsplit("/", 4)[0] or None, SIGV4_QUERY)
    if SIGV2_QUERY in query_schemes:
        return Principal(request.query_value("AWSAccessKeyId") or None, SIGV2_QUERY)
    return Principal(None, ANONYMOUS)
