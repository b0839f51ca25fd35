"""A fault rule that could never fire as written is refused when added, saying what is valid."""

from __future__ import annotations

from datetime import timedelta

import pytest

from fakes3put import FakeS3, FakeS3Error

from .helpers import make_client


@pytest.fixture
def fake():
    with FakeS3(buckets=["rules-bucket"]) as started:
        yield started


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"operation": "PutObjects"}, "did you mean 'PutObject'?"),
        ({"operation": "putobject"}, "did you mean 'PutObject'?"),
        ({"operation": "Frobnicate"}, "known: AbortMultipartUpload"),
        ({"operation": 3}, "operation must be a str"),
        ({"nth": 1.5}, "nth counts matching requests from 1"),
        ({"nth": True}, "nth counts matching requests from 1"),
        ({"nth": "2"}, "nth counts matching requests from 1"),
        ({"nth": 0}, "nth counts matching requests from 1"),
        ({"times": 0}, "times counts matching requests from 1"),
        ({"times": 2.0}, "times counts matching requests from 1"),
        ({"latency": 1.0}, "latency= applies only to kind 'latency'"),
        ({"bucket": b"rules-bucket"}, "bucket must be a str or None"),
    ],
)
def test_a_rule_that_cannot_fire_is_refused(fake, kwargs, message):
    with pytest.raises(FakeS3Error, match=message) as excinfo:
        fake.faults.add("SlowDown", **kwargs)
    assert "Traceback" not in str(excinfo.value)
    assert fake.faults.rules == []


@pytest.mark.parametrize(
    ("kind", "message"),
    [("Slowdown", "did you mean 'SlowDown'?"), ("reset_after_commit", "did you mean 'reset-after-commit'?")],
)
def test_an_unknown_kind_names_the_closest_and_every_valid_one(fake, kind, message):
    with pytest.raises(FakeS3Error, match=message) as excinfo:
        fake.faults.add(kind)
    assert "InternalError" in str(excinfo.value)
    assert "latency" in str(excinfo.value)


@pytest.mark.parametrize("latency", [float("nan"), float("inf"), -1, 0, True, "2", 1e300, timedelta(0)], ids=repr)
def test_a_latency_fault_needs_a_finite_positive_delay(fake, latency):
    with pytest.raises(FakeS3Error, match="latency"):
        fake.faults.add("latency", latency=latency)
    with pytest.raises(FakeS3Error, match="latency"):
        fake.faults.add("latency")


def test_valid_rules_including_not_implemented_operations_are_accepted(fake):
    fake.faults.add("latency", operation="PutObject", latency=timedelta(seconds=2))
    fake.faults.add("latency", latency=0.5)
    fake.faults.add("InternalError", operation="GetBucketPolicy", nth=2, times=None)
    fake.faults.add("reset-after-commit", operation="ListObjectsV2", bucket="rules-bucket", key="k")
    assert len(fake.faults.rules) == 4


def test_an_accepted_rule_fires(fake):
    fake.faults.add("SlowDown", operation="HeadBucket", times=1)
    make_client(fake).head_bucket(Bucket="rules-bucket")  # botocore retries the 503
    assert [(c.status, c.fault) for c in fake.calls] == [(503, "SlowDown"), (200, None)]
