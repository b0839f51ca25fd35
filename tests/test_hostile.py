"""Bad input never crashes the fake and never changes the store."""

from __future__ import annotations

import hypothesis.strategies as st
import urllib3
from hypothesis import HealthCheck, given, settings

from fakes3put import BucketSpec, FakeS3

INTERESTING_HEADERS = [
    "Content-Length",
    "Content-MD5",
    "Content-Encoding",
    "Transfer-Encoding",
    "Authorization",
    "Date",
    "x-amz-date",
    "x-amz-content-sha256",
    "x-amz-decoded-content-length",
    "x-amz-trailer",
    "x-amz-sdk-checksum-algorithm",
    "x-amz-checksum-crc32",
    "x-amz-checksum-crc32c",
    "x-amz-checksum-crc64nvme",
    "x-amz-checksum-sha1",
    "x-amz-checksum-sha256",
    "x-amz-storage-class",
    "x-amz-acl",
    "x-amz-grant-write",
    "x-amz-meta-a",
    "x-amz-copy-source",
    "If-None-Match",
    "If-Match",
]
header_values = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "aws-chunked",
            "chunked",
            "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
            "-1",
            "99999999999999",
            "CRC32",
            "AWS x:y",
            "AWS4-HMAC-SHA256 Credential=a/b/c/s3/aws4_request, SignedHeaders=host, Signature=00",
        ]
    ),
)
bodies = st.one_of(
    st.binary(max_size=200),
    st.sampled_from(
        [
            b"5\r\nhello\r\n0\r\n\r\n",
            b"b\r\nhello world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n",
            b"zz\r\n",
            b"0\r\n",
        ]
    ),
)
paths = st.one_of(
    st.sampled_from(
        [
            "/hostile-bucket/k",
            "/hostile-bucket/",
            "/",
            "/hostile-bucket/%FF",
            "/hostile-bucket/k?acl",
            "/hostile-bucket?versioning",
        ]
    ),
    st.text(alphabet=st.characters(exclude_categories=["Cs"], exclude_characters="#"), max_size=30).map(
        lambda t: (
            "/hostile-bucket/" + (urllib3.util.parse_url("http://h/" + t).path or "").lstrip("/")
            if t
            else "/hostile-bucket/k"
        )
    ),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    method=st.sampled_from(["PUT", "PUT", "PUT", "GET", "HEAD", "POST", "DELETE"]),
    path=paths,
    headers=st.dictionaries(st.sampled_from(INTERESTING_HEADERS), header_values, max_size=6),
    body=bodies,
)
def test_random_requests_never_crash_or_corrupt(method, path, headers, body):
    fake = FakeS3(buckets=[BucketSpec("hostile-bucket", acl="public-read-write")], isolate_environment=False)
    http = urllib3.PoolManager()
    with fake:
        http.request("PUT", "https://s3.amazonaws.com/hostile-bucket/k", body=b"original")
        before = fake.buckets["hostile-bucket"]["k"]
        safe_headers = {k: v.encode("utf-8", "surrogatepass").decode("latin-1") for k, v in headers.items()}
        try:
            response = http.request(method, f"https://s3.amazonaws.com{path}", body=body, headers=safe_headers)
        except (ValueError, UnicodeError, urllib3.exceptions.LocationParseError):
            return  # urllib3 itself refused to build the request; it never reached the fake
        if response.status >= 300 and response.status != 304:  # 304 Not Modified is an answer, not an error
            assert fake.buckets["hostile-bucket"].get("k") is before
            if method != "HEAD":
                assert b"<Error><Code>" in response.data
            assert fake.calls[-1].error_code not in (None, "InternalError")
    # stop() raised FakeS3InternalError if anything inside the fake had crashed
