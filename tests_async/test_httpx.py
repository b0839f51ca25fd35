"""httpx, aiobotocore's optional backend and a client of its own, reaches the same fake."""

from __future__ import annotations

import re

import pytest

pytest.importorskip("httpx")

import httpx
from aiobotocore.httpxsession import HttpxSession

from fakes3put import BucketSpec, FakeS3, UnhandledRequestError

from .conftest import s3_client

URL = "https://open-bucket.s3.amazonaws.com/"


@pytest.mark.asyncio
async def test_aiobotocore_on_httpx(fake_s3):
    async with s3_client(http_session_cls=HttpxSession) as s3:
        await s3.create_bucket(Bucket="httpx-bucket")
        put = await s3.put_object(Bucket="httpx-bucket", Key="k", Body=b"via httpx")
        got = await s3.get_object(Bucket="httpx-bucket", Key="k")
        body = await got["Body"].read()
    assert body == b"via httpx"
    assert fake_s3.buckets["httpx-bucket"]["k"].etag == put["ETag"]
    assert [call.operation for call in fake_s3.calls] == ["CreateBucket", "PutObject", "GetObject"]


def test_sync_httpx_put_and_get():
    with FakeS3(buckets=[BucketSpec("open-bucket", acl="public-read-write")]) as fake, httpx.Client() as client:
        assert client.put(URL + "k", content=b"sync").status_code == 200
        got = client.get(URL + "k")
        assert got.content == b"sync"
        assert got.reason_phrase == "OK"
        assert fake.buckets["open-bucket"]["k"].body == b"sync"


@pytest.mark.asyncio
async def test_async_httpx_reset_is_a_read_error():
    with FakeS3(buckets=[BucketSpec("open-bucket", acl="public-read-write")]) as fake:
        fake.faults.add("reset-before-commit")
        async with httpx.AsyncClient() as client:
            with pytest.raises(httpx.ReadError, match="Connection reset by peer"):
                await client.put(URL + "k", content=b"x")
        assert "k" not in fake.buckets["open-bucket"]


@pytest.mark.asyncio
async def test_passthrough_false_refuses_unowned_httpx_traffic():
    async with FakeS3(passthrough=False), httpx.AsyncClient() as client:
        with pytest.raises(UnhandledRequestError, match=re.escape("GET http://example.invalid:80/health")):
            await client.get("http://example.invalid/health")
