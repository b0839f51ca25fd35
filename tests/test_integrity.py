"""Integrity and limits: what S3 checks on a PUT, checked here, with the store untouched on refusal."""

from __future__ import annotations

import base64
import hashlib
import tracemalloc
import zlib

import pytest
import requests
import urllib3
from botocore.exceptions import ClientError

from fakes3put import BucketSpec, FakeS3

from .helpers import make_client, xml_code

OPEN = BucketSpec("open-bucket", acl="public-read-write")
URL = "https://open-bucket.s3.amazonaws.com"
HELLO_MD5 = base64.b64encode(hashlib.md5(b"hello world").digest()).decode()

# Published or independently known vectors (S3-PUT-REFERENCE §2.4; CRC-64/NVME check value).
VECTORS = {
    ("CRC32", b"hello world"): "DUoRhQ==",
    ("SHA256", b"hello world"): "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=",
    ("SHA1", b"hello world"): base64.b64encode(hashlib.sha1(b"hello world").digest()).decode(),
    ("CRC32C", b"a" * 66560): "sOO8/Q==",
    ("CRC64NVME", b"123456789"): base64.b64encode(bytes.fromhex("ae8b14860a799888")).decode(),
    ("CRC32", b""): "AAAAAA==",
}


@pytest.fixture
def fake():
    with FakeS3(buckets=[OPEN, "private-bucket"], endpoints=["http://localhost:9000"]) as started:
        started_client = make_client(started)
        started_client.put_object(Bucket="open-bucket", Key="k", Body=b"original")
        yield started


def original_intact(fake: FakeS3) -> bool:
    bucket = fake.buckets["open-bucket"]
    return list(bucket) == ["k"] and bucket["k"].body == b"original"


def raw_put(headers: dict[str, str], body: bytes = b"hello world", key: str = "k") -> urllib3.BaseHTTPResponse:
    return urllib3.PoolManager().request("PUT", f"{URL}/{key}", body=body, headers=headers)


def aws_chunked(data: bytes, trailers: list[tuple[str, str]], chunk: int = 5) -> bytes:
    out = b""
    for start in range(0, len(data), chunk):
        piece = data[start : start + chunk]
        out += f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
    out += b"0\r\n" + b"".join(f"{n}:{v}\r\n".encode() for n, v in trailers) + b"\r\n"
    return out


def chunked_headers(data: bytes, trailer: str) -> dict[str, str]:
    return {
        "Content-Encoding": "aws-chunked",
        "x-amz-decoded-content-length": str(len(data)),
        "x-amz-trailer": trailer,
        "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
    }


# ---------------------------------------------------------------- Content-MD5


@pytest.mark.parametrize("endpoint", [None, "http://localhost:9000"], ids=["aws-chunked", "plain"])
def test_content_md5_through_boto3(fake, endpoint):
    s3 = make_client(fake, endpoint_url=endpoint)
    s3.put_object(Bucket="open-bucket", Key="ok", Body=b"hello world", ContentMD5=HELLO_MD5)
    with pytest.raises(ClientError) as bad:
        s3.put_object(Bucket="open-bucket", Key="k", Body=b"hello world!", ContentMD5=HELLO_MD5)
    assert bad.value.response["Error"]["Code"] == "BadDigest"
    with pytest.raises(ClientError) as malformed:
        s3.put_object(Bucket="open-bucket", Key="k", Body=b"x", ContentMD5="not-base64!")
    assert malformed.value.response["Error"]["Code"] == "InvalidDigest"
    assert fake.buckets["open-bucket"]["k"].body == b"original"
    assert fake.buckets["open-bucket"]["ok"].body == b"hello world"


@pytest.mark.parametrize(
    ("md5", "code"),
    [
        ("", "InvalidDigest"),
        ("AAAA", "InvalidDigest"),
        ("%%%", "InvalidDigest"),
        ("1B2M2Y8AsgTpgAmY7PhCfg==", "BadDigest"),
    ],
)
def test_content_md5_raw(fake, md5, code):
    response = raw_put({"Content-MD5": md5})
    assert response.status == 400
    assert xml_code(response) == code
    assert original_intact(fake)


# ---------------------------------------------------------------- flexible checksums


@pytest.mark.parametrize(("algorithm", "data"), list(VECTORS))
def test_checksum_vectors_as_header_and_trailer(fake, algorithm, data):
    value = VECTORS[(algorithm, data)]
    header = f"x-amz-checksum-{algorithm.lower()}"
    as_header = raw_put({header: value}, body=data, key="h")
    assert as_header.status == 200
    assert as_header.headers[header] == value
    as_trailer = raw_put(chunked_headers(data, header), body=aws_chunked(data, [(header, value)]), key="t")
    assert as_trailer.status == 200, as_trailer.data
    bucket = fake.buckets["open-bucket"]
    assert bucket["h"].checksums == {algorithm: value}
    assert bucket["t"].checksums == {algorithm: value}
    assert bucket["t"].body == data


@pytest.mark.parametrize("algorithm", ["CRC32", "SHA1", "SHA256"])
@pytest.mark.parametrize("endpoint", [None, "http://localhost:9000"], ids=["trailer", "header"])
def test_checksums_boto3_computes_are_accepted_and_returned(fake, algorithm, endpoint):
    s3 = make_client(fake, endpoint_url=endpoint)
    data = bytes(range(256)) * 50
    response = s3.put_object(Bucket="open-bucket", Key="c", Body=data, ChecksumAlgorithm=algorithm)
    ours = fake.buckets["open-bucket"]["c"].checksums[algorithm]
    assert response[f"Checksum{algorithm}"] == ours
    got = s3.get_object(Bucket="open-bucket", Key="c", ChecksumMode="ENABLED")
    assert got[f"Checksum{algorithm}"] == ours
    assert got["Body"].read() == data  # botocore validated the checksum it was sent


@pytest.mark.parametrize(("algorithm", "data"), list(VECTORS))
def test_one_bit_flip_in_body_or_checksum_is_rejected(fake, algorithm, data):
    header = f"x-amz-checksum-{algorithm.lower()}"
    value = VECTORS[(algorithm, data)]
    flipped_body = bytes([data[0] ^ 1]) + data[1:] if data else b"\x01"
    raw = bytearray(base64.b64decode(value))
    raw[-1] ^= 1
    flipped_value = base64.b64encode(bytes(raw)).decode()
    for headers, body in [
        ({header: value}, flipped_body),
        ({header: flipped_value}, data),
        (chunked_headers(flipped_body, header), aws_chunked(flipped_body, [(header, value)])),
        (chunked_headers(data, header), aws_chunked(data, [(header, flipped_value)])),
    ]:
        response = raw_put(headers, body=body)
        assert response.status == 400
        assert xml_code(response) == "BadDigest"
        assert f"The {algorithm} you specified did not match" in response.data.decode()
    assert original_intact(fake)


@pytest.mark.parametrize(
    ("headers", "code"),
    [
        ({"x-amz-checksum-crc32": "DUoRhQ==", "x-amz-checksum-sha1": "Kq5sNclPz7QV2+lfQIuc6R7oRu0="}, "InvalidRequest"),
        ({"x-amz-sdk-checksum-algorithm": "CRC32"}, "InvalidRequest"),
        ({"x-amz-sdk-checksum-algorithm": "SHA256", "x-amz-checksum-crc32": "DUoRhQ=="}, "BadDigest"),
        ({"x-amz-sdk-checksum-algorithm": "MD4", "x-amz-checksum-crc32": "DUoRhQ=="}, "InvalidRequest"),
    ],
    ids=["two-checksums", "algorithm-without-value", "algorithm-disagrees", "unknown-algorithm"],
)
def test_checksum_consistency(fake, headers, code):
    response = raw_put(headers)
    assert response.status == 400
    assert xml_code(response) == code
    assert original_intact(fake)


def test_announced_trailer_must_arrive(fake):
    headers = chunked_headers(b"hello world", "x-amz-checksum-crc32")
    response = raw_put(headers, body=aws_chunked(b"hello world", []))
    assert response.status == 400
    assert xml_code(response) == "IncompleteBody"
    assert original_intact(fake)


# ---------------------------------------------------------------- lengths


@pytest.mark.parametrize(
    ("headers", "body", "status", "code"),
    [
        ({"Content-Length": "20"}, b"hello world", 400, "IncompleteBody"),
        ({"Content-Length": "3"}, b"hello world", 400, "InvalidRequest"),
        ({"Content-Length": "-1"}, b"hello world", 400, "InvalidArgument"),
        ({"Content-Length": "eleven"}, b"hello world", 400, "InvalidArgument"),
        ({"Transfer-Encoding": "gzip"}, b"hello world", 411, "MissingContentLength"),
    ],
    ids=["short", "long", "negative", "garbage", "no-length"],
)
def test_declared_length_disagreements(fake, headers, body, status, code):
    response = raw_put(headers, body=body)
    assert response.status == status
    assert xml_code(response) == code
    assert original_intact(fake)


@pytest.mark.parametrize(
    ("decoded", "code"),
    [("12", "IncompleteBody"), ("10", "InvalidRequest"), ("x", "InvalidArgument")],
)
def test_decoded_length_disagreements(fake, decoded, code):
    headers = chunked_headers(b"hello world", "x-amz-checksum-crc32") | {"x-amz-decoded-content-length": decoded}
    response = raw_put(headers, body=aws_chunked(b"hello world", [("x-amz-checksum-crc32", "DUoRhQ==")]))
    assert response.status == 400
    assert xml_code(response) == code
    assert original_intact(fake)


@pytest.mark.parametrize(
    "broken",
    [
        b"5\r\nhello\r\n6\r\n wor",  # the stream stops mid-chunk
        b"5\r\nhello\r\n",  # no final chunk
        b"5\r\nhelloXX6\r\n world\r\n0\r\n\r\n",  # framing broken
        b"zz\r\nhello\r\n0\r\n\r\n",  # not a size
        b"5\r\nhello\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n",  # trailer section never ends
    ],
)
def test_broken_aws_chunked_stream_stores_nothing(fake, broken):
    response = raw_put(chunked_headers(b"hello world", "x-amz-checksum-crc32"), body=broken)
    assert response.status == 400
    assert xml_code(response) == "IncompleteBody"
    assert original_intact(fake)
    assert fake.writes[-1].outcome == "rejected"


def test_entity_too_large_is_refused_before_reading_the_body(fake):
    class NeverRead:
        def read(self, *args):
            raise AssertionError("the fake read a body it should have refused")

    size = 5 * 1024**3 + 1
    tracemalloc.start()
    try:
        for headers in (
            {"Content-Length": str(size)},
            {"Content-Length": "100"} | chunked_headers(b"", "x") | {"x-amz-decoded-content-length": str(size)},
        ):
            response = raw_put(headers, body=NeverRead())  # type: ignore[arg-type]
            assert response.status == 400
            assert xml_code(response) == "EntityTooLarge"
            assert f"<ProposedSize>{size}</ProposedSize>" in response.data.decode()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 5 * 1024 * 1024
    assert original_intact(fake)


def test_exactly_5_gib_declared_is_not_too_large(fake):
    response = raw_put({"Content-Length": str(5 * 1024**3)}, body=b"short")
    assert xml_code(response) == "IncompleteBody"  # the size passed; the body then did not match


# ---------------------------------------------------------------- keys and metadata


def test_key_length_limit(fake):
    s3 = make_client(fake)
    s3.put_object(Bucket="open-bucket", Key="é" * 512, Body=b"x")  # 1024 UTF-8 bytes
    with pytest.raises(ClientError) as too_long:
        s3.put_object(Bucket="open-bucket", Key="é" * 512 + "x", Body=b"x")
    assert too_long.value.response["Error"]["Code"] == "KeyTooLongError"
    assert len(fake.buckets["open-bucket"]) == 2


def test_empty_key_never_becomes_an_object(fake):
    response = requests.put(f"{URL}/", data=b"x", timeout=5)
    assert response.status_code == 403  # PUT on the bucket itself is CreateBucket: not for anonymous callers
    assert "" not in fake.buckets["open-bucket"]
    assert original_intact(fake)


def test_metadata_size_limit_counts_names_and_values(fake):
    s3 = make_client(fake)
    fits = {"a": "x" * 2047}  # 1 + 2047 = 2048 bytes
    s3.put_object(Bucket="open-bucket", Key="fits", Body=b"x", Metadata=fits)
    with pytest.raises(ClientError) as too_big:
        s3.put_object(Bucket="open-bucket", Key="k", Body=b"x", Metadata={"ab": "x" * 2047})
    assert too_big.value.response["Error"]["Code"] == "MetadataTooLarge"
    assert fake.buckets["open-bucket"]["fits"].metadata == fits
    assert fake.buckets["open-bucket"]["k"].body == b"original"


def test_non_ascii_metadata_is_stored_as_text(fake):
    response = raw_put({"x-amz-meta-city": "Zürich".encode().decode("latin-1")}, key="meta")
    assert response.status == 200
    assert fake.buckets["open-bucket"]["meta"].metadata == {"city": "Zürich"}


# ---------------------------------------------------------------- bucket names and re-creation

INVALID_NAMES = [
    "ab",
    "a" * 64,
    "Upper",
    "under_score",
    "-start",
    "end-",
    "dou..ble",
    "dot.-dash",
    "192.168.5.4",
    "xn--punycode",
    "sthree-reserved",
    "amzn-s3-demo-bucket",
    "name-s3alias",
    "name--ol-s3",
    "name.mrap",
    # "--x-s3" is left out: botocore treats it as a directory bucket and signs for another service
    "name--table-s3",
]


@pytest.mark.parametrize("name", INVALID_NAMES)
def test_invalid_bucket_names(fake, name):
    s3 = make_client(fake, endpoint_url="http://localhost:9000")
    with pytest.raises(ClientError) as bad:
        s3.create_bucket(Bucket=name)
    assert bad.value.response["Error"]["Code"] == "InvalidBucketName"
    assert name not in fake.buckets


def test_bucket_recreation_rules():
    other = {"AKIDOTHERPRINCIPAL01": "other-secret"}
    with FakeS3(credentials={"AKIDOWNERPRINCIPAL01": "owner-secret", **other}) as fake:
        owner = make_client(fake)
        owner.create_bucket(Bucket="mine-east")
        owner.create_bucket(Bucket="mine-east")  # us-east-1: 200 again
        owner.create_bucket(Bucket="mine-west", CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
        west = make_client(fake, region="us-west-2")
        with pytest.raises(ClientError) as again:
            west.create_bucket(Bucket="mine-west", CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
        assert again.value.response["Error"]["Code"] == "BucketAlreadyOwnedByYou"
        import boto3

        stranger = boto3.client(
            "s3",
            region_name="us-east-1",
            aws_access_key_id="AKIDOTHERPRINCIPAL01",
            aws_secret_access_key="other-secret",
        )
        with pytest.raises(ClientError) as taken:
            stranger.create_bucket(Bucket="mine-east")
        assert taken.value.response["Error"]["Code"] == "BucketAlreadyExists"
        assert fake.buckets["mine-east"].owner == "AKIDOWNERPRINCIPAL01"


def test_crc32_reference_value_matches_zlib():
    assert (
        VECTORS[("CRC32", b"hello world")] == base64.b64encode(zlib.crc32(b"hello world").to_bytes(4, "big")).decode()
    )
