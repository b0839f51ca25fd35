"""simultaneous() windows for single-threaded code: acknowledged at once, received in the chosen order."""

from __future__ import annotations

import pytest

from fakes3put import FakeS3, FakeS3Error

from .helpers import make_client


@pytest.fixture
def s3(fake_s3):
    client = make_client(fake_s3)
    client.create_bucket(Bucket="race-bucket")
    return client


def body(s3, key="k"):
    return s3.get_object(Bucket="race-bucket", Key=key)["Body"].read()


def put_three(s3):
    return [s3.put_object(Bucket="race-bucket", Key="k", Body=f"v{n}".encode()) for n in range(3)]


@pytest.mark.parametrize(
    ("order", "winner", "receipt"),
    [
        ("sent", b"v2", [0, 1, 2]),
        ("reverse", b"v0", [2, 1, 0]),
        ([1, 2, 0], b"v0", [1, 2, 0]),
        (lambda records: [2, 0, 1], b"v1", [2, 0, 1]),
    ],
    ids=["sent", "reverse", "explicit", "callable"],
)
def test_last_received_wins(fake_s3, s3, order, winner, receipt):
    with fake_s3.simultaneous(order=order) as window:
        acks = put_three(s3)
    assert [a["ResponseMetadata"]["HTTPStatusCode"] for a in acks] == [200, 200, 200]
    assert [a["ETag"] for a in acks] == [w.etag for w in window.writes]  # each writer got its own ETag
    assert window.receipt_order == receipt
    assert body(s3) == winner
    outcomes = {w.etag: w.outcome for w in window.writes}
    assert list(outcomes.values()).count("stored") == 1
    assert outcomes[fake_s3.buckets["race-bucket"]["k"].etag] == "stored"
    received = sorted(window.writes, key=lambda w: w.received)
    assert [window.writes.index(w) for w in received] == receipt


def test_reads_inside_the_window_see_the_state_before_it(fake_s3, s3):
    s3.put_object(Bucket="race-bucket", Key="k", Body=b"before")
    with fake_s3.simultaneous():
        s3.put_object(Bucket="race-bucket", Key="k", Body=b"inside")
        assert body(s3) == b"before"
        assert [w.outcome for w in fake_s3.writes] == ["stored", "pending"]
    assert body(s3) == b"inside"


def test_shuffle_is_deterministic_for_a_seed():
    def run(seed):
        with FakeS3(buckets=["race-bucket"]) as fake:
            s3 = make_client(fake)
            with fake.simultaneous(order="shuffle", seed=seed) as window:
                for n in range(6):
                    s3.put_object(Bucket="race-bucket", Key=f"k{n % 2}", Body=f"v{n}".encode())
            return window.receipt_order, [(w.sent, w.received, w.outcome, w.etag) for w in fake.writes]

    assert run(7) == run(7)
    orders = {tuple(run(seed)[0]) for seed in range(8)}
    assert len(orders) > 1  # different seeds really reorder


def test_bad_order_names_the_writes(fake_s3, s3):
    with pytest.raises(FakeS3Error, match=r"not a permutation of the 3 write\(s\).*PutObject race-bucket/k"):
        with fake_s3.simultaneous(order=[0, 0, 1]):
            put_three(s3)


def test_windows_do_not_nest(fake_s3):
    with fake_s3.simultaneous(), pytest.raises(FakeS3Error, match="do not nest"), fake_s3.simultaneous():
        pass


def test_conditional_writes_in_a_window_are_decided_at_once(fake_s3, s3):
    from botocore.exceptions import ClientError

    with fake_s3.simultaneous(order="reverse"):
        s3.put_object(Bucket="race-bucket", Key="k", Body=b"first", IfNoneMatch="*")
        with pytest.raises(ClientError) as loser:
            s3.put_object(Bucket="race-bucket", Key="k", Body=b"second", IfNoneMatch="*")
        assert body(s3) == b"first"  # a conditional write was received at once, so it is visible
    assert loser.value.response["Error"]["Code"] == "PreconditionFailed"
    assert body(s3) == b"first"
