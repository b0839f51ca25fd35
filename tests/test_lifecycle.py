"""Every way to start a fake: context manager, start/stop, decorators, nesting; and how it stops."""

from __future__ import annotations

import asyncio
import unittest
from datetime import UTC, datetime

import boto3
import pytest
import requests
from urllib3.connectionpool import HTTPConnectionPool

from fakes3put import BucketSpec, FakeS3, FakeS3InternalError, InterceptorConflictError, UnhandledRequestError

from .helpers import make_client

ORIGINAL_URLOPEN = HTTPConnectionPool.urlopen


def put(fake: FakeS3, bucket: str, key: str, body: bytes) -> None:
    make_client(fake).put_object(Bucket=bucket, Key=key, Body=body)


def test_context_manager_patches_and_unpatches():
    with FakeS3(buckets=["cm-bucket"]) as fake:
        assert HTTPConnectionPool.urlopen is not ORIGINAL_URLOPEN
        put(fake, "cm-bucket", "k", b"v")
    assert HTTPConnectionPool.urlopen is ORIGINAL_URLOPEN
    assert fake.buckets["cm-bucket"]["k"].body == b"v"  # state stays inspectable after exit


def test_start_stop_and_restart_keep_state():
    fake = FakeS3(buckets=["ss-bucket"])
    fake.start()
    try:
        put(fake, "ss-bucket", "k", b"v1")
    finally:
        fake.stop()
    fake.stop()  # a second stop is harmless
    fake.start()
    try:
        assert make_client(fake).get_object(Bucket="ss-bucket", Key="k")["Body"].read() == b"v1"
    finally:
        fake.stop()
    assert HTTPConnectionPool.urlopen is ORIGINAL_URLOPEN


def test_reset_restores_constructor_state():
    with FakeS3(buckets=["reset-bucket"]) as fake:
        put(fake, "reset-bucket", "k", b"v")
        make_client(fake).create_bucket(Bucket="extra-bucket")
        fake.reset()
        assert list(fake.buckets) == ["reset-bucket"]
        assert len(fake.buckets["reset-bucket"]) == 0
        assert fake.calls == []
        assert fake.writes == []


decorated_fake = FakeS3(buckets=["deco-bucket"])


@decorated_fake
def test_decorator_on_sync_function():
    put(decorated_fake, "deco-bucket", "k", b"sync")
    assert decorated_fake.buckets["deco-bucket"]["k"].body == b"sync"


@decorated_fake
def test_decorator_gives_each_call_a_clean_store():
    assert len(decorated_fake.buckets["deco-bucket"]) == 0


@FakeS3(buckets=["kw-bucket"], as_kwarg="s3fake")
def test_decorator_injects_the_fake(s3fake):
    put(s3fake, "kw-bucket", "k", b"injected")
    assert s3fake.buckets["kw-bucket"]["k"].body == b"injected"


def test_decorator_on_coroutine_function():
    fake = FakeS3(buckets=["async-bucket"])

    @fake
    async def scenario() -> bool:
        await asyncio.sleep(0)
        put(fake, "async-bucket", "k", b"async")
        return HTTPConnectionPool.urlopen is not ORIGINAL_URLOPEN

    assert asyncio.run(scenario()) is True
    assert fake.buckets["async-bucket"]["k"].body == b"async"
    assert HTTPConnectionPool.urlopen is ORIGINAL_URLOPEN


@FakeS3(buckets=["case-bucket"])
class DecoratedTestCase(unittest.TestCase):
    fake_s3: FakeS3

    def test_first(self):
        put(self.fake_s3, "case-bucket", "first", b"1")
        assert list(self.fake_s3.buckets["case-bucket"]) == ["first"]

    def test_second_sees_a_clean_store(self):
        put(self.fake_s3, "case-bucket", "second", b"2")
        assert list(self.fake_s3.buckets["case-bucket"]) == ["second"]


def test_decorating_other_classes_is_refused():
    with pytest.raises(TypeError, match="TestCase"):
        FakeS3()(type("Plain", (), {}))


def test_nested_fakes_fall_through_to_the_owner_of_the_bucket():
    outer = FakeS3(buckets=["outer-bucket"])
    inner = FakeS3(buckets=["inner-bucket"])
    with outer, inner:
        s3 = make_client(inner)
        s3.put_object(Bucket="inner-bucket", Key="k", Body=b"i")
        outer_client = make_client(outer)
        outer_client.put_object(Bucket="outer-bucket", Key="k", Body=b"o")
        s3.create_bucket(Bucket="new-bucket")  # nobody has it: the most recent fake answers
    assert inner.buckets["inner-bucket"]["k"].body == b"i"
    assert outer.buckets["outer-bucket"]["k"].body == b"o"
    assert "new-bucket" in inner.buckets
    assert "new-bucket" not in outer.buckets
    assert HTTPConnectionPool.urlopen is ORIGINAL_URLOPEN


def test_patch_stays_until_the_last_fake_stops():
    first, second = FakeS3(), FakeS3()
    first.start()
    second.start()
    first.stop()
    assert HTTPConnectionPool.urlopen is not ORIGINAL_URLOPEN
    second.stop()
    assert HTTPConnectionPool.urlopen is ORIGINAL_URLOPEN


def test_passthrough_false_names_the_request():
    with (
        FakeS3(passthrough=False, endpoints=["http://localhost:9000"]),
        pytest.raises(UnhandledRequestError) as refused,
    ):
        requests.get("http://unowned.example.test:8080/path?q=1", timeout=5)
    message = str(refused.value)
    assert "GET http://unowned.example.test:8080/path?q=1" in message
    assert "http://localhost:9000" in message
    assert isinstance(refused.value, AssertionError)


def test_moto_active_is_refused_loudly():
    moto = pytest.importorskip("moto")
    with moto.mock_aws(), pytest.raises(InterceptorConflictError, match="mock_aws"):
        FakeS3().start()
    assert HTTPConnectionPool.urlopen is ORIGINAL_URLOPEN


def test_internal_error_answers_500_and_fails_at_stop():
    calls = {"n": 0}

    def flaky_clock() -> datetime:
        calls["n"] += 1
        if calls["n"] > 1:  # the constructor reads it once for the initial buckets
            raise RuntimeError("clock broke")
        return datetime(2025, 1, 1, tzinfo=UTC)

    fake = FakeS3(buckets=[BucketSpec("ie-bucket", acl="public-read-write")], clock=flaky_clock)
    fake.start()
    response = requests.put("https://ie-bucket.s3.amazonaws.com/k", data=b"x", timeout=5)
    assert response.status_code == 500
    assert "<Code>InternalError</Code>" in response.text
    assert "k" not in fake.buckets["ie-bucket"]
    with pytest.raises(FakeS3InternalError, match="clock broke"):
        fake.stop()
    assert HTTPConnectionPool.urlopen is ORIGINAL_URLOPEN


def test_internal_error_does_not_mask_the_body_exception():
    def broken_clock() -> datetime:
        raise RuntimeError("clock broke")

    fake = FakeS3(clock=broken_clock)

    def scenario() -> None:
        with fake:
            requests.get("https://s3.amazonaws.com/some-bucket/k", timeout=5)
            raise KeyError("the test's own failure")

    with pytest.raises(KeyError) as raised:
        scenario()
    assert any("clock broke" in note for note in raised.value.__notes__)


def test_client_body_errors_reach_the_client():
    class ExplodingBody:
        def read(self, *args):
            raise OSError("disk gone")

    with FakeS3(buckets=[BucketSpec("body-bucket", acl="public-read-write")]) as fake:
        with pytest.raises(OSError, match="disk gone"):
            requests.put(
                "https://body-bucket.s3.amazonaws.com/k",
                data=ExplodingBody(),
                headers={"Content-Length": "4"},
                timeout=5,
            )
        assert len(fake.buckets["body-bucket"]) == 0
        assert fake.calls == []


def test_plain_boto3_client_works_inside_the_fixture(fake_s3):
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="plain-bucket")
    assert fake_s3.calls[-1].principal == fake_s3.access_key


@pytest.mark.fakes3put(buckets=["marked-bucket"], region="eu-west-1")
def test_marker_kwargs_reach_the_constructor(fake_s3):
    assert fake_s3.region == "eu-west-1"
    assert fake_s3.buckets["marked-bucket"].region == "eu-west-1"
