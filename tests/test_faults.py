"""Injected faults exercise botocore's real retry logic, deterministically."""

from __future__ import annotations

import threading
import time

import pytest
import requests
from botocore.exceptions import ClientError, ConnectionClosedError
from freezegun import freeze_time

from fakes3put import BucketSpec, FakeS3, FakeS3Error

from .helpers import make_client


@pytest.fixture
def fake():
    with FakeS3(buckets=["fault-bucket"]) as started:
        yield started


def statuses(fake):
    return [(c.status, c.error_code, c.fault) for c in fake.calls]


@pytest.mark.parametrize(("kind", "status"), [("InternalError", 500), ("SlowDown", 503), ("RequestTimeout", 400)])
def test_error_faults_are_retried_by_default(fake, kind, status):
    fault = fake.faults.add(kind, operation="PutObject")
    s3 = make_client(fake)
    response = s3.put_object(Bucket="fault-bucket", Key="k", Body=b"x")
    assert response["ResponseMetadata"]["RetryAttempts"] == 1
    assert statuses(fake) == [(status, kind, kind), (200, None, None)]
    assert fault.fired == 1
    assert fake.buckets["fault-bucket"]["k"].body == b"x"
    assert [w.outcome for w in fake.writes] == ["rejected", "stored"]


@pytest.mark.parametrize("kind", ["InternalError", "SlowDown", "RequestTimeout"])
def test_error_faults_surface_with_retries_off(fake, kind):
    fake.faults.add(kind, operation="PutObject")
    s3 = make_client(fake, retries={"total_max_attempts": 1, "mode": "standard"})
    with pytest.raises(ClientError) as raised:
        s3.put_object(Bucket="fault-bucket", Key="k", Body=b"x")
    assert raised.value.response["Error"]["Code"] == kind
    assert "k" not in fake.buckets["fault-bucket"]


def test_nth_and_times_select_the_calls(fake):
    fake.faults.add("SlowDown", operation="PutObject", key="k", nth=2, times=2)
    s3 = make_client(fake, retries={"total_max_attempts": 1, "mode": "standard"})
    outcomes = []
    for _ in range(4):
        try:
            s3.put_object(Bucket="fault-bucket", Key="k", Body=b"x")
            outcomes.append("ok")
        except ClientError as error:
            outcomes.append(error.response["Error"]["Code"])
    s3.put_object(Bucket="fault-bucket", Key="other", Body=b"y")  # other keys never match
    assert outcomes == ["ok", "SlowDown", "SlowDown", "ok"]
    assert [f.key for f in fake.faults.fired] == ["k", "k"]


def test_reset_before_commit_stores_nothing_and_botocore_retries(fake):
    fake.faults.add("reset-before-commit", operation="PutObject")
    s3 = make_client(fake)
    s3.put_object(Bucket="fault-bucket", Key="k", Body=b"x")
    assert [(w.outcome, w.error_code) for w in fake.writes] == [("rejected", "ConnectionReset"), ("stored", None)]
    assert [c.fault for c in fake.calls] == ["reset-before-commit", None]


def test_reset_after_commit_is_stored_and_the_retry_duplicates_it(fake):
    fake.faults.add("reset-after-commit", operation="PutObject")
    s3 = make_client(fake)
    s3.put_object(Bucket="fault-bucket", Key="k", Body=b"x")
    assert [w.outcome for w in fake.writes] == ["superseded", "stored"]
    assert fake.writes[0].etag == fake.writes[1].etag  # the same body, written twice
    assert [c.fault for c in fake.calls] == ["reset-after-commit", None]


def test_reset_after_commit_with_retries_off_is_a_lost_acknowledgement(fake):
    fake.faults.add("reset-after-commit", operation="PutObject")
    s3 = make_client(fake, retries={"total_max_attempts": 1, "mode": "standard"})
    with pytest.raises(ConnectionClosedError):
        s3.put_object(Bucket="fault-bucket", Key="k", Body=b"x")
    assert fake.buckets["fault-bucket"]["k"].body == b"x"  # stored although the client was told nothing
    assert [w.outcome for w in fake.writes] == ["lost-ack"]


def test_reset_reaches_requests_as_connection_error():
    with FakeS3(buckets=[BucketSpec("open-bucket", acl="public-read-write")]) as fake:
        fake.faults.add("reset-before-commit")
        with pytest.raises(requests.ConnectionError):
            requests.put("https://open-bucket.s3.amazonaws.com/k", data=b"x", timeout=5)
        assert "k" not in fake.buckets["open-bucket"]


def test_latency_delays_the_answer_and_the_receipt_not_the_clock():
    """A slow request is received after a quick one sent later; the fake's clock is never shifted."""
    with freeze_time("2025-01-15 12:00:00"), FakeS3(buckets=["fault-bucket"]) as fake:
        fake.faults.add("latency", operation="PutObject", key="slow", latency=0.5)
        s3 = make_client(fake)
        slow = threading.Thread(target=s3.put_object, kwargs={"Bucket": "fault-bucket", "Key": "slow", "Body": b"1"})
        slow.start()
        while not fake.faults.fired:  # the slow request is inside the fake, waiting out its latency
            time.sleep(0.001)
        s3.put_object(Bucket="fault-bucket", Key="quick", Body=b"2")
        slow.join()
        received = sorted((w.received, w.key) for w in fake.writes if w.received is not None)
        assert [key for _, key in received] == ["quick", "slow"]
        assert fake.now().isoformat() == "2025-01-15T12:00:00+00:00"
        assert fake.buckets["fault-bucket"]["slow"].last_modified == fake.now()


def test_latency_never_makes_a_correct_clients_clock_look_skewed(fake):
    fake.faults.add("latency", latency=0.001, times=None)
    s3 = make_client(fake)
    for n in range(30):
        s3.put_object(Bucket="fault-bucket", Key=f"k{n}", Body=b"x")
    fake.faults.clear()
    s3.put_object(Bucket="fault-bucket", Key="after", Body=b"x")
    assert all(call.ok for call in fake.calls), [c.describe() for c in fake.calls if not c.ok]


def test_same_faults_give_the_same_log_twice():
    def run():
        with FakeS3(buckets=["fault-bucket"]) as fake:
            # InternalError, not SlowDown: botocore backs off 20 times longer (real sleeps) after a throttling error.
            fake.faults.add("InternalError", operation="PutObject", nth=2, times=2)
            s3 = make_client(fake)
            for n in range(3):
                s3.put_object(Bucket="fault-bucket", Key=f"k{n}", Body=b"x")
            return [(c.operation, c.status, c.fault, c.request_id) for c in fake.calls]

    first = run()
    assert [status for _, status, fault, _ in first if fault] == [500, 500]  # retried, then stored
    assert first == run()


def test_unknown_fault_kind_is_refused(fake):
    with pytest.raises(FakeS3Error, match="unknown fault kind"):
        fake.faults.add("Meltdown")
