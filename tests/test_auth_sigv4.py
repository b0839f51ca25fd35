"""SigV4: published vectors for the signing primitives, and authenticate() end to end."""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import botocore.auth
import pytest
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fakes3put._auth import Principal, sigv4
from fakes3put._wire.chunked import ChunkedBody
from fakes3put._wire.request import Headers
from fakes3put.errors import S3Error
from tests.signing import WireRequest, from_botocore, make_request, parse_query, with_headers, with_query
from tests.signing import verify as signing_verify

AKID = "AKIDEXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
AWS_AKID = "AKIAIOSFODNN7EXAMPLE"
AWS_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
CREDENTIALS = {AKID: SECRET, AWS_AKID: AWS_SECRET}
AMZ_DATE = "20250115T120000Z"
NOW = datetime(2025, 1, 15, 12, 0, 0, tzinfo=UTC)
AWS_NOW = datetime(2013, 5, 24, tzinfo=UTC)
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


# --- helpers: build S3Request objects as the wire layer would -----------------------------


def sign_v4(
    method: str = "PUT",
    url: str = "http://127.0.0.1:9000/my-bucket/photos/a.txt",
    headers: Mapping[str, str] | None = None,
    body: bytes = b"hello world",
    *,
    bucket: str | None = None,
    access_key: str = AKID,
    secret: str = SECRET,
    region: str = "us-east-1",
    amz_date: str = AMZ_DATE,
    payload: str | None = None,
    unsigned: tuple[str, ...] = (),
) -> WireRequest:
    """A header-signed SigV4 request made with the primitives under test (every header signed)."""
    all_headers = {"x-amz-date": amz_date, "x-amz-content-sha256": payload or hashlib.sha256(body).hexdigest()}
    all_headers.update(headers or {})
    draft = make_request(method, url, all_headers, body, bucket=bucket)
    values = [("host", draft.host)] + [(n, v) for n, v in draft.headers.items() if n not in unsigned]
    scope = sigv4.credential_scope(amz_date[:8], region)
    canonical = sigv4.canonical_request(
        method, draft.raw_path, draft.query, values, draft.headers["x-amz-content-sha256"]
    )
    key = sigv4.signing_key(secret, amz_date[:8], region)
    signature = sigv4.signature(key, sigv4.string_to_sign(amz_date, scope, canonical))
    _, signed_names = sigv4.canonical_headers(values)
    return with_headers(draft, authorization=sigv4.authorization(access_key, scope, signed_names, signature))


def presign_v4(
    method: str = "PUT",
    url: str = "http://127.0.0.1:9000/my-bucket/photos/a.txt",
    *,
    expires: str = "3600",
    amz_date: str = AMZ_DATE,
    region: str = "us-east-1",
    extra_query: str = "",
    headers: Mapping[str, str] | None = None,
    body: bytes = b"",
) -> WireRequest:
    scope = sigv4.credential_scope(amz_date[:8], region)
    params = {
        "X-Amz-Algorithm": "AWS4-HMAC-SHA256",
        "X-Amz-Credential": f"{AKID}/{scope}",
        "X-Amz-Date": amz_date,
        "X-Amz-Expires": expires,
        "X-Amz-SignedHeaders": ";".join(sorted(["host", *(n.lower() for n in headers or {})])),
    }
    raw_query = "&".join(f"{sigv4.uri_encode(k)}={sigv4.uri_encode(v)}" for k, v in params.items())
    if extra_query:
        raw_query = f"{extra_query}&{raw_query}"
    draft = make_request(method, f"{url}?{raw_query}", headers, body)
    values = [("host", draft.host), *draft.headers.items()]
    payload = draft.query_value("X-Amz-Content-Sha256") or "UNSIGNED-PAYLOAD"
    canonical = sigv4.canonical_request(method, draft.raw_path, draft.query, values, payload)
    key = sigv4.signing_key(SECRET, amz_date[:8], region)
    signature = sigv4.signature(key, sigv4.string_to_sign(amz_date, scope, canonical))
    return with_query(draft, f"{raw_query}&X-Amz-Signature={signature}")


def auth(
    request: WireRequest,
    chunked: ChunkedBody | None = None,
    *,
    now: datetime = NOW,
    region: str = "us-east-1",
    **kwargs: Any,
) -> Principal:
    return signing_verify(request, chunked, credentials=CREDENTIALS, now=now, expected_region=region, **kwargs)


def rejected(request: WireRequest, chunked: ChunkedBody | None = None, **kwargs: Any) -> S3Error:
    with pytest.raises(S3Error) as info:
        auth(request, chunked, **kwargs)
    assert info.value.hint, f"{info.value.code} raised without a hint"
    return info.value


# --- §4.6 worked example -----------------------------------------------------------------

WORKED_CANONICAL = """PUT
/my-bucket/photos/2025/a%20b%2Bc.txt

content-length:11
content-type:text/plain
host:127.0.0.1:9000
x-amz-content-sha256:911158d6968f71fdcc5df899b1977bb616b1d24be85cfbb699e9e706f03486c3
x-amz-date:20250115T120000Z
x-amz-meta-owner:Ada Lovelace

content-length;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-meta-owner
911158d6968f71fdcc5df899b1977bb616b1d24be85cfbb699e9e706f03486c3"""
WORKED_SIGNATURE = "1dd26c7bff407f902096fd010ad2f8637d330eb90180b92d430d84938549c850"
WORKED_HEADERS = {
    "Content-Type": "text/plain",
    "Content-Length": "11",
    "x-amz-meta-owner": "  Ada   Lovelace ",
    "X-Amz-Content-SHA256": "911158d6968f71fdcc5df899b1977bb616b1d24be85cfbb699e9e706f03486c3",
    "X-Amz-Date": AMZ_DATE,
}
WORKED_URL = "http://127.0.0.1:9000/my-bucket/photos/2025/a%20b%2Bc.txt"
WORKED_SIGNED = "content-length;content-type;host;x-amz-content-sha256;x-amz-date;x-amz-meta-owner"


def worked_request() -> WireRequest:
    authorization = (
        f"AWS4-HMAC-SHA256 Credential={AKID}/20250115/us-east-1/s3/aws4_request, "
        f"SignedHeaders={WORKED_SIGNED}, Signature={WORKED_SIGNATURE}"
    )
    return make_request("PUT", WORKED_URL, {**WORKED_HEADERS, "Authorization": authorization}, b"Hello, S3!\n")


def test_worked_example_intermediate_keys() -> None:
    keys = sigv4.derived_keys(SECRET, "20250115", "us-east-1", "s3")
    assert [k.hex() for k in keys] == [
        "b3cab3785068fabfc4f8ce5784f1e9bdd16b8a64bce81ac3f9e844c875295e32",
        "1ce12f8b52f95434163d717506c25ef9fda7b8c4c1ee115181cf430475b808f4",
        "7d598746f71ed109bbbc2d5fe93e213765d93486cf153058c0b07baadbdcf8ad",
        "8213a6e45587fdf618c8958b7c9f46c5861426d9a89f96427c80fe58cb8871e3",
    ]
    assert sigv4.signing_key(SECRET, "20250115", "us-east-1") == keys[3]


def test_worked_example_canonical_request_string_to_sign_and_signature() -> None:
    headers = [*WORKED_HEADERS.items(), ("Host", "127.0.0.1:9000")]
    payload = WORKED_HEADERS["X-Amz-Content-SHA256"]
    canonical = sigv4.canonical_request("PUT", "/my-bucket/photos/2025/a%20b%2Bc.txt", [], headers, payload)
    assert canonical == WORKED_CANONICAL
    scope = sigv4.credential_scope("20250115", "us-east-1")
    to_sign = sigv4.string_to_sign(AMZ_DATE, scope, canonical)
    assert to_sign == (
        "AWS4-HMAC-SHA256\n20250115T120000Z\n20250115/us-east-1/s3/aws4_request\n"
        "92e83417b6003bfd6f8239b786167742206336e64e38eb644df13bc65362f860"
    )
    assert sigv4.signature(sigv4.signing_key(SECRET, "20250115", "us-east-1"), to_sign) == WORKED_SIGNATURE
    assert sigv4.canonical_headers(headers)[1] == WORKED_SIGNED


def test_worked_example_authenticates() -> None:
    assert auth(worked_request()) == Principal(AKID, "sigv4-header")


# --- AWS published vectors ---------------------------------------------------------------

AWS_KEY = sigv4.signing_key(AWS_SECRET, "20130524", "us-east-1")
AWS_SCOPE = "20130524/us-east-1/s3/aws4_request"


def aws_vector_signature(
    method: str, path: str, query: list[tuple[str, str | None]], headers: Mapping[str, str], payload: str
) -> str:
    canonical = sigv4.canonical_request(method, path, query, headers.items(), payload)
    return sigv4.signature(AWS_KEY, sigv4.string_to_sign("20130524T000000Z", AWS_SCOPE, canonical))


GET_HEADERS = {
    "Host": "examplebucket.s3.amazonaws.com",
    "Range": "bytes=0-9",
    "x-amz-content-sha256": EMPTY_SHA256,
    "x-amz-date": "20130524T000000Z",
}
GET_SIGNATURE = "f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
PUT_BODY = b"Welcome to Amazon S3."
PUT_HEADERS = {
    "Date": "Fri, 24 May 2013 00:00:00 GMT",
    "Host": "examplebucket.s3.amazonaws.com",
    "x-amz-content-sha256": hashlib.sha256(PUT_BODY).hexdigest(),
    "x-amz-date": "20130524T000000Z",
    "x-amz-storage-class": "REDUCED_REDUNDANCY",
}
PUT_SIGNATURE = "98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"
PRESIGN_QUERY = (
    "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
    "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
)
PRESIGN_SIGNATURE = "aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404"


def test_aws_vector_get_with_range() -> None:
    assert aws_vector_signature("GET", "/test.txt", [], GET_HEADERS, EMPTY_SHA256) == GET_SIGNATURE


def test_aws_vector_put_dollar_file() -> None:
    payload = PUT_HEADERS["x-amz-content-sha256"]
    assert payload == "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072"
    assert aws_vector_signature("PUT", "/test%24file.text", [], PUT_HEADERS, payload) == PUT_SIGNATURE


def test_aws_vector_presigned_get() -> None:
    query = list(parse_query(PRESIGN_QUERY))
    signature = aws_vector_signature(
        "GET", "/test.txt", query, {"host": "examplebucket.s3.amazonaws.com"}, "UNSIGNED-PAYLOAD"
    )
    assert signature == PRESIGN_SIGNATURE


def _aws_authorization(signed: str, signature: str) -> str:
    return f"AWS4-HMAC-SHA256 Credential={AWS_AKID}/{AWS_SCOPE},SignedHeaders={signed},Signature={signature}"


def test_aws_vectors_authenticate_end_to_end() -> None:
    get = make_request(
        "GET",
        "https://examplebucket.s3.amazonaws.com/test.txt",
        {
            **GET_HEADERS,
            "Authorization": _aws_authorization("host;range;x-amz-content-sha256;x-amz-date", GET_SIGNATURE),
        },
        bucket="examplebucket",
    )
    assert auth(get, now=AWS_NOW) == Principal(AWS_AKID, "sigv4-header")
    put = make_request(
        "PUT",
        "https://examplebucket.s3.amazonaws.com/test%24file.text",
        {
            **PUT_HEADERS,
            "Authorization": _aws_authorization(
                "date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class", PUT_SIGNATURE
            ),
        },
        PUT_BODY,
        bucket="examplebucket",
    )
    assert auth(put, now=AWS_NOW) == Principal(AWS_AKID, "sigv4-header")
    presigned = make_request(
        "GET",
        f"https://examplebucket.s3.amazonaws.com/test.txt?{PRESIGN_QUERY}&X-Amz-Signature={PRESIGN_SIGNATURE}",
        bucket="examplebucket",
    )
    assert auth(presigned, now=AWS_NOW + timedelta(hours=23)) == Principal(AWS_AKID, "sigv4-query")
    assert rejected(presigned, now=AWS_NOW + timedelta(days=1, seconds=1)).message == "Request has expired"


CAPTURED_PRESIGNED_PUT = (
    "https://examplebucket.s3.amazonaws.com/hello%20world.txt?X-Amz-Algorithm=AWS4-HMAC-SHA256"
    "&X-Amz-Credential=AKIDEXAMPLE%2F20250115%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20250115T120000Z"
    "&X-Amz-Expires=3600&X-Amz-SignedHeaders=host"
    "&X-Amz-Signature=541ff1b00fc7983b66708511ee18587951d26159a6014a3040decd0218a2beaf"
)


def test_captured_presigned_put() -> None:
    request = make_request("PUT", CAPTURED_PRESIGNED_PUT, body=b"any bytes at all", bucket="examplebucket")
    canonical_query = sigv4.canonical_query(request.query)
    assert canonical_query == (
        "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDEXAMPLE%2F20250115%2Fus-east-1%2Fs3%2Faws4_request"
        "&X-Amz-Date=20250115T120000Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host"
    )
    assert auth(request, now=NOW + timedelta(minutes=59)) == Principal(AKID, "sigv4-query")
    assert rejected(dataclasses.replace(request, method="GET")).code == "SignatureDoesNotMatch"


# --- canonicalisation details ------------------------------------------------------------


def test_canonical_query_encoding_sorting_and_valueless() -> None:
    params = [("uploads", None), ("b", "x y"), ("a", "2"), ("a", "1"), ("ü", "~/+="), ("X-Amz-Signature", "zz")]
    assert sigv4.canonical_query(params) == "%C3%BC=~%2F%2B%3D&a=1&a=2&b=x%20y&uploads="


def test_canonical_header_values_are_trimmed_and_collapsed() -> None:
    block, signed = sigv4.canonical_headers([("X-B", "  a   b  "), ("x-a", "1"), ("x-a", " 2 ")])
    assert block == "x-a:1,2\nx-b:a b\n"
    assert signed == "x-a;x-b"


def test_parse_authorization_accepts_both_separators() -> None:
    for separator in (",", ", "):
        value = separator.join(
            ["AWS4-HMAC-SHA256 Credential=A/20250115/r/s3/aws4_request", "SignedHeaders=host", "Signature=ab"]
        )
        parsed = sigv4.parse_authorization(value)
        assert (parsed.credential, parsed.signed_headers, parsed.signature) == (
            "A/20250115/r/s3/aws4_request",
            "host",
            "ab",
        )


# --- authenticate(): acceptance ----------------------------------------------------------


def test_own_signer_round_trip_with_query_and_unicode_path() -> None:
    request = sign_v4(
        url="http://127.0.0.1:9000/b/dir/hello%20world%2B1~%C3%BC.txt?partNumber=1&uploadId=a%2Fb%3D%3D&uploads",
        headers={"Content-Type": "text/plain", "x-amz-meta-note": "  two   spaces "},
    )
    assert auth(request) == Principal(AKID, "sigv4-header")


def test_utf8_header_bytes_are_signed_as_text() -> None:
    # The wire layer hands over header bytes decoded as latin-1; the signer hashed the UTF-8 text.
    base = sign_v4(headers={"x-amz-meta-name": "Zoë Ünïcode"})
    raw: dict[str, str | bytes] = dict(base.headers.items())
    raw["x-amz-meta-name"] = "Zoë Ünïcode".encode()
    assert auth(dataclasses.replace(base, headers=Headers(raw))) == Principal(AKID, "sigv4-header")


def test_date_header_instead_of_x_amz_date() -> None:
    request = sign_v4(headers={"date": "Wed, 15 Jan 2025 12:00:00 GMT"})
    # Drop x-amz-date; re-sign so the timestamp comes from Date (botocore does this when Date is set).
    draft = with_headers(request, x_amz_date=None, authorization=None)
    values = [("host", draft.host), *draft.headers.items()]
    scope = sigv4.credential_scope("20250115", "us-east-1")
    canonical = sigv4.canonical_request(
        "PUT", draft.raw_path, draft.query, values, draft.headers["x-amz-content-sha256"]
    )
    signature = sigv4.signature(
        sigv4.signing_key(SECRET, "20250115", "us-east-1"), sigv4.string_to_sign(AMZ_DATE, scope, canonical)
    )
    signed = with_headers(
        draft, authorization=sigv4.authorization(AKID, scope, sigv4.canonical_headers(values)[1], signature)
    )
    assert auth(signed) == Principal(AKID, "sigv4-header")


def test_unsigned_payload_accepts_any_body() -> None:
    request = sign_v4(payload="UNSIGNED-PAYLOAD", body=b"whatever")
    assert auth(dataclasses.replace(request, body=b"something else")) == Principal(AKID, "sigv4-header")


def test_anonymous() -> None:
    assert auth(make_request("PUT", "http://127.0.0.1:9000/b/k", {}, b"x")) == Principal(None, "anonymous")


@pytest.mark.parametrize(
    ("offset", "ok"),
    [
        (timedelta(minutes=15), True),
        (-timedelta(minutes=15), True),
        (timedelta(minutes=15, seconds=1), False),
        (-timedelta(minutes=15, seconds=1), False),
    ],
)
def test_clock_skew_boundary(offset: timedelta, ok: bool) -> None:
    request = sign_v4()
    if ok:
        assert auth(request, now=NOW + offset).access_key == AKID
    else:
        error = rejected(request, now=NOW + offset)
        assert error.code == "RequestTimeTooSkewed"
        assert error.status == 403
        assert error.extra == {
            "RequestTime": AMZ_DATE,
            "ServerTime": (NOW + offset).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "MaxAllowedSkewMilliseconds": "900000",
        }


def test_max_skew_is_configurable() -> None:
    error = rejected(sign_v4(), now=NOW + timedelta(minutes=2), max_skew=timedelta(minutes=1))
    assert error.extra["MaxAllowedSkewMilliseconds"] == "60000"


# --- authenticate(): header-auth rejections ----------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    [
        "AWS4-HMAC-SHA256",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250115/us-east-1/s3/aws4_request",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250115/us-east-1/s3/aws4_request, SignedHeaders=host",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250115/us-east-1/s3/aws4_request, SignedHeaders=host, Signature",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=00",
        "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250115/us-east-1/s3/aws4_request, SignedHeaders=a;;x, Signature=0",
        "AWS4-HMAC-SHA256 Credential=a, Credential=b, SignedHeaders=host, Signature=0",
    ],
)
def test_malformed_authorization_header(authorization: str) -> None:
    request = with_headers(sign_v4(), authorization=authorization)
    error = rejected(request)
    assert (error.code, error.status) == ("AuthorizationHeaderMalformed", 400)
    assert error.message.startswith("The authorization header is malformed; ")


def _rescope(request: WireRequest, scope: str) -> WireRequest:
    value = request.headers["authorization"].replace("20250115/us-east-1/s3/aws4_request", scope)
    return with_headers(request, authorization=value)


def test_wrong_region() -> None:
    error = rejected(sign_v4(region="us-east-1"), region="eu-west-1")
    assert error.code == "AuthorizationHeaderMalformed"
    assert error.message == (
        "The authorization header is malformed; the region 'us-east-1' is wrong; expecting 'eu-west-1'"
    )
    assert error.extra == {"Region": "eu-west-1"}
    assert "eu-west-1" in (error.hint or "")
    # HEAD answers carry no <Region>: botocore's redirect reads this header instead.
    assert error.headers == {"x-amz-bucket-region": "eu-west-1"}


def test_get_bucket_location_may_be_signed_for_us_east_1() -> None:
    # Region discovery (minio without a region): S3 answers it whatever the bucket's region.
    def signed(method: str, target: str, region: str) -> WireRequest:
        return sign_v4(method, f"http://127.0.0.1:9000/my-bucket{target}", body=b"", region=region)

    assert auth(signed("GET", "?location=", "us-east-1"), region="eu-west-1").access_key == AKID
    assert auth(signed("GET", "?location=", "eu-west-1"), region="eu-west-1").access_key == AKID
    for other in (
        signed("GET", "?location=", "us-west-2"),
        signed("GET", "?acl", "us-east-1"),
        signed("GET", "/key?location=", "us-east-1"),
        signed("PUT", "?location=", "us-east-1"),
    ):
        assert rejected(other, region="eu-west-1").code == "AuthorizationHeaderMalformed"


@pytest.mark.parametrize(
    ("scope", "fragment"),
    [
        ("20250114/us-east-1/s3/aws4_request", "Date is not the same as X-Amz-Date"),
        ("20250115/us-east-1/ec2/aws4_request", 'incorrect service "ec2"'),
        ("20250115/us-east-1/s3/aws5_request", 'incorrect terminal "aws5_request"'),
    ],
)
def test_scope_parts(scope: str, fragment: str) -> None:
    error = rejected(_rescope(sign_v4(), scope))
    assert error.code == "AuthorizationHeaderMalformed"
    assert fragment in error.message


def test_unknown_access_key() -> None:
    error = rejected(sign_v4(access_key="AKIDUNKNOWN"))
    assert (error.code, error.status) == ("InvalidAccessKeyId", 403)
    assert error.extra == {"AWSAccessKeyId": "AKIDUNKNOWN"}


def test_missing_content_sha256() -> None:
    request = sign_v4(unsigned=("x-amz-content-sha256",))
    error = rejected(with_headers(request, x_amz_content_sha256=None))
    assert (error.code, error.status) == ("InvalidRequest", 400)
    assert error.message == "Missing required header for this request: x-amz-content-sha256"


@pytest.mark.parametrize("date", [None, "yesterday", "2025-01-15T12:00:00Z"])
def test_missing_or_bad_date(date: str | None) -> None:
    error = rejected(with_headers(sign_v4(), x_amz_date=date))
    assert (error.code, error.status) == ("AccessDenied", 403)
    assert error.message == "AWS authentication requires a valid Date or x-amz-date header"


def test_host_must_be_signed() -> None:
    request = sign_v4(unsigned=("host",))
    # sign_v4 always adds host; rebuild the authorization without it.
    value = request.headers["authorization"].replace("SignedHeaders=host;", "SignedHeaders=")
    error = rejected(with_headers(request, authorization=value))
    assert (error.code, error.extra) == ("AccessDenied", {"HeadersNotSigned": "host"})


def test_x_amz_headers_must_be_signed() -> None:
    request = sign_v4(headers={"x-amz-meta-a": "1", "x-amz-acl": "private"}, unsigned=("x-amz-meta-a", "x-amz-acl"))
    error = rejected(request)
    assert error.code == "AccessDenied"
    assert error.message == "There were headers present in the request which were not signed"
    assert error.extra == {"HeadersNotSigned": "x-amz-acl, x-amz-meta-a"}


def test_signature_mismatch_extras() -> None:
    request = sign_v4(secret="not-the-secret")
    error = rejected(request)
    assert (error.code, error.status) == ("SignatureDoesNotMatch", 403)
    assert list(error.extra) == [
        "AWSAccessKeyId",
        "StringToSign",
        "SignatureProvided",
        "StringToSignBytes",
        "CanonicalRequest",
        "CanonicalRequestBytes",
    ]
    assert error.extra["AWSAccessKeyId"] == AKID
    assert error.extra["StringToSign"].startswith(
        "AWS4-HMAC-SHA256\n20250115T120000Z\n20250115/us-east-1/s3/aws4_request\n"
    )
    assert error.extra["SignatureProvided"] == request.headers["authorization"].rsplit("=", 1)[1]
    assert error.extra["StringToSignBytes"].startswith("41 57 53 34 2d 48 4d 41 43 2d 53 48 41 32 35 36 0a 32")
    assert (
        bytes.fromhex(error.extra["CanonicalRequestBytes"].replace(" ", "")).decode() == error.extra["CanonicalRequest"]
    )
    assert error.extra["CanonicalRequest"].startswith("PUT\n/my-bucket/photos/a.txt\n\n")
    assert "CanonicalRequest" in (error.hint or "")


def _tamper(request: WireRequest, what: str) -> WireRequest:
    if what == "method":
        return dataclasses.replace(request, method="POST")
    if what == "host":
        return dataclasses.replace(request, host="127.0.0.1:9001")
    if what == "path":
        return dataclasses.replace(request, raw_path=request.raw_path.replace("a.txt", "b.txt"))
    if what == "query value":
        return with_query(request, request.raw_query.replace("v=1", "v=2"))
    if what == "signed header":
        return with_headers(request, content_type="text/html")
    if what == "date":
        return with_headers(request, x_amz_date="20250115T120001Z")
    raise AssertionError(what)


@pytest.mark.parametrize("what", ["method", "host", "path", "query value", "signed header", "date"])
def test_tampering_any_signed_element_is_rejected(what: str) -> None:
    request = sign_v4(url="http://127.0.0.1:9000/my-bucket/photos/a.txt?v=1", headers={"Content-Type": "text/plain"})
    assert auth(request).access_key == AKID
    assert rejected(_tamper(request, what)).code == "SignatureDoesNotMatch"


def test_tampered_body_with_literal_payload_hash() -> None:
    request = sign_v4(body=b"hello world")
    error = rejected(dataclasses.replace(request, body=b"hello worle"))
    assert (error.code, error.status) == ("XAmzContentSHA256Mismatch", 400)
    assert error.extra == {
        "ClientComputedContentSHA256": hashlib.sha256(b"hello world").hexdigest(),
        "S3ComputedContentSHA256": hashlib.sha256(b"hello worle").hexdigest(),
    }


def test_unknown_payload_hash_value() -> None:
    error = rejected(sign_v4(payload="SHA256-PLEASE"))
    assert (error.code, error.extra["ArgumentName"]) == ("InvalidArgument", "x-amz-content-sha256")


def test_streaming_payload_without_chunked_body() -> None:
    error = rejected(sign_v4(payload="STREAMING-AWS4-HMAC-SHA256-PAYLOAD"), None)
    assert (error.code, error.status) == ("InvalidRequest", 400)
    assert "aws-chunked" in error.message


@pytest.mark.parametrize(
    "request_",
    [
        pytest.param(lambda: sign_v4(payload="STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD"), id="payload"),
        pytest.param(
            lambda: with_headers(
                sign_v4(), authorization="AWS4-ECDSA-P256-SHA256 Credential=A/20250115/s3/aws4_request"
            ),
            id="header",
        ),
        pytest.param(
            lambda: with_query(
                presign_v4(), presign_v4().raw_query.replace("AWS4-HMAC-SHA256", "AWS4-ECDSA-P256-SHA256")
            ),
            id="query",
        ),
    ],
)
def test_sigv4a_is_not_implemented(request_: Any) -> None:
    error = rejected(request_())
    assert (error.code, error.status) == ("NotImplemented", 501)


def test_unsupported_authorization_type() -> None:
    error = rejected(with_headers(sign_v4(), authorization="Bearer abc"))
    assert (error.code, error.message) == ("InvalidArgument", "Unsupported Authorization Type")


def test_header_and_query_auth_together() -> None:
    request = with_query(sign_v4(), "X-Amz-Algorithm=AWS4-HMAC-SHA256")
    assert rejected(request).code == "InvalidArgument"
    both_queries = make_request("PUT", "http://h/b/k?AWSAccessKeyId=a&Signature=b&Expires=1&X-Amz-Credential=c")
    assert rejected(both_queries).code == "InvalidArgument"


def test_hint_names_double_encoded_path() -> None:
    # A generic (non-S3) SigV4 signer encodes the already-encoded path a second time.
    good = sign_v4(url="http://127.0.0.1:9000/b/a%20b.txt")
    draft = with_headers(good, authorization=None)
    values = [("host", draft.host), *draft.headers.items()]
    scope = sigv4.credential_scope("20250115", "us-east-1")
    canonical = sigv4.canonical_request("PUT", "/b/a%2520b.txt", [], values, draft.headers["x-amz-content-sha256"])
    signature = sigv4.signature(
        sigv4.signing_key(SECRET, "20250115", "us-east-1"), sigv4.string_to_sign(AMZ_DATE, scope, canonical)
    )
    bad = with_headers(
        draft, authorization=sigv4.authorization(AKID, scope, sigv4.canonical_headers(values)[1], signature)
    )
    error = rejected(bad)
    assert error.code == "SignatureDoesNotMatch"
    assert "percent-encoded twice" in (error.hint or "")


# --- presigned rejections ----------------------------------------------------------------


def test_presigned_round_trip() -> None:
    request = presign_v4(headers={"Content-Type": "text/plain", "x-amz-meta-a": "b"}, body=b"data")
    assert auth(request) == Principal(AKID, "sigv4-query")


@pytest.mark.parametrize(
    "missing", ["X-Amz-Credential", "X-Amz-Date", "X-Amz-Expires", "X-Amz-SignedHeaders", "X-Amz-Signature"]
)
def test_presigned_missing_parameter(missing: str) -> None:
    request = presign_v4()
    kept = "&".join(p for p in request.raw_query.split("&") if not p.startswith(missing + "="))
    error = rejected(with_query(request, kept))
    assert (error.code, error.status) == ("AuthorizationQueryParametersError", 400)
    assert f"Missing: {missing}." in error.message


@pytest.mark.parametrize(
    ("expires", "message"),
    [
        (
            "604801",
            "X-Amz-Expires must be less than a week (in seconds); that is, "
            "the given X-Amz-Expires must be less than 604800 seconds",
        ),
        ("0", "X-Amz-Expires must be non-negative"),
        ("-5", "X-Amz-Expires must be non-negative"),
        ("soon", "X-Amz-Expires should be a number"),
        ("", "X-Amz-Expires should be a number"),
    ],
)
def test_presigned_bad_expires(expires: str, message: str) -> None:
    error = rejected(presign_v4(expires=expires))
    assert (error.code, error.message) == ("AuthorizationQueryParametersError", message)


def test_presigned_week_is_allowed() -> None:
    assert auth(presign_v4(expires="604800"), now=NOW + timedelta(days=7)).access_key == AKID


def test_presigned_expired() -> None:
    error = rejected(presign_v4(expires="60"), now=NOW + timedelta(seconds=61))
    assert (error.code, error.status, error.message) == ("AccessDenied", 403, "Request has expired")
    assert error.extra == {
        "X-Amz-Expires": "60",
        "Expires": "2025-01-15T12:01:00Z",
        "ServerTime": "2025-01-15T12:01:01Z",
    }
    assert "expired 1 s ago" in (error.hint or "")
    assert auth(presign_v4(expires="60"), now=NOW + timedelta(seconds=60)).access_key == AKID


def test_presigned_not_yet_valid() -> None:
    error = rejected(presign_v4(), now=NOW - timedelta(minutes=15, seconds=1))
    assert (error.code, error.message) == ("AccessDenied", "Request is not yet valid")
    assert auth(presign_v4(), now=NOW - timedelta(minutes=15)).access_key == AKID


def test_presigned_wrong_region() -> None:
    error = rejected(presign_v4(region="us-west-2"))
    assert error.code == "AuthorizationQueryParametersError"
    assert error.message == (
        "Error parsing the X-Amz-Credential parameter; the region 'us-west-2' is wrong; expecting 'us-east-1'"
    )
    assert error.extra == {"Region": "us-east-1"}


def test_presigned_scope_date_and_algorithm() -> None:
    request = presign_v4()
    error = rejected(with_query(request, request.raw_query.replace("%2F20250115%2F", "%2F20250116%2F")))
    assert error.code == "AuthorizationQueryParametersError"
    assert "Date is not the same as X-Amz-Date" in error.message
    error = rejected(with_query(request, request.raw_query.replace("AWS4-HMAC-SHA256", "AWS4-HMAC-SHA1")))
    assert error.code == "AuthorizationQueryParametersError"


@pytest.mark.parametrize("what", ["method", "host", "path", "query value"])
def test_presigned_tampering(what: str) -> None:
    request = presign_v4(extra_query="v=1")
    assert auth(request).access_key == AKID
    assert rejected(_tamper(request, what)).code == "SignatureDoesNotMatch"


def test_presigned_unsigned_extra_header() -> None:
    request = with_headers(presign_v4(), x_amz_acl="public-read")
    error = rejected(request)
    assert (error.code, error.extra) == ("AccessDenied", {"HeadersNotSigned": "x-amz-acl"})


def test_presigned_payload_hash_parameter() -> None:
    body = b"exact bytes"
    request = presign_v4(extra_query=f"X-Amz-Content-Sha256={hashlib.sha256(body).hexdigest()}", body=body)
    assert auth(request).access_key == AKID
    assert rejected(dataclasses.replace(request, body=b"other bytes")).code == "XAmzContentSHA256Mismatch"


# --- lenient mode ------------------------------------------------------------------------


def test_lenient_mode_checks_nothing() -> None:
    bad = sign_v4(access_key="WHOEVER", secret="x", region="mars-1")
    assert auth(bad, verify=False) == Principal("WHOEVER", "sigv4-header")
    expired = presign_v4(region="nowhere")
    assert auth(expired, verify=False, now=NOW + timedelta(days=30)) == Principal(AKID, "sigv4-query")
    garbage = with_headers(bad, authorization="AWS4-HMAC-SHA256 junk")
    assert auth(garbage, verify=False) == Principal(None, "sigv4-header")
    assert auth(make_request("PUT", "http://h/b/k"), verify=False) == Principal(None, "anonymous")


# --- botocore's own signers: zero false rejects ------------------------------------------

BOTOCORE_NOW = datetime(2025, 1, 15, 12, 0, 0)


@pytest.fixture
def frozen_botocore(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(botocore.auth, "get_current_datetime", lambda *args, **kwargs: BOTOCORE_NOW)


BOTOCORE_CASES = [
    ("PUT", "http://127.0.0.1:9000/examplebucket/dir/hello%20world%2B1~%C3%BC.txt", {}, b"hello world", None),
    (
        "PUT",
        "https://examplebucket.s3.amazonaws.com/a%20b.txt",
        {"Content-Type": "text/plain", "x-amz-meta-family": "Anderson", "Content-MD5": "XrY7u+Ae7tCTyyK7j1rNww=="},
        b"hello world",
        "examplebucket",
    ),
    ("PUT", "http://localhost:9000/b/k?partNumber=1&uploadId=abc%2Fdef%3D%3D", {}, b"part", None),
    ("POST", "http://localhost:9000/b/k?uploads", {}, b"", None),
    ("PUT", "http://localhost:9000/b//lead/a/../b", {"x-amz-meta-owner": "  Ada   Lovelace "}, b"x", None),
    ("PUT", "http://localhost:9000/b/k", {"Expect": "100-continue", "User-Agent": "Boto3/1.0"}, b"", None),
    ("GET", "http://localhost:9000/b?list-type=2&prefix=a%2Fb&encoding-type=url", {}, b"", None),
    ("PUT", "http://localhost:9000/b/k", {"Date": "Wed, 15 Jan 2025 12:00:00 GMT", "If-None-Match": "*"}, b"d", None),
]


@pytest.mark.usefixtures("frozen_botocore")
@pytest.mark.parametrize(("method", "url", "headers", "body", "bucket"), BOTOCORE_CASES)
@pytest.mark.parametrize("token", [None, "FwoGZXIvYXdzEXAMPLETOKEN"])
def test_botocore_s3_sigv4_is_accepted(
    method: str, url: str, headers: dict[str, str], body: bytes, bucket: str | None, token: str | None
) -> None:
    aws = AWSRequest(method=method, url=url, headers=dict(headers), data=body)
    botocore.auth.S3SigV4Auth(Credentials(AKID, SECRET, token), "s3", "us-east-1").add_auth(aws)
    assert auth(from_botocore(aws, bucket=bucket)) == Principal(AKID, "sigv4-header")


@pytest.mark.usefixtures("frozen_botocore")
def test_botocore_unsigned_payload_over_https_is_accepted() -> None:
    aws = AWSRequest(
        method="PUT",
        url="https://b.s3.amazonaws.com/k",
        headers={"Content-MD5": "XrY7u+Ae7tCTyyK7j1rNww=="},
        data=b"hello world",
    )
    aws.context["has_streaming_input"] = True
    botocore.auth.S3SigV4Auth(Credentials(AKID, SECRET), "s3", "us-east-1").add_auth(aws)
    assert aws.headers["X-Amz-Content-SHA256"] == "UNSIGNED-PAYLOAD"
    assert auth(from_botocore(aws, bucket="b")).access_key == AKID


@pytest.mark.usefixtures("frozen_botocore")
def test_botocore_generic_sigv4_is_accepted_on_plain_paths() -> None:
    aws = AWSRequest(
        method="PUT",
        url="http://localhost:9000/b/plain-key.txt",
        headers={"X-Amz-Content-SHA256": hashlib.sha256(b"x").hexdigest()},
        data=b"x",
    )
    botocore.auth.SigV4Auth(Credentials(AKID, SECRET), "s3", "us-east-1").add_auth(aws)
    assert auth(from_botocore(aws)).access_key == AKID


@pytest.mark.usefixtures("frozen_botocore")
def test_botocore_generic_sigv4_double_encoding_is_rejected_with_a_hint() -> None:
    aws = AWSRequest(
        method="PUT",
        url="http://localhost:9000/b/a%20b.txt",
        headers={"X-Amz-Content-SHA256": hashlib.sha256(b"x").hexdigest()},
        data=b"x",
    )
    botocore.auth.SigV4Auth(Credentials(AKID, SECRET), "s3", "us-east-1").add_auth(aws)
    error = rejected(from_botocore(aws))
    assert error.code == "SignatureDoesNotMatch"
    assert "percent-encoded twice" in (error.hint or "")


@pytest.mark.usefixtures("frozen_botocore")
@pytest.mark.parametrize(
    ("url", "headers", "bucket"),
    [
        ("https://examplebucket.s3.amazonaws.com/hello%20world.txt", {}, "examplebucket"),
        ("http://localhost:9000/b/dir/k%C3%BC~.txt", {"Content-Type": "text/plain", "x-amz-meta-a": "1"}, None),
        ("http://localhost:9000/b/k?partNumber=2&uploadId=u%2B1", {}, None),
    ],
)
@pytest.mark.parametrize("token", [None, "FwoGZXIvYXdzEXAMPLETOKEN"])
def test_botocore_presigned_is_accepted(
    url: str, headers: dict[str, str], bucket: str | None, token: str | None
) -> None:
    aws = AWSRequest(method="PUT", url=url, headers=dict(headers))
    botocore.auth.S3SigV4QueryAuth(Credentials(AKID, SECRET, token), "s3", "us-east-1", expires=3600).add_auth(aws)
    upload = AWSRequest(method="PUT", url=aws.url, headers=dict(headers), data=b"uploaded body")
    assert auth(from_botocore(upload, bucket=bucket), now=NOW + timedelta(minutes=30)) == Principal(AKID, "sigv4-query")


# --- hostile input -----------------------------------------------------------------------

_HEADER_NAMES = st.sampled_from(
    ["authorization", "x-amz-date", "date", "x-amz-content-sha256", "host", "x-amz-meta-a", "content-type", "x-amz-acl"]
)
_TEXT = st.text(max_size=80) | st.text(
    alphabet="AWS4-HMAC-SHA256 Credential=/;,:SignedHeaders0123456789abcdefT Z", max_size=120
)
_AUTHORIZATION = (
    _TEXT
    | st.builds(lambda k, s: f"AWS {k}:{s}", _TEXT, _TEXT)
    | st.builds(
        lambda c, h, s: f"AWS4-HMAC-SHA256 Credential={c}, SignedHeaders={h}, Signature={s}",
        st.sampled_from([f"{AKID}/20250115/us-east-1/s3/aws4_request", ""]) | _TEXT,
        st.sampled_from(["host", "host;x-amz-date;x-amz-content-sha256", ";"]) | _TEXT,
        _TEXT,
    )
)
_QUERY = st.lists(
    st.tuples(
        st.sampled_from(
            [
                "X-Amz-Algorithm",
                "X-Amz-Credential",
                "X-Amz-Date",
                "X-Amz-Expires",
                "X-Amz-SignedHeaders",
                "X-Amz-Signature",
                "AWSAccessKeyId",
                "Signature",
                "Expires",
                "uploads",
                "X-Amz-Content-Sha256",
            ]
        )
        | _TEXT,
        st.none() | _TEXT,
    ),
    max_size=8,
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    headers=st.dictionaries(_HEADER_NAMES, _TEXT, max_size=6),
    authorization=st.none() | _AUTHORIZATION,
    query=_QUERY,
    body=st.binary(max_size=64),
    verify=st.booleans(),
    now=st.datetimes(timezones=st.just(UTC)),
)
def test_hostile_input_only_raises_s3error(
    headers: dict[str, str],
    authorization: str | None,
    query: list[tuple[str, str | None]],
    body: bytes,
    verify: bool,
    now: datetime,
) -> None:
    if authorization is not None:
        headers = {**headers, "authorization": authorization}
    pairs = tuple(query)
    request = dataclasses.replace(
        make_request("PUT", "http://127.0.0.1:9000/b/k", headers, body),
        query=pairs,
        query_map=dict(pairs),
    )
    outcome: Principal | S3Error
    try:
        outcome = signing_verify(request, credentials=CREDENTIALS, now=now, verify=verify)
    except S3Error as error:
        outcome = error
    if isinstance(outcome, S3Error):
        assert verify, "lenient mode must never reject"
        assert outcome.hint
    else:
        assert isinstance(outcome, Principal)


_ANY_TEXT = st.text(alphabet=st.characters(codec=None, exclude_categories=()), max_size=40)


@settings(max_examples=300, deadline=None)
@given(
    presigned=st.booleans(),
    header=st.sampled_from(["authorization", "x-amz-date", "x-amz-content-sha256", "date", "x-amz-meta-a", "host"]),
    parameter=st.sampled_from((*sigv4.QUERY_PARAMETERS, "X-Amz-Content-Sha256", "Signature")),
    value=_ANY_TEXT,
    touch_query=st.booleans(),
)
def test_mutating_a_valid_request_only_raises_s3error(
    presigned: bool, header: str, parameter: str, value: str, touch_query: bool
) -> None:
    request = presign_v4(body=b"x") if presigned else sign_v4(body=b"x")
    if touch_query:
        query = (*tuple((n, value if n == parameter else v) for n, v in request.query), (parameter, value))
        request = dataclasses.replace(request, query=query, query_map=dict(query))
    else:
        request = with_headers(request, **{header.replace("-", "_"): value})
    outcome: Principal | S3Error
    try:
        outcome = auth(request)
    except S3Error as error:
        outcome = error
    assert isinstance(outcome, Principal) or outcome.hint
