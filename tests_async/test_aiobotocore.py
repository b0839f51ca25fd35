"""aiobotocore through the aiohttp transport: the same fake, calls, writes and faults as boto3."""

from __future__ import annotations

import asyncio
import base64
import re
import zlib

import pytest

pytest.importorskip("aiobotocore")

import aiohttp
from botocore.exceptions import ClientError, EndpointConnectionError

from fakes3put import FakeS3, UnhandledRequestError

from .conftest import s3_client

pytestmark = pytest.mark.asyncio


async def test_put_get_head_list_delete(fake_s3):
    async with s3_client() as s3:
        await s3.create_bucket(Bucket="async-bucket")
        put = await s3.put_object(Bucket="async-bucket", Key="dir/k", Body=b"hello", ContentType="text/plain")
        assert fake_s3.buckets["async-bucket"]["dir/k"].body == b"hello"
        assert put["ETag"] == fake_s3.buckets["async-bucket"]["dir/k"].etag

        got = await s3.get_object(Bucket="async-bucket", Key="dir/k")
        async with got["Body"] as stream:
            assert await stream.read() == b"hello"
        assert got["ContentType"] == "text/plain"

        head = await s3.head_object(Bucket="async-bucket", Key="dir/k")
        assert head["ContentLength"] == 5
        assert head["ETag"] == put["ETag"]

        listed = await s3.list_objects_v2(Bucket="async-bucket", Prefix="dir/")
        assert [entry["Key"] for entry in listed["Contents"]] == ["dir/k"]

        await s3.delete_object(Bucket="async-bucket", Key="dir/k")
        assert "dir/k" not in fake_s3.buckets["async-bucket"]
        with pytest.raises(ClientError) as missing:
            await s3.get_object(Bucket="async-bucket", Key="dir/k")
    assert missing.value.response["Error"]["Code"] == "NoSuchKey"
    assert [call.operation for call in fake_s3.calls] == [
        "CreateBucket", "PutObject", "GetObject", "HeadObject", "ListObjectsV2", "DeleteObject", "GetObject",
    ]  # fmt: skip


async def test_streamed_get_arrives_in_chunks(fake_s3):
    body = bytes(range(256)) * 1024
    async with s3_client() as s3:
        await s3.create_bucket(Bucket="async-bucket")
        await s3.put_object(Bucket="async-bucket", Key="big", Body=body)
        got = await s3.get_object(Bucket="async-bucket", Key="big")
        parts = [chunk async for chunk in got["Body"].iter_chunks(chunk_size=65536)]
    assert b"".join(parts) == body
    assert len(parts) > 1


async def test_aws_chunked_upload_with_trailing_checksum_is_verified(fake_s3):
    async with s3_client() as s3:
        await s3.create_bucket(Bucket="async-bucket")
        await s3.put_object(Bucket="async-bucket", Key="k", Body=b"checked", ChecksumAlgorithm="CRC32")
    stored = fake_s3.buckets["async-bucket"]["k"]
    assert stored.body == b"checked"
    # Sent in the aws-chunked trailer, checked against the decoded body and kept.
    assert stored.checksums["CRC32"] == base64.b64encode(zlib.crc32(b"checked").to_bytes(4, "big")).decode()


async def test_hold_of_four_gathered_coroutines_on_one_loop(fake_s3):
    async with s3_client(max_pool_connections=8) as s3:
        await s3.create_bucket(Bucket="async-bucket")

        async def writer(n):
            return (await s3.put_object(Bucket="async-bucket", Key="k", Body=f"w{n}".encode()))["ETag"]

        with fake_s3.simultaneous(expect=4, order="reverse") as hold:
            etags = await asyncio.gather(*(writer(n) for n in range(4)))
    assert sorted(etags) == sorted(write.etag for write in hold.writes)
    assert hold.receipt_order == [3, 2, 1, 0]
    received = sorted(hold.writes, key=lambda write: write.received)
    assert [write.outcome for write in received] == ["superseded"] * 3 + ["stored"]
    assert fake_s3.buckets["async-bucket"]["k"].etag == hold.writes[0].etag  # the first sent won


async def test_window_in_async_code_is_received_in_the_chosen_order(fake_s3):
    async with s3_client() as s3:
        await s3.create_bucket(Bucket="async-bucket")
        with fake_s3.simultaneous(order="reverse") as window:
            for n in range(3):
                await s3.put_object(Bucket="async-bucket", Key="k", Body=f"v{n}".encode())
            inside = await s3.list_objects_v2(Bucket="async-bucket")
        got = await s3.get_object(Bucket="async-bucket", Key="k")
        async with got["Body"] as stream:
            winner = await stream.read()
    assert inside["KeyCount"] == 0  # nothing was received before the window closed
    assert window.receipt_order == [2, 1, 0]
    assert winner == b"v0"


async def test_passthrough_false_refuses_unowned_aiohttp_traffic():
    async with FakeS3(passthrough=False), aiohttp.ClientSession() as session:
        with pytest.raises(UnhandledRequestError, match=re.escape("http://example.invalid:8080/health")):
            await session.get("http://example.invalid:8080/health")


async def test_injected_slow_down_is_retried_by_aiobotocore(fake_s3):
    async with s3_client() as s3:
        await s3.create_bucket(Bucket="async-bucket")
        fake_s3.faults.add("SlowDown", operation="PutObject")
        await s3.put_object(Bucket="async-bucket", Key="k", Body=b"x")
    assert fake_s3.buckets["async-bucket"]["k"].body == b"x"
    assert [(call.status, call.error_code) for call in fake_s3.calls if call.operation == "PutObject"] == [
        (503, "SlowDown"),
        (200, None),
    ]


async def test_injected_reset_is_a_connection_error_aiobotocore_retries(fake_s3):
    async with s3_client() as s3:
        await s3.create_bucket(Bucket="async-bucket")
        fake_s3.faults.add("reset-before-commit", operation="PutObject")
        await s3.put_object(Bucket="async-bucket", Key="k", Body=b"x")
    assert [(write.outcome, write.error_code) for write in fake_s3.writes] == [
        ("rejected", "ConnectionReset"),
        ("stored", None),
    ]
    assert fake_s3.buckets["async-bucket"]["k"].body == b"x"


async def test_injected_reset_with_retries_off_surfaces(fake_s3):
    async with s3_client(retries={"total_max_attempts": 1, "mode": "standard"}) as s3:
        await s3.create_bucket(Bucket="async-bucket")
        fake_s3.faults.add("reset-after-commit", operation="PutObject")
        with pytest.raises(EndpointConnectionError) as raised:
            await s3.put_object(Bucket="async-bucket", Key="k", Body=b"x")
    assert isinstance(raised.value.kwargs["error"], aiohttp.ClientOSError)
    assert fake_s3.buckets["async-bucket"]["k"].body == b"x"  # stored although the client heard nothing
    assert [write.outcome for write in fake_s3.writes] == ["lost-ack"]


async def test_plain_aiohttp_put_to_an_owned_endpoint():
    async with FakeS3(endpoints=["http://localhost:9000"]) as fake, aiohttp.ClientSession() as session:
        async with session.put("http://localhost:9000/plain-bucket") as created:
            assert created.status == 403  # unsigned: S3 refuses it, as it would a signed-less request
    assert "plain-bucket" not in fake.buckets
    assert fake.calls[0].error_code == "AccessDenied"


@FakeS3()
async def test_the_decorator_wraps_a_coroutine():
    async with s3_client() as s3:
        await s3.create_bucket(Bucket="decorated-bucket")
        listed = await s3.list_buckets()
    assert [bucket["Name"] for bucket in listed["Buckets"]] == ["decorated-bucket"]


async def test_async_with_starts_and_stops_the_fake():
    async with FakeS3() as fake, s3_client() as s3:
        await s3.create_bucket(Bucket="scoped-bucket")
        assert "scoped-bucket" in fake.buckets
    assert aiohttp.ClientSession._request.__name__ == "_request"
    assert not hasattr(aiohttp.ClientSession._request, "__wrapped__")  # the patch is out again


async def test_file_body_is_read_from_disk(fake_s3, tmp_path):
    path = tmp_path / "report.txt"
    path.write_bytes(b"from disk")
    async with s3_client() as s3:
        await s3.create_bucket(Bucket="async-bucket")
        with path.open("rb") as handle:
            await s3.put_object(Bucket="async-bucket", Key="report.txt", Body=handle)
    assert fake_s3.buckets["async-bucket"]["report.txt"].body == b"from disk"


async def test_nested_fakes_route_by_bucket_as_for_boto3():
    async with FakeS3(buckets=["outer-bucket"]) as outer, FakeS3(buckets=["inner-bucket"]) as inner:
        async with s3_client() as s3:
            await s3.put_object(Bucket="outer-bucket", Key="k", Body=b"to the outer fake")
            await s3.put_object(Bucket="inner-bucket", Key="k", Body=b"to the inner fake")
        assert outer.buckets["outer-bucket"]["k"].body == b"to the outer fake"
        assert inner.buckets["inner-bucket"]["k"].body == b"to the inner fake"
        assert [call.bucket for call in outer.calls] == ["outer-bucket"]
        assert [call.bucket for call in inner.calls] == ["inner-bucket"]
