"""Decorating generators and async generators, and ``async with``: the fake is active for the body's whole life."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator, Generator, Iterator

import pytest
from urllib3.connectionpool import HTTPConnectionPool

from fakes3put import FakeS3

from .helpers import make_client

ORIGINAL_URLOPEN = HTTPConnectionPool.urlopen


def patched() -> bool:
    return HTTPConnectionPool.urlopen is not ORIGINAL_URLOPEN


def test_decorated_generator_runs_with_the_fake_active_until_it_closes():
    fake = FakeS3(buckets=["gen-bucket"])

    @fake
    def writer() -> Generator[object, object, None]:
        make_client(fake).put_object(Bucket="gen-bucket", Key="first", Body=b"1")
        answer = yield patched()
        make_client(fake).put_object(Bucket="gen-bucket", Key="second", Body=b"2")
        yield answer

    assert not patched()  # calling a generator function runs nothing yet
    generator = writer()
    assert next(generator) is True
    assert generator.send("sent through") == "sent through"
    assert list(fake.buckets["gen-bucket"]) == ["first", "second"]
    assert patched()  # suspended, not finished: the fake is still on
    generator.close()
    assert not patched()


def test_exceptions_thrown_into_a_decorated_generator_reach_its_body():
    fake = FakeS3()

    @fake
    def catcher() -> Generator[str, None, None]:
        try:
            yield "waiting"
        except ValueError as error:
            yield f"caught {error}"

    generator = catcher()
    assert next(generator) == "waiting"
    assert generator.throw(ValueError("boom")) == "caught boom"
    with pytest.raises(StopIteration):
        next(generator)
    assert not patched()


fixture_fake = FakeS3(buckets=["fixture-bucket"])


@pytest.fixture
@fixture_fake
def seeded_bucket() -> Iterator[str]:
    make_client(fixture_fake).put_object(Bucket="fixture-bucket", Key="seed", Body=b"s")
    yield "fixture-bucket"
    # Teardown still runs with the fake on: it ends when pytest finishes the generator.
    make_client(fixture_fake).delete_object(Bucket="fixture-bucket", Key="seed")
    assert list(fixture_fake.buckets["fixture-bucket"]) == ["from-test"]


def test_a_decorated_yield_fixture_keeps_the_fake_through_the_test(seeded_bucket):
    make_client(fixture_fake).put_object(Bucket=seeded_bucket, Key="from-test", Body=b"t")
    assert list(fixture_fake.buckets[seeded_bucket]) == ["seed", "from-test"]


def test_decorated_async_generator_runs_with_the_fake_active():
    fake = FakeS3(buckets=["agen-bucket"])

    @fake
    async def writer() -> AsyncGenerator[object, object]:
        await asyncio.sleep(0)
        make_client(fake).put_object(Bucket="agen-bucket", Key="k", Body=b"a")
        answer = yield patched()
        try:
            yield answer
        except KeyError:
            yield "caught"

    async def drive() -> list[object]:
        generator = writer()
        seen = [await generator.__anext__(), await generator.asend("sent"), await generator.athrow(KeyError("k"))]
        seen.append(patched())
        await generator.aclose()
        return seen

    assert asyncio.run(drive()) == [True, "sent", "caught", True]
    assert fake.buckets["agen-bucket"]["k"].body == b"a"
    assert not patched()


def test_async_with_starts_and_stops_the_fake():
    async def scenario() -> FakeS3:
        async with FakeS3(buckets=["async-with"]) as fake:
            assert patched()
            make_client(fake).put_object(Bucket="async-with", Key="k", Body=b"x")
        return fake

    fake = asyncio.run(scenario())
    assert fake.buckets["async-with"]["k"].body == b"x"
    assert not patched()
