"""Peak memory of a long-lived fake: many small requests on a few keys.

    python benchmarks/soak.py                      # 1,000,000 requests on 100 keys, default logs
    python benchmarks/soak.py --requests 20000     # shorter
    python benchmarks/soak.py --log-limit 0        # logs off
    python benchmarks/soak.py --log-limit none     # unbounded logs (what every fake did before log_limit)

Requests are anonymous urllib3 calls through the real transport (a public-read-write bucket, so
no signing cost): three PUTs of 16 bytes to one GET, cycling over the keys. Prints the peak RSS
(VmHWM) at the start and end, and how much of the logs was kept and dropped.
"""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any


def peak_rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--keys", type=int, default=100)
    parser.add_argument("--log-limit", default=None, help="an int, or 'none' for unbounded; default: FakeS3's")
    args = parser.parse_args(argv)

    import urllib3

    from fakes3put import BucketSpec, FakeS3

    options: dict[str, Any] = {}
    if args.log_limit is not None:
        options["log_limit"] = None if args.log_limit == "none" else int(args.log_limit)
    fake = FakeS3(buckets=[BucketSpec("soak-bucket", acl="public-read-write")], isolate_environment=False, **options)
    urls = [f"https://soak-bucket.s3.amazonaws.com/key-{n:04d}" for n in range(args.keys)]
    body = b"0123456789abcdef"
    with fake:
        http = urllib3.PoolManager()
        http.request("PUT", urls[0], body=body)
        start_rss = peak_rss_mib()
        started = time.perf_counter()
        for n in range(args.requests):
            url = urls[n % len(urls)]
            if n % 4 == 3:
                http.request("GET", url)
            else:
                http.request("PUT", url, body=body)
        elapsed = time.perf_counter() - started
        end_rss = peak_rss_mib()
        calls, writes = fake.calls, fake.writes
        dropped = (getattr(calls, "dropped", 0), getattr(writes, "dropped", 0))
        print(f"requests:  {args.requests:,} on {args.keys} keys in {elapsed:.1f} s")
        print(f"peak RSS:  {start_rss:.0f} MiB after the first request, {end_rss:.0f} MiB at the end")
        print(f"calls:     {len(calls):,} kept, {dropped[0]:,} dropped")
        print(f"writes:    {len(writes):,} kept, {dropped[1]:,} dropped")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
