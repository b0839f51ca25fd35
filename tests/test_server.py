"""The loopback server: the same fake over HTTP, reached by boto3 and raw HTTP through real sockets."""

from __future__ import annotations

import http.client
import os
import socket
import threading
from concurrent.futures import ThreadPoolExecutor

import boto3
import pytest
import requests
from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError

from fakes3put import BucketSpec, FakeS3, FakeS3Error, UnhandledRequestError

from .helpers import error_code, make_client


@pytest.fixture
def localhost_subdomains(monkeypatch):
    """``bucket.localhost`` resolves to loopback (RFC 6761; systemd-resolved and browsers do, glibc alone does not)."""
    real = socket.getaddrinfo

    def getaddrinfo(host, *args, **kwargs):
        if isinstance(host, str) and host.endswith(".localhost"):
            host = "127.0.0.1"
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def open_bucket(name):
    """A bucket anonymous raw-HTTP writers may write to, so those tests need no signing."""
    return BucketSpec(name, acl="public-read-write")


def served_client(fake, endpoint, *, style="path", **config):
    return make_client(fake, endpoint_url=endpoint, s3={"addressing_style": style}, **config)


def test_boto3_path_style_puts_and_reads_back_through_the_server():
    fake = FakeS3(buckets=["served"])
    with fake.serve() as endpoint:
        s3 = served_client(fake, endpoint)
        s3.put_object(Bucket="served", Key="a/b.txt", Body=b"over the socket", ContentType="text/plain")
        got = s3.get_object(Bucket="served", Key="a/b.txt")
        assert got["Body"].read() == b"over the socket"
        assert got["ContentType"] == "text/plain"
    assert endpoint.startswith("http://127.0.0.1:")
    assert fake.buckets["served"]["a/b.txt"].body == b"over the socket"
    assert [(c.operation, c.status) for c in fake.calls] == [("PutObject", 200), ("GetObject", 200)]
    assert fake.calls[0].url == f"{endpoint}/served/a/b.txt"


def test_boto3_virtual_hosted_through_bucket_dot_localhost(localhost_subdomains):
    fake = FakeS3(buckets=["vhost"])
    with fake.serve() as endpoint:
        s3 = served_client(fake, endpoint.replace("127.0.0.1", "localhost"), style="virtual")
        s3.put_object(Bucket="vhost", Key="k", Body=b"virtual")
        assert s3.list_objects_v2(Bucket="vhost")["KeyCount"] == 1
    assert fake.buckets["vhost"]["k"].body == b"virtual"
    assert fake.calls[0].url.startswith("http://vhost.localhost:")
    assert fake.calls[0].bucket == "vhost"


def signed_put(fake, url, body):
    """A PUT signed (SigV4, as botocore signs) for the host in ``url``: its headers, Host included."""
    request = AWSRequest(method="PUT", url=url, data=body)
    request.headers["x-amz-content-sha256"] = "UNSIGNED-PAYLOAD"
    S3SigV4Auth(Credentials(fake.access_key, fake.secret_key), "s3", "us-east-1").add_auth(request)
    return {**dict(request.headers.items()), "Host": url.split("/")[2]}


def test_the_host_the_client_signed_is_the_one_checked():
    fake = FakeS3(buckets=["signed"])
    statuses = {}
    with fake.serve() as endpoint:
        port = endpoint.rsplit(":", 1)[1]
        for name, sent_host in (("honest", f"localhost:{port}"), ("rewritten", f"127.0.0.1:{port}")):
            headers = signed_put(fake, f"http://localhost:{port}/signed/{name}", b"x")
            headers["Host"] = sent_host  # a proxy that rewrote Host after signing breaks the signature
            connection = http.client.HTTPConnection("127.0.0.1", int(port), timeout=10)
            connection.request("PUT", f"/signed/{name}", body=b"x", headers=headers)
            statuses[name] = connection.getresponse().status
            connection.close()
    assert statuses == {"honest": 200, "rewritten": 403}
    assert fake.calls[1].error_code == "SignatureDoesNotMatch"
    assert list(fake.buckets["signed"]) == ["honest"]


def test_wrong_secret_is_refused_over_the_server():
    fake = FakeS3(buckets=["strict"])
    with fake.serve() as endpoint:
        s3 = boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id=fake.access_key,
            aws_secret_access_key="not-the-secret",
            config=Config(s3={"addressing_style": "path"}),
        )
        with pytest.raises(ClientError) as refused:
            s3.put_object(Bucket="strict", Key="k", Body=b"x" * 2048)
    assert error_code(refused) == "SignatureDoesNotMatch"
    assert fake.buckets["strict"] == {}


def test_in_process_and_served_requests_share_one_store(fake_s3):
    in_process = make_client(fake_s3)
    in_process.create_bucket(Bucket="shared")
    in_process.put_object(Bucket="shared", Key="from-inside", Body=b"1")
    with fake_s3.serve() as endpoint:
        served = served_client(fake_s3, endpoint)
        assert served.get_object(Bucket="shared", Key="from-inside")["Body"].read() == b"1"
        served.put_object(Bucket="shared", Key="from-outside", Body=b"2")
        assert in_process.get_object(Bucket="shared", Key="from-outside")["Body"].read() == b"2"
    assert [c.url.startswith("http://127.0.0.1") for c in fake_s3.calls] == [False, False, True, True, False]
    assert [w.key for w in fake_s3.writes] == ["from-inside", "from-outside"]


def test_the_server_is_reachable_through_a_closed_network():
    """passthrough=False refuses unknown hosts in process, but not the fake's own server."""
    fake = FakeS3(buckets=["closed"], passthrough=False)
    with fake.serve() as endpoint:
        assert requests.get(f"{endpoint}/closed", timeout=10).status_code == 403  # anonymous, but answered
        with pytest.raises(UnhandledRequestError):
            requests.get("http://127.0.0.1:9/closed", timeout=10)
    assert fake.calls[0].error_code == "AccessDenied"


def test_serve_starts_the_fake_and_puts_its_credentials_in_the_environment():
    fake = FakeS3(buckets=["envbucket"], credentials={"AKIDSERVED": "served-secret"}, region="eu-west-1")
    with fake.serve() as endpoint:
        assert os.environ["AWS_ACCESS_KEY_ID"] == "AKIDSERVED"
        s3 = boto3.client("s3", endpoint_url=endpoint, config=Config(s3={"addressing_style": "path"}))
        s3.put_object(Bucket="envbucket", Key="k", Body=b"from the environment")
    assert fake.calls[0].principal == "AKIDSERVED"
    assert repr(fake).endswith("started=False)")


def test_env_true_points_unmodified_sdk_code_at_the_server_and_restores_after(monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://elsewhere.invalid")
    fake = FakeS3(buckets=["envonly"], isolate_environment=False)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", fake.access_key)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", fake.secret_key)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.delenv("AWS_ENDPOINT_URL_S3", raising=False)
    server = fake.serve(env=True)
    with server as endpoint:
        assert os.environ["AWS_ENDPOINT_URL_S3"] == endpoint
        assert os.environ["AWS_ALLOW_HTTP"] == "true"
        s3 = boto3.client("s3", config=Config(s3={"addressing_style": "path"}))  # no endpoint_url given
        s3.put_object(Bucket="envonly", Key="k", Body=b"x")
    assert fake.calls[0].url == f"{endpoint}/envonly/k"
    assert os.environ["AWS_ENDPOINT_URL"] == "http://elsewhere.invalid"
    assert "AWS_ENDPOINT_URL_S3" not in os.environ


def test_start_and_stop_without_a_with_block():
    fake = FakeS3(buckets=["manual"])
    server = fake.serve()
    endpoint = server.start()
    try:
        assert server.endpoint == endpoint
        assert server.port == int(endpoint.rsplit(":", 1)[1])
        assert requests.head(f"{endpoint}/manual", timeout=10).status_code == 403
    finally:
        server.stop()
    with pytest.raises(requests.ConnectionError):
        requests.head(f"{endpoint}/manual", timeout=10)
    with pytest.raises(FakeS3Error, match="not running"):
        _ = server.endpoint


def test_port_already_in_use_names_the_port():
    fake = FakeS3()
    with fake.serve() as endpoint:
        port = int(endpoint.rsplit(":", 1)[1])
        with pytest.raises(FakeS3Error, match=rf"port {port} on 127\.0\.0\.1 is already in use"):
            FakeS3().serve(port=port).start()
    assert repr(fake).endswith("started=False)")


def test_listens_on_loopback_only_by_default():
    with FakeS3().serve() as endpoint:
        port = int(endpoint.rsplit(":", 1)[1])
        addresses = {str(info[4][0]) for info in socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)}
        outside = sorted(a for a in addresses if not a.startswith("127."))
        for address in outside:
            with pytest.raises(OSError), socket.create_connection((address, port), timeout=5):
                pass
        with socket.create_connection(("127.0.0.1", port), timeout=5):
            pass


def test_stop_leaves_no_thread_behind_even_with_idle_keep_alive_connections():
    before = set(threading.enumerate())
    fake = FakeS3(buckets=["threads"])
    with fake.serve() as endpoint:
        s3 = served_client(fake, endpoint, max_pool_connections=8)
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda n: s3.put_object(Bucket="threads", Key=f"k{n}", Body=b"x"), range(32)))
        during = set(threading.enumerate()) - before
        assert any(t.name.startswith("fakes3put-server-") for t in during)
    assert set(threading.enumerate()) - before == set()
    assert len(fake.buckets["threads"]) == 32


def test_keep_alive_serves_many_requests_on_one_connection():
    fake = FakeS3(buckets=[open_bucket("keepalive")], check_signatures=False)
    with fake.serve() as endpoint:
        connection = http.client.HTTPConnection(endpoint.removeprefix("http://"), timeout=10)
        for n in range(5):
            connection.request("PUT", f"/keepalive/k{n}", body=b"v" * n, headers={"Content-Length": str(n)})
            response = connection.getresponse()
            response.read()
            assert response.status == 200
        local_ports = {c.url for c in fake.calls}
        connection.close()
    assert len(local_ports) == 5
    assert len(fake.buckets["keepalive"]) == 5


def test_64_concurrent_connections_are_all_answered():
    fake = FakeS3(buckets=[open_bucket("many")], check_signatures=False)
    with fake.serve() as endpoint:
        address = endpoint.removeprefix("http://")
        barrier = threading.Barrier(64, timeout=30)

        def put(n):
            connection = http.client.HTTPConnection(address, timeout=30)
            connection.connect()
            barrier.wait()  # all 64 connected before any request is sent
            connection.request("PUT", f"/many/k{n}", body=b"x")
            status = connection.getresponse().status
            connection.close()
            return status

        with ThreadPoolExecutor(64) as pool:
            statuses = list(pool.map(put, range(64)))
    assert statuses == [200] * 64
    assert len(fake.buckets["many"]) == 64


def test_chunked_transfer_is_decoded_then_judged_as_s3_would():
    """S3 refuses Transfer-Encoding: chunked on PutObject; accept_chunked_transfer=True takes it."""
    strict = FakeS3(buckets=[open_bucket("chunky")], check_signatures=False)
    lenient = FakeS3(buckets=[open_bucket("chunky")], check_signatures=False, accept_chunked_transfer=True)
    statuses = []
    for fake in (strict, lenient):
        with fake.serve() as endpoint:
            response = requests.put(f"{endpoint}/chunky/k", data=iter([b"hello ", b"chunked ", b"world"]), timeout=10)
            statuses.append(response.status_code)
    assert statuses[0] == 501  # NotImplemented: "A header you provided implies functionality that is not implemented"
    assert strict.buckets["chunky"] == {}
    assert statuses[1] == 200
    assert lenient.buckets["chunky"]["k"].body == b"hello chunked world"


def test_expect_100_continue_is_answered_only_when_the_body_is_wanted():
    fake = FakeS3(buckets=[open_bucket("expect")], check_signatures=False)
    with fake.serve() as endpoint, socket.create_connection(("127.0.0.1", int(endpoint.rsplit(":", 1)[1]))) as sock:
        sock.settimeout(10)
        sock.sendall(b"PUT /expect/k HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
        assert sock.recv(100) == b"HTTP/1.1 100 Continue\r\n\r\n"
        sock.sendall(b"body")
        final = sock.recv(4096)
        # A refused upload (no such bucket) is answered from its headers; the body is never asked for.
        sock.sendall(b"PUT /nosuch/k HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
        refused = sock.recv(4096)
    assert final.startswith(b"HTTP/1.1 200 OK\r\n")
    assert fake.buckets["expect"]["k"].body == b"body"
    assert refused.startswith(b"HTTP/1.1 404 Not Found\r\n")
    assert b"Connection: close" in refused


def test_hold_through_the_server_decides_which_of_8_writers_is_stored():
    fake = FakeS3(buckets=["held"])
    with fake.serve() as endpoint:
        s3 = served_client(fake, endpoint, max_pool_connections=8)

        def writer(n):
            return s3.put_object(Bucket="held", Key="one", Body=f"writer {n}".encode())["ResponseMetadata"]

        with ThreadPoolExecutor(8) as pool, fake.simultaneous(expect=8, order="reverse") as hold:
            futures = [pool.submit(writer, n) for n in range(8)]
        answers = [f.result(timeout=30) for f in futures]
    assert [a["HTTPStatusCode"] for a in answers] == [200] * 8
    assert hold.receipt_order == list(range(7, -1, -1))
    winner = max(hold.writes, key=lambda w: w.received or 0)
    assert fake.buckets["held"]["one"].etag == winner.etag
    assert sorted(w.outcome for w in hold.writes) == ["stored"] + ["superseded"] * 7


def test_injected_error_fault_is_answered_through_the_server():
    fake = FakeS3(buckets=["faulty"])
    fake.faults.add("SlowDown", operation="PutObject", nth=1)
    with fake.serve() as endpoint:
        s3 = served_client(fake, endpoint, retries={"max_attempts": 0})
        with pytest.raises(ClientError) as slowed:
            s3.put_object(Bucket="faulty", Key="k", Body=b"x")
        s3.put_object(Bucket="faulty", Key="k", Body=b"x")
    assert error_code(slowed) == "SlowDown"
    assert [c.status for c in fake.calls] == [503, 200]


def test_injected_reset_closes_the_connection_without_an_answer():
    fake = FakeS3(buckets=[open_bucket("reset")], check_signatures=False)
    fake.faults.add("reset-before-commit", operation="PutObject", nth=1)
    with fake.serve() as endpoint:
        with pytest.raises(requests.ConnectionError):
            requests.put(f"{endpoint}/reset/k", data=b"lost", timeout=10)
        assert requests.put(f"{endpoint}/reset/k", data=b"kept", timeout=10).status_code == 200
    assert [c.fault for c in fake.calls] == ["reset-before-commit", None]
    assert fake.buckets["reset"]["k"].body == b"kept"


@pytest.mark.fakes3put(buckets=["fixture-bucket"])
def test_fake_s3_server_fixture_serves_the_fake_s3_fake(fake_s3_server, fake_s3):
    assert fake_s3_server.fake is fake_s3
    assert str(fake_s3_server) == fake_s3_server.endpoint == f"http://127.0.0.1:{fake_s3_server.port}"
    assert fake_s3_server.environment["AWS_ENDPOINT_URL_S3"] == fake_s3_server.endpoint
    assert fake_s3_server.environment["AWS_SECRET_ACCESS_KEY"] == fake_s3.secret_key
    served_client(fake_s3, fake_s3_server.endpoint).put_object(Bucket="fixture-bucket", Key="k", Body=b"served")
    assert make_client(fake_s3).get_object(Bucket="fixture-bucket", Key="k")["Body"].read() == b"served"
    assert fake_s3.calls[0].url.startswith(fake_s3_server.endpoint)
