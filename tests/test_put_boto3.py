"""PutObject through boto3 in the shapes it really takes: aws-chunked over https, plain over http."""

from __future__ import annotations

import hashlib

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from fakes3put import FakeS3

from .helpers import make_client


def test_issue_example(fake_s3):
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket="quotes")
    s3.put_object(Bucket="quotes", Key="Neo", Body=b"woah", Metadata={"family": "Anderson"}, ContentType="text/plain")
    obj = fake_s3.buckets["quotes"]["Neo"]
    assert obj.body == b"woah"
    assert obj.metadata == {"family": "Anderson"}
    assert obj.etag == '"ed4beb38b45860afbee133162b4c86fc"'
    assert obj.content_type == "text/plain"
    assert obj.size == 4
    assert obj.last_modified.tzinfo is not None


def test_default_https_put_is_aws_chunked_and_stored_decoded(fake_s3):
    s3 = make_client(fake_s3)
    s3.create_bucket(Bucket="bkt")
    response = s3.put_object(Bucket="bkt", Key="k", Body=b"hello world")
    obj = fake_s3.buckets["bkt"]["k"]
    assert obj.body == b"hello world"
    assert obj.content_encoding is None  # aws-chunked is transfer framing, not stored
    assert obj.checksums == {"CRC32": "DUoRhQ=="}
    assert response["ETag"] == '"5eb63bbbe01eeed093cb22bb8f5acdc3"'
    assert response["ChecksumCRC32"] == "DUoRhQ=="
    put = next(c for c in fake_s3.calls if c.operation == "PutObject")
    assert put.url.startswith("https://bkt.s3.amazonaws.com/")


def test_gzip_content_encoding_keeps_gzip_only(fake_s3):
    s3 = make_client(fake_s3)
    s3.create_bucket(Bucket="bkt")
    s3.put_object(Bucket="bkt", Key="k", Body=b"\x1f\x8bxx", ContentEncoding="gzip")
    assert fake_s3.buckets["bkt"]["k"].content_encoding == "gzip"


@pytest.mark.fakes3put(endpoints=["http://localhost:9000"])
def test_http_endpoint_plain_body(fake_s3):
    s3 = make_client(fake_s3, endpoint_url="http://localhost:9000")
    s3.create_bucket(Bucket="bkt")
    s3.put_object(Bucket="bkt", Key="dir/x.txt", Body=b"plain")
    assert fake_s3.buckets["bkt"]["dir/x.txt"].body == b"plain"
    assert fake_s3.calls[-1].url == "http://localhost:9000/bkt/dir/x.txt"


def test_when_required_sends_no_checksum(fake_s3):
    s3 = make_client(fake_s3, request_checksum_calculation="when_required")
    s3.create_bucket(Bucket="bkt")
    response = s3.put_object(Bucket="bkt", Key="k", Body=b"x" * 10)
    # S3 then stores its own default, CRC64NVME, and says so.
    assert list(fake_s3.buckets["bkt"]["k"].checksums) == ["CRC64NVME"]
    assert "ChecksumCRC32" not in response
    assert "ChecksumCRC64NVME" in response


def test_stored_headers_round_trip(fake_s3):
    s3 = make_client(fake_s3)
    s3.create_bucket(Bucket="bkt")
    s3.put_object(
        Bucket="bkt",
        Key="k",
        Body=b"data",
        ContentType="text/csv",
        ContentDisposition='attachment; filename="x.csv"',
        ContentLanguage="en",
        CacheControl="max-age=60",
        Expires="Tue, 01 Jan 2030 00:00:00 GMT",
        StorageClass="STANDARD_IA",
        Tagging="a=1&b=2",
        Metadata={"Mixed-Case": "v"},
    )
    obj = fake_s3.buckets["bkt"]["k"]
    assert obj.metadata == {"mixed-case": "v"}
    assert obj.content_disposition == 'attachment; filename="x.csv"'
    assert obj.content_language == "en"
    assert obj.cache_control == "max-age=60"
    assert obj.expires == "Tue, 01 Jan 2030 00:00:00 GMT"
    assert obj.storage_class == "STANDARD_IA"
    assert obj.tagging == "a=1&b=2"
    got = s3.get_object(Bucket="bkt", Key="k")
    assert got["Body"].read() == b"data"
    assert got["ContentType"] == "text/csv"
    assert got["Metadata"] == {"mixed-case": "v"}
    assert got["CacheControl"] == "max-age=60"
    assert got["StorageClass"] == "STANDARD_IA"
    assert got["TagCount"] == 2
    head = s3.head_object(Bucket="bkt", Key="k")
    assert head["ContentLength"] == 4
    assert head["ETag"] == obj.etag
    assert head["ContentDisposition"] == 'attachment; filename="x.csv"'


def test_overwrite_last_received_wins_and_moves_key_to_end(fake_s3):
    s3 = make_client(fake_s3)
    s3.create_bucket(Bucket="bkt")
    s3.put_object(Bucket="bkt", Key="one", Body=b"1")
    s3.put_object(Bucket="bkt", Key="two", Body=b"2")
    s3.put_object(Bucket="bkt", Key="one", Body=b"1 again")
    assert list(fake_s3.buckets["bkt"]) == ["two", "one"]
    assert fake_s3.buckets["bkt"]["one"].body == b"1 again"
    assert [w.outcome for w in fake_s3.writes] == ["superseded", "stored", "stored"]


def test_get_object_checksum_mode(fake_s3):
    s3 = make_client(fake_s3)
    s3.create_bucket(Bucket="bkt")
    s3.put_object(Bucket="bkt", Key="k", Body=b"hello world", ChecksumAlgorithm="SHA256")
    got = s3.get_object(Bucket="bkt", Key="k", ChecksumMode="ENABLED")
    assert got["ChecksumSHA256"] == "uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek="
    assert got["Body"].read() == b"hello world"
    assert "ChecksumSHA256" not in s3.head_object(Bucket="bkt", Key="k")


def test_large_body_byte_exact(fake_s3):
    s3 = make_client(fake_s3)
    s3.create_bucket(Bucket="bkt")
    body = hashlib.sha256(b"seed").digest() * (3 * 1024 * 1024 // 32 + 7)  # > 1 MiB chunks
    s3.put_object(Bucket="bkt", Key="big", Body=body)
    assert fake_s3.buckets["bkt"]["big"].body == body
    assert s3.get_object(Bucket="bkt", Key="big")["Body"].read() == body


def test_file_like_body(fake_s3, tmp_path):
    path = tmp_path / "f.bin"
    path.write_bytes(b"from a file")
    s3 = make_client(fake_s3)
    s3.create_bucket(Bucket="bkt")
    with path.open("rb") as handle:
        s3.put_object(Bucket="bkt", Key="f", Body=handle)
    assert fake_s3.buckets["bkt"]["f"].body == b"from a file"


def test_errors_have_s3_codes(fake_s3):
    s3 = make_client(fake_s3)
    with pytest.raises(ClientError) as missing_bucket:
        s3.put_object(Bucket="nope", Key="k", Body=b"x")
    assert missing_bucket.value.response["Error"]["Code"] == "NoSuchBucket"
    assert missing_bucket.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    s3.create_bucket(Bucket="bkt")
    with pytest.raises(ClientError) as missing_key:
        s3.get_object(Bucket="bkt", Key="absent")
    assert missing_key.value.response["Error"]["Code"] == "NoSuchKey"
    with pytest.raises(ClientError) as head_missing:
        s3.head_object(Bucket="bkt", Key="absent")
    assert head_missing.value.response["Error"]["Code"] == "404"  # HEAD errors carry no body
    with pytest.raises(ClientError) as not_implemented:
        s3.delete_bucket_policy(Bucket="bkt")
    assert not_implemented.value.response["Error"]["Code"] == "NotImplemented"
    assert "DeleteBucketPolicy" in not_implemented.value.response["Error"]["Message"]
    assert not_implemented.value.response["ResponseMetadata"]["HTTPStatusCode"] == 501
    assert s3.head_bucket(Bucket="bkt")["ResponseMetadata"]["HTTPStatusCode"] == 200
    with pytest.raises(ClientError) as head_bucket:
        s3.head_bucket(Bucket="absent")
    assert head_bucket.value.response["Error"]["Code"] == "404"
    assert [c.error_code for c in fake_s3.calls if not c.ok] == [
        "NoSuchBucket",
        "NoSuchKey",
        "NoSuchKey",
        "NotImplemented",
        "NoSuchBucket",
    ]


def test_create_bucket_location_constraint(fake_s3):
    s3 = make_client(fake_s3)
    s3.create_bucket(Bucket="euro", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert fake_s3.buckets["euro"].region == "eu-west-1"
    euro = boto3.client(
        "s3",
        region_name="eu-west-1",
        aws_access_key_id=fake_s3.access_key,
        aws_secret_access_key=fake_s3.secret_key,
    )
    euro.put_object(Bucket="euro", Key="k", Body=b"x")
    assert s3.get_bucket_location(Bucket="euro")["LocationConstraint"] == "eu-west-1"
    with pytest.raises(ClientError) as bad:
        s3.create_bucket(Bucket="other", CreateBucketConfiguration={"LocationConstraint": "us-east-1"})
    assert bad.value.response["Error"]["Code"] == "InvalidLocationConstraint"


def test_failed_put_leaves_previous_version(fake_s3):
    s3 = make_client(fake_s3)
    s3.create_bucket(Bucket="bkt")
    s3.put_object(Bucket="bkt", Key="k", Body=b"good")
    with pytest.raises(ClientError) as bad:
        s3.put_object(Bucket="bkt", Key="k", Body=b"evil", ContentMD5="1B2M2Y8AsgTpgAmY7PhCfg==")
    assert bad.value.response["Error"]["Code"] == "BadDigest"
    assert fake_s3.buckets["bkt"]["k"].body == b"good"
    assert fake_s3.writes[-1].outcome == "rejected"
    assert fake_s3.writes[-1].error_code == "BadDigest"


def test_response_headers_like_s3(fake_s3):
    s3 = make_client(fake_s3)
    s3.create_bucket(Bucket="bkt")
    headers = s3.put_object(Bucket="bkt", Key="k", Body=b"x")["ResponseMetadata"]["HTTPHeaders"]
    assert headers["server"] == "AmazonS3"
    assert headers["content-length"] == "0"
    assert len(headers["x-amz-request-id"]) == 16
    assert headers["x-amz-id-2"]
    assert headers["date"].endswith("GMT")


def test_plain_client_ignores_real_aws_environment(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAREALUSERKEY00000")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "real-secret")
    monkeypatch.setenv("AWS_PROFILE", "production")
    with FakeS3() as fake:
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="bkt")
        s3.put_object(Bucket="bkt", Key="k", Body=b"x")
        assert fake.calls[-1].principal == fake.access_key
    import os

    assert os.environ["AWS_ACCESS_KEY_ID"] == "AKIAREALUSERKEY00000"
    assert os.environ["AWS_PROFILE"] == "production"


def test_virtual_addressing_on_custom_endpoint():
    with FakeS3(endpoints=["http://s3.fake.test"]) as fake:
        s3 = boto3.client(
            "s3",
            endpoint_url="http://s3.fake.test",
            config=Config(s3={"addressing_style": "virtual"}),
        )
        s3.create_bucket(Bucket="vbk")
        s3.put_object(Bucket="vbk", Key="a/b", Body=b"v")
        assert fake.buckets["vbk"]["a/b"].body == b"v"
        assert fake.calls[-1].url == "http://vbk.s3.fake.test/a/b"
