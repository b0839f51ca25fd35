"""Hostile or odd input, odd clocks and odd lifecycles: answered like S3, never a crash or a hang."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime, timedelta, timezone

import pytest
import urllib3

from fakes3put import BucketSpec, FakeS3, FakeS3Error

from .helpers import make_client, xml_code

OPEN = BucketSpec("open-bucket", acl="public-read-write")
URL = "https://open-bucket.s3.amazonaws.com/k"


@pytest.mark.parametrize(
    "body",
    [b"1\r\na\r\n-6\r\n0\r\n\r\n", b"+3\r\nabc\r\n0\r\n\r\n", b"0x3\r\nabc\r\n0\r\n\r\n", b"0_3\r\nabc\r\n0\r\n\r\n"],
)
def test_signed_looking_chunk_sizes_are_refused_at_once(body):
    with FakeS3(buckets=[OPEN], isolate_environment=False) as fake:
        started = time.perf_counter()
        response = urllib3.PoolManager().request(
            "PUT", URL, body=body, headers={"Content-Encoding": "aws-chunked", "x-amz-decoded-content-length": "3"}
        )
        assert time.perf_counter() - started < 5  # generous: the old decoder never returned at all
        assert response.status == 400
        assert xml_code(response) == "IncompleteBody"
        assert "k" not in fake.buckets["open-bucket"]


@pytest.mark.parametrize("value", ["²", "1" * 5000, "٣"])
def test_exotic_digits_in_lengths_are_invalid_arguments(value):
    with FakeS3(buckets=[OPEN], isolate_environment=False) as fake:
        response = urllib3.PoolManager().request(
            "PUT", URL, body=b"x", headers={"Content-Length": value.encode().decode("latin-1")}
        )
        assert response.status == 400
        assert xml_code(response) == "InvalidArgument"
        assert fake.calls[-1].error_code == "InvalidArgument"


def test_non_latin1_header_fails_in_the_client_as_on_a_socket():
    with FakeS3(buckets=[OPEN], isolate_environment=False) as fake:
        with pytest.raises(UnicodeEncodeError):
            urllib3.PoolManager().request("PUT", URL, body=b"x", headers={"x-amz-meta-a": "€"})
        assert fake.calls == []


def test_response_overrides_replace_stored_headers(fake_s3):
    s3 = make_client(fake_s3)
    s3.create_bucket(Bucket="override-bucket")
    s3.put_object(Bucket="override-bucket", Key="k", Body=b"x", CacheControl="max-age=60", ContentDisposition="inline")
    got = s3.get_object(
        Bucket="override-bucket", Key="k", ResponseCacheControl="no-cache", ResponseContentDisposition="attachment"
    )
    assert got["CacheControl"] == "no-cache"
    assert got["ContentDisposition"] == "attachment"


@pytest.mark.parametrize(
    "clock",
    [
        lambda: datetime(2025, 1, 15, 14, 0, tzinfo=timezone(timedelta(hours=2))),
        lambda: datetime(2025, 1, 15, 12, 0),  # naive: taken as UTC
    ],
    ids=["utc+2", "naive"],
)
def test_clocks_in_other_zones_are_read_as_utc(clock):
    from freezegun import freeze_time

    with freeze_time("2025-01-15 12:00:00"), FakeS3(buckets=["clock-bucket"], clock=clock) as fake:
        make_client(fake).put_object(Bucket="clock-bucket", Key="k", Body=b"x")
        assert fake.buckets["clock-bucket"]["k"].last_modified == datetime(2025, 1, 15, 12, 0, tzinfo=UTC)


def test_environment_is_restored_when_fakes_stop_out_of_order(monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "REAL")
    monkeypatch.delenv("AWS_CONFIG_FILE", raising=False)
    first = FakeS3(credentials={"FIRSTKEY": "s1"})
    second = FakeS3(credentials={"SECONDKEY": "s2"})
    first.start()
    second.start()
    assert os.environ["AWS_ACCESS_KEY_ID"] == "SECONDKEY"
    first.stop()
    assert os.environ["AWS_ACCESS_KEY_ID"] == "SECONDKEY"
    second.stop()
    assert os.environ["AWS_ACCESS_KEY_ID"] == "REAL"
    assert "AWS_CONFIG_FILE" not in os.environ


def test_create_bucket_with_an_unknown_xml_encoding_is_malformed_xml(fake_s3):
    from botocore.exceptions import ClientError

    body = b'<?xml version="1.0" encoding="x-bogus"?><CreateBucketConfiguration/>'
    s3 = make_client(fake_s3)
    # Swap the body before signing, so the request is correctly signed and only the XML is bad.
    s3.meta.events.register("before-sign.s3.CreateBucket", lambda request, **_: setattr(request, "data", body))
    with pytest.raises(ClientError) as bad:
        s3.create_bucket(Bucket="new-bucket")
    assert bad.value.response["Error"]["Code"] == "MalformedXML"
    assert "new-bucket" not in fake_s3.buckets


def test_versioning_enabled_while_a_write_is_in_flight_versions_it_at_receipt(fake_s3):
    s3 = make_client(fake_s3)
    s3.create_bucket(Bucket="flight-bucket")
    with fake_s3.simultaneous():
        s3.put_object(Bucket="flight-bucket", Key="k", Body=b"x")
        s3.put_bucket_versioning(Bucket="flight-bucket", VersioningConfiguration={"Status": "Enabled"})
    stored = fake_s3.buckets["flight-bucket"]["k"]
    assert stored.version_id not in (None, "null")
    record = fake_s3.writes[0]
    assert record.version_id == stored.version_id
    assert any("versioning changed in flight" in note for note in record.notes)


def test_a_deferred_write_into_a_deleted_bucket_is_rejected_at_receipt(fake_s3):
    s3 = make_client(fake_s3)
    s3.create_bucket(Bucket="doomed-bucket")
    with fake_s3.simultaneous():
        s3.put_object(Bucket="doomed-bucket", Key="k", Body=b"x")
        s3.delete_bucket(Bucket="doomed-bucket")
    assert "doomed-bucket" not in fake_s3.buckets
    assert [(w.outcome, w.error_code) for w in fake_s3.writes] == [("rejected", "NoSuchBucket")]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"credentials": {}}, "at least one access key"),
        ({"visibility_lag": 5}, "needs consistency"),
        ({"buckets": ["Bad_Name!"]}, "bucket name 'Bad_Name!'"),
        ({"buckets": [BucketSpec("fine-name", acl="publik-read")]}, "unknown canned ACL"),
    ],
)
def test_constructor_refuses_what_s3_would_refuse(kwargs, message):
    with pytest.raises(FakeS3Error, match=message):
        FakeS3(**kwargs)


def test_configuration_is_read_only():
    fake = FakeS3(credentials={"AKID": "secret"})
    with pytest.raises(TypeError):
        fake.credentials["OTHER"] = "x"  # type: ignore[index]
    with pytest.raises(AttributeError):
        fake.region = "eu-west-1"  # type: ignore[misc]


def test_a_patch_made_between_fakes_is_respected(monkeypatch):
    from urllib3.connectionpool import HTTPConnectionPool

    with FakeS3():
        pass
    seen = []

    def someone_elses(pool, method, url, *args, **kwargs):
        seen.append(url)
        raise ConnectionRefusedError("not the network")

    monkeypatch.setattr(HTTPConnectionPool, "urlopen", someone_elses)
    with FakeS3(), pytest.raises(ConnectionRefusedError):
        urllib3.PoolManager(retries=False).request("GET", "http://example.invalid/x")
    assert seen == ["/x"]  # passthrough reached the patch in place when the fake started
    assert HTTPConnectionPool.urlopen is someone_elses  # type: ignore[comparison-overlap]  # and stopping put it back, not a stale original


def test_literal_payload_hash_of_an_aws_chunked_body_covers_the_wire_bytes():
    import hashlib

    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    encoded = b"5\r\nhello\r\n0\r\n\r\n"
    with FakeS3(buckets=["wire-bucket"], isolate_environment=False) as fake:
        request = AWSRequest(
            method="PUT",
            url="https://wire-bucket.s3.amazonaws.com/k",
            data=encoded,
            headers={
                "Content-Encoding": "aws-chunked",
                "x-amz-decoded-content-length": "5",
                "x-amz-content-sha256": hashlib.sha256(encoded).hexdigest(),
            },
        )
        S3SigV4Auth(Credentials(fake.access_key, fake.secret_key), "s3", "us-east-1").add_auth(request)
        response = urllib3.PoolManager().request("PUT", request.url, body=encoded, headers=dict(request.headers))
        assert response.status == 200, response.data
        assert fake.buckets["wire-bucket"]["k"].body == b"hello"


def test_a_fault_never_hides_the_clients_own_body_failure():
    class Broken:
        def read(self, *args):
            raise OSError("disk gone")

    with FakeS3(buckets=[OPEN], isolate_environment=False) as fake:
        fault = fake.faults.add("SlowDown")
        with pytest.raises(OSError, match="disk gone"):
            urllib3.PoolManager().request(
                "PUT",
                URL,
                body=Broken(),  # type: ignore[arg-type]
                headers={"Content-Length": "4"},
            )
        assert fault.fired == 0


def test_what_a_test_sets_in_the_environment_survives_another_fake_starting(monkeypatch):
    with FakeS3():
        os.environ["AWS_DEFAULT_REGION"] = "eu-west-1"
        with FakeS3(isolate_environment=False):
            assert os.environ["AWS_DEFAULT_REGION"] == "eu-west-1"
        assert os.environ["AWS_DEFAULT_REGION"] == "eu-west-1"


def test_aws_chunked_in_one_byte_blocks_decodes_fast_and_alike():
    from fakes3put._wire.chunked import _MAX_LINE, decode_blocks

    body = b"".join(b"%x\r\n" % 100 + b"a" * 100 + b"\r\n" for _ in range(2000)) + b"0\r\n\r\n"
    started = time.perf_counter()
    decoded = decode_blocks(bytes([byte]) for byte in body)
    assert time.perf_counter() - started < 5
    assert decoded.data == b"a" * 200_000
    longest = b"0;" + b"x" * (_MAX_LINE - 2) + b"\r\n\r\n"
    assert decode_blocks([longest]).data == decode_blocks(bytes([byte]) for byte in longest).data == b""


def test_an_unusable_window_order_leaves_no_write_pending(fake_s3):
    s3 = make_client(fake_s3)
    s3.create_bucket(Bucket="order-bucket")

    def broken(records):
        raise ValueError("no idea")

    with pytest.raises(ValueError, match="no idea"), fake_s3.simultaneous(order=broken):
        s3.put_object(Bucket="order-bucket", Key="k", Body=b"x")
    assert [(w.outcome, w.error_code) for w in fake_s3.writes] == [("rejected", "FakeS3OrderFailed")]


def test_bucket_attributes_change_only_through_s3():
    with FakeS3(buckets=[OPEN], isolate_environment=False) as fake:
        bucket = fake.buckets["open-bucket"]
        with pytest.raises(AttributeError, match="read-only"):
            bucket.acl = "private"
        with pytest.raises(AttributeError, match="read-only"):
            bucket.versioning = "Enabled"
        with pytest.raises(TypeError):
            bucket.grants["WRITE"] = frozenset({"someone"})  # type: ignore[index]
        assert bucket.acl == "public-read-write"
        assert bucket.versioning is None
        # An anonymous writer is still let in by the ACL the bucket was made with.
        response = urllib3.PoolManager().request("PUT", URL, body=b"x")
        assert response.status == 200
