"""Before/after: the same cases on two or more revisions of fakes3put, interleaved in one run.

    python benchmarks/compare.py 0d4fb8d HEAD        # any git revisions of this repository

Each revision is exported with ``git archive`` to a temporary folder and measured in fresh
processes that import it from there, round-robin, so drift on the machine hits every
revision alike. Prints medians (min-max) per case and revision. Cases: a 1 KiB boto3
``put_object`` (default checksums), a 1 KiB ``requests.put``, a 50 MiB boto3 ``put_object``,
the peak RSS of a process doing one default 50 MiB put, ``import fakes3put``, and a typical
test's cycle (start a default fake, ``boto3.client("s3")``, create a bucket, three 1 KiB puts,
one get, stop; the median of 30 cycles after a first one).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# An editable install of fakes3put would shadow the exported tree: drop its finder first.
_USE_TREE = (
    "import sys; sys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in repr(f).lower()]; "
    "sys.path.insert(0, {tree!r}); "
)

_CHILD = r"""
import os, statistics, sys, time
import boto3
from fakes3put import BucketSpec, FakeS3

case = sys.argv[1]
big = 50 * 1024 * 1024
body = os.urandom(big) if case in ("put-50m", "rss-50m") else b"x" * 1024
if case == "cycle":  # one test's whole life with the default (isolating) fake
    def cycle():
        with FakeS3():
            s3 = boto3.client("s3")
            s3.create_bucket(Bucket="cycle-bucket")
            for n in range(3):
                s3.put_object(Bucket="cycle-bucket", Key=f"k{n}", Body=body)
            s3.get_object(Bucket="cycle-bucket", Key="k1")["Body"].read()
    cycle()
    times = []
    for _ in range(30):
        start = time.perf_counter()
        cycle()
        times.append(time.perf_counter() - start)
    print(statistics.median(times))
    sys.exit(0)
calls = {"put-1k": 300, "put-1k-requests": 300, "put-50m": 3, "rss-50m": 0}[case]
bucket = BucketSpec("bench-bucket", acl="public-read-write")
with FakeS3(buckets=[bucket], credentials={"AKIDBENCHMARK0000001": "secret"}, isolate_environment=False):
    if case == "put-1k-requests":
        import requests
        session = requests.Session()
        put = lambda: session.put("https://bench-bucket.s3.amazonaws.com/k", data=body)
    else:
        client = boto3.client(
            "s3", region_name="us-east-1",
            aws_access_key_id="AKIDBENCHMARK0000001", aws_secret_access_key="secret",
        )
        put = lambda: client.put_object(Bucket="bench-bucket", Key="k", Body=body)
    put()
    times = []
    for _ in range(calls):
        start = time.perf_counter()
        put()
        times.append(time.perf_counter() - start)
if case == "rss-50m":  # the process's peak resident memory, in bytes
    status = open("/proc/self/status").read()
    print(int(next(l for l in status.splitlines() if l.startswith("VmHWM:")).split()[1]) * 1024)
else:
    print(statistics.median(times))
"""


def export(revision: str, into: Path) -> Path:
    target = into / revision.replace("/", "_")
    target.mkdir()
    archive = subprocess.run(["git", "archive", revision, "fakes3put"], cwd=ROOT, check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    return target


def measure(tree: Path, case: str) -> float:
    prelude = _USE_TREE.format(tree=str(tree))
    if case == "import":
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", prelude + "import fakes3put"], check=True)
        return time.perf_counter() - start
    check = "\nimport fakes3put\nassert fakes3put.__file__.startswith(" + repr(str(tree)) + ")\n"
    code = prelude + check + _CHILD
    out = subprocess.run([sys.executable, "-c", code, case], check=True, capture_output=True, text=True)
    return float(out.stdout.strip())


def show(value: float, case: str) -> str:
    if case.startswith("rss"):
        return f"{value / 2**20:.0f} MiB"
    return f"{value * 1e6:.0f} µs" if value < 1e-3 else f"{value * 1e3:.1f} ms"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("revisions", nargs="+")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)
    cases = ["put-1k", "put-1k-requests", "put-50m", "rss-50m", "import", "cycle"]
    with tempfile.TemporaryDirectory() as scratch:
        trees = {rev: export(rev, Path(scratch)) for rev in args.revisions}
        samples = {(rev, case): [] for rev in trees for case in cases}
        for _ in range(args.rounds):
            for case in cases:
                for rev, tree in trees.items():
                    samples[(rev, case)].append(measure(tree, case))
    print("| case | " + " | ".join(args.revisions) + " |")
    print("|---|" + "---|" * len(args.revisions))
    for case in cases:
        cells = []
        for rev in args.revisions:
            values = samples[(rev, case)]
            low, high = show(min(values), case), show(max(values), case)
            cells.append(f"{show(statistics.median(values), case)} ({low} – {high})")
        print(f"| {case} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
