"""The same fake through requests, plain urllib3 and the minio SDK."""

from __future__ import annotations

import hashlib
import io

import pytest
import requests
import responses
import urllib3
from minio import Minio
from requests_aws4auth import AWS4Auth

from fakes3put import BucketSpec, FakeS3

OPEN_BUCKET = BucketSpec("open-bucket", acl="public-read-write")


@pytest.mark.fakes3put(buckets=[OPEN_BUCKET])
def test_requests_put_anonymous_to_public_bucket(fake_s3):
    response = requests.put(
        "https://open-bucket.s3.amazonaws.com/notes/a.txt",
        data=b"from requests",
        headers={"Content-Type": "text/plain", "x-amz-meta-Who": "requests"},
        timeout=5,
    )
    assert response.status_code == 200
    assert response.headers["ETag"] == f'"{hashlib.md5(b"from requests").hexdigest()}"'
    obj = fake_s3.buckets["open-bucket"]["notes/a.txt"]
    assert obj.body == b"from requests"
    assert obj.metadata == {"who": "requests"}
    assert fake_s3.calls[-1].principal is None


@pytest.mark.fakes3put(buckets=["quotes"])
def test_requests_anonymous_to_private_bucket_is_denied_with_xml(fake_s3):
    response = requests.put("https://s3.amazonaws.com/quotes/Neo", data=b"woah", timeout=5)
    assert response.status_code == 403
    assert response.headers["Content-Type"] == "application/xml"
    assert "<Code>AccessDenied</Code>" in response.text
    assert "Neo" not in fake_s3.buckets["quotes"]


@pytest.mark.fakes3put(buckets=["quotes"])
def test_requests_signed_with_aws4auth(fake_s3):
    auth = AWS4Auth(fake_s3.access_key, fake_s3.secret_key, "us-east-1", "s3")
    response = requests.put("https://quotes.s3.amazonaws.com/Neo", data=b"woah", auth=auth, timeout=5)
    assert response.status_code == 200, response.text
    assert fake_s3.buckets["quotes"]["Neo"].body == b"woah"
    assert fake_s3.calls[-1].principal == fake_s3.access_key


@pytest.mark.fakes3put(buckets=[OPEN_BUCKET])
def test_requests_body_shapes(fake_s3):
    def generator():
        yield b"gen"
        yield "erator"

    url = "https://open-bucket.s3.amazonaws.com/"
    assert requests.put(url + "str", data="text body é", timeout=5).status_code == 200
    assert requests.put(url + "file", data=io.BytesIO(b"file body"), timeout=5).status_code == 200
    sized = requests.put(url + "gen", data=generator(), headers={"Content-Length": "9"}, timeout=5)
    assert sized.status_code == 200
    # Without a size, requests sends Transfer-Encoding: chunked, which S3 answers with 501.
    unsized = requests.put(url + "unsized", data=generator(), timeout=5)
    assert unsized.status_code == 501
    assert "<Header>Transfer-Encoding</Header>" in unsized.text
    bucket = fake_s3.buckets["open-bucket"]
    assert bucket["str"].body == "text body é".encode()
    assert bucket["file"].body == b"file body"
    assert bucket["gen"].body == b"generator"
    assert "unsized" not in bucket


@pytest.mark.fakes3put(buckets=[OPEN_BUCKET], accept_chunked_transfer=True)
def test_unsized_chunked_body_when_accepted(fake_s3):
    response = requests.put("https://open-bucket.s3.amazonaws.com/g", data=iter([b"a", b"b"]), timeout=5)
    assert response.status_code == 200
    assert fake_s3.buckets["open-bucket"]["g"].body == b"ab"


@pytest.mark.fakes3put(buckets=[OPEN_BUCKET])
def test_urllib3_pool_manager_with_bytes_headers(fake_s3):
    http = urllib3.PoolManager()
    response = http.request(
        "PUT",
        "https://s3.us-east-1.amazonaws.com/open-bucket/u",
        body=b"urllib3",
        headers={"Content-Type": b"application/octet-stream", "x-amz-meta-k": b"v"},  # type: ignore[dict-item]
    )
    assert response.status == 200
    obj = fake_s3.buckets["open-bucket"]["u"]
    assert obj.body == b"urllib3"
    assert obj.metadata == {"k": "v"}
    got = http.request("GET", "https://s3.us-east-1.amazonaws.com/open-bucket/u")
    assert got.status == 200
    assert got.data == b"urllib3"


@pytest.mark.fakes3put(endpoints=["http://localhost:9000"])
def test_minio_put_object(fake_s3):
    client = Minio(
        "localhost:9000",
        access_key=fake_s3.access_key,
        secret_key=fake_s3.secret_key,
        secure=False,
        region="us-east-1",
    )
    client.make_bucket("minio-bucket")
    client.put_object(
        "minio-bucket",
        "m/obj.txt",
        io.BytesIO(b"from minio"),
        length=10,
        content_type="text/plain",
        metadata={"x-amz-meta-source": "minio"},
    )
    obj = fake_s3.buckets["minio-bucket"]["m/obj.txt"]
    assert obj.body == b"from minio"
    assert obj.content_type == "text/plain"
    assert obj.metadata == {"source": "minio"}
    assert client.get_object("minio-bucket", "m/obj.txt").read() == b"from minio"


@pytest.mark.fakes3put(endpoints=["http://localhost:9000"])
def test_minio_without_region_asks_bucket_location(fake_s3):
    client = Minio("localhost:9000", access_key=fake_s3.access_key, secret_key=fake_s3.secret_key, secure=False)
    client.make_bucket("loc-bucket")
    fresh = Minio("localhost:9000", access_key=fake_s3.access_key, secret_key=fake_s3.secret_key, secure=False)
    fresh.put_object("loc-bucket", "k", io.BytesIO(b"abc"), length=3)
    assert fake_s3.buckets["loc-bucket"]["k"].body == b"abc"
    assert "GetBucketLocation" in [c.operation for c in fake_s3.calls]


def test_unknown_hosts_pass_through_by_default():
    seen = []
    with responses.RequestsMock() as mock:
        mock.add(responses.GET, "https://example.org/x", body="not s3")
        with FakeS3() as fake:
            assert requests.get("https://example.org/x", timeout=5).text == "not s3"
            seen = list(fake.calls)
    assert seen == []
