"""fakes3put benchmarks: medians against moto and the physical floors, interleaved in one run.

    python benchmarks/run.py            # full run, prints a markdown table
    python benchmarks/run.py --quick    # a few rounds: checks every case still runs (CI)
    python benchmarks/run.py --only loopback   # one case

Needs the ``bench`` extra (moto). Each round runs every variant of a case once, in turn, so
drift on the machine hits all of them alike; the table gives median (min-max) and the ratio
of each variant to the case's reference row.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import importlib.util
import json
import os
import platform
import statistics
import subprocess
import sys
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

KIB = 1024
MIB = 1024 * KIB
ACCESS_KEY, SECRET_KEY = "AKIDBENCHMARK0000001", "benchmark-secret"


@dataclass
class Variant:
    name: str
    setup: Callable[[], Callable[[], Any]]  # returns the timed callable
    teardown: Callable[[], None] = lambda: None
    samples: list[float] = field(default_factory=list)


def boto3_client(endpoint_url: str | None = None, **config: Any) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        endpoint_url=endpoint_url,
        region_name="us-east-1",
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        config=Config(**config) if config else None,
    )


# ------------------------------------------------------------------------- variants


class FakeVariant:
    def __init__(self, body: bytes, **config: Any) -> None:
        self.body, self.config = body, config

    def setup(self) -> Callable[[], Any]:
        from fakes3put import FakeS3

        self.fake = FakeS3(credentials={ACCESS_KEY: SECRET_KEY}, buckets=["bench-bucket"], isolate_environment=False)
        self.fake.start()
        client = boto3_client(**self.config)
        body = self.body
        return lambda: client.put_object(Bucket="bench-bucket", Key="k", Body=body)

    def teardown(self) -> None:
        self.fake.stop()


class MotoVariant:
    def __init__(self, body: bytes, **config: Any) -> None:
        self.body, self.config = body, config

    def setup(self) -> Callable[[], Any]:
        from moto import mock_aws

        self.mock = mock_aws()
        self.mock.start()
        client = boto3_client(**self.config)
        client.create_bucket(Bucket="bench-bucket")
        body = self.body
        return lambda: client.put_object(Bucket="bench-bucket", Key="k", Body=body)

    def teardown(self) -> None:
        self.mock.stop()


class ServedFakeVariant:
    """fakes3put's loopback server: boto3 over a real socket (keep-alive), signatures checked."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    def setup(self) -> Callable[[], Any]:
        from fakes3put import FakeS3

        self.fake = FakeS3(credentials={ACCESS_KEY: SECRET_KEY}, buckets=["bench-bucket"], isolate_environment=False)
        self.server = self.fake.serve()
        client = boto3_client(endpoint_url=self.server.start(), s3={"addressing_style": "path"})
        body = self.body
        return lambda: client.put_object(Bucket="bench-bucket", Key="k", Body=body)

    def teardown(self) -> None:
        self.server.stop()


class MotoServerVariant:
    """moto's own threaded server (werkzeug), the same boto3 client over a real socket."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    def setup(self) -> Callable[[], Any]:
        import logging

        from moto.server import ThreadedMotoServer

        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one access-log line per request otherwise
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.server.start()
        host, port = self.server.get_host_and_port()
        client = boto3_client(endpoint_url=f"http://{host}:{port}", s3={"addressing_style": "path"})
        client.create_bucket(Bucket="bench-bucket")
        body = self.body
        return lambda: client.put_object(Bucket="bench-bucket", Key="k", Body=body)

    def teardown(self) -> None:
        self.server.stop()


class _EmptyRaw:
    def stream(self, **_: Any) -> Any:
        return iter(())


def hook_floor(body: bytes, **config: Any) -> Callable[[], Any]:
    """botocore's whole pipeline, answered 200 by a before-send hook that consumes the body."""
    from botocore.awsrequest import AWSResponse

    client = boto3_client(**config)

    def answer(request: Any, **_: Any) -> AWSResponse:
        payload = request.body
        if hasattr(payload, "read"):
            while payload.read(MIB):
                pass
        return AWSResponse(request.url, 200, {"ETag": '"0"'}, _EmptyRaw())

    client.meta.events.register("before-send.s3.PutObject", answer)
    return lambda: client.put_object(Bucket="bench-bucket", Key="k", Body=body)


# What S3 answers a PutObject with (the checksum pair only when the client sent a checksum).
_PUT_ANSWER = {
    "x-amz-id-2": "kTQzNDhCNDY3OEU4QTAwMDAwMDAwMDAwMDAwMDAwMDA=",
    "x-amz-request-id": "FAKES30000000001",
    "Date": "Wed, 25 Nov 2026 12:00:00 GMT",
    "x-amz-server-side-encryption": "AES256",
    "ETag": '"0f343b0931126a20f133d67c2b018a3b"',
    "Server": "AmazonS3",
    "Content-Length": "0",
}
_CHECKSUM_ANSWER = {"x-amz-checksum-crc32": "AAAAAA==", "x-amz-checksum-type": "FULL_OBJECT"}


def transport_floor(call: Callable[[], Callable[[], Any]]) -> tuple[Callable[[], Any], Callable[[], None]]:
    """The client's whole path down to urllib3's ``urlopen``, which consumes the body and answers
    at once with S3's PutObject headers: what any fake patched in at ``urlopen`` (fakes3put's
    patch point) costs before it does any work of its own."""
    import io

    from urllib3 import HTTPResponse
    from urllib3.connectionpool import HTTPConnectionPool

    original = HTTPConnectionPool.urlopen

    def urlopen(pool: Any, method: str, url: str, body: Any = None, headers: Any = None, **kw: Any) -> Any:  # noqa: ARG001
        if hasattr(body, "read"):
            while body.read(MIB):
                pass
        sent_checksum = any(str(name).lower().startswith("x-amz-checksum") for name in headers or {}) or any(
            str(name).lower() == "x-amz-trailer" for name in headers or {}
        )
        answer = {**_PUT_ANSWER, **(_CHECKSUM_ANSWER if sent_checksum else {})}
        return HTTPResponse(
            body=io.BytesIO(b""),
            headers=answer,
            status=200,
            reason="OK",
            preload_content=kw.get("preload_content", True),
            decode_content=kw.get("decode_content", True),
            request_method=method,
        )

    HTTPConnectionPool.urlopen = urlopen  # type: ignore[method-assign]

    def restore() -> None:
        HTTPConnectionPool.urlopen = original  # type: ignore[method-assign]

    try:
        return call(), restore
    except BaseException:
        restore()
        raise


def boto3_put(body: bytes, **config: Any) -> Callable[[], Callable[[], Any]]:
    def make() -> Callable[[], Any]:
        client = boto3_client(**config)
        return lambda: client.put_object(Bucket="bench-bucket", Key="k", Body=body)

    return make


def requests_put(body: bytes) -> Callable[[], Callable[[], Any]]:
    def make() -> Callable[[], Any]:
        import requests

        session = requests.Session()
        return lambda: session.put("https://bench-bucket.s3.amazonaws.com/k", data=body)

    return make


def stubber_floor(body: bytes) -> Callable[[], Any]:
    from botocore.stub import Stubber

    client = boto3_client()
    stubber = Stubber(client)
    stubber.activate()

    def put() -> Any:
        stubber.add_response("put_object", {"ETag": '"0"'})
        return client.put_object(Bucket="bench-bucket", Key="k", Body=body)

    return put


def hash_floor(body: bytes) -> Callable[[], Any]:
    return lambda: (hashlib.md5(body, usedforsecurity=False).digest(), zlib.crc32(body))


def requests_fake(body: bytes) -> tuple[Callable[[], Any], Callable[[], None]]:
    import requests

    from fakes3put import BucketSpec, FakeS3

    fake = FakeS3(buckets=[BucketSpec("bench-bucket", acl="public-read-write")], isolate_environment=False)
    fake.start()
    session = requests.Session()
    return (lambda: session.put("https://bench-bucket.s3.amazonaws.com/k", data=body)), fake.stop


def requests_responses(body: bytes) -> tuple[Callable[[], Any], Callable[[], None]]:
    import requests
    import responses

    mock = responses.RequestsMock(assert_all_requests_are_fired=False)
    mock.start()
    mock.add(responses.PUT, "https://bench-bucket.s3.amazonaws.com/k", status=200, headers={"ETag": '"0"'})
    session = requests.Session()

    def stop() -> None:
        mock.stop()
        mock.reset()

    return (lambda: session.put("https://bench-bucket.s3.amazonaws.com/k", data=body)), stop


def enter_exit_fake() -> Callable[[], Any]:
    from fakes3put import FakeS3

    def cycle() -> None:
        with FakeS3(isolate_environment=False):
            pass

    return cycle


def enter_exit_moto() -> Callable[[], Any]:
    from moto import mock_aws

    def cycle() -> None:
        with mock_aws():
            pass

    return cycle


def _test_cycle(client: Any) -> None:
    """What one test typically does with S3: a bucket, three small puts, one get."""
    client.create_bucket(Bucket="cycle-bucket")
    for n in range(3):
        client.put_object(Bucket="cycle-bucket", Key=f"k{n}", Body=b"x" * KIB)
    client.get_object(Bucket="cycle-bucket", Key="k1")["Body"].read()


def test_cycle_fake() -> Callable[[], Any]:
    import boto3

    from fakes3put import FakeS3

    def cycle() -> None:
        with FakeS3():  # the default: the fake's credentials and region in the environment
            _test_cycle(boto3.client("s3"))

    return cycle


def test_cycle_moto() -> Callable[[], Any]:
    import boto3
    from moto import mock_aws

    def cycle() -> None:
        with mock_aws():
            _test_cycle(boto3.client("s3"))

    return cycle


# A pytest file as a project would write it: a fixture giving each test a fresh fake and client,
# and tests doing a handful of operations each. The same tests run under both fakes.
_CONFTEST_FAKES3PUT = """
import boto3
import pytest


@pytest.fixture
def s3(fake_s3):
    return boto3.client("s3")
"""

_CONFTEST_MOTO = """
import boto3
import pytest
from moto import mock_aws


@pytest.fixture
def s3():
    with mock_aws():
        yield boto3.client("s3")
"""

_TEST_BODIES = [
    """
    s3.create_bucket(Bucket="bucket-{n}")
    s3.put_object(Bucket="bucket-{n}", Key="report.csv", Body=b"a,b\\n1,2\\n" * 50)
    assert s3.get_object(Bucket="bucket-{n}", Key="report.csv")["Body"].read().startswith(b"a,b")
""",
    """
    s3.create_bucket(Bucket="bucket-{n}")
    for key in ("a/1", "a/2", "b/1"):
        s3.put_object(Bucket="bucket-{n}", Key=key, Body=key.encode())
    listed = s3.list_objects_v2(Bucket="bucket-{n}", Prefix="a/")
    assert [o["Key"] for o in listed["Contents"]] == ["a/1", "a/2"]
""",
    """
    s3.create_bucket(Bucket="bucket-{n}")
    s3.put_object(Bucket="bucket-{n}", Key="k", Body=b"x" * 1024, Metadata={{"owner": "t{n}"}})
    head = s3.head_object(Bucket="bucket-{n}", Key="k")
    assert head["ContentLength"] == 1024 and head["Metadata"] == {{"owner": "t{n}"}}
    s3.delete_object(Bucket="bucket-{n}", Key="k")
    assert s3.list_objects_v2(Bucket="bucket-{n}")["KeyCount"] == 0
""",
    """
    s3.create_bucket(Bucket="bucket-{n}")
    s3.put_object(Bucket="bucket-{n}", Key="src", Body=b"payload-{n}")
    s3.copy_object(Bucket="bucket-{n}", Key="dst", CopySource={{"Bucket": "bucket-{n}", "Key": "src"}})
    assert s3.get_object(Bucket="bucket-{n}", Key="dst")["Body"].read() == b"payload-{n}"
""",
    """
    import pytest
    from botocore.exceptions import ClientError

    s3.create_bucket(Bucket="bucket-{n}")
    with pytest.raises(ClientError) as missing:
        s3.get_object(Bucket="bucket-{n}", Key="absent")
    assert missing.value.response["Error"]["Code"] == "NoSuchKey"
""",
]


def write_test_project(folder: str, tests: int, conftest: str) -> None:
    with open(os.path.join(folder, "pytest.ini"), "w") as ini:
        ini.write("[pytest]\n")  # the folder is its own rootdir: no project configuration applies
    with open(os.path.join(folder, "conftest.py"), "w") as handle:
        handle.write(conftest)
    with open(os.path.join(folder, "test_storage.py"), "w") as handle:
        for n in range(tests):
            body = _TEST_BODIES[n % len(_TEST_BODIES)].format(n=n)
            handle.write(f"\n\ndef test_case_{n}(s3):{body}")


def pytest_file_seconds(tests: int, rounds: int) -> list[tuple[str, list[float]]]:
    """Wall time of ``python -m pytest -q`` over the generated file, per fake, interleaved."""
    import tempfile

    import fakes3put

    # The children import the same fakes3put as this process, wherever it was imported from.
    tree = os.path.dirname(os.path.dirname(fakes3put.__file__))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [tree, os.environ.get("PYTHONPATH")]))}
    runs = [
        ("moto mock_aws", _CONFTEST_MOTO, ["-p", "no:fakes3put"]),
        ("fakes3put", _CONFTEST_FAKES3PUT, []),
    ]
    samples: dict[str, list[float]] = {name: [] for name, _, _ in runs}
    with tempfile.TemporaryDirectory() as scratch:
        folders = {}
        for name, conftest, _ in runs:
            folders[name] = os.path.join(scratch, name.split()[0])
            os.mkdir(folders[name])
            write_test_project(folders[name], tests, conftest)
        for _ in range(rounds):
            for name, _, options in runs:
                command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *options]
                start = time.perf_counter()
                result = subprocess.run(
                    command, check=False, cwd=folders[name], env=env, capture_output=True, text=True
                )
                samples[name].append(time.perf_counter() - start)
                if result.returncode != 0 or f"{tests} passed" not in result.stdout:
                    raise RuntimeError(f"the {name} test file failed:\n{result.stdout}\n{result.stderr}")
    return list(samples.items())


# ------------------------------------------------------------------------- machinery


@dataclass
class Case:
    title: str
    variants: list[tuple[str, Callable[[], tuple[Callable[[], Any], Callable[[], None]]]]]
    rounds: int
    inner: int = 1  # calls per sample (for very fast operations)


def with_teardown(
    factory: Callable[[], Callable[[], Any]], teardown: Callable[[], None] = lambda: None
) -> Callable[[], tuple[Callable[[], Any], Callable[[], None]]]:
    return lambda: (factory(), teardown)


ObjectVariant = FakeVariant | MotoVariant | ServedFakeVariant | MotoServerVariant


def object_variant(variant: ObjectVariant) -> Callable[[], tuple[Callable[[], Any], Callable[[], None]]]:
    return lambda: (variant.setup(), variant.teardown)


def run_case(case: Case) -> list[tuple[str, list[float]]]:
    samples: dict[str, list[float]] = {name: [] for name, _ in case.variants}
    for _ in range(case.rounds):
        for name, make in case.variants:
            call, teardown = make()
            try:
                call()  # warm: first call pays for lazy imports and connection pools
                gc.collect()
                start = time.perf_counter()
                for _ in range(case.inner):
                    call()
                samples[name].append((time.perf_counter() - start) / case.inner)
            finally:
                teardown()
    return list(samples.items())


def subprocess_seconds(code: str, rounds: int) -> list[float]:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        times.append(time.perf_counter() - start)
    return times


def peak_rss(variant: str, size: int) -> int:
    """Peak RSS (bytes) of a fresh process doing one put of ``size`` bytes through ``variant``."""
    out = subprocess.run(
        [sys.executable, __file__, "--child-rss", variant, str(size)], check=True, capture_output=True, text=True
    ).stdout
    return int(out.strip())


def _peak_rss_bytes() -> int:
    # VmHWM is this process's own high-water mark; getrusage's ru_maxrss on Linux carries the
    # parent's peak across exec, which made every child look like the benchmark driver.
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


def child_rss(variant: str, size: int) -> None:
    body = os.urandom(size)
    if variant == "fakes3put":
        call = FakeVariant(body).setup()
    elif variant == "fakes3put, when_required":
        call = FakeVariant(body, request_checksum_calculation="when_required").setup()
    elif variant == "moto":
        call = MotoVariant(body).setup()
    elif variant == "hook floor":
        call = hook_floor(body)
    else:
        call = lambda: None  # noqa: E731 - baseline: the body alone
    call()
    print(_peak_rss_bytes())


def memory_per_object(count: int) -> float:
    out = subprocess.run(
        [sys.executable, __file__, "--child-objects", str(count)], check=True, capture_output=True, text=True
    ).stdout
    return float(out.strip())


def child_objects(count: int) -> None:
    import tracemalloc

    import urllib3

    from fakes3put import BucketSpec, FakeS3

    fake = FakeS3(buckets=[BucketSpec("mem-bucket", acl="public-read-write")], isolate_environment=False)
    http = urllib3.PoolManager()
    bodies = [n.to_bytes(4, "big") * (KIB // 4) for n in range(count)]  # one distinct 1 KiB body each
    with fake:
        http.request("PUT", "https://mem-bucket.s3.amazonaws.com/warm", body=b"warm")
        fake.calls.clear()
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        for n in range(count):
            http.request("PUT", f"https://mem-bucket.s3.amazonaws.com/obj-{n:06d}", body=bodies[n])
        fake.calls.clear()  # the call log is a test aid, not the store
        gc.collect()
        after = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
    # The bodies were allocated before tracing began and the store keeps them without copying,
    # so what grew is the per-object overhead (object, key, indexes and write log).
    print((after - before) / count)


# ------------------------------------------------------------------------- report


def fmt_seconds(value: float) -> str:
    if value < 1e-3:
        return f"{value * 1e6:.0f} µs"
    if value < 1:
        return f"{value * 1e3:.2f} ms"
    return f"{value:.2f} s"


def table(title: str, rows: list[tuple[str, list[float]]], reference: str | None) -> list[str]:
    lines = [f"### {title}", "", "| variant | median | min – max | × reference |", "|---|---|---|---|"]
    base = statistics.median(dict(rows)[reference]) if reference else None
    for name, values in rows:
        median = statistics.median(values)
        ratio = f"{median / base:.2f}" if base else ""
        spread = f"{fmt_seconds(min(values))} – {fmt_seconds(max(values))}"
        lines.append(f"| {name} | {fmt_seconds(median)} | {spread} | {ratio} |")
    return [*lines, ""]


def versions() -> str:
    import importlib.metadata as md

    names = ["fakes3put", "boto3", "botocore", "urllib3", "requests", "responses", "moto"]
    found = []
    for name in names:
        try:
            found.append(f"{name} {md.version(name)}")
        except md.PackageNotFoundError:
            found.append(f"{name} (not installed)")
    return ", ".join(found)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="few rounds; only checks that every case runs")
    parser.add_argument("--json", help="also write raw samples to this file")
    parser.add_argument("--only", help="run only the cases whose title contains this text")
    parser.add_argument("--child-rss", nargs=2, help=argparse.SUPPRESS)
    parser.add_argument("--child-objects", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_rss:
        child_rss(args.child_rss[0], int(args.child_rss[1]))
        return 0
    if args.child_objects:
        child_objects(args.child_objects)
        return 0

    quick = args.quick
    rounds = 3 if quick else 25
    big_rounds = 1 if quick else 7
    small, mid, big = b"x" * KIB, os.urandom(MIB), os.urandom(50 * MIB)
    when_required = {"request_checksum_calculation": "when_required"}
    # moto's server needs the bench extra (moto[server]); without it that row is left out.
    moto_server = all(importlib.util.find_spec(name) is not None for name in ("flask", "flask_cors"))
    cases = [
        Case(
            "boto3 put_object, 1 KiB",
            [
                ("hook floor", with_teardown(lambda: hook_floor(small))),
                ("botocore Stubber", with_teardown(lambda: stubber_floor(small))),
                ("urllib3 transport floor", lambda: transport_floor(boto3_put(small))),
                ("fakes3put", object_variant(FakeVariant(small))),
                ("fakes3put, when_required", object_variant(FakeVariant(small, **when_required))),
                ("moto", object_variant(MotoVariant(small))),
            ],
            rounds,
            inner=20,
        ),
        Case(
            "boto3 put_object over a loopback HTTP server, 1 KiB",
            [
                *([("moto ThreadedMotoServer", object_variant(MotoServerVariant(small)))] if moto_server else []),
                ("fakes3put serve()", object_variant(ServedFakeVariant(small))),
                ("fakes3put in process (no socket)", object_variant(FakeVariant(small))),
            ],
            rounds,
            inner=20,
        ),
        Case(
            "boto3 put_object, 1 MiB",
            [
                ("hook floor", with_teardown(lambda: hook_floor(mid))),
                ("fakes3put", object_variant(FakeVariant(mid))),
                ("fakes3put, when_required", object_variant(FakeVariant(mid, **when_required))),
                ("moto", object_variant(MotoVariant(mid))),
            ],
            rounds,
            inner=3,
        ),
        Case(
            "boto3 put_object, 50 MiB",
            [
                ("hook floor", with_teardown(lambda: hook_floor(big))),
                ("md5 + crc32 pass", with_teardown(lambda: hash_floor(big))),
                ("fakes3put", object_variant(FakeVariant(big))),
                ("fakes3put, when_required", object_variant(FakeVariant(big, **when_required))),
                ("moto", object_variant(MotoVariant(big))),
            ],
            big_rounds,
        ),
        Case(
            "requests.put, 1 KiB",
            [
                ("bare responses mock", lambda: requests_responses(small)),
                ("urllib3 transport floor", lambda: transport_floor(requests_put(small))),
                ("fakes3put", lambda: requests_fake(small)),
            ],
            rounds,
            inner=20,
        ),
        Case(
            "enter + exit",
            [("fakes3put", with_teardown(enter_exit_fake)), ("moto mock_aws", with_teardown(enter_exit_moto))],
            rounds,
            inner=20,
        ),
        Case(
            "typical test cycle (start, boto3.client, create bucket, 3 puts of 1 KiB, get, stop)",
            [("moto mock_aws", with_teardown(test_cycle_moto)), ("fakes3put", with_teardown(test_cycle_fake))],
            rounds,
            inner=5,
        ),
    ]
    if args.only:
        cases = [c for c in cases if args.only in c.title]
    references = {c.title: c.variants[0][0] for c in cases}
    out = [
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()}, "
        f"Python {platform.python_version()}",
        f"Versions: {versions()}",
        "",
    ]
    raw: dict[str, Any] = {}
    for case in cases:
        rows = run_case(case)
        raw[case.title] = rows
        out += table(case.title, rows, references[case.title])
        print(f"done: {case.title}", file=sys.stderr)

    file_tests, file_rounds = (20, 1) if quick else (200, 5)
    title = f"a pytest file of {file_tests} tests (fixture, client per test; wall time of the run)"
    if not args.only or args.only in title:
        rows = pytest_file_seconds(file_tests, file_rounds)
        raw[title] = rows
        out += table(title, rows, "moto mock_aws")
        speedup = statistics.median(rows[0][1]) / statistics.median(rows[1][1])
        out += [f"fakes3put runs the file {speedup:.1f}× faster than moto", ""]
        print(f"done: {title}", file=sys.stderr)

    import_rounds = 3 if quick else 15
    imports = [
        ("python -c pass", subprocess_seconds("pass", import_rounds)),
        ("import urllib3", subprocess_seconds("import urllib3", import_rounds)),
        ("import fakes3put", subprocess_seconds("import fakes3put", import_rounds)),
        ("import moto", subprocess_seconds("import moto", import_rounds)),
    ]
    out += table("import (fresh process)", imports, "import urllib3")
    fake_import = statistics.median(imports[2][1]) - statistics.median(imports[1][1])
    out += [f"fakes3put import above urllib3: {fake_import * 1e3:.1f} ms", ""]

    size = (5 if quick else 50) * MIB
    variants = ("body alone", "hook floor", "fakes3put", "fakes3put, when_required", "moto")
    rss = {name: peak_rss(name, size) for name in variants}
    out += [
        f"### peak RSS, one {size // MIB} MiB put (fresh process)",
        "",
        "| variant | peak RSS | above hook floor |",
        "|---|---|---|",
    ]
    for name, value in rss.items():
        out.append(f"| {name} | {value / MIB:.0f} MiB | {(value - rss['hook floor']) / MIB:+.0f} MiB |")
    out.append("")

    count = 2_000 if quick else 100_000
    per_object = memory_per_object(count)
    what = f"memory per stored 1 KiB object ({count} objects, beyond the body, write log included)"
    out += [f"{what}: {per_object:.0f} bytes", ""]

    print("\n".join(out))
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(raw, handle)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
