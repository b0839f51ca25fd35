"""GetObjectAttributes through boto3: the attributes asked for, parts paging, versions, refusals."""

from __future__ import annotations

import base64
import hashlib

import boto3
import pytest
from botocore.exceptions import ClientError

from fakes3put import FakeS3

from .helpers import error_code, make_client

BUCKET = "attr-bucket"
MIB = 1024 * 1024
ALL = ["ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize"]


@pytest.fixture
def s3(fake_s3):
    client = make_client(fake_s3)
    client.create_bucket(Bucket=BUCKET)
    return client


def sha256_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


def test_single_put_object(s3):
    put = s3.put_object(Bucket=BUCKET, Key="k", Body=b"hello", ChecksumAlgorithm="SHA256", StorageClass="STANDARD_IA")
    answer = s3.get_object_attributes(Bucket=BUCKET, Key="k", ObjectAttributes=ALL)
    assert answer["ETag"] == put["ETag"].strip('"')  # unquoted, unlike HeadObject
    assert answer["Checksum"] == {"ChecksumSHA256": sha256_b64(b"hello"), "ChecksumType": "FULL_OBJECT"}
    assert answer["StorageClass"] == "STANDARD_IA"
    assert answer["ObjectSize"] == 5
    assert "ObjectParts" not in answer  # a single PUT has no parts
    assert "LastModified" in answer


def test_only_the_attributes_asked_for(s3):
    s3.put_object(Bucket=BUCKET, Key="k", Body=b"hello")
    answer = s3.get_object_attributes(Bucket=BUCKET, Key="k", ObjectAttributes=["ObjectSize"])
    assert answer["ObjectSize"] == 5
    assert not {"ETag", "Checksum", "StorageClass"} & set(answer)


def test_multipart_parts_with_checksums_and_paging(s3):
    parts_data = [b"a" * 5 * MIB, b"b" * 5 * MIB, b"c" * 3]
    upload = s3.create_multipart_upload(Bucket=BUCKET, Key="mp", ChecksumAlgorithm="SHA256")["UploadId"]
    parts = []
    for number, data in enumerate(parts_data, 1):
        answer = s3.upload_part(
            Bucket=BUCKET, Key="mp", UploadId=upload, PartNumber=number, Body=data, ChecksumAlgorithm="SHA256"
        )
        parts.append({"PartNumber": number, "ETag": answer["ETag"], "ChecksumSHA256": answer["ChecksumSHA256"]})
    s3.complete_multipart_upload(Bucket=BUCKET, Key="mp", UploadId=upload, MultipartUpload={"Parts": parts})
    page = s3.get_object_attributes(Bucket=BUCKET, Key="mp", ObjectAttributes=["ObjectParts"], MaxParts=2)
    listed = page["ObjectParts"]
    assert (listed["TotalPartsCount"], listed["MaxParts"], listed["IsTruncated"]) == (3, 2, True)
    assert listed["NextPartNumberMarker"] == 2
    assert [(p["PartNumber"], p["Size"], p["ChecksumSHA256"]) for p in listed["Parts"]] == [
        (1, 5 * MIB, sha256_b64(parts_data[0])),
        (2, 5 * MIB, sha256_b64(parts_data[1])),
    ]
    rest = s3.get_object_attributes(
        Bucket=BUCKET, Key="mp", ObjectAttributes=["ObjectParts", "Checksum"], PartNumberMarker=2
    )
    assert rest["ObjectParts"]["IsTruncated"] is False
    assert [p["PartNumber"] for p in rest["ObjectParts"]["Parts"]] == [3]
    assert rest["Checksum"]["ChecksumType"] == "COMPOSITE"
    assert rest["Checksum"]["ChecksumSHA256"].endswith("-3")


def test_version_id(s3):
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    first = s3.put_object(Bucket=BUCKET, Key="k", Body=b"one")["VersionId"]
    s3.put_object(Bucket=BUCKET, Key="k", Body=b"second")
    old = s3.get_object_attributes(Bucket=BUCKET, Key="k", VersionId=first, ObjectAttributes=["ObjectSize"])
    assert (old["ObjectSize"], old["VersionId"]) == (3, first)
    assert s3.get_object_attributes(Bucket=BUCKET, Key="k", ObjectAttributes=["ObjectSize"])["ObjectSize"] == 6
    with pytest.raises(ClientError) as missing:
        s3.get_object_attributes(Bucket=BUCKET, Key="k", VersionId="0" * 32, ObjectAttributes=["ETag"])
    assert error_code(missing) == "NoSuchVersion"
    with pytest.raises(ClientError) as malformed:
        s3.get_object_attributes(Bucket=BUCKET, Key="k", VersionId="nope", ObjectAttributes=["ETag"])
    assert error_code(malformed) == "InvalidArgument"  # not a version id S3 issues


def test_refusals(s3):
    s3.put_object(Bucket=BUCKET, Key="k", Body=b"x")
    with pytest.raises(ClientError) as missing:
        s3.get_object_attributes(Bucket=BUCKET, Key="absent", ObjectAttributes=["ETag"])
    assert error_code(missing) == "NoSuchKey"
    with pytest.raises(ClientError) as no_bucket:
        s3.get_object_attributes(Bucket="absent-bucket", Key="k", ObjectAttributes=["ETag"])
    assert error_code(no_bucket) == "NoSuchBucket"
    with pytest.raises(ClientError) as unknown:
        s3.get_object_attributes(Bucket=BUCKET, Key="k", ObjectAttributes=["Colour"])
    assert error_code(unknown) == "InvalidArgument"
    assert unknown.value.response["Error"]["Message"] == "Invalid attribute name specified."


def test_others_are_denied_even_for_missing_keys():
    credentials = {"OWNERKEY00000000001": "owner-secret", "OTHERKEY00000000002": "other-secret"}
    with FakeS3(credentials=credentials) as fake:
        owner = make_client(fake)
        other = boto3.client(
            "s3", region_name="us-east-1", aws_access_key_id="OTHERKEY00000000002", aws_secret_access_key="other-secret"
        )
        owner.create_bucket(Bucket=BUCKET)
        owner.put_object(Bucket=BUCKET, Key="k", Body=b"x")
        for key in ("k", "absent"):
            with pytest.raises(ClientError) as denied:
                other.get_object_attributes(Bucket=BUCKET, Key=key, ObjectAttributes=["ETag"])
            assert error_code(denied) == "AccessDenied"
