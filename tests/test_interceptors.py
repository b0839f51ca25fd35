"""moto's mock_aws started inside a running fake is refused loudly (moto started first: test_lifecycle)."""

from __future__ import annotations

import contextlib

import boto3
import pytest
from urllib3.connectionpool import HTTPConnectionPool

from fakes3put import FakeS3, InterceptorConflictError

from .helpers import make_client

moto = pytest.importorskip("moto")
stubber_module = pytest.importorskip("moto.core.botocore_stubber")

ORIGINAL_URLOPEN = HTTPConnectionPool.urlopen
ORIGINAL_STUBBER_CALL = stubber_module.BotocoreStubber.__call__


def test_moto_started_inside_a_running_fake_fails_the_request_loudly():
    fake = FakeS3(buckets=["owned"])
    with pytest.raises(InterceptorConflictError, match="started while a FakeS3 runs") as refused, fake:
        with moto.mock_aws():
            make_client(fake).put_object(Bucket="owned", Key="k", Body=b"x")
    assert "owned" in str(refused.value)
    assert fake.calls == []  # moto's hook would have answered: nothing reached the fake
    assert stubber_module.BotocoreStubber.__call__ is ORIGINAL_STUBBER_CALL  # the guard is out


def test_a_swallowed_refusal_is_raised_again_when_the_fake_stops():
    fake = FakeS3(buckets=["owned"])
    with pytest.raises(InterceptorConflictError, match="started while a FakeS3 runs"), fake, moto.mock_aws():
        with contextlib.suppress(InterceptorConflictError):  # code under test that catches everything
            make_client(fake).put_object(Bucket="owned", Key="k", Body=b"x")


def test_moto_may_answer_endpoints_no_fake_owns():
    with FakeS3(aws=False, endpoints=["http://localhost:9000"]), moto.mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="moto-bucket")
        assert [b["Name"] for b in s3.list_buckets()["Buckets"]] == ["moto-bucket"]
