"""SigV2: published vectors for the StringToSign and signature, and authenticate() end to end."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta
from typing import Any

import botocore.auth
import pytest
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
from hypothesis import given, settings
from hypothesis import strategies as st

from fakes3put._auth import Principal, sigv2
from fakes3put.errors import S3Error
from tests.signing import WireRequest, from_botocore, make_request, verify, with_headers, with_query

JOHNSMITH_SECRET = "uV3F3YluFJax1cknvbcGwgjvx4QpvB+leU8dUj2o"
EXAMPLE_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
NELSON_SECRET = "OtxrzxIsfpFjA7SwPzILwy8Bw21TLhquhboDYROV"
AKID = "AKIDEXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
CREDENTIALS = {
    AKID: SECRET,
    "0PN5J17HBGZHT7JJ3X82": JOHNSMITH_SECRET,
    "AKIAIOSFODNN7EXAMPLE": EXAMPLE_SECRET,
    "NELSON": NELSON_SECRET,
}
NOW = datetime(2025, 1, 15, 12, 0, 0, tzinfo=UTC)
HTTP_NOW = "Wed, 15 Jan 2025 12:00:00 GMT"


def auth(request: WireRequest, *, now: datetime = NOW, **kwargs: Any) -> Principal:
    return verify(request, credentials=CREDENTIALS, now=now, **kwargs)


def rejected(request: WireRequest, **kwargs: Any) -> S3Error:
    with pytest.raises(S3Error) as info:
        auth(request, **kwargs)
    assert info.value.hint, f"{info.value.code} raised without a hint"
    return info.value


# --- §4.3 vectors ------------------------------------------------------------------------

ROW_A = "PUT\n\ntext/plain\nThu, 17 Nov 2005 07:48:33 GMT\nx-amz-meta-family:Anderson\n/quotes/Neo"


def test_row_a_seed_signature_does_not_reproduce() -> None:
    to_sign = sigv2.string_to_sign(
        "PUT",
        content_type="text/plain",
        date="Thu, 17 Nov 2005 07:48:33 GMT",
        amz_headers=[("x-amz-meta-family", "Anderson")],
        resource="/quotes/Neo",
    )
    assert to_sign == ROW_A
    assert sigv2.sign(JOHNSMITH_SECRET, to_sign) != "xQE0diMbLRepdf3YB+FIc8F2Cy8="
    assert sigv2.sign(JOHNSMITH_SECRET, to_sign) == "OCDfY1QeXczRb5ZBQbbVK6OLUq8="


def test_row_b_get_puppy() -> None:
    to_sign = sigv2.string_to_sign(
        "GET",
        date="Tue, 27 Mar 2007 19:36:42 +0000",
        resource=sigv2.canonical_resource("/photos/puppy.jpg", virtual_bucket="johnsmith"),
    )
    assert to_sign == "GET\n\n\nTue, 27 Mar 2007 19:36:42 +0000\n/johnsmith/photos/puppy.jpg"
    assert sigv2.sign(JOHNSMITH_SECRET, to_sign) == "xXjDGYUmKxnwqr5KXNPGldn5LbA="


def test_row_c_put_nelson() -> None:
    to_sign = sigv2.string_to_sign(
        "PUT",
        content_md5="c8fdb181845a4ca6b8fec737b3581d76",
        content_type="text/html",
        date="Thu, 17 Nov 2005 18:49:58 GMT",
        amz_headers=[("X-Amz-Meta-Author", "foo@bar.com"), ("X-Amz-Magic", "abracadabra")],
        resource="/quotes/nelson",
    )
    assert to_sign == (
        "PUT\nc8fdb181845a4ca6b8fec737b3581d76\ntext/html\nThu, 17 Nov 2005 18:49:58 GMT\n"
        "x-amz-magic:abracadabra\nx-amz-meta-author:foo@bar.com\n/quotes/nelson"
    )
    assert sigv2.sign(NELSON_SECRET, to_sign) == "jZNOcbfWmD/A/f3hSvVzXZjM2HU="


def test_row_d_put_puppy() -> None:
    to_sign = sigv2.string_to_sign(
        "PUT",
        content_type="image/jpeg",
        date="Tue, 27 Mar 2007 21:15:45 +0000",
        resource="/awsexamplebucket1/photos/puppy.jpg",
    )
    assert sigv2.sign(EXAMPLE_SECRET, to_sign) == "iqRzw+ileNPu1fhspnRs8nOjjIA="


ROW_E_HEADERS = {
    "Date": "Tue, 27 Mar 2007 21:06:08 +0000",
    "Content-Type": "application/x-download",
    "Content-MD5": "4gJE4saaMU4BqNR0kLY+lw==",
    "x-amz-acl": "public-read",
    "X-Amz-Meta-ReviewedBy": "joe@awsexamplebucket1.net",
    "X-Amz-Meta-FileChecksum": "0x02661779",
    "X-Amz-Meta-ChecksumAlgorithm": "crc32",
}


def test_row_e_cname_bucket_and_merged_header() -> None:
    amz = [(n, v) for n, v in ROW_E_HEADERS.items() if n.lower().startswith("x-amz-")]
    amz.append(("X-Amz-Meta-ReviewedBy", "jane@awsexamplebucket1.net"))
    to_sign = sigv2.string_to_sign(
        "PUT",
        content_md5=ROW_E_HEADERS["Content-MD5"],
        content_type=ROW_E_HEADERS["Content-Type"],
        date=ROW_E_HEADERS["Date"],
        amz_headers=amz,
        resource=sigv2.canonical_resource("/db-backup.dat.gz", virtual_bucket="static.awsexamplebucket1.net"),
    )
    assert to_sign == (
        "PUT\n4gJE4saaMU4BqNR0kLY+lw==\napplication/x-download\nTue, 27 Mar 2007 21:06:08 +0000\n"
        "x-amz-acl:public-read\nx-amz-meta-checksumalgorithm:crc32\nx-amz-meta-filechecksum:0x02661779\n"
        "x-amz-meta-reviewedby:joe@awsexamplebucket1.net,jane@awsexamplebucket1.net\n"
        "/static.awsexamplebucket1.net/db-backup.dat.gz"
    )
    assert sigv2.sign(EXAMPLE_SECRET, to_sign) == "dKZcB+bz2EPXgSdXZp9ozGeOM4I="


def test_row_e_end_to_end_on_a_cname_host() -> None:
    headers = {
        **ROW_E_HEADERS,
        # The wire layer joins a repeated header with ",".
        "X-Amz-Meta-ReviewedBy": "joe@awsexamplebucket1.net,jane@awsexamplebucket1.net",
        "Authorization": "AWS AKIAIOSFODNN7EXAMPLE:dKZcB+bz2EPXgSdXZp9ozGeOM4I=",
    }
    request = make_request(
        "PUT",
        "http://static.awsexamplebucket1.net/db-backup.dat.gz",
        headers,
        b"...",
        bucket="static.awsexamplebucket1.net",
    )
    now = datetime(2007, 3, 27, 21, 6, 8, tzinfo=UTC)
    assert auth(request, now=now) == Principal("AKIAIOSFODNN7EXAMPLE", "sigv2-header")
    assert rejected(with_headers(request, x_amz_acl="private"), now=now).code == "SignatureDoesNotMatch"


def test_row_c_end_to_end_path_style() -> None:
    headers = {
        "Content-MD5": "c8fdb181845a4ca6b8fec737b3581d76",
        "Content-Type": "text/html",
        "Date": "Thu, 17 Nov 2005 18:49:58 GMT",
        "X-Amz-Meta-Author": "foo@bar.com",
        "X-Amz-Magic": "abracadabra",
        "Authorization": "AWS NELSON:jZNOcbfWmD/A/f3hSvVzXZjM2HU=",
    }
    request = make_request("PUT", "http://s3.amazonaws.com/quotes/nelson", headers, b"body")
    assert auth(request, now=datetime(2005, 11, 17, 18, 55, tzinfo=UTC)).access_key == "NELSON"


def test_presigned_vector() -> None:
    to_sign = sigv2.string_to_sign("GET", date="1175139620", resource="/johnsmith/photos/puppy.jpg")
    assert to_sign == "GET\n\n\n1175139620\n/johnsmith/photos/puppy.jpg"
    assert sigv2.sign(EXAMPLE_SECRET, to_sign) == "NpgCjnDzrM+WFzoENXmpNDUsSn8="
    url = (
        "http://johnsmith.s3.amazonaws.com/photos/puppy.jpg"
        "?AWSAccessKeyId=AKIAIOSFODNN7EXAMPLE&Signature=NpgCjnDzrM%2BWFzoENXmpNDUsSn8%3D&Expires=1175139620"
    )
    request = make_request("GET", url, bucket="johnsmith")
    before = datetime.fromtimestamp(1175139620, UTC)
    assert auth(request, now=before) == Principal("AKIAIOSFODNN7EXAMPLE", "sigv2-query")
    error = rejected(request, now=before + timedelta(seconds=1))
    assert (error.code, error.status, error.message) == ("AccessDenied", 403, "Request has expired")
    assert error.extra == {"Expires": "2007-03-29T03:40:20Z", "ServerTime": "2007-03-29T03:40:21Z"}


# --- canonicalisation details ------------------------------------------------------------


def test_canonical_resource_subresources() -> None:
    query = [("versionId", "v+1"), ("uploads", None), ("acl", ""), ("prefix", "x"), ("partNumber", "3")]
    assert sigv2.canonical_resource("/b/k%20x", query) == "/b/k%20x?acl=&partNumber=3&uploads&versionId=v+1"
    assert sigv2.canonical_resource("/", virtual_bucket="b") == "/b/"
    assert sigv2.canonical_resource("") == "/"
    assert sigv2.canonical_resource("/k", [("list-type", "2")], virtual_bucket="b") == "/b/k"


def test_canonical_amz_headers_unfold_trim_merge() -> None:
    headers = [("X-Amz-B", " two\r\n  lines "), ("x-amz-a", "1"), ("X-AMZ-A", "2"), ("content-type", "ignored")]
    assert sigv2.canonical_amz_headers(headers) == "x-amz-a:1,2\nx-amz-b:two lines\n"


# --- authenticate(): header form ---------------------------------------------------------


def sign_v2(
    method: str = "PUT",
    url: str = "http://127.0.0.1:9000/my-bucket/a.txt",
    headers: dict[str, str] | None = None,
    body: bytes = b"hello",
    *,
    bucket: str | None = None,
    secret: str = SECRET,
    access_key: str = AKID,
) -> WireRequest:
    all_headers = {"Date": HTTP_NOW, **(headers or {})}
    draft = make_request(method, url, all_headers, body, bucket=bucket)
    date = "" if "x-amz-date" in draft.headers else draft.headers["date"]
    to_sign = sigv2.string_to_sign(
        method,
        content_md5=draft.headers.get("content-md5") or "",
        content_type=draft.headers.get("content-type") or "",
        date=date,
        amz_headers=draft.headers.items(),
        resource=sigv2.canonical_resource(draft.raw_path, draft.query, virtual_bucket=bucket or ""),
    )
    return with_headers(draft, authorization=f"AWS {access_key}:{sigv2.sign(secret, to_sign)}")


def test_header_round_trip_with_subresources() -> None:
    request = sign_v2(
        url="http://127.0.0.1:9000/my-bucket/a%20b.txt?partNumber=2&uploadId=x%2By&foo=bar",
        headers={"Content-Type": "text/plain", "x-amz-meta-a": " 1 ", "Content-MD5": "XrY7u+Ae7tCTyyK7j1rNww=="},
    )
    assert auth(request) == Principal(AKID, "sigv2-header")
    # An unsigned query parameter may change; a sub-resource may not.
    assert auth(with_query(request, request.raw_query.replace("foo=bar", "foo=baz"))).access_key == AKID
    assert rejected(with_query(request, request.raw_query.replace("partNumber=2", "partNumber=3"))).code == (
        "SignatureDoesNotMatch"
    )


def test_x_amz_date_empties_the_date_slot() -> None:
    request = sign_v2(headers={"x-amz-date": HTTP_NOW, "Date": "Thu, 01 Jan 1970 00:00:00 GMT"})
    assert auth(request).access_key == AKID


def test_x_amz_date_in_basic_format() -> None:
    assert auth(sign_v2(headers={"x-amz-date": "20250115T120000Z"})).access_key == AKID


def test_virtual_hosted() -> None:
    request = sign_v2(url="https://my-bucket.s3.amazonaws.com/a.txt", bucket="my-bucket")
    assert auth(request).access_key == AKID


def test_mismatch_extras_have_no_canonical_request() -> None:
    request = sign_v2(secret="wrong")
    error = rejected(request)
    assert (error.code, error.status) == ("SignatureDoesNotMatch", 403)
    assert list(error.extra) == ["AWSAccessKeyId", "StringToSign", "SignatureProvided", "StringToSignBytes"]
    assert error.extra["StringToSign"] == f"PUT\n\n\n{HTTP_NOW}\n/my-bucket/a.txt"
    assert error.extra["StringToSignBytes"].startswith("50 55 54 0a 0a 0a 57 65 64")
    assert error.extra["SignatureProvided"] == request.headers["authorization"].rpartition(":")[2]


@pytest.mark.parametrize(
    "tamper",
    [
        lambda r: dataclasses.replace(r, method="POST"),
        lambda r: dataclasses.replace(r, raw_path="/my-bucket/b.txt"),
        lambda r: with_headers(r, content_type="text/html"),
        lambda r: with_headers(r, content_md5="1B2M2Y8AsgTpgAmY7PhCfg=="),
        lambda r: with_headers(r, x_amz_meta_a="2"),
        lambda r: with_headers(r, x_amz_meta_new="sneaked in"),
        lambda r: with_headers(r, date="Wed, 15 Jan 2025 12:00:01 GMT"),
    ],
    ids=["method", "path", "content-type", "content-md5", "amz header", "added amz header", "date"],
)
def test_tampering_is_rejected(tamper: Any) -> None:
    request = sign_v2(
        headers={"Content-Type": "text/plain", "x-amz-meta-a": "1", "Content-MD5": "XrY7u+Ae7tCTyyK7j1rNww=="}
    )
    assert auth(request).access_key == AKID
    assert rejected(tamper(request)).code == "SignatureDoesNotMatch"


def test_hint_names_x_amz_date_in_date_slot() -> None:
    draft = make_request("PUT", "http://h/b/k", {"x-amz-date": HTTP_NOW})
    to_sign = sigv2.string_to_sign("PUT", date=HTTP_NOW, resource="/b/k")
    request = with_headers(draft, authorization=f"AWS {AKID}:{sigv2.sign(SECRET, to_sign)}")
    error = rejected(request)
    assert error.code == "SignatureDoesNotMatch"
    assert "x-amz-date in the Date slot" in (error.hint or "")


def test_hint_names_missing_bucket_in_virtual_resource() -> None:
    draft = make_request("PUT", "http://b.s3.amazonaws.com/k", {"Date": HTTP_NOW}, bucket="b")
    to_sign = sigv2.string_to_sign("PUT", date=HTTP_NOW, resource="/k")
    error = rejected(with_headers(draft, authorization=f"AWS {AKID}:{sigv2.sign(SECRET, to_sign)}"))
    assert "left the bucket out" in (error.hint or "")


@pytest.mark.parametrize(("offset", "ok"), [(900, True), (-900, True), (901, False), (-901, False)])
def test_skew_boundary(offset: int, ok: bool) -> None:
    request = sign_v2()
    now = NOW + timedelta(seconds=offset)
    if ok:
        assert auth(request, now=now).access_key == AKID
    else:
        error = rejected(request, now=now)
        assert error.code == "RequestTimeTooSkewed"
        assert error.extra == {
            "RequestTime": HTTP_NOW,
            "ServerTime": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "MaxAllowedSkewMilliseconds": "900000",
        }


@pytest.mark.parametrize("headers", [{"Date": None}, {"Date": "not a date"}, {"x_amz_date": "garbage"}])
def test_missing_or_bad_date(headers: dict[str, str | None]) -> None:
    error = rejected(with_headers(sign_v2(), **headers))
    assert (error.code, error.message) == (
        "AccessDenied",
        "AWS authentication requires a valid Date or x-amz-date header",
    )


def test_unknown_key() -> None:
    error = rejected(sign_v2(access_key="NOPE"))
    assert (error.code, error.extra) == ("InvalidAccessKeyId", {"AWSAccessKeyId": "NOPE"})


@pytest.mark.parametrize("value", ["AWS ", "AWS nocolon", "AWS :sig", "AWS key:"])
def test_malformed_header(value: str) -> None:
    error = rejected(with_headers(sign_v2(), authorization=value))
    assert (error.code, error.status) == ("InvalidArgument", 400)


def test_lenient_mode() -> None:
    assert auth(sign_v2(secret="bad", access_key="ANY"), verify=False) == Principal("ANY", "sigv2-header")
    url = "http://h/b/k?AWSAccessKeyId=WHO&Signature=x&Expires=1"
    assert auth(make_request("GET", url), verify=False) == Principal("WHO", "sigv2-query")


# --- authenticate(): query form ----------------------------------------------------------


def presign_v2(
    url: str = "http://127.0.0.1:9000/my-bucket/a.txt", expires: int = 1736946000, *, content_type: str = ""
) -> WireRequest:
    draft = make_request("PUT", url)
    to_sign = sigv2.string_to_sign("PUT", content_type=content_type, date=str(expires), resource=draft.raw_path)
    signature = sigv2.sign(SECRET, to_sign).replace("+", "%2B").replace("/", "%2F").replace("=", "%3D")
    raw = f"AWSAccessKeyId={AKID}&Signature={signature}&Expires={expires}"
    request = with_query(draft, raw)
    return with_headers(request, content_type=content_type) if content_type else request


def test_query_round_trip_and_expiry() -> None:
    request = presign_v2(expires=int(NOW.timestamp()) + 60)
    assert auth(request) == Principal(AKID, "sigv2-query")
    assert auth(request, now=NOW + timedelta(seconds=60)).access_key == AKID
    error = rejected(request, now=NOW + timedelta(seconds=75))
    assert error.extra == {"Expires": "2025-01-15T12:01:00Z", "ServerTime": "2025-01-15T12:01:15Z"}
    assert "expired 15 s ago" in (error.hint or "")


@pytest.mark.parametrize("drop", ["AWSAccessKeyId", "Signature", "Expires"])
def test_query_missing_parameter(drop: str) -> None:
    request = presign_v2()
    kept = "&".join(p for p in request.raw_query.split("&") if not p.startswith(drop + "="))
    error = rejected(with_query(request, kept))
    assert (error.code, error.status) == ("AccessDenied", 403)
    assert drop in (error.hint or "")


def test_query_bad_expires() -> None:
    request = presign_v2()
    error = rejected(with_query(request, request.raw_query.replace("Expires=1736946000", "Expires=tomorrow")))
    assert (error.code, error.message) == ("AccessDenied", "Invalid date (should be seconds since epoch): tomorrow")


def test_query_content_type_must_match() -> None:
    request = presign_v2(content_type="text/plain", expires=int(NOW.timestamp()) + 60)
    assert auth(request).access_key == AKID
    error = rejected(with_headers(request, content_type="text/html"))
    assert error.code == "SignatureDoesNotMatch"


def test_query_and_header_together() -> None:
    request = with_headers(presign_v2(), authorization="AWS a:b")
    assert rejected(request).code == "InvalidArgument"


# --- botocore's signers ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "headers", "auth_path", "bucket"),
    [
        ("http://localhost:9000/b/dir/hello%20world%2B1~%C3%BC.txt", {"Content-Type": "text/plain"}, None, None),
        (
            "https://examplebucket.s3.amazonaws.com/k.txt",
            {"x-amz-meta-family": "Anderson"},
            "/examplebucket/k.txt",
            "examplebucket",
        ),
        (
            "http://localhost:9000/b/k?partNumber=1&uploadId=a%2Fb",
            {"Content-MD5": "XrY7u+Ae7tCTyyK7j1rNww=="},
            None,
            None,
        ),
        ("http://localhost:9000/b/k?uploads", {"x-amz-acl": "private", "x-amz-meta-x": "  spaced  "}, None, None),
    ],
)
@pytest.mark.parametrize("token", [None, "SESSIONTOKEN"])
def test_botocore_hmac_v1_is_accepted(
    url: str, headers: dict[str, str], auth_path: str | None, bucket: str | None, token: str | None
) -> None:
    aws = AWSRequest(method="PUT", url=url, headers=dict(headers), data=b"hello world")
    aws.auth_path = auth_path
    botocore.auth.HmacV1Auth(Credentials(AKID, SECRET, token)).add_auth(aws)
    assert auth(from_botocore(aws, bucket=bucket), now=datetime.now(UTC)) == Principal(AKID, "sigv2-header")


@pytest.mark.parametrize(
    ("url", "headers", "auth_path", "bucket"),
    [
        ("http://localhost:9000/b/hello%20world.txt", {}, None, None),
        (
            "https://examplebucket.s3.amazonaws.com/k.txt",
            {"Content-Type": "text/plain"},
            "/examplebucket/k.txt",
            "examplebucket",
        ),
        ("http://localhost:9000/b/k", {"Content-Type": "text/plain", "x-amz-meta-a": "1"}, None, None),
    ],
)
@pytest.mark.parametrize("send_amz_headers", [False, True])
@pytest.mark.parametrize("token", [None, "SESSIONTOKEN"])
def test_botocore_hmac_v1_query_is_accepted(
    url: str,
    headers: dict[str, str],
    auth_path: str | None,
    bucket: str | None,
    send_amz_headers: bool,
    token: str | None,
) -> None:
    aws = AWSRequest(method="PUT", url=url, headers=dict(headers))
    aws.auth_path = auth_path
    botocore.auth.HmacV1QueryAuth(Credentials(AKID, SECRET, token), expires=3600).add_auth(aws)
    # The uploader must send the presigned Content-Type; x-amz-* values may ride in the URL only.
    sent = {n: v for n, v in headers.items() if send_amz_headers or not n.lower().startswith("x-amz-")}
    upload = AWSRequest(method="PUT", url=aws.url, headers=sent, data=b"body")
    assert auth(from_botocore(upload, bucket=bucket), now=datetime.now(UTC)) == Principal(AKID, "sigv2-query")


# --- hostile input -----------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(
    authorization=st.text(max_size=60).map(lambda s: "AWS " + s) | st.text(max_size=60),
    date=st.none() | st.text(max_size=40) | st.just(HTTP_NOW),
    amz=st.dictionaries(st.text(max_size=10).map(lambda s: "x-amz-" + s), st.text(max_size=20), max_size=3),
    query=st.lists(
        st.tuples(
            st.sampled_from(["AWSAccessKeyId", "Signature", "Expires", "acl", "uploads"]) | st.text(max_size=8),
            st.none() | st.text(max_size=20),
        ),
        max_size=5,
    ),
    use_header=st.booleans(),
)
def test_hostile_input_only_raises_s3error(
    authorization: str, date: str | None, amz: dict[str, str], query: list[tuple[str, str | None]], use_header: bool
) -> None:
    headers = {**amz, **({"date": date} if date is not None else {})}
    if use_header:
        headers["authorization"] = authorization
    pairs = tuple(query)
    request = dataclasses.replace(make_request("PUT", "http://h/b/k", headers), query=pairs, query_map=dict(pairs))
    outcome: Principal | S3Error
    try:
        outcome = auth(request)
    except S3Error as error:
        outcome = error
    assert isinstance(outcome, Principal) or outcome.hint
