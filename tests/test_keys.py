"""Keys are percent-decoded exactly once and round-trip byte for byte."""

from __future__ import annotations

import pytest
import requests

from fakes3put import BucketSpec, FakeS3

from .helpers import make_client

KEYS = [
    "a/../b",
    "//x",
    "/lead",
    "./x",
    "a//b",
    "a+b",
    "a b",
    "ü",
    "日本語/emoji😀",
    "p%20",
    "q?x=1",
    "h#x",
    "eq=;:@&$,!'()*",
    "tab\tnl\n",
    "~tilde",
]


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("endpoint", [None, "http://localhost:9000"], ids=["aws-virtual", "custom-path"])
def test_boto3_keys_round_trip(key, endpoint):
    with FakeS3(endpoints=["http://localhost:9000"]) as fake:
        s3 = make_client(fake, endpoint_url=endpoint)
        s3.create_bucket(Bucket="keys")
        s3.put_object(Bucket="keys", Key=key, Body=key.encode())
        assert list(fake.buckets["keys"]) == [key]
        assert s3.get_object(Bucket="keys", Key=key)["Body"].read() == key.encode()


def test_literal_plus_in_path_follows_s3_and_is_configurable():
    for plus_is_space, expected in [(True, "a b"), (False, "a+b")]:
        with FakeS3(
            buckets=[BucketSpec("plus-bucket", acl="public-read-write")], literal_plus_is_space=plus_is_space
        ) as fake:
            assert requests.put("https://plus-bucket.s3.amazonaws.com/a+b", data=b"x", timeout=5).status_code == 200
            assert list(fake.buckets["plus-bucket"]) == [expected]


def test_invalid_utf8_in_key_is_invalid_uri():
    with FakeS3(buckets=[BucketSpec("utf-bucket", acl="public-read-write")]) as fake:
        response = requests.put("https://utf-bucket.s3.amazonaws.com/%FF%FE", data=b"x", timeout=5)
        assert response.status_code == 400
        assert "<Code>InvalidURI</Code>" in response.text
        assert len(fake.buckets["utf-bucket"]) == 0
