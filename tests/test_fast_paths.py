"""The shortcuts the request path takes for speed and memory give what the plain way gives."""

from __future__ import annotations

import dataclasses
import tracemalloc
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
from typing import Any

import pytest
import requests
from botocore.awsrequest import HeadersDict
from requests.structures import CaseInsensitiveDict

from fakes3put import BucketSpec, FakeS3
from fakes3put._commit.store import StoredObject
from fakes3put._wire.bodybuffer import BodyBuffer
from fakes3put._wire.chunked import decode_blocks
from fakes3put._wire.digests import Digests
from fakes3put._wire.request import Headers
from fakes3put._wire.response import http_time

MIB = 1024 * 1024
SENT = {
    "Content-Type": "text/plain",
    "X-Amz-Meta-Note": "caf\xc3\xa9".encode("latin-1"),  # UTF-8 bytes on the wire
    "x-amz-date": b"20261125T120000Z",
    "Content-Length": 3,
}
EXPECTED = {
    "content-type": "text/plain",
    "x-amz-meta-note": "caf\xc3\xa9",
    "x-amz-date": "20261125T120000Z",
    "content-length": "3",
}


def botocore_headers() -> HeadersDict:
    headers = HeadersDict()
    headers.update(SENT)
    return headers


@pytest.mark.parametrize(
    "raw", [SENT, botocore_headers(), CaseInsensitiveDict(SENT)], ids=["dict", "botocore", "requests"]
)
def test_headers_read_every_client_map_alike(raw):
    headers = Headers(raw)
    assert headers == EXPECTED
    assert headers["Content-Type"] == "text/plain"  # mixed-case subscripts still find the name


def test_headers_fall_back_to_items_when_botocore_changes_shape():
    class Reshaped(dict[str, object]):  # claims botocore's module but lacks HeadersDict's internals
        __module__ = "botocore.awsrequest"

    assert Headers(Reshaped(SENT)) == EXPECTED


def test_headers_join_a_name_sent_in_two_spellings():
    assert Headers({"X-Amz-Meta-A": "1", "x-amz-meta-a": "2"}) == {"x-amz-meta-a": "1,2"}


def test_a_missing_header_is_a_key_error_in_any_spelling():
    with pytest.raises(KeyError):
        Headers({})["Content-Type"]
    with pytest.raises(KeyError):
        Headers({})["content-type"]


def test_as_received_changes_only_the_receipt_fields():
    sent = StoredObject(
        bucket="b",
        key="k",
        body=b"data",
        etag='"e"',
        last_modified=datetime(2026, 1, 1, tzinfo=UTC),
        content_type="text/plain",
        metadata={"a": "1"},
        headers={"cache-control": "no-cache"},
        storage_class="STANDARD_IA",
        tagging="t=1",
        acl="private",
        grants={"READ": frozenset({"id=x"})},
        checksums={"CRC32": "AAAAAA=="},
        owner="owner",
        version_id="told",
        delete_marker=False,
        parts=(1, 2),
        visible_at=None,
    )
    moment = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
    visible_at = moment + timedelta(seconds=5)
    changes: dict[str, Any] = {"last_modified": moment, "version_id": "v2", "visible_at": visible_at}
    assert sent.as_received(moment, "v2", visible_at) == dataclasses.replace(sent, **changes)
    assert {f.name for f in dataclasses.fields(StoredObject)} >= set(changes)


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 11, 25, 15, 0, 0, 999_999, tzinfo=UTC),
        datetime(1969, 12, 31, 23, 59, 59, 500_000, tzinfo=UTC),
        datetime(2007, 3, 27, 19, 36, 42, tzinfo=timezone(timedelta(hours=2))),
        datetime(9999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
        datetime(1, 1, 1, 0, 0, 0, 1, tzinfo=UTC),
    ],
)
def test_http_time_matches_the_standard_formatter(moment):
    expected = format_datetime(moment.astimezone(UTC).replace(microsecond=0), usegmt=True)
    assert http_time(moment) == http_time(moment) == expected


@pytest.mark.parametrize(
    "runs", [[], [b"abc"], [memoryview(b"abc")], [b"a", memoryview(b"bc"), b"", b"def"]], ids=["0", "1", "view", "many"]
)
def test_body_buffer_joins_runs_in_order(runs):
    buffer = BodyBuffer()
    for run in runs:
        buffer.append(run)
    value = buffer.value()
    assert type(value) is bytes
    assert value == b"".join(runs)


def _encoded(chunks: int, chunk_size: int = MIB) -> Iterator[bytes]:
    """An aws-chunked body of ``chunks`` chunks, made as it is read in 1 MiB blocks (as botocore streams it)."""
    for index in range(chunks):
        yield f"{chunk_size:x}\r\n".encode()
        for _ in range(chunk_size // MIB):
            yield bytes([index % 256]) * MIB
        yield b"\r\n"
    yield b"0\r\n\r\n"


@pytest.mark.parametrize(("chunks", "chunk_size"), [(24, MIB), (1, 24 * MIB)], ids=["1MiB-chunks", "one-24MiB-chunk"])
def test_aws_chunked_decoding_holds_one_copy_of_the_object(chunks, chunk_size):
    # Collecting the chunks and joining them at the end held the encoded blocks and the joined
    # result together: twice the object. Now each run goes into the object's buffer as it is read,
    # also inside a chunk that spans many blocks.
    size = chunks * chunk_size
    tracemalloc.start()
    try:
        digests = Digests(checksum_algorithm="CRC32", sha256=False)  # 24 MiB: MD5 runs on its thread
        body = decode_blocks(_encoded(chunks, chunk_size), digests.update)
        digests.finish()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(body.data) == size
    assert body.data[MIB * 5 : MIB * 5 + 3] == (b"\x05\x05\x05" if chunks > 1 else b"\x00\x00\x00")
    assert peak <= size * 1.2 + 4 * MIB, f"peak {peak / MIB:.1f} MiB for a {size / MIB:.0f} MiB object"


def test_a_large_plain_body_read_in_blocks_is_stored_whole():
    data = bytes(range(256)) * (3 * MIB // 256) + b"tail"

    class Reader:  # a file-like body urllib3 reads block by block
        def __init__(self) -> None:
            self.offset = 0

        def read(self, size: int = -1) -> bytes:
            size = len(data) - self.offset if size < 0 else size
            piece = data[self.offset : self.offset + size]
            self.offset += len(piece)
            return piece

    with FakeS3(buckets=[BucketSpec("open-bucket", acl="public-read-write")], isolate_environment=False) as fake:
        response = requests.put(
            "https://open-bucket.s3.amazonaws.com/big", data=Reader(), headers={"Content-Length": str(len(data))}
        )
        assert response.status_code == 200, response.text
        assert fake.buckets["open-bucket"]["big"].body == data


def test_a_failing_md5_thread_never_blocks_the_reader():
    from fakes3put._wire import digests as _digests

    digests = Digests(checksum_algorithm=None, sha256=False)
    digests.update(b"x" * _digests.PARALLEL_FROM)  # starts the helper thread
    for _ in range(20):  # more pieces than the backlog holds, each one the hash refuses
        digests.update("not bytes")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        digests.finish()


def test_signing_keys_are_memoised_per_cache_and_bounded():
    from fakes3put._auth import sigv4

    cache: sigv4.KeyCache = {}
    for day in range(1, 301):  # more made-up dates than the cache keeps
        date = f"2026{(day % 12) + 1:02d}{(day % 28) + 1:02d}"
        key = sigv4.cached_signing_key(cache, "secret", date, f"region-{day}", "s3")
        assert key == sigv4.signing_key("secret", date, f"region-{day}", "s3")
        assert len(cache) <= 256
    assert sigv4.cached_signing_key(None, "secret", "20260101", "us-east-1", "s3") == sigv4.signing_key(
        "secret", "20260101", "us-east-1", "s3"
    )


def test_the_fake_looks_request_headers_up_by_lower_case_name(monkeypatch):
    # Headers is a dict with lower-case names: a lookup spelled otherwise would silently miss.
    # Every get / `in` made while answering a spread of real requests must be lower-case.
    import boto3

    from fakes3put._wire import request

    spelled: list[object] = []

    def checked_get(self, name, default=None):
        if not isinstance(name, str) or name != name.lower():
            spelled.append(name)
        return dict.get(self, name, default)

    def checked_contains(self, name):
        if not isinstance(name, str) or name != name.lower():
            spelled.append(name)
        return dict.__contains__(self, name)

    monkeypatch.setattr(request.Headers, "get", checked_get)
    monkeypatch.setattr(request.Headers, "__contains__", checked_contains)
    with FakeS3(buckets=["lookups"], isolate_environment=False) as fake:
        client = boto3.client(
            "s3", region_name="us-east-1", aws_access_key_id=fake.access_key, aws_secret_access_key=fake.secret_key
        )
        client.put_object(
            Bucket="lookups", Key="a", Body=b"hello", Metadata={"Note": "x"}, ContentType="text/plain",
            CacheControl="no-cache", ChecksumAlgorithm="SHA256", Tagging="t=1", ACL="private",
        )  # fmt: skip
        client.put_object(Bucket="lookups", Key="b", Body=b"x", IfNoneMatch="*")
        client.get_object(Bucket="lookups", Key="a", Range="bytes=0-1", ChecksumMode="ENABLED")
        client.head_object(Bucket="lookups", Key="a", IfMatch=client.head_object(Bucket="lookups", Key="a")["ETag"])
        client.copy_object(Bucket="lookups", Key="c", CopySource="lookups/a", MetadataDirective="REPLACE")
        upload = client.create_multipart_upload(Bucket="lookups", Key="m")["UploadId"]
        part = client.upload_part(Bucket="lookups", Key="m", UploadId=upload, PartNumber=1, Body=b"p")
        client.complete_multipart_upload(
            Bucket="lookups", Key="m", UploadId=upload,
            MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]},
        )  # fmt: skip
        client.put_bucket_versioning(Bucket="lookups", VersioningConfiguration={"Status": "Enabled"})
        client.delete_objects(Bucket="lookups", Delete={"Objects": [{"Key": "b"}, {"Key": "c"}]})
        client.list_objects_v2(Bucket="lookups", Prefix="a")
        url = client.generate_presigned_url("put_object", Params={"Bucket": "lookups", "Key": "p"})
        assert requests.put(url, data=b"presigned").status_code == 200
    assert not spelled, f"request headers looked up in mixed case: {sorted(set(map(str, spelled)))}"


def test_a_router_remembers_host_shapes_and_routes_as_the_plain_match_does() -> None:
    from fakes3put._transport.routing import Router, route_aws
    from fakes3put._wire.request import Address

    router = Router((), aws=True)
    cases = [
        ("bkt.s3.eu-west-1.amazonaws.com", "/a/b%20c"),
        ("bkt.s3.eu-west-1.amazonaws.com", "/other"),
        ("s3.amazonaws.com", "/bkt/key"),
        ("s3.amazonaws.com", "/"),
        ("example.com", "/bkt/key"),
    ]
    for _ in range(2):  # the second time from what the router remembers
        for host, path in cases:
            assert router.route(Address("https", host, 443), path) == route_aws(host, path)
    assert router.route(Address("https", "bkt.s3.eu-west-1.amazonaws.com", 443), "/a") is not None
    assert router.route(Address("https", "example.com", 443), "/a") is None
