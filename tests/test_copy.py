"""CopyObject: directives, copy-source encoding and versions, source and destination conditions."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import boto3
import hypothesis.strategies as st
import pytest
import urllib3
from botocore.exceptions import ClientError
from hypothesis import given, settings

from fakes3put import BucketSpec, FakeS3

from .helpers import error_code, make_client

MIB = 1024 * 1024


@pytest.fixture
def s3(fake_s3):
    client = make_client(fake_s3)
    client.create_bucket(Bucket="copy-src")
    client.create_bucket(Bucket="copy-dst")
    client.put_object(
        Bucket="copy-src",
        Key="dir/ü source+1.txt",
        Body=b"original body",
        ContentType="text/plain",
        Metadata={"colour": "blue"},
        CacheControl="max-age=60",
        Tagging="team=a",
    )
    return client


SOURCE = {"Bucket": "copy-src", "Key": "dir/ü source+1.txt"}


def test_metadata_directive_copy_keeps_the_source_attributes(fake_s3, s3):
    result = s3.copy_object(Bucket="copy-dst", Key="copied", CopySource=SOURCE)["CopyObjectResult"]
    copied = fake_s3.buckets["copy-dst"]["copied"]
    assert copied.body == b"original body"
    assert copied.content_type == "text/plain"
    assert copied.metadata == {"colour": "blue"}
    assert copied.cache_control == "max-age=60"
    assert copied.tagging == "team=a"
    assert result["ETag"] == copied.etag == f'"{hashlib.md5(b"original body").hexdigest()}"'
    assert result["LastModified"].replace(microsecond=0) == copied.last_modified.replace(microsecond=0)
    assert fake_s3.writes[-1].operation == "CopyObject"


def test_metadata_directive_replace_takes_the_request_attributes(fake_s3, s3):
    s3.copy_object(
        Bucket="copy-dst",
        Key="replaced",
        CopySource=SOURCE,
        MetadataDirective="REPLACE",
        ContentType="application/json",
        Metadata={"shape": "round"},
        TaggingDirective="REPLACE",
        Tagging="team=b&x=y",
        StorageClass="STANDARD_IA",
    )
    replaced = fake_s3.buckets["copy-dst"]["replaced"]
    assert replaced.content_type == "application/json"
    assert replaced.metadata == {"shape": "round"}
    assert replaced.cache_control is None
    assert replaced.tagging == "team=b&x=y"
    assert replaced.storage_class == "STANDARD_IA"
    with pytest.raises(ClientError) as bad:
        s3.copy_object(Bucket="copy-dst", Key="x", CopySource=SOURCE, MetadataDirective="MOVE")
    assert error_code(bad) == "InvalidArgument"


def test_copy_onto_itself_needs_a_change(fake_s3, s3):
    before = fake_s3.buckets["copy-src"]["dir/ü source+1.txt"]
    with pytest.raises(ClientError) as unchanged:
        s3.copy_object(Bucket="copy-src", Key=SOURCE["Key"], CopySource=SOURCE)
    assert error_code(unchanged) == "InvalidRequest"
    assert "copy an object to itself" in unchanged.value.response["Error"]["Message"]
    s3.copy_object(
        Bucket="copy-src", Key=SOURCE["Key"], CopySource=SOURCE, MetadataDirective="REPLACE", Metadata={"v": "2"}
    )
    after = fake_s3.buckets["copy-src"]["dir/ü source+1.txt"]
    assert after.metadata == {"v": "2"}
    assert after.etag == before.etag  # the ETag follows content, not metadata
    s3.copy_object(Bucket="copy-src", Key=SOURCE["Key"], CopySource=SOURCE, StorageClass="GLACIER_IR")
    assert fake_s3.buckets["copy-src"]["dir/ü source+1.txt"].storage_class == "GLACIER_IR"


def test_copy_of_a_multipart_object_gets_a_plain_md5_etag(fake_s3, s3):
    first, second = b"a" * (5 * MIB), b"tail"
    upload_id = s3.create_multipart_upload(Bucket="copy-src", Key="mp")["UploadId"]
    parts = [
        {
            "PartNumber": n,
            "ETag": s3.upload_part(Bucket="copy-src", Key="mp", UploadId=upload_id, PartNumber=n, Body=b)["ETag"],
        }
        for n, b in ((1, first), (2, second))
    ]
    s3.complete_multipart_upload(Bucket="copy-src", Key="mp", UploadId=upload_id, MultipartUpload={"Parts": parts})
    assert fake_s3.buckets["copy-src"]["mp"].etag.endswith('-2"')
    s3.copy_object(Bucket="copy-dst", Key="mp-copy", CopySource={"Bucket": "copy-src", "Key": "mp"})
    copied = fake_s3.buckets["copy-dst"]["mp-copy"]
    assert copied.etag == f'"{hashlib.md5(first + second).hexdigest()}"'
    assert copied.parts == ()
    # The source's full-object CRC64NVME (S3's default) is taken afresh over the copy.
    assert copied.checksums == fake_s3.buckets["copy-src"]["mp"].checksums
    assert list(copied.checksums) == ["CRC64NVME"]


def test_copy_source_conditions(fake_s3, s3):
    etag = fake_s3.buckets["copy-src"]["dir/ü source+1.txt"].etag
    modified = fake_s3.buckets["copy-src"]["dir/ü source+1.txt"].last_modified
    earlier = modified - timedelta(hours=1)
    failing = [
        {"CopySourceIfMatch": '"00000000000000000000000000000000"'},
        {"CopySourceIfNoneMatch": etag},
        {"CopySourceIfModifiedSince": modified},  # a date after now would be ignored, as S3 does
        {"CopySourceIfUnmodifiedSince": earlier},
    ]
    for conditions in failing:
        with pytest.raises(ClientError) as excinfo:
            s3.copy_object(Bucket="copy-dst", Key="cond", CopySource=SOURCE, **conditions)
        assert error_code(excinfo) == "PreconditionFailed", conditions
        assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 412
    assert "cond" not in fake_s3.buckets["copy-dst"]
    # If-Match true wins over a false If-Unmodified-Since, as S3 documents.
    s3.copy_object(
        Bucket="copy-dst", Key="cond", CopySource=SOURCE, CopySourceIfMatch=etag, CopySourceIfUnmodifiedSince=earlier
    )
    assert fake_s3.buckets["copy-dst"]["cond"].body == b"original body"


def test_destination_if_none_match(fake_s3, s3):
    s3.copy_object(Bucket="copy-dst", Key="once", CopySource=SOURCE, IfNoneMatch="*")
    with pytest.raises(ClientError) as exists:
        s3.copy_object(Bucket="copy-dst", Key="once", CopySource=SOURCE, IfNoneMatch="*")
    assert error_code(exists) == "PreconditionFailed"
    assert [w.outcome for w in fake_s3.writes if w.key == "once"] == ["stored", "rejected"]


def test_copy_source_version_and_errors(fake_s3, s3):
    s3.put_bucket_versioning(Bucket="copy-src", VersioningConfiguration={"Status": "Enabled"})
    old = s3.put_object(Bucket="copy-src", Key="v", Body=b"old")["VersionId"]
    s3.put_object(Bucket="copy-src", Key="v", Body=b"new")
    restored = s3.copy_object(
        Bucket="copy-dst", Key="v", CopySource={"Bucket": "copy-src", "Key": "v", "VersionId": old}
    )
    assert restored["CopySourceVersionId"] == old
    assert fake_s3.buckets["copy-dst"]["v"].body == b"old"
    s3.copy_object(Bucket="copy-src", Key="v", CopySource={"Bucket": "copy-src", "Key": "v", "VersionId": old})
    assert fake_s3.buckets["copy-src"]["v"].body == b"old"  # restoring an old version onto itself is a change

    cases = {
        "NoSuchKey": {"Bucket": "copy-src", "Key": "absent"},
        "NoSuchBucket": {"Bucket": "absent-bucket", "Key": "k"},
        "NoSuchVersion": {"Bucket": "copy-src", "Key": "v", "VersionId": "f" * 32},
    }
    for code, source in cases.items():
        with pytest.raises(ClientError) as excinfo:
            s3.copy_object(Bucket="copy-dst", Key="x", CopySource=source)
        assert error_code(excinfo) == code
    with pytest.raises(ClientError) as malformed:
        s3.copy_object(Bucket="copy-dst", Key="x", CopySource="just-a-bucket")
    assert error_code(malformed) == "InvalidArgument"
    marker = s3.delete_object(Bucket="copy-src", Key="v")["VersionId"]
    with pytest.raises(ClientError) as at_marker:
        s3.copy_object(Bucket="copy-dst", Key="x", CopySource={"Bucket": "copy-src", "Key": "v", "VersionId": marker})
    assert error_code(at_marker) == "InvalidRequest"


def test_copy_needs_read_on_source_and_write_on_destination():
    credentials = {"FAKES3PUTOWNER000001": "owner-secret", "FAKES3PUTOTHER000002": "other-secret"}
    with FakeS3(credentials=credentials, isolate_environment=False) as fake:
        owner = make_client(fake)
        owner.create_bucket(Bucket="owners-bucket")
        owner.put_object(Bucket="owners-bucket", Key="k", Body=b"private")
        other = boto3.client(
            "s3",
            region_name="us-east-1",
            aws_access_key_id="FAKES3PUTOTHER000002",
            aws_secret_access_key="other-secret",
        )
        other.create_bucket(Bucket="others-bucket")
        with pytest.raises(ClientError) as no_read:
            other.copy_object(Bucket="others-bucket", Key="k", CopySource={"Bucket": "owners-bucket", "Key": "k"})
        assert error_code(no_read) == "AccessDenied"
        other.put_object(Bucket="others-bucket", Key="theirs", Body=b"x")
        with pytest.raises(ClientError) as no_write:
            other.copy_object(
                Bucket="owners-bucket", Key="stolen", CopySource={"Bucket": "others-bucket", "Key": "theirs"}
            )
        assert error_code(no_write) == "AccessDenied"
        assert "stolen" not in fake.buckets["owners-bucket"]


@settings(max_examples=200, deadline=None)
@given(
    source=st.one_of(
        st.text(max_size=40),
        st.builds(
            lambda key, query: f"fuzz-copy/{key}{query}",
            st.sampled_from(["k", "%6B", "/k", "%FF", "%", "k%2", ""]),
            st.sampled_from(["", "?versionId=", "?versionId=null", "?versionId=%ZZ", "?other=1", "?"]),
        ),
    ),
    directive=st.sampled_from([None, "COPY", "REPLACE", "copy", ""]),
)
def test_random_copy_sources_never_crash(source, directive):
    http = urllib3.PoolManager()
    with FakeS3(buckets=[BucketSpec("fuzz-copy", acl="public-read-write")], isolate_environment=False) as fake:
        http.request("PUT", "https://s3.amazonaws.com/fuzz-copy/k", body=b"source")
        headers = {"x-amz-copy-source": source.encode("utf-8", "surrogatepass").decode("latin-1")}
        if directive is not None:
            headers["x-amz-metadata-directive"] = directive
        try:
            response = http.request("PUT", "https://s3.amazonaws.com/fuzz-copy/dest", headers=headers)
        except (ValueError, UnicodeError):
            return  # urllib3 itself refused the request
        assert fake.calls[-1].error_code != "InternalError"
        if response.status == 200:
            assert fake.buckets["fuzz-copy"]["dest"].body == b"source"
        else:
            assert "dest" not in fake.buckets["fuzz-copy"]
