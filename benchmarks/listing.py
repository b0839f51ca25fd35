"""Listing cost as a bucket grows: a one-key page, a delimiter page and a full boto3 paging.

    python benchmarks/listing.py            # 200,000 keys (one-key page) and 100,000 keys (paging)
    python benchmarks/listing.py --quick    # small buckets: checks the script still runs

Keys are written in shuffled order with anonymous urllib3 PUTs through the real transport (a
public-read-write bucket, so no signing cost), four "folders" of them. Prints a markdown table.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

ACCESS_KEY, SECRET_KEY = "AKIDBENCHMARK0000001", "benchmark-secret"
FOLDERS = 4


def fill(http: Any, bucket: str, count: int) -> float:
    """Write ``count`` keys in shuffled order; returns seconds per put over the last tenth."""
    numbers = list(range(count))
    random.Random(count).shuffle(numbers)
    tail = max(1, count // 10)
    start = 0.0
    for index, n in enumerate(numbers):
        if index == count - tail:
            start = time.perf_counter()
        http.request("PUT", f"https://{bucket}.s3.amazonaws.com/dir{n % FOLDERS}/key-{n:07d}", body=b"x")
    return (time.perf_counter() - start) / tail


def timed(call: Callable[[], Any], rounds: int) -> list[float]:
    call()  # warm
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        call()
        samples.append(time.perf_counter() - start)
    return samples


def fmt(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.2f} ms"
    return f"{seconds:.2f} s"


def row(name: str, samples: list[float]) -> str:
    return f"| {name} | {fmt(statistics.median(samples))} ({fmt(min(samples))} – {fmt(max(samples))}) |"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small buckets, few rounds")
    args = parser.parse_args(argv)
    big, paged = (2_000, 1_000) if args.quick else (200_000, 100_000)
    rounds = 2 if args.quick else 7

    import boto3
    import urllib3

    from fakes3put import BucketSpec, FakeS3

    buckets = [BucketSpec("big-bucket", acl="public-read-write"), BucketSpec("paged-bucket", acl="public-read-write")]
    fake = FakeS3(credentials={ACCESS_KEY: SECRET_KEY}, buckets=buckets, isolate_environment=False)
    with fake:
        http = urllib3.PoolManager()
        put_big = fill(http, "big-bucket", big)
        fill(http, "paged-bucket", paged)
        fake.calls.clear()
        fake.writes.clear()
        s3 = boto3.client("s3", region_name="us-east-1", aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY)

        def one_key_page() -> None:
            assert s3.list_objects_v2(Bucket="big-bucket", MaxKeys=1)["KeyCount"] == 1

        def delimiter_page() -> None:
            page = s3.list_objects_v2(Bucket="big-bucket", Delimiter="/")
            assert len(page["CommonPrefixes"]) == FOLDERS

        def page_through() -> None:
            paginator = s3.get_paginator("list_objects_v2")
            seen = sum(page["KeyCount"] for page in paginator.paginate(Bucket="paged-bucket"))
            assert seen == paged

        def page_through_raw() -> None:
            token, seen = "", 0
            while True:
                query = f"?list-type=2&continuation-token={token}" if token else "?list-type=2"
                body = http.request("GET", f"https://paged-bucket.s3.amazonaws.com/{query}").data
                seen += body.count(b"<Contents>")
                if b"<NextContinuationToken>" not in body:
                    break
                token = body.split(b"<NextContinuationToken>")[1].split(b"<")[0].decode()
            assert seen == paged

        from botocore import parsers

        page_body = http.request("GET", "https://paged-bucket.s3.amazonaws.com/?list-type=2").data
        page_shape = s3.meta.service_model.operation_model("ListObjectsV2").output_shape

        def parse_only() -> None:
            # botocore's own cost for the same number of 1,000-key pages, with no fake in the loop
            parser = parsers.RestXMLParser()
            for _ in range(paged // 1000):
                parser.parse({"body": page_body, "headers": {}, "status_code": 200}, page_shape)

        def versions_page() -> None:
            assert len(s3.list_object_versions(Bucket="big-bucket", MaxKeys=1)["Versions"]) == 1

        rows = [
            row(f"PUT into a bucket of ~{big:,} keys (shuffled order), per put", [put_big]),
            row(f"ListObjectsV2, MaxKeys=1, {big:,} keys", timed(one_key_page, rounds)),
            row(f"ListObjectVersions, MaxKeys=1, {big:,} keys", timed(versions_page, rounds)),
            row(f"ListObjectsV2, Delimiter='/', {big:,} keys in {FOLDERS} folders", timed(delimiter_page, rounds)),
            row(f"boto3 paginator through {paged:,} keys (1,000 a page)", timed(page_through, max(1, rounds // 2))),
            row("the same pages through urllib3, unparsed (the fake's share)", timed(page_through_raw, rounds)),
            row("botocore parsing as many 1,000-key pages, no fake (the client's share)", timed(parse_only, 3)),
        ]
    print("| case | median (min – max) |")
    print("|---|---|")
    print("\n".join(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
