"""A 1 KiB aiobotocore put_object through the aiohttp transport, in process (needs the ``async`` extra).

    python benchmarks/async_put.py                 # 15 samples, each the mean of 20 calls
    python benchmarks/async_put.py --samples 5 --calls 5

Rows, measured interleaved (round-robin) so the machine's drift hits them alike:

- *aiohttp transport floor*: ``ClientSession._request`` answers at once with the headers S3
  sends for a PutObject, after reading the body; what any fake patched in at that point costs
  before it does any work of its own (aiobotocore's signing, checksums and parsing included).
- *fakes3put*: the real fake, signature and checksum checks on.
- *boto3 (sync), fakes3put*: the same put from boto3 in the same environment, for comparison.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import time
from collections.abc import Callable, Coroutine
from typing import Any

import aiobotocore.session
import aiohttp
import boto3
from multidict import CIMultiDict, CIMultiDictProxy

from fakes3put import FakeS3

BODY = b"x" * 1024
BUCKET = "bench-bucket"


async def _floor_request(session: Any, method: str, url: Any, **kwargs: Any) -> Any:
    """Consume the body and answer like S3 does for a put, without the fake."""
    data = kwargs.get("data")
    if data is not None and not isinstance(data, bytes | bytearray):
        async for _ in data:
            pass
    loop = asyncio.get_running_loop()
    fields = [
        ("ETag", '"0f343b0931126a20f133d67c2b018a3b"'),
        ("x-amz-request-id", "FLOOR"),
        ("x-amz-id-2", "FLOOR"),
        ("Date", "Thu, 03 Dec 2026 09:00:00 GMT"),
        ("Server", "AmazonS3"),
        ("x-amz-server-side-encryption", "AES256"),
        ("x-amz-checksum-crc32", "AAAAAA=="),
        ("Content-Length", "0"),
    ]
    target = aiohttp.client.URL(url) if not isinstance(url, aiohttp.client.URL) else url
    info = aiohttp.RequestInfo(target, method, CIMultiDictProxy(CIMultiDict()), target)
    from fakes3put._transport.aiohttp import _Delivered, _Sent

    answer = aiohttp.ClientResponse(
        method,
        target,
        writer=None,
        continue100=None,
        timer=aiohttp.helpers.TimerNoop(),
        request_info=info,
        traces=[],
        loop=loop,
        session=session,
        stream_writer=_Sent(0),
    )
    answer._closed = False
    answer.status, answer.reason = 200, "OK"
    answer._headers = CIMultiDictProxy(CIMultiDict(fields))
    answer._raw_headers = tuple((n.encode(), v.encode()) for n, v in fields)
    answer.content = aiohttp.StreamReader(_Delivered(), 2**16, loop=loop)
    answer.content.feed_eof()
    return answer


async def _aio_sample(client: Any, calls: int) -> float:
    start = time.perf_counter()
    for _ in range(calls):
        await client.put_object(Bucket=BUCKET, Key="k", Body=BODY)
    return (time.perf_counter() - start) / calls


async def fakes3put_row(calls: int) -> float:
    async with FakeS3(buckets=[BUCKET]), aiobotocore.session.get_session().create_client("s3") as client:
        await client.put_object(Bucket=BUCKET, Key="warm", Body=BODY)
        return await _aio_sample(client, calls)


async def floor_row(calls: int) -> float:
    with FakeS3(buckets=[BUCKET]):  # only for the credentials it puts in the environment
        patched = aiohttp.ClientSession._request
        aiohttp.ClientSession._request = _floor_request  # type: ignore[method-assign]
        try:
            async with aiobotocore.session.get_session().create_client("s3") as client:
                await client.put_object(Bucket=BUCKET, Key="warm", Body=BODY)
                return await _aio_sample(client, calls)
        finally:
            aiohttp.ClientSession._request = patched  # type: ignore[method-assign]


async def boto3_row(calls: int) -> float:
    with FakeS3(buckets=[BUCKET]):
        client = boto3.client("s3")
        client.put_object(Bucket=BUCKET, Key="warm", Body=BODY)
        start = time.perf_counter()
        for _ in range(calls):
            client.put_object(Bucket=BUCKET, Key="k", Body=BODY)
        return (time.perf_counter() - start) / calls


ROWS: dict[str, Callable[[int], Coroutine[Any, Any, float]]] = {
    "aiohttp transport floor": floor_row,
    "fakes3put (aiobotocore)": fakes3put_row,
    "boto3 (sync), fakes3put": boto3_row,
}


def fmt(seconds: float) -> str:
    return f"{seconds * 1e3:.2f} ms" if seconds >= 1e-3 else f"{seconds * 1e6:.0f} µs"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--samples", type=int, default=15)
    parser.add_argument("--calls", type=int, default=20)
    args = parser.parse_args()
    samples: dict[str, list[float]] = {name: [] for name in ROWS}
    for _ in range(args.samples):
        for name, row in ROWS.items():
            samples[name].append(asyncio.run(row(args.calls)))
    reference = statistics.median(samples["aiohttp transport floor"])
    print("| variant | median | min – max | × floor |")
    print("|---|---|---|---|")
    for name, values in samples.items():
        median = statistics.median(values)
        print(f"| {name} | {fmt(median)} | {fmt(min(values))} – {fmt(max(values))} | {median / reference:.2f} |")


if __name__ == "__main__":
    main()
