"""Hostile and careless traffic: retries, endless bodies, refusals decided from the headers,
proxies, nesting, late imports and odd hosts. Each case once let something escape or grow."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import textwrap
import threading
import time
import tracemalloc

import pytest
import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.util import SKIP_HEADER, Retry

from fakes3put import BucketSpec, FakeS3, UnhandledRequestError

from .helpers import make_client, xml_code

PRIVATE = "private-bucket"
OPEN = "open-bucket"
MIB = 1024 * 1024


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])  # nothing listens once the probe is closed


class CountingReader(io.RawIOBase):
    """A file-like body that produces ``size`` zero bytes lazily and counts what was read."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.remaining = size
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def read(self, amount: int | None = -1) -> bytes:
        amount = self.remaining if amount is None or amount < 0 else min(amount, self.remaining)
        self.remaining -= amount
        self.read_bytes += amount
        return b"\0" * amount


@pytest.fixture
def fake():
    buckets = [BucketSpec(PRIVATE), BucketSpec(OPEN, acl="public-read-write")]
    with FakeS3(buckets=buckets, endpoints=["http://minio.test:9000"], isolate_environment=False) as started:
        yield started


# --- urllib3 calls urlopen again, positionally, when it retries ------------------------------


def test_urllib3_retries_to_a_host_no_fake_owns_reach_the_network(fake):
    url = f"http://127.0.0.1:{closed_port()}/x"
    with pytest.raises(urllib3.exceptions.MaxRetryError) as info:
        urllib3.request("GET", url, retries=Retry(2, backoff_factor=0))
    assert isinstance(info.value.reason, urllib3.exceptions.NewConnectionError)
    assert fake.calls == []


def test_requests_adapter_retries_to_a_host_no_fake_owns(fake):
    session = requests.Session()
    session.mount("http://", HTTPAdapter(max_retries=Retry(3, backoff_factor=0)))
    with pytest.raises(requests.exceptions.ConnectionError):
        session.get(f"http://127.0.0.1:{closed_port()}/x", timeout=5)


def test_a_retried_request_to_an_owned_host_is_answered_each_time(fake):
    fake.faults.add("SlowDown", operation="PutObject", nth=1, times=2)
    http = urllib3.PoolManager(retries=Retry(3, status_forcelist=[503], allowed_methods=None, backoff_factor=0))
    response = http.request("PUT", f"https://{OPEN}.s3.amazonaws.com/k", body=b"x")
    assert response.status == 200
    assert [call.status for call in fake.calls] == [503, 503, 200]


# --- bodies are read no further than they may go ------------------------------------------------


def test_a_body_longer_than_its_content_length_is_refused_after_one_block(fake):
    with open("/dev/zero", "rb") as endless:
        tracemalloc.start()
        try:
            response = urllib3.request(
                "PUT", f"https://{OPEN}.s3.amazonaws.com/k", body=endless, headers={"Content-Length": "6"}
            )
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert response.status == 400
    assert xml_code(response) == "InvalidRequest"
    assert peak < 4 * MIB
    assert "k" not in fake.buckets[OPEN]


def test_an_anonymous_put_to_a_private_bucket_is_refused_before_its_body_is_read(fake):
    body = CountingReader(1024 * MIB)
    response = urllib3.request(
        "PUT", f"https://{PRIVATE}.s3.amazonaws.com/k", body=body, headers={"Content-Length": str(1024 * MIB)}
    )
    assert response.status == 403
    assert xml_code(response) == "AccessDenied"
    assert body.read_bytes == 0


def test_a_badly_signed_put_is_refused_before_its_body_is_read(fake):
    s3 = make_client(fake)
    s3.meta.events.register("before-sign.s3.PutObject", _use_wrong_secret)
    body = CountingReader(64 * MIB)
    with pytest.raises(Exception, match="SignatureDoesNotMatch"):
        s3.put_object(Bucket=PRIVATE, Key="k", Body=body, ContentLength=64 * MIB, ChecksumAlgorithm="CRC32")
    assert body.read_bytes < 2 * MIB
    assert "k" not in fake.buckets[PRIVATE]


def _use_wrong_secret(request, signing_name=None, region_name=None, signature_version=None, **kwargs):
    credentials = kwargs["request_signer"]._credentials
    credentials.secret_key = "not-the-secret"


def test_a_put_to_a_missing_bucket_is_refused_before_its_body_is_read(fake):
    body = CountingReader(64 * MIB)
    s3 = make_client(fake)
    with pytest.raises(Exception, match="NoSuchBucket"):
        s3.put_object(Bucket="no-such-bucket", Key="k", Body=body, ContentLength=64 * MIB)
    assert body.read_bytes < 2 * MIB


def test_an_oversized_xml_body_is_refused_from_its_content_length(fake):
    body = CountingReader(10 * MIB)
    s3 = make_client(fake)
    response = urllib3.request(
        "POST",
        f"https://{OPEN}.s3.amazonaws.com/?delete",
        body=body,
        headers={"Content-Length": str(10 * MIB), "Content-MD5": "1B2M2Y8AsgTpgAmY7PhCfg=="},
    )
    assert response.status == 400
    assert xml_code(response) == "MaxMessageLengthExceeded"
    assert body.read_bytes == 0
    assert s3.list_objects_v2(Bucket=OPEN)["KeyCount"] == 0


def test_an_xml_body_of_unknown_length_stops_being_read_at_its_limit(fake):
    def endless():
        while True:
            yield b"<Delete>" * 8192

    response = urllib3.PoolManager().urlopen(
        "PUT", f"https://{OPEN}.s3.amazonaws.com/?versioning", body=endless(), chunked=True
    )
    assert response.status == 400
    assert xml_code(response) == "MaxMessageLengthExceeded"


# --- routing: proxies, nesting, odd hosts -------------------------------------------------------


def test_plain_http_through_a_proxy_goes_where_the_url_says(fake):
    proxy = urllib3.ProxyManager(f"http://127.0.0.1:{closed_port()}/")
    response = proxy.request("PUT", "http://minio.test:9000/open-bucket/via-proxy", body=b"x")
    assert response.status == 200
    assert fake.buckets[OPEN]["via-proxy"].body == b"x"


def test_http_proxy_variable_does_not_take_requests_away(fake, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{closed_port()}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    response = requests.put("http://minio.test:9000/open-bucket/env-proxy", data=b"y", timeout=5)
    assert response.status_code == 200
    assert fake.buckets[OPEN]["env-proxy"].body == b"y"


def test_an_inner_fake_never_reopens_the_network_an_outer_one_closed():
    with FakeS3(passthrough=False, isolate_environment=False), FakeS3(isolate_environment=False):
        with pytest.raises(UnhandledRequestError, match="passthrough=False"):
            urllib3.request("GET", f"http://127.0.0.1:{closed_port()}/x", retries=False)


def test_a_fully_qualified_aws_host_is_owned(fake):
    response = urllib3.request("PUT", f"https://{OPEN}.s3.amazonaws.com./dotted", body=b"z")
    assert response.status == 200
    assert fake.buckets[OPEN]["dotted"].body == b"z"


def test_a_request_urllib3_sends_without_host_is_refused(fake):
    response = urllib3.request(
        "PUT", f"https://{OPEN}.s3.amazonaws.com/no-host", body=b"z", headers={"Host": SKIP_HEADER}
    )
    assert response.status == 400
    assert "no-host" not in fake.buckets[OPEN]
    assert "@@@" not in fake.calls[-1].url


def test_responses_imported_after_the_fake_started_lets_s3_through():
    script = textwrap.dedent(
        """
        import sys
        assert "responses" not in sys.modules
        import requests
        from fakes3put import BucketSpec, FakeS3
        bucket = BucketSpec("late-bucket", acl="public-read-write")
        with FakeS3(buckets=[bucket], endpoints=["http://minio.test:9000"]) as fake:
            import responses
            with responses.RequestsMock() as mock:
                mock.add(responses.GET, "http://other.test/", body="mocked")
                stored = requests.put("http://minio.test:9000/late-bucket/k", data=b"v", timeout=5)
                mocked = requests.get("http://other.test/", timeout=5)
            print(stored.status_code, mocked.text, fake.buckets["late-bucket"]["k"].body)
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["200", "mocked", "b'v'"]


# --- found in review: failed starts, lost acknowledgements, unbounded framing, short reads -------


def test_a_start_that_fails_leaves_nothing_patched_and_can_be_retried(monkeypatch):
    from urllib3.connectionpool import HTTPConnectionPool

    from fakes3put._transport import httpx as httpx_transport

    before = HTTPConnectionPool.urlopen
    fake = FakeS3(buckets=[BucketSpec(OPEN, acl="public-read-write")], isolate_environment=False)

    def broken() -> None:
        raise RuntimeError("cannot patch")

    monkeypatch.setattr(httpx_transport, "install", broken)
    with pytest.raises(RuntimeError, match="cannot patch"):
        fake.start()
    assert HTTPConnectionPool.urlopen is before
    monkeypatch.undo()
    with fake:
        assert urllib3.request("PUT", f"https://{OPEN}.s3.amazonaws.com/k", body=b"x").status == 200
    assert fake.buckets[OPEN]["k"].body == b"x"


def test_a_half_imported_responses_does_not_stop_the_fake(monkeypatch):
    import types

    monkeypatch.setitem(sys.modules, "responses", types.ModuleType("responses"))  # another thread's import
    with FakeS3(buckets=[BucketSpec(OPEN, acl="public-read-write")], isolate_environment=False) as fake:
        assert urllib3.request("PUT", f"https://{OPEN}.s3.amazonaws.com/k", body=b"x").status == 200
    assert fake.buckets[OPEN]["k"].body == b"x"


def test_a_lost_acknowledgement_inside_a_window_is_logged_as_lost(fake):
    fake.faults.add("reset-after-commit", operation="PutObject")
    s3 = make_client(fake, retries={"total_max_attempts": 1})
    with fake.simultaneous(), pytest.raises(Exception, match="Connection"):
        s3.put_object(Bucket=OPEN, Key="k", Body=b"x")
    assert [w.outcome for w in fake.writes] == ["lost-ack"]
    assert fake.buckets[OPEN]["k"].body == b"x"


def test_a_lost_acknowledgement_of_delete_objects_covers_every_key(fake):
    s3 = make_client(fake, retries={"total_max_attempts": 1})
    for key in ("a", "b", "c"):
        s3.put_object(Bucket=OPEN, Key=key, Body=b"x")
    fake.faults.add("reset-after-commit", operation="DeleteObjects")
    with pytest.raises(Exception, match="Connection"):
        s3.delete_objects(Bucket=OPEN, Delete={"Objects": [{"Key": k} for k in ("a", "b", "c")]})
    assert [w.outcome for w in fake.writes if w.operation == "DeleteObjects"] == ["lost-ack"] * 3


def test_an_aws_chunked_body_without_content_length_is_read_no_further_than_its_decoded_length_allows(fake):
    read = [0]

    def frames():
        yield b"fffffff\r\n"  # one chunk that claims 256 MiB
        for _ in range(200):
            read[0] += MIB
            yield b"\0" * MIB

    headers = {
        "Content-Encoding": "aws-chunked",
        "x-amz-decoded-content-length": "10",
        "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
    }
    response = urllib3.PoolManager().urlopen(
        "PUT", f"https://{OPEN}.s3.amazonaws.com/k", body=frames(), headers=headers, chunked=True
    )
    assert response.status == 400
    assert xml_code(response) == "IncompleteBody"
    assert read[0] <= 2 * MIB
    assert "k" not in fake.buckets[OPEN]


def test_an_unbuffered_file_body_is_read_to_its_end_across_short_reads(fake):
    read_end, write_end = os.pipe()
    os.write(write_end, b"hello")

    def finish() -> None:
        time.sleep(0.2)
        os.write(write_end, b"world")
        os.close(write_end)

    writer = threading.Thread(target=finish)
    writer.start()
    with io.FileIO(read_end, "rb") as body:
        response = urllib3.request(
            "PUT", f"https://{OPEN}.s3.amazonaws.com/piped", body=body, headers={"Content-Length": "10"}
        )
    writer.join()
    assert response.status == 200
    assert fake.buckets[OPEN]["piped"].body == b"helloworld"
