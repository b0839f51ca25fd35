"""Every body aiohttp accepts reaches the fake as the bytes aiohttp would have sent."""

from __future__ import annotations

import io

import pytest

pytest.importorskip("aiohttp")

import aiohttp

from fakes3put import BucketSpec, FakeS3

pytestmark = pytest.mark.asyncio

URL = "https://open-bucket.s3.amazonaws.com/"


async def parts():
    yield b"as"
    yield b"ync"


@pytest.mark.parametrize(
    ("data", "expected"),
    [(b"bytes", b"bytes"), ("text é", "text é".encode()), (io.BytesIO(b"file-like"), b"file-like")],
    ids=["bytes", "str", "file"],
)
async def test_sized_bodies_are_stored(data, expected):
    with FakeS3(buckets=[BucketSpec("open-bucket", acl="public-read-write")]) as fake:
        async with aiohttp.ClientSession() as session, session.put(URL + "k", data=data) as answer:
            assert answer.status == 200
            assert answer.headers["ETag"] == fake.buckets["open-bucket"]["k"].etag
            assert (b"x-amz-request-id", fake.calls[-1].request_id.encode()) in answer.raw_headers
        assert fake.buckets["open-bucket"]["k"].body == expected


def unsized_bodies():
    """aiohttp sends these with Transfer-Encoding: chunked (an async iterable has no length)."""
    return {"async-iterable": (parts(), None), "chunked": (b"forced", True)}


@pytest.mark.parametrize("kind", ["async-iterable", "chunked"])
async def test_chunked_transfer_is_refused_as_s3_refuses_it(kind):
    data, chunked = unsized_bodies()[kind]
    with FakeS3(buckets=[BucketSpec("open-bucket", acl="public-read-write")]) as fake:
        async with aiohttp.ClientSession() as session, session.put(URL + "k", data=data, chunked=chunked) as answer:
            assert answer.status == 501  # S3 does not implement Transfer-Encoding: chunked on PUT
            assert b"<Code>NotImplemented</Code>" in await answer.read()
        assert "k" not in fake.buckets["open-bucket"]


@pytest.mark.parametrize(("kind", "expected"), [("async-iterable", b"async"), ("chunked", b"forced")])
async def test_chunked_transfer_is_read_whole_when_accepted(kind, expected):
    data, chunked = unsized_bodies()[kind]
    spec = BucketSpec("open-bucket", acl="public-read-write")
    with FakeS3(buckets=[spec], accept_chunked_transfer=True) as fake:
        async with aiohttp.ClientSession() as session, session.put(URL + "k", data=data, chunked=chunked) as answer:
            assert answer.status == 200
        assert fake.buckets["open-bucket"]["k"].body == expected


async def test_reset_reaches_aiohttp_as_a_reset_peer():
    with FakeS3(buckets=[BucketSpec("open-bucket", acl="public-read-write")]) as fake:
        fake.faults.add("reset-before-commit")
        async with aiohttp.ClientSession() as session:
            with pytest.raises(aiohttp.ClientOSError) as raised:
                await session.put(URL + "k", data=b"x")
        assert raised.value.errno == 104
        assert "k" not in fake.buckets["open-bucket"]


async def test_error_answer_reads_like_s3():
    with FakeS3(buckets=[BucketSpec("open-bucket", acl="public-read-write")]):
        async with aiohttp.ClientSession() as session, session.get(URL + "absent") as answer:
            assert answer.status == 404
            assert answer.reason == "Not Found"
            assert b"<Code>NoSuchKey</Code>" in await answer.read()


async def test_a_closed_session_is_refused_as_aiohttp_refuses_it():
    with FakeS3(buckets=[BucketSpec("open-bucket", acl="public-read-write")]) as fake:
        session = aiohttp.ClientSession()
        await session.close()
        with pytest.raises(RuntimeError, match="Session is closed"):
            await session.get(URL + "k")
    assert fake.calls == []
