"""ListObjectsV2 and ListObjects (v1): paging with boto3's paginators, prefixes, encoding, order."""

from __future__ import annotations

import boto3
import pytest
import urllib3
from botocore.exceptions import ClientError
from freezegun import freeze_time

from fakes3put import BucketSpec, FakeS3

from .helpers import error_code, make_client

AWKWARD = ["a+b", "a b", "a%2Bb", "ü/ß", "日本/語", "+", "a/b/c", "a/b+c/d", "z\u00a0nbsp", "tab\tkey", "ends/"]


def many_keys() -> list[str]:
    keys = [f"dir{n % 7}/file {n:04d}+{'é' if n % 3 else 'x'}" for n in range(2500 - len(AWKWARD))]
    return keys + AWKWARD


def utf8_order(keys) -> list[str]:
    return sorted(keys, key=lambda k: k.encode("utf-8"))


@pytest.fixture(scope="module")
def populated():
    """One bucket of 2,500 awkward keys, shared by the read-only paging tests of this module."""
    # public-read so a raw anonymous GET can show the XML exactly as sent
    with FakeS3(buckets=[BucketSpec("listing-bucket", acl="public-read")], isolate_environment=False) as fake:
        s3 = make_client(fake, request_checksum_calculation="when_required")
        keys = many_keys()
        for key in keys:
            s3.put_object(Bucket="listing-bucket", Key=key, Body=b"")
        yield fake, s3, keys


@pytest.mark.parametrize("page_size", [None, 700], ids=["default-1000", "page-700"])
def test_v2_paginator_returns_every_key_once_in_utf8_order(populated, page_size):
    _, s3, keys = populated
    config = {"PageSize": page_size} if page_size else {}
    pages = list(s3.get_paginator("list_objects_v2").paginate(Bucket="listing-bucket", PaginationConfig=config))
    listed = [obj["Key"] for page in pages for obj in page["Contents"]]
    assert listed == utf8_order(keys)
    size = page_size or 1000
    assert [page["KeyCount"] for page in pages] == [size] * (2500 // size) + [2500 % size]
    assert [page["IsTruncated"] for page in pages] == [True] * (len(pages) - 1) + [False]
    assert pages[1]["ContinuationToken"] == pages[0]["NextContinuationToken"]  # echoed as given


@pytest.mark.parametrize("page_size", [None, 999])
def test_v1_paginator_returns_every_key_once(populated, page_size):
    _, s3, keys = populated
    config = {"PageSize": page_size} if page_size else {}
    pages = list(s3.get_paginator("list_objects").paginate(Bucket="listing-bucket", PaginationConfig=config))
    assert [obj["Key"] for page in pages for obj in page["Contents"]] == utf8_order(keys)
    assert "NextMarker" not in pages[0]  # S3 sends NextMarker only with a delimiter
    assert pages[1]["Marker"] == pages[0]["Contents"][-1]["Key"]
    assert pages[0]["Contents"][0]["Owner"]["ID"]  # v1 always names the owner


def test_delimiter_pages_never_repeat_a_common_prefix(populated):
    _, s3, keys = populated
    expected_prefixes = sorted({k.split("/")[0] + "/" for k in keys if "/" in k}, key=str.encode)
    expected_keys = utf8_order(k for k in keys if "/" not in k)
    for name in ("list_objects_v2", "list_objects"):
        pages = list(
            s3.get_paginator(name).paginate(Bucket="listing-bucket", Delimiter="/", PaginationConfig={"PageSize": 3})
        )
        prefixes = [p["Prefix"] for page in pages for p in page.get("CommonPrefixes", [])]
        listed = [o["Key"] for page in pages for o in page.get("Contents", [])]
        assert prefixes == expected_prefixes, name
        assert listed == expected_keys, name
    # "+", "a b", "a%2Bb", "a+b" then the CommonPrefix "a/", in UTF-8 byte order
    v1_first = s3.list_objects(Bucket="listing-bucket", Delimiter="/", MaxKeys=5)
    assert v1_first["IsTruncated"]
    assert [o["Key"] for o in v1_first["Contents"]] == ["+", "a b", "a%2Bb", "a+b"]
    assert v1_first["NextMarker"] == "a/"  # the last thing sent, a CommonPrefix here


def test_prefix_start_after_and_nested_delimiter(populated):
    _, s3, keys = populated
    under_a = s3.list_objects_v2(Bucket="listing-bucket", Prefix="a/", Delimiter="/")
    assert [p["Prefix"] for p in under_a["CommonPrefixes"]] == ["a/b+c/", "a/b/"]
    assert under_a["Prefix"] == "a/"
    after = s3.list_objects_v2(Bucket="listing-bucket", StartAfter="dir6/file 2480+é", Prefix="dir6/")
    expected = [k for k in utf8_order(keys) if k.startswith("dir6/") and k.encode() > "dir6/file 2480+é".encode()]
    assert [o["Key"] for o in after["Contents"]] == expected
    assert after["StartAfter"] == "dir6/file 2480+é"
    nothing = s3.list_objects_v2(Bucket="listing-bucket", MaxKeys=0)
    assert nothing["KeyCount"] == 0
    assert nothing["IsTruncated"] is False
    assert "Contents" not in nothing


def test_encoding_type_url_sends_plus_as_2b(populated):
    http = urllib3.PoolManager()
    encoded = http.request("GET", "https://listing-bucket.s3.amazonaws.com/?list-type=2&prefix=a&encoding-type=url")
    plain = http.request("GET", "https://listing-bucket.s3.amazonaws.com/?list-type=2&prefix=a")
    assert b"<Key>a%2Bb</Key>" in encoded.data
    assert b"<Key>a/b%2Bc/d</Key>" in encoded.data  # S3 leaves '/' as is
    assert b"<Key>a+b</Key>" in encoded.data  # the key "a b": a space travels as '+'
    assert b"<Key>a%252Bb</Key>" in encoded.data
    assert b"<EncodingType>url</EncodingType>" in encoded.data
    assert b"<Key>a+b</Key>" in plain.data
    assert b"<Key>a b</Key>" in plain.data
    assert b"EncodingType" not in plain.data


def test_keys_round_trip_through_botocore_decoding(populated):
    _, s3, _ = populated
    for key in AWKWARD:
        listed = s3.list_objects_v2(Bucket="listing-bucket", Prefix=key, MaxKeys=1)
        assert listed["Contents"][0]["Key"] == key


def test_fetch_owner_and_checksum_fields():
    with FakeS3(buckets=["owner-bucket"], isolate_environment=False) as fake:
        s3 = make_client(fake)
        s3.put_object(Bucket="owner-bucket", Key="k", Body=b"data", ChecksumAlgorithm="SHA256")
        without = s3.list_objects_v2(Bucket="owner-bucket")["Contents"][0]
        with_owner = s3.list_objects_v2(Bucket="owner-bucket", FetchOwner=True)["Contents"][0]
        assert "Owner" not in without
        assert len(with_owner["Owner"]["ID"]) == 64
        assert without["ChecksumAlgorithm"] == ["SHA256"]
        assert without["ChecksumType"] == "FULL_OBJECT"
        assert without["ETag"] == fake.buckets["owner-bucket"]["k"].etag
        assert without["Size"] == 4


def test_listing_parameter_errors():
    with FakeS3(buckets=["param-bucket"], isolate_environment=False) as fake:
        s3 = make_client(fake)
        s3.put_object(Bucket="param-bucket", Key="k", Body=b"x")
        assert s3.list_objects_v2(Bucket="param-bucket", MaxKeys=5000)["MaxKeys"] == 1000
        with pytest.raises(ClientError) as negative:
            s3.list_objects_v2(Bucket="param-bucket", MaxKeys=-1)
        assert error_code(negative) == "InvalidArgument"
        with pytest.raises(ClientError) as token:
            s3.list_objects_v2(Bucket="param-bucket", ContinuationToken="not-a-token")
        assert error_code(token) == "InvalidArgument"
        with pytest.raises(ClientError) as encoding:
            s3.list_objects_v2(Bucket="param-bucket", EncodingType="base64")
        assert error_code(encoding) == "InvalidArgument"
        with pytest.raises(ClientError) as missing:
            s3.list_objects_v2(Bucket="no-such-bucket")
        assert error_code(missing) == "NoSuchBucket"


def test_listing_needs_read_permission():
    credentials = {"FAKES3PUTOWNER000001": "owner-secret", "FAKES3PUTOTHER000002": "other-secret"}
    with FakeS3(credentials=credentials, buckets=["private-list"], isolate_environment=False) as fake:
        make_client(fake).put_object(Bucket="private-list", Key="k", Body=b"x")
        stranger = boto3.client(
            "s3",
            region_name="us-east-1",
            aws_access_key_id="FAKES3PUTOTHER000002",
            aws_secret_access_key="other-secret",
        )
        with pytest.raises(ClientError) as denied:
            stranger.list_objects_v2(Bucket="private-list")
        assert error_code(denied) == "AccessDenied"


def test_listing_respects_visibility_lag():
    with freeze_time("2025-01-15 12:00:00") as frozen:
        with FakeS3(buckets=["lag-list"], consistency="eventual", visibility_lag=5, isolate_environment=False) as fake:
            s3 = make_client(fake)
            s3.put_object(Bucket="lag-list", Key="late", Body=b"x")
            assert "Contents" not in s3.list_objects_v2(Bucket="lag-list")
            frozen.tick(5)
            assert [o["Key"] for o in s3.list_objects_v2(Bucket="lag-list")["Contents"]] == ["late"]
