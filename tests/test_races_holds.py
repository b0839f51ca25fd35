"""simultaneous(expect=N) holds for threaded code, conditional writes under contention."""

from __future__ import annotations

import io
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest
import requests
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError

from fakes3put import SimultaneousTimeoutError

from .helpers import make_client


@pytest.fixture
def s3(fake_s3):
    client = make_client(fake_s3, max_pool_connections=16)
    client.create_bucket(Bucket="hold-bucket")
    return client


def test_hold_receives_in_chosen_order_and_answers_after_receipt(fake_s3, s3):
    def writer(n):
        return s3.put_object(Bucket="hold-bucket", Key="k", Body=f"w{n}".encode())["ETag"]

    with ThreadPoolExecutor(4) as pool, fake_s3.simultaneous(expect=4, order="reverse") as hold:
        futures = [pool.submit(writer, n) for n in range(4)]
    etags = [f.result() for f in futures]
    assert sorted(etags) == sorted(w.etag for w in hold.writes)
    assert hold.receipt_order == [3, 2, 1, 0]
    received = sorted(hold.writes, key=lambda w: w.received)
    assert received[-1] is hold.writes[0]  # the first to arrive was received last, so it won
    assert fake_s3.buckets["hold-bucket"]["k"].etag == hold.writes[0].etag
    assert [w.outcome for w in received] == ["superseded"] * 3 + ["stored"]


def test_hold_timeout_names_what_arrived(fake_s3, s3):
    with ThreadPoolExecutor(1) as pool:
        with pytest.raises(SimultaneousTimeoutError, match=r"waiting for 2 writes.*PutObject hold-bucket/lonely"):
            with fake_s3.simultaneous(expect=2, timeout=0.3):
                future = pool.submit(s3.put_object, Bucket="hold-bucket", Key="lonely", Body=b"x")
        with pytest.raises(ClientError, match="simultaneous hold failed") as told:
            future.result(timeout=10)
        assert told.value.response["Error"]["Code"] == "FakeS3HoldTimeout"
    assert "lonely" not in fake_s3.buckets["hold-bucket"]
    assert fake_s3.writes[-1].outcome == "rejected"


def test_s3transfer_threads_through_a_hold(fake_s3, s3):
    config = TransferConfig(max_concurrency=4, use_threads=True)
    with ThreadPoolExecutor(3) as pool, fake_s3.simultaneous(expect=3, order="shuffle", seed=3) as hold:
        futures = [
            pool.submit(s3.upload_fileobj, io.BytesIO(f"file {n}".encode()), "hold-bucket", f"f{n}", Config=config)
            for n in range(3)
        ]
    for future in futures:
        future.result()
    assert sorted(fake_s3.buckets["hold-bucket"]) == ["f0", "f1", "f2"]
    assert sorted(w.received for w in hold.writes) == [
        w.received for w in sorted(hold.writes, key=lambda w: w.received)
    ]


def test_create_only_under_contention_has_exactly_one_winner_per_key(fake_s3, s3):
    keys = [f"lock-{n}" for n in range(100)]
    results: dict[str, list[str]] = {key: [] for key in keys}
    lock = threading.Lock()

    def contender(thread):
        client = boto3.client(
            "s3",
            region_name="us-east-1",
            aws_access_key_id=fake_s3.access_key,
            aws_secret_access_key=fake_s3.secret_key,
        )
        # Two passes over the keys: the first races for each key, the second must all be refused.
        for attempt in range(2 * len(keys)):
            key = keys[(attempt + thread * 13) % len(keys)]
            try:
                client.put_object(Bucket="hold-bucket", Key=key, Body=f"{thread}".encode(), IfNoneMatch="*")
                outcome = "won"
            except ClientError as error:
                outcome = error.response["Error"]["Code"]
            with lock:
                results[key].append(outcome)

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(contender, range(8)))

    for key in keys:
        assert results[key].count("won") == 1, key
        assert set(results[key]) <= {"won", "PreconditionFailed", "ConditionalRequestConflict"}
    assert sum(len(r) for r in results.values()) == 8 * 2 * len(keys)
    winners = [w for w in fake_s3.writes if w.operation == "PutObject" and w.outcome == "stored"]
    assert len(winners) == 100


@pytest.mark.parametrize("order", ["sent", "reverse"])
def test_conditional_writes_in_a_hold_have_one_winner_in_any_order(fake_s3, s3, order):
    def writer(n):
        try:
            s3.put_object(Bucket="hold-bucket", Key="once", Body=f"w{n}".encode(), IfNoneMatch="*")
        except ClientError as error:
            return error.response["Error"]["Code"]
        return "won"

    with ThreadPoolExecutor(3) as pool, fake_s3.simultaneous(expect=3, order=order):
        futures = [pool.submit(writer, n) for n in range(3)]
    outcomes = sorted(f.result() for f in futures)
    assert outcomes == ["ConditionalRequestConflict", "ConditionalRequestConflict", "won"]
    stored = [w for w in fake_s3.writes if w.key == "once" and w.outcome == "stored"]
    assert len(stored) == 1
    assert fake_s3.buckets["hold-bucket"]["once"].etag == stored[0].etag


def test_body_is_read_without_holding_a_lock(fake_s3, s3):
    """A body whose read() calls the fake again (same thread) must not deadlock."""
    http = boto3.client(
        "s3", region_name="us-east-1", aws_access_key_id=fake_s3.access_key, aws_secret_access_key=fake_s3.secret_key
    )

    class ReentrantBody(io.RawIOBase):
        def __init__(self):
            self.done = False

        def readable(self):
            return True

        def readinto(self, buffer):
            if self.done:
                return 0
            http.put_object(Bucket="hold-bucket", Key="nested", Body=b"from inside a read")
            self.done = True
            buffer[:5] = b"outer"
            return 5

    # requests streams a file-like body; the fake reads it once, outside every lock.
    s3.put_bucket_acl(Bucket="hold-bucket", ACL="public-read-write")
    response = requests.put(
        "https://hold-bucket.s3.amazonaws.com/outer", data=ReentrantBody(), headers={"Content-Length": "5"}, timeout=10
    )
    assert response.status_code == 200
    assert fake_s3.buckets["hold-bucket"]["nested"].body == b"from inside a read"
    assert fake_s3.buckets["hold-bucket"]["outer"].body == b"outer"


def _wait_until(ready, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not ready():
        assert time.monotonic() < deadline, "the writes never arrived"
        time.sleep(0.005)


@pytest.mark.parametrize(("order", "y_survives"), [([0, 1, 2], True), ([0, 2, 1], False)])
def test_delete_objects_keys_are_separate_arrivals_in_a_hold(fake_s3, s3, order, y_survives):
    # S3 deletes the keys of one DeleteObjects one by one: another writer's PUT can land between them.
    for key in ("x", "y"):
        s3.put_object(Bucket="hold-bucket", Key=key, Body=b"old")
    objects = {"Objects": [{"Key": "x"}, {"Key": "y"}]}
    with ThreadPoolExecutor(2) as pool:
        with fake_s3.simultaneous(expect=3, order=order, timeout=10) as hold:
            deleting = pool.submit(s3.delete_objects, Bucket="hold-bucket", Delete=objects)
            _wait_until(lambda: len(hold.writes) == 2)  # both keys arrived: the PUT is sent third
            putting = pool.submit(s3.put_object, Bucket="hold-bucket", Key="y", Body=b"new")
        result = deleting.result(timeout=10)
        putting.result(timeout=10)
    assert sorted(d["Key"] for d in result["Deleted"]) == ["x", "y"]
    assert [(w.operation, w.key) for w in hold.writes] == [
        ("DeleteObjects", "x"),
        ("DeleteObjects", "y"),
        ("PutObject", "y"),
    ]
    assert hold.receipt_order == order
    assert "x" not in fake_s3.buckets["hold-bucket"]
    assert ("y" in fake_s3.buckets["hold-bucket"]) is y_survives
    if y_survives:
        assert fake_s3.buckets["hold-bucket"]["y"].body == b"new"


def test_delete_objects_keys_beyond_the_hold_are_received_at_once(fake_s3, s3):
    for key in ("a", "b", "c"):
        s3.put_object(Bucket="hold-bucket", Key=key, Body=b"old")
    with fake_s3.simultaneous(expect=2, order="reverse", timeout=10) as hold:
        result = s3.delete_objects(Bucket="hold-bucket", Delete={"Objects": [{"Key": "a"}, {"Key": "b"}, {"Key": "c"}]})
    assert sorted(d["Key"] for d in result["Deleted"]) == ["a", "b", "c"]
    assert [w.key for w in hold.writes] == ["a", "b"]
    deletes = [w for w in fake_s3.writes if w.operation == "DeleteObjects"]
    assert [w.key for w in sorted(deletes, key=lambda w: w.received)] == ["b", "a", "c"]
    assert list(fake_s3.buckets["hold-bucket"]) == []


def test_a_failed_hold_leaves_no_delete_objects_key_pending(fake_s3, s3):
    for key in ("a", "b", "c"):
        s3.put_object(Bucket="hold-bucket", Key=key, Body=b"old")
    objects = {"Objects": [{"Key": "a"}, {"Key": "b"}, {"Key": "c"}]}
    with pytest.raises(SimultaneousTimeoutError, match="could not be resolved"):
        with fake_s3.simultaneous(expect=2, order=[0, 1, 2], timeout=5):  # not a permutation of 2 writes
            with pytest.raises(ClientError) as refused:
                s3.delete_objects(Bucket="hold-bucket", Delete=objects)
    assert refused.value.response["Error"]["Code"] == "FakeS3HoldTimeout"  # nothing received: the request fails
    deletes = [w for w in fake_s3.writes if w.operation == "DeleteObjects"]
    assert [(w.key, w.outcome, w.error_code) for w in deletes] == [
        (key, "rejected", "FakeS3HoldTimeout") for key in ("a", "b", "c")
    ]
    assert sorted(fake_s3.buckets["hold-bucket"]) == ["a", "b", "c"]
