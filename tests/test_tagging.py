"""Object tagging through boto3: PutObjectTagging, GetObjectTagging, DeleteObjectTagging, S3's limits."""

from __future__ import annotations

import threading
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from fakes3put import FakeS3

from .helpers import error_code, make_client

BUCKET = "tag-bucket"


@pytest.fixture
def s3(fake_s3):
    client = make_client(fake_s3)
    client.create_bucket(Bucket=BUCKET)
    client.put_object(Bucket=BUCKET, Key="k", Body=b"data", Tagging="a=1")
    return client


def tag_set(**tags: str) -> dict[str, Any]:
    return {"TagSet": [{"Key": k, "Value": v} for k, v in tags.items()]}


def test_put_get_delete_tags(s3):
    assert s3.get_object_tagging(Bucket=BUCKET, Key="k")["TagSet"] == [{"Key": "a", "Value": "1"}]
    s3.put_object_tagging(Bucket=BUCKET, Key="k", Tagging=tag_set(env="prod", team="a b&c"))
    assert s3.get_object_tagging(Bucket=BUCKET, Key="k")["TagSet"] == [
        {"Key": "env", "Value": "prod"},
        {"Key": "team", "Value": "a b&c"},
    ]
    assert s3.get_object(Bucket=BUCKET, Key="k")["TagCount"] == 2
    response = s3.delete_object_tagging(Bucket=BUCKET, Key="k")
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert s3.get_object_tagging(Bucket=BUCKET, Key="k")["TagSet"] == []


def test_tagging_leaves_body_etag_and_write_log_alone(s3, fake_s3):
    before = s3.head_object(Bucket=BUCKET, Key="k")
    writes = len(fake_s3.writes)
    s3.put_object_tagging(Bucket=BUCKET, Key="k", Tagging=tag_set(x="y"))
    after = s3.get_object(Bucket=BUCKET, Key="k")
    assert after["Body"].read() == b"data"
    assert after["ETag"] == before["ETag"]
    assert after["LastModified"] == before["LastModified"]
    assert len(fake_s3.writes) == writes
    assert fake_s3.buckets[BUCKET]["k"].tagging == "x=y"


def test_version_id_targets_one_version(s3):
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    first = s3.put_object(Bucket=BUCKET, Key="v", Body=b"1")["VersionId"]
    s3.put_object(Bucket=BUCKET, Key="v", Body=b"2", Tagging="latest=yes")
    answer = s3.put_object_tagging(Bucket=BUCKET, Key="v", VersionId=first, Tagging=tag_set(old="yes"))
    assert answer["VersionId"] == first
    old = s3.get_object_tagging(Bucket=BUCKET, Key="v", VersionId=first)
    assert (old["TagSet"], old["VersionId"]) == ([{"Key": "old", "Value": "yes"}], first)
    assert s3.get_object_tagging(Bucket=BUCKET, Key="v")["TagSet"] == [{"Key": "latest", "Value": "yes"}]
    assert s3.delete_object_tagging(Bucket=BUCKET, Key="v", VersionId=first)["VersionId"] == first
    assert s3.get_object_tagging(Bucket=BUCKET, Key="v", VersionId=first)["TagSet"] == []
    with pytest.raises(ClientError) as missing:
        s3.get_object_tagging(Bucket=BUCKET, Key="v", VersionId="0" * 32)
    assert error_code(missing) == "NoSuchVersion"
    with pytest.raises(ClientError) as malformed:
        s3.get_object_tagging(Bucket=BUCKET, Key="v", VersionId="nope")
    assert error_code(malformed) == "InvalidArgument"  # not a version id S3 issues


@pytest.mark.parametrize(
    ("tags", "code", "message"),
    [
        ([(f"k{i}", "v") for i in range(11)], "BadRequest", "Object tags cannot be greater than 10"),
        ([("k", "1"), ("k", "2")], "InvalidTag", "Cannot provide multiple Tags with the same key"),
        ([("k" * 129, "v")], "InvalidTag", "The TagKey you have provided is invalid"),
        ([("k", "v" * 257)], "InvalidTag", "The TagValue you have provided is invalid"),
        ([("aws:x", "v")], "InvalidTag", "Your TagKey cannot be prefixed with aws:"),
    ],
)
def test_limits(s3, tags, code, message):
    with pytest.raises(ClientError) as refused:
        s3.put_object_tagging(Bucket=BUCKET, Key="k", Tagging={"TagSet": [{"Key": k, "Value": v} for k, v in tags]})
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert (error_code(refused), refused.value.response["Error"]["Message"]) == (code, message)
    assert s3.get_object_tagging(Bucket=BUCKET, Key="k")["TagSet"] == [{"Key": "a", "Value": "1"}]


def test_limits_at_the_edge_are_accepted(s3):
    tags = {f"{i}{'k' * 127}": "v" * 256 for i in range(10)}
    s3.put_object_tagging(Bucket=BUCKET, Key="k", Tagging=tag_set(**tags))
    assert len(s3.get_object_tagging(Bucket=BUCKET, Key="k")["TagSet"]) == 10


def test_missing_key_and_bucket(s3):
    for call in (s3.get_object_tagging, s3.delete_object_tagging):
        with pytest.raises(ClientError) as missing:
            call(Bucket=BUCKET, Key="absent")
        assert error_code(missing) == "NoSuchKey"
    with pytest.raises(ClientError) as missing:
        s3.put_object_tagging(Bucket="no-such-bucket", Key="k", Tagging=tag_set(a="b"))
    assert error_code(missing) == "NoSuchBucket"


def test_others_may_not_tag_or_read_tags():
    credentials = {"OWNERKEY00000000001": "owner-secret", "OTHERKEY00000000002": "other-secret"}
    with FakeS3(credentials=credentials) as fake:
        owner = make_client(fake)
        other = boto3.client(
            "s3",
            region_name="us-east-1",
            aws_access_key_id="OTHERKEY00000000002",
            aws_secret_access_key="other-secret",
        )
        owner.create_bucket(Bucket=BUCKET)
        owner.put_object(Bucket=BUCKET, Key="k", Body=b"x")
        for attempt in (
            lambda: other.put_object_tagging(Bucket=BUCKET, Key="k", Tagging=tag_set(a="b")),
            lambda: other.get_object_tagging(Bucket=BUCKET, Key="k"),
            lambda: other.delete_object_tagging(Bucket=BUCKET, Key="k"),
            lambda: other.get_object_tagging(Bucket=BUCKET, Key="absent"),
        ):
            with pytest.raises(ClientError) as denied:
                attempt()
            assert error_code(denied) == "AccessDenied"


def test_tagging_racing_overwrites_never_loses_a_write(s3):
    """A tag change is applied to whichever version is current at the commit point, never resurrecting an old one."""
    bodies = [f"body-{i}".encode() for i in range(20)]

    def overwrite() -> None:
        for body in bodies:
            s3.put_object(Bucket=BUCKET, Key="k", Body=body)

    writer = threading.Thread(target=overwrite)
    writer.start()
    for _ in range(20):
        s3.put_object_tagging(Bucket=BUCKET, Key="k", Tagging=tag_set(t="x"))
    writer.join()
    assert s3.get_object(Bucket=BUCKET, Key="k")["Body"].read() == bodies[-1]
