"""Peak memory of hostile uploads the fake refuses: an endless body and a refused 1 GiB put.

    python benchmarks/hostile.py

Each case runs in a fresh process; the figure is the process's peak RSS growth over the same
process just before the request (fake started, clients imported), from ``ru_maxrss``.
"""

from __future__ import annotations

import subprocess
import sys

_CHILD = r"""
import io, resource, sys
import urllib3
from fakes3put import BucketSpec, FakeS3

GIB = 1024 ** 3

class Zeros(io.RawIOBase):
    def __init__(self, size):
        self.remaining = size
    def readable(self):
        return True
    def read(self, amount=-1):
        amount = self.remaining if amount is None or amount < 0 else min(amount, self.remaining)
        self.remaining -= amount
        return b"\0" * amount

case = sys.argv[1]
buckets = [BucketSpec("private-bucket"), BucketSpec("open-bucket", acl="public-read-write")]
with FakeS3(buckets=buckets, isolate_environment=False):
    http = urllib3.PoolManager()
    http.request("GET", "https://open-bucket.s3.amazonaws.com/warm")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if case == "endless-body":
        with open("/dev/zero", "rb") as endless:
            response = http.request("PUT", "https://open-bucket.s3.amazonaws.com/k", body=endless,
                                    headers={"Content-Length": "6"})
    else:
        response = http.request("PUT", "https://private-bucket.s3.amazonaws.com/k", body=Zeros(GIB),
                                headers={"Content-Length": str(GIB)})
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(response.status, (after - before) / 1024)
"""

CASES = {
    "endless-body": "PUT, Content-Length 6, body /dev/zero (answered 400)",
    "refused-1gib": "anonymous 1 GiB PUT to a private bucket (answered 403)",
}


def main() -> int:
    print("| case | answer | peak RSS growth |")
    print("|---|---|---|")
    for case, title in CASES.items():
        out = subprocess.run([sys.executable, "-c", _CHILD, case], capture_output=True, text=True, check=True)
        status, growth = out.stdout.split()
        print(f"| {title} | {status} | {float(growth):.1f} MiB |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
