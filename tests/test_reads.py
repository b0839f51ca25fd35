"""GetObject and HeadObject: ranges, parts, conditional headers, response-* overrides, versions."""

from __future__ import annotations

import base64
import hashlib
import zlib
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

import hypothesis.strategies as st
import pytest
import urllib3
from botocore.exceptions import ClientError
from hypothesis import given, settings

from fakes3put import BucketSpec, FakeS3

from .helpers import error_code, make_client

BODY = bytes(range(256)) * 4  # 1,024 distinct-enough bytes
MIB = 1024 * 1024


def status(response: dict[str, Any]) -> int:
    return response["ResponseMetadata"]["HTTPStatusCode"]


@pytest.fixture
def s3(fake_s3):
    client = make_client(fake_s3)
    client.create_bucket(Bucket="read-bucket")
    client.put_object(Bucket="read-bucket", Key="obj", Body=BODY, ContentType="application/octet-stream")
    return client


# ---------------------------------------------------------------- ranges


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        ("bytes=0-9", 0, 9),
        ("bytes=1000-", 1000, 1023),
        ("bytes=-24", 1000, 1023),
        ("bytes=1000-999999", 1000, 1023),  # an end past EOF is clamped
        ("bytes=-5000", 0, 1023),  # a suffix longer than the object is the whole object
    ],
)
def test_range_gives_206_with_content_range_and_no_checksum(s3, header, first, last):
    got = s3.get_object(Bucket="read-bucket", Key="obj", Range=header, ChecksumMode="ENABLED")
    assert status(got) == 206
    assert got["ContentRange"] == f"bytes {first}-{last}/1024"
    assert got["ContentLength"] == last - first + 1
    assert got["Body"].read() == BODY[first : last + 1]
    # Reference rule 10: botocore would check it against a part; a range over every byte keeps it.
    assert ("ChecksumCRC32" in got) == (last - first + 1 == 1024)
    head = s3.head_object(Bucket="read-bucket", Key="obj", Range=header)
    assert status(head) == 206
    assert head["ContentLength"] == last - first + 1


@pytest.mark.parametrize("header", ["bytes=1024-", "bytes=5000-6000", "bytes=-0"])
def test_unsatisfiable_range_is_416_invalid_range(s3, header):
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket="read-bucket", Key="obj", Range=header)
    assert error_code(excinfo) == "InvalidRange"
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 416
    assert excinfo.value.response["Error"]["ActualObjectSize"] == "1024"
    assert excinfo.value.response["ResponseMetadata"]["HTTPHeaders"]["content-range"] == "bytes */1024"


@pytest.mark.parametrize(
    "header", ["bytes=9-3", "items=0-1", "bytes=0-1,5-6", "bytes=", "bytes=a-b", "bytes=1-" + "9" * 40]
)
def test_invalid_range_syntax_is_ignored(s3, header):
    got = s3.get_object(Bucket="read-bucket", Key="obj", Range=header)
    assert status(got) == 200
    assert got["Body"].read() == BODY
    assert "ContentRange" not in got


def test_full_read_is_checksum_validated_by_botocore(s3):
    got = s3.get_object(Bucket="read-bucket", Key="obj")  # botocore sends x-amz-checksum-mode: ENABLED
    assert got["ChecksumCRC32"] == base64.b64encode(zlib.crc32(BODY).to_bytes(4, "big")).decode()
    assert type(got["Body"]).__name__ == "StreamingChecksumBody"  # validation is wired in
    assert got["Body"].read() == BODY


# ---------------------------------------------------------------- partNumber


def test_part_number_reads_one_part(fake_s3, s3):
    first, second = b"A" * (5 * MIB), b"B" * 1024
    upload_id = s3.create_multipart_upload(Bucket="read-bucket", Key="mp")["UploadId"]
    parts = [
        {
            "PartNumber": n,
            "ETag": s3.upload_part(Bucket="read-bucket", Key="mp", UploadId=upload_id, PartNumber=n, Body=b)["ETag"],
        }
        for n, b in ((1, first), (2, second))
    ]
    s3.complete_multipart_upload(Bucket="read-bucket", Key="mp", UploadId=upload_id, MultipartUpload={"Parts": parts})
    assert fake_s3.buckets["read-bucket"]["mp"].etag == '"66f827ff4c27058d46432a4ee1974b78-2"'  # reference 3.3
    part2 = s3.get_object(Bucket="read-bucket", Key="mp", PartNumber=2)
    assert status(part2) == 206
    assert part2["PartsCount"] == 2
    assert part2["ContentRange"] == f"bytes {5 * MIB}-{5 * MIB + 1023}/{5 * MIB + 1024}"
    assert part2["Body"].read() == second
    assert s3.head_object(Bucket="read-bucket", Key="mp", PartNumber=1)["ContentLength"] == 5 * MIB
    with pytest.raises(ClientError) as beyond:
        s3.get_object(Bucket="read-bucket", Key="mp", PartNumber=3)
    assert error_code(beyond) == "InvalidPartNumber"
    assert beyond.value.response["ResponseMetadata"]["HTTPStatusCode"] == 416
    single = s3.get_object(Bucket="read-bucket", Key="obj", PartNumber=1)
    assert single["ContentRange"] == "bytes 0-1023/1024"
    assert "PartsCount" not in single
    with pytest.raises(ClientError) as both:
        s3.get_object(Bucket="read-bucket", Key="mp", PartNumber=1, Range="bytes=0-1")
    assert error_code(both) == "InvalidRequest"
    with pytest.raises(ClientError) as zero:
        s3.get_object(Bucket="read-bucket", Key="mp", PartNumber=0)
    assert error_code(zero) == "InvalidArgument"


# ---------------------------------------------------------------- conditional reads


def test_conditional_reads_follow_rfc_7232(fake_s3, s3):
    etag = fake_s3.buckets["read-bucket"]["obj"].etag
    modified = fake_s3.buckets["read-bucket"]["obj"].last_modified.replace(microsecond=0)
    before, after = modified - timedelta(hours=1), modified + timedelta(hours=1)

    assert s3.get_object(Bucket="read-bucket", Key="obj", IfMatch=etag)["Body"].read() == BODY
    assert status(s3.get_object(Bucket="read-bucket", Key="obj", IfMatch=f'"nope", {etag}')) == 200
    assert status(s3.get_object(Bucket="read-bucket", Key="obj", IfNoneMatch='"other"')) == 200
    assert status(s3.get_object(Bucket="read-bucket", Key="obj", IfModifiedSince=before)) == 200
    assert status(s3.get_object(Bucket="read-bucket", Key="obj", IfUnmodifiedSince=after)) == 200

    failing = {
        "412": [{"IfMatch": '"0123"'}, {"IfUnmodifiedSince": before}],
        "304": [{"IfNoneMatch": etag}, {"IfNoneMatch": "*"}, {"IfModifiedSince": modified}],
    }
    for expected, cases in failing.items():
        for case in cases:
            with pytest.raises(ClientError) as excinfo:
                s3.get_object(Bucket="read-bucket", Key="obj", **case)
            assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == int(expected), case
            if expected == "412":
                assert error_code(excinfo) == "PreconditionFailed"
            else:
                assert error_code(excinfo) == "304"  # a 304 has no body, so botocore names the status
                assert excinfo.value.response["ResponseMetadata"]["HTTPHeaders"]["etag"] == etag
    with pytest.raises(ClientError) as head_412:
        s3.head_object(Bucket="read-bucket", Key="obj", IfMatch='"0123"')
    assert error_code(head_412) == "412"


def test_conditional_precedence_as_s3_documents(fake_s3, s3):
    etag = fake_s3.buckets["read-bucket"]["obj"].etag
    modified = fake_s3.buckets["read-bucket"]["obj"].last_modified.replace(microsecond=0)
    long_ago = modified - timedelta(days=1)
    # If-Match true and If-Unmodified-Since false: 200.
    both = s3.get_object(Bucket="read-bucket", Key="obj", IfMatch=etag, IfUnmodifiedSince=long_ago)
    assert status(both) == 200
    # If-None-Match true (no match) and If-Modified-Since false: If-Modified-Since is ignored, 200.
    ignored = s3.get_object(
        Bucket="read-bucket", Key="obj", IfNoneMatch='"x"', IfModifiedSince=datetime.now(UTC) + timedelta(days=1)
    )
    assert status(ignored) == 200
    # If-None-Match false (a match) and If-Modified-Since true: 304.
    with pytest.raises(ClientError) as not_modified:
        s3.get_object(Bucket="read-bucket", Key="obj", IfNoneMatch=etag, IfModifiedSince=long_ago)
    assert error_code(not_modified) == "304"
    with pytest.raises(ClientError) as missing:
        s3.get_object(Bucket="read-bucket", Key="absent", IfMatch=etag)
    assert error_code(missing) == "NoSuchKey"  # the key is looked up before its validators


# ---------------------------------------------------------------- response-* overrides


def test_response_overrides_replace_headers(s3):
    got = s3.get_object(
        Bucket="read-bucket",
        Key="obj",
        ResponseContentType="text/csv",
        ResponseContentDisposition='attachment; filename="x.csv"',
        ResponseCacheControl="no-cache",
        ResponseContentLanguage="de",
        ResponseContentEncoding="identity",
        ResponseExpires=datetime(2030, 1, 1, tzinfo=UTC),
    )
    assert got["ContentType"] == "text/csv"
    assert got["ContentDisposition"] == 'attachment; filename="x.csv"'
    assert got["CacheControl"] == "no-cache"
    assert got["ContentLanguage"] == "de"
    assert got["ContentEncoding"] == "identity"
    assert got["ResponseMetadata"]["HTTPHeaders"]["expires"] == "Tue, 01 Jan 2030 00:00:00 GMT"
    assert s3.head_object(Bucket="read-bucket", Key="obj", ResponseContentType="a/b")["ContentType"] == "a/b"


def test_anonymous_reads_cannot_override_headers():
    http = urllib3.PoolManager()
    with FakeS3(buckets=[BucketSpec("anon-read", acl="public-read")], isolate_environment=False) as fake:
        make_client(fake).put_object(Bucket="anon-read", Key="k", Body=b"x", ACL="public-read")
        plain = http.request("GET", "https://anon-read.s3.amazonaws.com/k")
        overridden = http.request("GET", "https://anon-read.s3.amazonaws.com/k?response-content-type=text/html")
    assert plain.status == 200
    assert overridden.status == 400
    assert b"<Code>InvalidRequest</Code>" in overridden.data


# ---------------------------------------------------------------- versions


def test_read_by_version_id(fake_s3, s3):
    s3.put_bucket_versioning(Bucket="read-bucket", VersioningConfiguration={"Status": "Enabled"})
    first = s3.put_object(Bucket="read-bucket", Key="obj", Body=b"v1")["VersionId"]
    s3.put_object(Bucket="read-bucket", Key="obj", Body=b"v2")
    assert s3.get_object(Bucket="read-bucket", Key="obj", VersionId=first)["Body"].read() == b"v1"
    assert s3.get_object(Bucket="read-bucket", Key="obj", VersionId="null")["Body"].read() == BODY  # pre-versioning
    assert s3.head_object(Bucket="read-bucket", Key="obj", VersionId=first)["VersionId"] == first
    with pytest.raises(ClientError) as unknown:
        s3.get_object(Bucket="read-bucket", Key="obj", VersionId="0" * 32)
    assert error_code(unknown) == "NoSuchVersion"
    assert unknown.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404


def test_read_of_a_digest_matches_what_was_written(s3):
    data = hashlib.sha256(b"seed").digest() * 40_000  # 1.28 MB: several aws-chunked frames on the way in
    s3.put_object(Bucket="read-bucket", Key="large", Body=data)
    middle = s3.get_object(Bucket="read-bucket", Key="large", Range="bytes=600000-600099")["Body"].read()
    assert middle == data[600_000:600_100]


@settings(max_examples=200, deadline=None)
@given(
    header=st.one_of(
        st.text(max_size=30),
        st.builds(
            lambda a, b: f"bytes={a}-{b}",
            st.one_of(st.just(""), st.integers(-5, 2000).map(str), st.text("0123456789٠١", max_size=25)),
            st.one_of(st.just(""), st.integers(-5, 2000).map(str), st.text("0123456789٠١", max_size=25)),
        ),
    ),
    part=st.one_of(st.none(), st.text(max_size=8), st.integers(-1, 10002).map(str)),
)
def test_random_ranges_and_part_numbers_never_crash(header, part):
    http = urllib3.PoolManager()
    with FakeS3(buckets=[BucketSpec("fuzz-read", acl="public-read-write")], isolate_environment=False) as fake:
        http.request("PUT", "https://s3.amazonaws.com/fuzz-read/k", body=BODY)
        query = "" if part is None else "?partNumber=" + quote(part.encode("utf-8", "surrogatepass"), safe="")
        headers = {"Range": header.encode("utf-8", "surrogatepass").decode("latin-1")}
        try:
            response = http.request("GET", f"https://s3.amazonaws.com/fuzz-read/k{query}", headers=headers)
        except (ValueError, UnicodeError):
            return  # urllib3 itself refused the request
        assert response.status in (200, 206, 400, 416)
        assert fake.calls[-1].error_code != "InternalError"
        if response.status == 206:
            first, last = map(int, response.headers["Content-Range"].split()[1].split("/")[0].split("-"))
            assert response.data == BODY[first : last + 1]


def test_response_overrides_go_out_as_a_socket_would_carry_them(fake_s3):
    s3 = make_client(fake_s3)
    s3.create_bucket(Bucket="override-bucket")
    s3.put_object(Bucket="override-bucket", Key="k", Body=b"x")
    answer = s3.get_object(Bucket="override-bucket", Key="k", ResponseContentDisposition="attachment; filename=€.txt")
    # The UTF-8 bytes on the wire, read back as latin-1 by the client's HTTP stack.
    assert answer["ContentDisposition"] == "attachment; filename=€.txt".encode().decode("latin-1")
    with pytest.raises(ClientError) as split:
        s3.get_object(Bucket="override-bucket", Key="k", ResponseContentDisposition="attachment\r\nX-Injected: yes")
    assert error_code(split) == "InvalidArgument"
