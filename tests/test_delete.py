"""DeleteObject, DeleteObjects and DeleteBucket, as S3 answers them."""

from __future__ import annotations

import base64
import hashlib

import boto3
import pytest
import urllib3
from botocore.exceptions import ClientError

from fakes3put import BucketSpec, FakeS3

from .helpers import error_code, make_client


@pytest.fixture
def s3(fake_s3):
    client = make_client(fake_s3)
    client.create_bucket(Bucket="del-bucket")
    return client


def test_delete_object_is_204_even_when_absent(fake_s3, s3):
    s3.put_object(Bucket="del-bucket", Key="k", Body=b"x")
    first = s3.delete_object(Bucket="del-bucket", Key="k")
    again = s3.delete_object(Bucket="del-bucket", Key="k")
    assert first["ResponseMetadata"]["HTTPStatusCode"] == again["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert "DeleteMarker" not in first  # no versioning, no delete marker
    assert "k" not in fake_s3.buckets["del-bucket"]
    assert fake_s3.buckets["del-bucket"].versions("k") == []
    assert [w.operation for w in fake_s3.writes] == ["PutObject", "DeleteObject", "DeleteObject"]
    assert fake_s3.writes[0].outcome == "deleted"
    assert fake_s3.writes[-1].outcome == "stored"


def test_conditional_delete_with_if_match(fake_s3, s3):
    etag = s3.put_object(Bucket="del-bucket", Key="k", Body=b"x")["ETag"]
    with pytest.raises(ClientError) as stale:
        s3.delete_object(Bucket="del-bucket", Key="k", IfMatch='"00000000000000000000000000000000"')
    assert error_code(stale) == "PreconditionFailed"
    assert "k" in fake_s3.buckets["del-bucket"]
    s3.delete_object(Bucket="del-bucket", Key="k", IfMatch=etag)
    assert "k" not in fake_s3.buckets["del-bucket"]


def test_versioned_delete_adds_a_marker_and_version_delete_removes_it(fake_s3, s3):
    s3.put_bucket_versioning(Bucket="del-bucket", VersioningConfiguration={"Status": "Enabled"})
    version = s3.put_object(Bucket="del-bucket", Key="k", Body=b"kept")["VersionId"]
    marked = s3.delete_object(Bucket="del-bucket", Key="k")
    assert marked["DeleteMarker"] is True
    marker = marked["VersionId"]
    assert marker != version
    with pytest.raises(ClientError) as hidden:
        s3.get_object(Bucket="del-bucket", Key="k")
    assert error_code(hidden) == "NoSuchKey"
    assert hidden.value.response["ResponseMetadata"]["HTTPHeaders"]["x-amz-delete-marker"] == "true"
    assert [v.delete_marker for v in fake_s3.buckets["del-bucket"].versions("k")] == [False, True]

    unmarked = s3.delete_object(Bucket="del-bucket", Key="k", VersionId=marker)
    assert unmarked["DeleteMarker"] is True  # what was removed was a delete marker
    assert unmarked["VersionId"] == marker
    assert s3.get_object(Bucket="del-bucket", Key="k")["Body"].read() == b"kept"
    gone = s3.delete_object(Bucket="del-bucket", Key="k", VersionId=version)
    assert "DeleteMarker" not in gone
    assert fake_s3.buckets["del-bucket"].versions("k") == []


def test_null_version_deletes(fake_s3, s3):
    s3.put_object(Bucket="del-bucket", Key="plain", Body=b"x")
    s3.delete_object(Bucket="del-bucket", Key="plain", VersionId="null")  # unversioned: the object itself
    assert "plain" not in fake_s3.buckets["del-bucket"]
    s3.put_object(Bucket="del-bucket", Key="old", Body=b"before versioning")
    s3.put_bucket_versioning(Bucket="del-bucket", VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket="del-bucket", Key="old", Body=b"versioned")
    # The version written before versioning was enabled is the "null" version.
    assert next(v.version_id for v in fake_s3.buckets["del-bucket"].versions("old")) is None
    s3.delete_object(Bucket="del-bucket", Key="old", VersionId="null")
    assert [v.body for v in fake_s3.buckets["del-bucket"].versions("old")] == [b"versioned"]
    assert fake_s3.buckets["del-bucket"]["old"].body == b"versioned"


def test_delete_objects_reports_each_key(fake_s3, s3):
    for key in ("a", "b", "c"):
        s3.put_object(Bucket="del-bucket", Key=key, Body=key.encode())
    result = s3.delete_objects(
        Bucket="del-bucket",
        Delete={
            "Objects": [
                {"Key": "a"},
                {"Key": "absent"},
                {"Key": "b", "ETag": '"00000000000000000000000000000000"'},
            ]
        },
    )
    assert sorted(d["Key"] for d in result["Deleted"]) == ["a", "absent"]
    assert [(e["Key"], e["Code"]) for e in result["Errors"]] == [("b", "PreconditionFailed")]
    assert sorted(fake_s3.buckets["del-bucket"]) == ["b", "c"]
    deletes = [w for w in fake_s3.writes if w.operation == "DeleteObjects"]
    assert [(w.key, w.outcome) for w in deletes] == [("a", "stored"), ("absent", "stored"), ("b", "rejected")]
    assert len({w.sent for w in deletes}) == 3  # one entry per key in the write log

    quiet = s3.delete_objects(Bucket="del-bucket", Delete={"Objects": [{"Key": "b"}, {"Key": "c"}], "Quiet": True})
    assert "Deleted" not in quiet
    assert "Errors" not in quiet
    assert list(fake_s3.buckets["del-bucket"]) == []


def test_delete_objects_in_a_versioned_bucket(fake_s3, s3):
    s3.put_bucket_versioning(Bucket="del-bucket", VersioningConfiguration={"Status": "Enabled"})
    v1 = s3.put_object(Bucket="del-bucket", Key="k", Body=b"1")["VersionId"]
    result = s3.delete_objects(Bucket="del-bucket", Delete={"Objects": [{"Key": "k"}, {"Key": "k", "VersionId": v1}]})
    marker, removed = result["Deleted"]
    assert marker["DeleteMarker"] is True
    assert marker["DeleteMarkerVersionId"]
    assert removed == {"Key": "k", "VersionId": v1}
    assert [v.version_id for v in fake_s3.buckets["del-bucket"].versions("k")] == [marker["DeleteMarkerVersionId"]]


def test_delete_objects_limits(s3):
    with pytest.raises(ClientError) as too_many:
        s3.delete_objects(Bucket="del-bucket", Delete={"Objects": [{"Key": f"k{n}"} for n in range(1001)]})
    assert error_code(too_many) == "MalformedXML"
    exactly = s3.delete_objects(Bucket="del-bucket", Delete={"Objects": [{"Key": f"k{n}"} for n in range(1000)]})
    assert len(exactly["Deleted"]) == 1000


def test_delete_objects_requires_an_integrity_header():
    http = urllib3.PoolManager()
    body = b"<Delete><Object><Key>k</Key></Object></Delete>"
    url = "https://s3.amazonaws.com/open-del?delete"
    with FakeS3(buckets=[BucketSpec("open-del", acl="public-read-write")], isolate_environment=False) as fake:
        http.request("PUT", "https://s3.amazonaws.com/open-del/k", body=b"x")
        bare = http.request("POST", url, body=body)
        wrong = http.request("POST", url, body=body, headers={"Content-MD5": base64.b64encode(b"0" * 16).decode()})
        assert "k" in fake.buckets["open-del"]
        right_md5 = base64.b64encode(hashlib.md5(body).digest()).decode()
        good = http.request("POST", url, body=body, headers={"Content-MD5": right_md5})
        assert "k" not in fake.buckets["open-del"]
        hostile = http.request(
            "POST",
            url,
            body=b'<!DOCTYPE d [<!ENTITY e "k">]><Delete><Object><Key>&e;</Key></Object></Delete>',
            headers={"Content-MD5": right_md5},
        )
    assert bare.status == 400
    assert b"<Code>InvalidRequest</Code>" in bare.data
    assert b"Content-MD5" in bare.data
    assert b"<Code>BadDigest</Code>" in wrong.data
    assert good.status == 200
    assert b"<Deleted><Key>k</Key></Deleted>" in good.data
    assert hostile.status == 400  # the Content-MD5 no longer matches, or the DOCTYPE is refused
    assert fake.calls[-1].error_code in ("BadDigest", "MalformedXML")


def test_delete_objects_refuses_entities_even_with_a_matching_digest():
    http = urllib3.PoolManager()
    body = b'<!DOCTYPE d [<!ENTITY e "k">]><Delete><Object><Key>&e;</Key></Object></Delete>'
    headers = {"Content-MD5": base64.b64encode(hashlib.md5(body).digest()).decode()}
    with FakeS3(buckets=[BucketSpec("open-del", acl="public-read-write")], isolate_environment=False) as fake:
        http.request("PUT", "https://s3.amazonaws.com/open-del/k", body=b"x")
        response = http.request("POST", "https://s3.amazonaws.com/open-del?delete", body=body, headers=headers)
        assert b"<Code>MalformedXML</Code>" in response.data
        assert "k" in fake.buckets["open-del"]


# ---------------------------------------------------------------- DeleteBucket


def test_delete_bucket_refuses_while_anything_is_left(fake_s3, s3):
    s3.put_bucket_versioning(Bucket="del-bucket", VersioningConfiguration={"Status": "Enabled"})
    version = s3.put_object(Bucket="del-bucket", Key="k", Body=b"x")["VersionId"]
    marker = s3.delete_object(Bucket="del-bucket", Key="k")["VersionId"]
    assert "Contents" not in s3.list_objects_v2(Bucket="del-bucket")  # looks empty, is not
    with pytest.raises(ClientError) as not_empty:
        s3.delete_bucket(Bucket="del-bucket")
    assert error_code(not_empty) == "BucketNotEmpty"
    assert not_empty.value.response["ResponseMetadata"]["HTTPStatusCode"] == 409
    s3.delete_object(Bucket="del-bucket", Key="k", VersionId=version)
    with pytest.raises(ClientError) as marker_left:
        s3.delete_bucket(Bucket="del-bucket")
    assert error_code(marker_left) == "BucketNotEmpty"
    s3.delete_object(Bucket="del-bucket", Key="k", VersionId=marker)
    s3.create_multipart_upload(Bucket="del-bucket", Key="in-progress")
    deleted = s3.delete_bucket(Bucket="del-bucket")  # an upload in progress does not block it
    assert deleted["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert "del-bucket" not in fake_s3.buckets
    s3.create_bucket(Bucket="del-bucket")
    assert s3.list_multipart_uploads(Bucket="del-bucket").get("Uploads", []) == []
    with pytest.raises(ClientError) as missing:
        s3.delete_bucket(Bucket="no-such-bucket")
    assert error_code(missing) == "NoSuchBucket"


def test_only_the_owner_deletes_a_bucket():
    credentials = {"FAKES3PUTOWNER000001": "owner-secret", "FAKES3PUTOTHER000002": "other-secret"}
    with FakeS3(credentials=credentials, isolate_environment=False) as fake:
        make_client(fake).create_bucket(Bucket="owned")
        other = boto3.client(
            "s3",
            region_name="us-east-1",
            aws_access_key_id="FAKES3PUTOTHER000002",
            aws_secret_access_key="other-secret",
        )
        with pytest.raises(ClientError) as denied:
            other.delete_bucket(Bucket="owned")
        assert error_code(denied) == "AccessDenied"
        assert "owned" in fake.buckets


def test_delete_objects_keys_see_the_ones_before_them(fake_s3, s3):
    # Keys of one request are received one by one: a repeated key sees its earlier delete as done,
    # not as a write that raced it.
    s3.put_bucket_versioning(Bucket="del-bucket", VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket="del-bucket", Key="x", Body=b"1")
    put = s3.put_object(Bucket="del-bucket", Key="x", Body=b"2")
    result = s3.delete_objects(
        Bucket="del-bucket",
        Delete={"Objects": [{"Key": "x", "VersionId": put["VersionId"]}, {"Key": "x", "ETag": put["ETag"]}]},
    )
    assert [e["Code"] for e in result["Errors"]] == ["PreconditionFailed"]

    marker = s3.delete_object(Bucket="del-bucket", Key="y")["VersionId"]  # a delete marker on a new key
    twice = s3.delete_objects(
        Bucket="del-bucket", Delete={"Objects": [{"Key": "y", "VersionId": marker}, {"Key": "y", "VersionId": marker}]}
    )
    first, second = twice["Deleted"]
    assert first.get("DeleteMarker") is True
    assert "DeleteMarker" not in second  # the marker was already gone
