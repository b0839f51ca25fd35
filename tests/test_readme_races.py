"""The README's "Testing races" example, verbatim in spirit: a counter kept in S3."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.exceptions import ClientError

from fakes3put import explore


def increment(s3):
    """Read-modify-write without a condition: correct alone, wrong under concurrency."""
    current = s3.get_object(Bucket="counters", Key="visits")
    value = int(current["Body"].read())
    s3.put_object(Bucket="counters", Key="visits", Body=str(value + 1).encode())


def increment_safely(s3):
    """The same, as compare-and-swap: retry when someone else's write got in first."""
    while True:
        current = s3.get_object(Bucket="counters", Key="visits")
        value = int(current["Body"].read())
        try:
            s3.put_object(Bucket="counters", Key="visits", Body=str(value + 1).encode(), IfMatch=current["ETag"])
            return
        except ClientError as error:
            if error.response["Error"]["Code"] not in ("PreconditionFailed", "ConditionalRequestConflict"):
                raise


def visits(s3):
    return int(s3.get_object(Bucket="counters", Key="visits")["Body"].read())


def test_window_shows_the_lost_update(fake_s3):
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="counters")
    s3.put_object(Bucket="counters", Key="visits", Body=b"0")
    with fake_s3.simultaneous(order="reverse"):
        increment(s3)
        increment(s3)
    assert visits(s3) == 1  # both writers were told 200; one update is gone
    assert [w.outcome for w in fake_s3.writes[1:]] == ["stored", "superseded"]


def two_workers(update):
    def scenario(fake):
        s3 = boto3.client("s3")
        s3.create_bucket(Bucket="counters")
        s3.put_object(Bucket="counters", Key="visits", Body=b"0")
        with ThreadPoolExecutor(2) as pool, fake.simultaneous(expect=2):
            list(pool.map(lambda _: update(s3), range(2)))
        assert visits(s3) == 2

    return scenario


def test_explorer_finds_the_lost_update_in_every_order():
    result = explore(two_workers(increment))
    assert len(result.runs) == 2
    assert sorted(result.failing_orders) == [((0, 1),), ((1, 0),)]


def test_compare_and_swap_passes_in_every_order():
    result = explore(two_workers(increment_safely))
    assert len(result.runs) == 2
    result.assert_all_passed()


def test_compare_and_swap_in_a_window(fake_s3):
    s3 = boto3.client("s3")
    s3.create_bucket(Bucket="counters")
    s3.put_object(Bucket="counters", Key="visits", Body=b"0")
    with fake_s3.simultaneous(order="reverse"):
        increment_safely(s3)
        increment_safely(s3)
    assert visits(s3) == 2
