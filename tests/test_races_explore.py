"""explore(): every receipt order of a scenario's simultaneous writes, and exactly the ones that break it."""

from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor

from botocore.exceptions import ClientError

from fakes3put import FakeS3, explore

from .helpers import make_client


def stamp_scenario(fake: FakeS3) -> None:
    """Code that assumes the write sent last is the one stored."""
    s3 = make_client(fake)
    with fake.simultaneous():
        s3.put_object(Bucket="stamps", Key="latest", Body=b"1")
        s3.put_object(Bucket="stamps", Key="latest", Body=b"2")
        s3.put_object(Bucket="stamps", Key="other", Body=b"x")
    assert s3.get_object(Bucket="stamps", Key="latest")["Body"].read() == b"2"


def test_explore_reports_exactly_the_failing_orders():
    result = explore(stamp_scenario, buckets=["stamps"])
    assert result.window_sizes == (3,)
    assert len(result.runs) == 6
    # "latest" ends at b"2" only when write #1 is received after write #0.
    expected = sorted(((a, b, c),) for a, b, c in [(1, 0, 2), (1, 2, 0), (2, 1, 0)])
    assert sorted(result.failing_orders) == expected
    text = str(result)
    assert "explored 6 of 6 orders" in text
    assert "3 failed" in text
    assert "#1 PutObject stamps/latest" in text


def test_replaying_a_failing_order_fails_the_same_way():
    result = explore(stamp_scenario, buckets=["stamps"])
    failing = list(result.failing_orders[0][0])
    with FakeS3(buckets=["stamps"]) as fake:
        s3 = make_client(fake)
        with fake.simultaneous(order=failing):
            s3.put_object(Bucket="stamps", Key="latest", Body=b"1")
            s3.put_object(Bucket="stamps", Key="latest", Body=b"2")
            s3.put_object(Bucket="stamps", Key="other", Body=b"x")
        assert s3.get_object(Bucket="stamps", Key="latest")["Body"].read() == b"1"


def test_sampling_beyond_the_bound_is_seeded():
    def many(fake: FakeS3) -> None:
        s3 = make_client(fake)
        with fake.simultaneous():
            for n in range(7):  # 5040 orders
                s3.put_object(Bucket="stamps", Key="k", Body=str(n).encode())

    first = explore(many, max_orders=5, seed=1, buckets=["stamps"])
    again = explore(many, max_orders=5, seed=1, buckets=["stamps"])
    assert first.sampled
    assert first.total_orders == 5040
    assert [r.orders for r in first.runs] == [r.orders for r in again.runs]
    assert first.runs[0].orders == (tuple(range(7)),)  # the sent order is always tried


def create_once_scenario(fake: FakeS3) -> None:
    """Three threads race to create the same key; the guarantee must hold in every order."""
    s3 = make_client(fake, max_pool_connections=4)

    def writer(n: int) -> str:
        try:
            s3.put_object(Bucket="stamps", Key="once", Body=str(n).encode(), IfNoneMatch="*")
        except ClientError as error:
            return error.response["Error"]["Code"]
        return "won"

    with ThreadPoolExecutor(3) as pool, fake.simultaneous(expect=3):
        futures = [pool.submit(writer, n) for n in range(3)]
    outcomes = [f.result() for f in futures]
    assert outcomes.count("won") == 1
    stored = [w for w in fake.writes if w.outcome == "stored"]
    assert len(stored) == 1
    assert fake.buckets["stamps"]["once"].etag == stored[0].etag


def test_conditional_guarantee_holds_in_every_order_of_a_hold():
    result = explore(create_once_scenario, buckets=["stamps"])
    assert result.window_sizes == (3,)
    assert len(result.runs) == 6
    result.assert_all_passed()


def test_explore_forces_orders_only_inside_its_runs():
    seen_orders: list[list[int]] = []

    def scenario(fake: FakeS3) -> None:
        s3 = make_client(fake)
        with fake.simultaneous(order=[1, 0, 2]) as window:
            for body in (b"1", b"2", b"3"):
                s3.put_object(Bucket="stamps", Key="k", Body=body)
        seen_orders.append(window.receipt_order)

    explore(scenario, buckets=["stamps"])
    # The probe run (sent order) and one run per permutation: the forced order wins over the one asked.
    assert seen_orders[0] == [0, 1, 2]
    assert sorted(map(tuple, seen_orders[1:])) == sorted(itertools.permutations(range(3)))
    with FakeS3(buckets=["stamps"]) as fake:
        scenario(fake)  # after explore() returns, a window takes the order it asks for
    assert seen_orders[-1] == [1, 0, 2]
    assert not hasattr(fake, "_forced_orders")
