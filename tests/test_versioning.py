"""Bucket versioning: every overwrite kept in receipt order, delete markers, ListObjectVersions."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

from .helpers import error_code, make_client


@pytest.fixture
def s3(fake_s3):
    client = make_client(fake_s3)
    client.create_bucket(Bucket="ver-bucket")
    return client


def enable(s3, status="Enabled"):
    s3.put_bucket_versioning(Bucket="ver-bucket", VersioningConfiguration={"Status": status})


def test_get_and_put_bucket_versioning(fake_s3, s3):
    assert "Status" not in s3.get_bucket_versioning(Bucket="ver-bucket")  # never enabled
    enable(s3)
    assert s3.get_bucket_versioning(Bucket="ver-bucket")["Status"] == "Enabled"
    assert fake_s3.buckets["ver-bucket"].versioning == "Enabled"
    enable(s3, "Suspended")
    assert s3.get_bucket_versioning(Bucket="ver-bucket")["Status"] == "Suspended"
    with pytest.raises(ClientError) as lower_case:
        enable(s3, "enabled")
    assert error_code(lower_case) == "MalformedXML"
    with pytest.raises(ClientError) as missing:
        s3.get_bucket_versioning(Bucket="no-such-bucket")
    assert error_code(missing) == "NoSuchBucket"


def test_every_overwrite_is_kept_in_receipt_order(fake_s3, s3):
    enable(s3)
    ids = [s3.put_object(Bucket="ver-bucket", Key="k", Body=f"v{n}".encode())["VersionId"] for n in range(5)]
    assert len(set(ids)) == 5
    kept = fake_s3.buckets["ver-bucket"].versions("k")
    assert [v.body for v in kept] == [b"v0", b"v1", b"v2", b"v3", b"v4"]
    assert [v.version_id for v in kept] == ids
    assert fake_s3.buckets["ver-bucket"]["k"].body == b"v4"
    for n, version_id in enumerate(ids):
        got = s3.get_object(Bucket="ver-bucket", Key="k", VersionId=version_id)
        assert got["Body"].read() == f"v{n}".encode()
        assert got["VersionId"] == version_id
    listed = s3.list_object_versions(Bucket="ver-bucket")["Versions"]
    assert [v["VersionId"] for v in listed] == ids[::-1]  # newest first
    assert [v["IsLatest"] for v in listed] == [True, False, False, False, False]


def test_versions_follow_receipt_order_not_send_order(fake_s3, s3):
    enable(s3)
    with fake_s3.simultaneous(order="reverse"):
        sent = [s3.put_object(Bucket="ver-bucket", Key="k", Body=f"sent {n}".encode())["VersionId"] for n in range(3)]
    kept = fake_s3.buckets["ver-bucket"].versions("k")
    assert [v.body for v in kept] == [b"sent 2", b"sent 1", b"sent 0"]
    assert [v.version_id for v in kept] == sent[::-1]  # the ids acknowledged at send time still name them
    assert s3.get_object(Bucket="ver-bucket", Key="k")["Body"].read() == b"sent 0"


def test_delete_markers_in_reads_and_listings(fake_s3, s3):
    enable(s3)
    s3.put_object(Bucket="ver-bucket", Key="k", Body=b"before")
    marker = s3.delete_object(Bucket="ver-bucket", Key="k")["VersionId"]
    listed = s3.list_object_versions(Bucket="ver-bucket")
    assert [(m["VersionId"], m["IsLatest"]) for m in listed["DeleteMarkers"]] == [(marker, True)]
    assert [v["IsLatest"] for v in listed["Versions"]] == [False]
    for read in (s3.get_object, s3.head_object):
        with pytest.raises(ClientError) as at_marker:
            read(Bucket="ver-bucket", Key="k", VersionId=marker)
        assert at_marker.value.response["ResponseMetadata"]["HTTPStatusCode"] == 405
        headers = at_marker.value.response["ResponseMetadata"]["HTTPHeaders"]
        assert headers["x-amz-delete-marker"] == "true"
        assert headers["allow"] == "DELETE"
    with pytest.raises(ClientError) as current_marker:
        s3.head_object(Bucket="ver-bucket", Key="k")
    assert error_code(current_marker) == "404"
    assert current_marker.value.response["ResponseMetadata"]["HTTPHeaders"]["x-amz-version-id"] == marker


def test_suspended_versioning_overwrites_the_null_version(fake_s3, s3):
    enable(s3)
    kept = s3.put_object(Bucket="ver-bucket", Key="k", Body=b"enabled")["VersionId"]
    enable(s3, "Suspended")
    assert "VersionId" not in s3.put_object(Bucket="ver-bucket", Key="k", Body=b"null 1")  # as S3 answers
    s3.put_object(Bucket="ver-bucket", Key="k", Body=b"null 2")
    versions = fake_s3.buckets["ver-bucket"].versions("k")
    assert [(v.version_id, v.body) for v in versions] == [(kept, b"enabled"), ("null", b"null 2")]
    assert s3.get_object(Bucket="ver-bucket", Key="k", VersionId="null")["Body"].read() == b"null 2"
    suspended_marker = s3.delete_object(Bucket="ver-bucket", Key="k")
    assert suspended_marker["VersionId"] == "null"
    assert suspended_marker["DeleteMarker"] is True


def test_list_object_versions_pages_with_markers(fake_s3, s3):
    enable(s3)
    expected: list[tuple[str, str]] = []  # keys in order, each key's versions newest first
    for key in ("a", "b/x", "b/y", "c"):
        ids = [s3.put_object(Bucket="ver-bucket", Key=key, Body=f"{key}{n}".encode())["VersionId"] for n in range(3)]
        expected.extend((key, version) for version in reversed(ids))
    pages = list(
        s3.get_paginator("list_object_versions").paginate(Bucket="ver-bucket", PaginationConfig={"PageSize": 4})
    )
    listed = [(v["Key"], v["VersionId"]) for page in pages for v in page.get("Versions", [])]
    assert listed == expected
    assert len(pages) == 3
    assert pages[0]["NextKeyMarker"] == "b/x"
    assert pages[1]["KeyMarker"] == "b/x"
    assert pages[1]["VersionIdMarker"] == pages[0]["NextVersionIdMarker"]

    grouped = s3.list_object_versions(Bucket="ver-bucket", Delimiter="/", MaxKeys=4)
    assert [p["Prefix"] for p in grouped["CommonPrefixes"]] == ["b/"]
    assert [v["Key"] for v in grouped["Versions"]] == ["a", "a", "a"]
    rest = s3.list_object_versions(Bucket="ver-bucket", Delimiter="/", KeyMarker=grouped["NextKeyMarker"])
    assert [v["Key"] for v in rest["Versions"]] == ["c", "c", "c"]
    assert "CommonPrefixes" not in rest
    with pytest.raises(ClientError) as lonely:
        s3.list_object_versions(Bucket="ver-bucket", VersionIdMarker=expected[0][1])
    assert error_code(lonely) == "InvalidArgument"


def test_unversioned_objects_list_with_null_version(s3):
    s3.put_object(Bucket="ver-bucket", Key="plain", Body=b"x")
    version = s3.list_object_versions(Bucket="ver-bucket")["Versions"][0]
    assert version["VersionId"] == "null"
    assert version["IsLatest"] is True
    assert "VersionId" not in s3.head_object(Bucket="ver-bucket", Key="plain")
