"""What a SignatureDoesNotMatch costs with the signature doctor on.

    PYTHONPATH=. python benchmarks/doctor.py           # 25 rounds, prints a markdown table (this checkout)
    PYTHONPATH=. python benchmarks/doctor.py --quick   # 3 rounds: checks every case still runs

Each case sends one request through the real transport with requests (a presigned URL, or
headers signed by botocore's S3SigV4Auth). Rounds are interleaved: every case runs once per round,
in turn. A sample is the mean of 20 calls. Two columns: the whole request as the client sees it,
and the time spent inside the doctor alone (its diagnose functions, timed by wrapping them),
which is what a mismatch costs on top of the refusal S3 would give anyway. The wrong-secret cases
are the doctor's worst case: no variant reproduces the signature, so every candidate is tried.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

ACCESS_KEY, SECRET_KEY = "AKIDBENCHMARK0000001", "benchmark-secret"
BUCKET = "bench-bucket"
INNER = 20


@dataclass
class Case:
    name: str
    expect: int  # the status every call must get
    send: Callable[[], Any]
    total: list[float] = field(default_factory=list)
    doctor: list[float] = field(default_factory=list)


class DoctorClock:
    """Accumulates the time spent in the doctor's entry points (wrapped, then restored)."""

    NAMES = ("diagnose_sigv4", "diagnose_sigv2", "diagnose_chunk", "diagnose_trailer")

    def __init__(self) -> None:
        from fakes3put._auth import doctor

        self.module = doctor
        self.saved = {name: getattr(doctor, name) for name in self.NAMES}
        self.spent = 0.0
        for name, original in self.saved.items():
            setattr(doctor, name, self._timed(original))

    def _timed(self, original: Callable[..., str]) -> Callable[..., str]:
        def timed(*args: Any, **kwargs: Any) -> str:
            start = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.spent += time.perf_counter() - start

        return timed

    def restore(self) -> None:
        for name, original in self.saved.items():
            setattr(self.module, name, original)


def client(secret: str, version: str | None) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3",
        region_name="us-east-1",
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=secret,
        config=Config(signature_version=version) if version else None,
    )


def header_signed(secret: str) -> tuple[str, dict[str, str]]:
    import hashlib

    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    url = f"https://{BUCKET}.s3.amazonaws.com/header"
    request = AWSRequest(method="PUT", url=url, data=b"x" * 1024, headers={"Content-Type": "text/plain"})
    request.headers["X-Amz-Content-SHA256"] = hashlib.sha256(b"x" * 1024).hexdigest()
    S3SigV4Auth(Credentials(ACCESS_KEY, secret), "s3", "us-east-1").add_auth(request)
    return url, dict(request.headers.items())


def cases() -> list[Case]:
    import requests

    session = requests.Session()
    body = b"x" * 1024
    params = {"Bucket": BUCKET, "Key": "dir/photo.png", "ContentType": "image/png"}
    good_v4 = client(SECRET_KEY, "s3v4").generate_presigned_url("put_object", Params=params, ExpiresIn=86400)
    bad_v4 = client("wrong", "s3v4").generate_presigned_url("put_object", Params=params, ExpiresIn=86400)
    bad_v2 = client("wrong", None).generate_presigned_url("put_object", Params=params, ExpiresIn=86400)
    png = {"Content-Type": "image/png"}
    header_url, good_headers = header_signed(SECRET_KEY)
    _, bad_headers = header_signed("wrong")
    return [
        Case("SigV4 presigned PUT, accepted", 200, lambda: session.put(good_v4, data=body, headers=png)),
        Case(
            "SigV4 presigned PUT, Content-Type changed (cause found)",
            403,
            lambda: session.put(good_v4, data=body, headers={"Content-Type": "application/octet-stream"}),
        ),
        Case(
            "SigV4 presigned PUT, wrong secret (every candidate)",
            403,
            lambda: session.put(bad_v4, data=body, headers=png),
        ),
        Case("SigV4 header PUT, accepted", 200, lambda: session.put(header_url, data=body, headers=good_headers)),
        Case(
            "SigV4 header PUT, wrong secret (every candidate)",
            403,
            lambda: session.put(header_url, data=body, headers=bad_headers),
        ),
        Case(
            "SigV2 presigned PUT, wrong secret (every candidate)",
            403,
            lambda: session.put(bad_v2, data=body, headers=png),
        ),
    ]


def fmt(seconds: float) -> str:
    return f"{seconds * 1e6:.0f} µs" if seconds < 1e-3 else f"{seconds * 1e3:.2f} ms"


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="3 rounds; only checks that every case runs")
    parser.add_argument("--rounds", type=int, default=25)
    args = parser.parse_args(argv)
    rounds = 3 if args.quick else args.rounds

    from fakes3put import FakeS3

    fake = FakeS3(credentials={ACCESS_KEY: SECRET_KEY}, buckets=[BUCKET], isolate_environment=False)
    fake.start()
    clock = DoctorClock()
    try:
        todo = cases()
        for case in todo:  # warm up, and check each case gets the answer it is named for
            status = case.send().status_code
            if status != case.expect:
                raise SystemExit(f"{case.name}: got {status}, expected {case.expect}")
        for _ in range(rounds):
            for case in todo:
                clock.spent = 0.0
                start = time.perf_counter()
                for _ in range(INNER):
                    case.send()
                case.total.append((time.perf_counter() - start) / INNER)
                case.doctor.append(clock.spent / INNER)
    finally:
        clock.restore()
        fake.stop()

    print(f"{rounds} rounds, interleaved; a sample is the mean of {INNER} calls; median (min – max)\n")
    print("| case | whole request | inside the doctor |")
    print("|---|---|---|")
    for case in todo:
        whole = f"{fmt(statistics.median(case.total))} ({fmt(min(case.total))} – {fmt(max(case.total))})"
        doctor = f"{fmt(statistics.median(case.doctor))} ({fmt(min(case.doctor))} – {fmt(max(case.doctor))})"
        print(f"| {case.name} | {whole} | {doctor} |")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
