"""Multipart uploads through boto3's client and s3transfer, with S3's error codes."""

from __future__ import annotations

import base64
import hashlib
import io
import random
import threading
import zlib
from typing import Any

import hypothesis.strategies as st
import pytest
import urllib3
from boto3.s3.transfer import TransferConfig
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, given, settings

from fakes3put import BucketSpec, FakeS3

from .helpers import error_code, make_client

MIB = 1024 * 1024


def payload(size: int, seed: int = 7) -> bytes:
    return random.Random(seed).randbytes(size)


def expected_etag(parts: list[bytes]) -> str:
    joined = b"".join(hashlib.md5(p).digest() for p in parts)
    return f'"{hashlib.md5(joined).hexdigest()}-{len(parts)}"'


def crc32_b64(data: bytes) -> str:
    return base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()


@pytest.fixture
def s3(fake_s3):
    client = make_client(fake_s3, max_pool_connections=10)
    client.create_bucket(Bucket="mp-bucket")
    return client


def start(s3, key="k", **kwargs) -> str:
    return s3.create_multipart_upload(Bucket="mp-bucket", Key=key, **kwargs)["UploadId"]


def put_part(s3, upload_id, number, body, key="k", **kwargs) -> dict[str, Any]:
    response = s3.upload_part(Bucket="mp-bucket", Key=key, UploadId=upload_id, PartNumber=number, Body=body, **kwargs)
    part = {"PartNumber": number, "ETag": response["ETag"]}
    if "ChecksumCRC32" in response:
        part["ChecksumCRC32"] = response["ChecksumCRC32"]
    return part


def xml_like() -> st.SearchStrategy[bytes]:
    """Complete documents with plausible and implausible parts."""
    part = st.tuples(
        st.sampled_from(["1", "2", "0", "-1", "01", "99999", "", "x", "\u0661"]),
        st.sampled_from(['"9dd4e461268c8034f5c8564e155c67a6"', "9dd4e461268c8034f5c8564e155c67a6", "", "&amp;"]),
    ).map(lambda p: f"<Part><PartNumber>{p[0]}</PartNumber><ETag>{p[1]}</ETag></Part>")
    return st.lists(part, max_size=4).map(
        lambda parts: f"<CompleteMultipartUpload>{''.join(parts)}</CompleteMultipartUpload>".encode()
    )


def complete(s3, upload_id, parts, key="k", **kwargs) -> dict[str, Any]:
    return s3.complete_multipart_upload(
        Bucket="mp-bucket", Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts}, **kwargs
    )


# ---------------------------------------------------------------- s3transfer, byte-exact


@pytest.mark.parametrize(
    "config", [None, TransferConfig(max_concurrency=8)], ids=["default-config", "max-concurrency-8"]
)
def test_upload_file_25_mib_then_download_file_byte_exact(fake_s3, s3, tmp_path, config):
    data = payload(25 * MIB + 4321)
    source, target = tmp_path / "source.bin", tmp_path / "target.bin"
    source.write_bytes(data)
    s3.upload_file(str(source), "mp-bucket", "big.bin", Config=config)

    stored = fake_s3.buckets["mp-bucket"]["big.bin"]
    chunks = [data[i : i + 8 * MIB] for i in range(0, len(data), 8 * MIB)]  # s3transfer's 8 MiB parts
    assert stored.body == data
    assert stored.parts == tuple(len(c) for c in chunks)
    assert stored.etag == expected_etag(chunks)
    composite = base64.b64encode(
        zlib.crc32(b"".join(base64.b64decode(crc32_b64(c)) for c in chunks)).to_bytes(4, "big")
    )
    assert stored.checksums == {"CRC32": f"{composite.decode()}-{len(chunks)}"}
    assert [c.operation for c in fake_s3.calls].count("UploadPart") == len(chunks)

    s3.download_file("mp-bucket", "big.bin", str(target), Config=config)
    assert target.read_bytes() == data
    head = s3.head_object(Bucket="mp-bucket", Key="big.bin", ChecksumMode="ENABLED")
    assert head["ChecksumType"] == "COMPOSITE"
    assert s3.list_multipart_uploads(Bucket="mp-bucket").get("Uploads", []) == []


@pytest.mark.fakes3put(endpoints=["http://localhost:9000"])
def test_upload_fileobj_over_a_plain_http_endpoint(fake_s3):
    s3 = make_client(fake_s3, endpoint_url="http://localhost:9000")
    s3.create_bucket(Bucket="mp-bucket")
    data = payload(9 * MIB, seed=3)
    s3.upload_fileobj(
        io.BytesIO(data),
        "mp-bucket",
        "fileobj.bin",
        ExtraArgs={
            "ContentType": "application/x-test",
            "Metadata": {"origin": "fileobj"},
            "StorageClass": "STANDARD_IA",
        },
    )
    stored = fake_s3.buckets["mp-bucket"]["fileobj.bin"]
    assert stored.content_type == "application/x-test"
    assert stored.metadata == {"origin": "fileobj"}
    assert stored.storage_class == "STANDARD_IA"
    out = io.BytesIO()
    s3.download_fileobj("mp-bucket", "fileobj.bin", out)
    assert out.getvalue() == data
    part = next(c for c in fake_s3.calls if c.operation == "UploadPart")
    assert part.url.startswith("http://localhost:9000/mp-bucket/fileobj.bin?")  # path style, plain body


# ---------------------------------------------------------------- the protocol step by step


def test_nothing_is_visible_before_complete(fake_s3, s3):
    upload_id = start(s3, ContentType="text/plain", Metadata={"a": "1"}, Tagging="t=1")
    part = put_part(s3, upload_id, 1, b"hello")
    with pytest.raises(ClientError) as missing:
        s3.head_object(Bucket="mp-bucket", Key="k")
    assert error_code(missing) == "404"
    assert "Contents" not in s3.list_objects_v2(Bucket="mp-bucket")
    assert "k" not in fake_s3.buckets["mp-bucket"]
    uploads = s3.list_multipart_uploads(Bucket="mp-bucket")["Uploads"]
    assert [(u["Key"], u["UploadId"]) for u in uploads] == [("k", upload_id)]

    result = complete(s3, upload_id, [part])
    assert result["ETag"] == expected_etag([b"hello"])
    assert result["Key"] == "k"
    got = s3.get_object(Bucket="mp-bucket", Key="k")
    assert got["Body"].read() == b"hello"
    assert got["ContentType"] == "text/plain"  # attributes come from CreateMultipartUpload
    assert got["Metadata"] == {"a": "1"}
    assert got["TagCount"] == 1
    assert fake_s3.writes[-1].operation == "CompleteMultipartUpload"
    assert fake_s3.writes[-1].outcome == "stored"
    assert complete(s3, upload_id, [part])["ETag"] == result["ETag"]  # S3 answers a repeat alike
    assert [w.operation for w in fake_s3.writes].count("CompleteMultipartUpload") == 1


def test_reupload_replaces_a_part_and_list_parts_pages(fake_s3, s3):
    upload_id = start(s3)
    for number in range(1, 6):
        put_part(s3, upload_id, number, f"part {number}".encode())
    replaced = put_part(s3, upload_id, 3, b"part three, again")
    paginator = s3.get_paginator("list_parts")
    pages = list(paginator.paginate(Bucket="mp-bucket", Key="k", UploadId=upload_id, PaginationConfig={"PageSize": 2}))
    assert [[p["PartNumber"] for p in page["Parts"]] for page in pages] == [[1, 2], [3, 4], [5]]
    third = pages[1]["Parts"][0]
    assert third["ETag"] == replaced["ETag"]
    assert third["Size"] == len(b"part three, again")
    assert "ChecksumCRC32" not in third  # no algorithm at Create: S3 lists no part checksums


def test_upload_part_integrity_is_checked(s3):
    upload_id = start(s3)
    with pytest.raises(ClientError) as bad_md5:
        s3.upload_part(
            Bucket="mp-bucket",
            Key="k",
            UploadId=upload_id,
            PartNumber=1,
            Body=b"payload",
            ContentMD5=base64.b64encode(hashlib.md5(b"other").digest()).decode(),
        )
    assert error_code(bad_md5) == "BadDigest"
    good = s3.upload_part(
        Bucket="mp-bucket",
        Key="k",
        UploadId=upload_id,
        PartNumber=1,
        Body=b"payload",
        ContentMD5=base64.b64encode(hashlib.md5(b"payload").digest()).decode(),
    )
    assert good["ETag"] == f'"{hashlib.md5(b"payload").hexdigest()}"'
    with pytest.raises(ClientError) as bad_number:
        s3.upload_part(Bucket="mp-bucket", Key="k", UploadId=upload_id, PartNumber=10001, Body=b"x")
    assert error_code(bad_number) == "InvalidArgument"
    with pytest.raises(ClientError) as unknown:
        s3.upload_part(Bucket="mp-bucket", Key="k", UploadId="no-such-upload", PartNumber=1, Body=b"x")
    assert error_code(unknown) == "NoSuchUpload"
    with pytest.raises(ClientError) as other_key:
        s3.upload_part(Bucket="mp-bucket", Key="other", UploadId=upload_id, PartNumber=1, Body=b"x")
    assert error_code(other_key) == "NoSuchUpload"  # an upload id belongs to its key


def test_sha256_upload_echoes_and_composes_part_checksums(fake_s3, s3):
    upload_id = start(s3, ChecksumAlgorithm="SHA256")
    first, second = payload(5 * MIB, seed=1), b"tail"
    parts = []
    for number, body in ((1, first), (2, second)):
        response = s3.upload_part(
            Bucket="mp-bucket", Key="k", UploadId=upload_id, PartNumber=number, Body=body, ChecksumAlgorithm="SHA256"
        )
        assert response["ChecksumSHA256"] == base64.b64encode(hashlib.sha256(body).digest()).decode()
        parts.append({"PartNumber": number, "ETag": response["ETag"], "ChecksumSHA256": response["ChecksumSHA256"]})
    with pytest.raises(ClientError) as crc_part:
        s3.upload_part(Bucket="mp-bucket", Key="k", UploadId=upload_id, PartNumber=3, Body=b"x")  # botocore: CRC32
    assert error_code(crc_part) == "InvalidRequest"
    result = complete(s3, upload_id, parts)
    composite = hashlib.sha256(hashlib.sha256(first).digest() + hashlib.sha256(second).digest()).digest()
    assert result["ChecksumSHA256"] == f"{base64.b64encode(composite).decode()}-2"
    assert result["ChecksumType"] == "COMPOSITE"
    assert fake_s3.buckets["mp-bucket"]["k"].body == first + second


def test_full_object_crc32_is_computed_over_the_whole_object(fake_s3, s3):
    upload_id = start(s3, ChecksumAlgorithm="CRC32", ChecksumType="FULL_OBJECT")
    first, second = payload(5 * MIB, seed=2), b"end"
    parts = [put_part(s3, upload_id, 1, first), put_part(s3, upload_id, 2, second)]
    result = complete(s3, upload_id, parts)
    assert result["ChecksumCRC32"] == crc32_b64(first + second)
    assert result["ChecksumType"] == "FULL_OBJECT"
    got = s3.get_object(Bucket="mp-bucket", Key="k", ChecksumMode="ENABLED")
    assert got["Body"].read() == first + second  # botocore validated the full-object CRC32
    with pytest.raises(ClientError) as sha_full:
        start(s3, key="other", ChecksumAlgorithm="SHA256", ChecksumType="FULL_OBJECT")
    assert error_code(sha_full) == "InvalidRequest"


# ---------------------------------------------------------------- Complete: each error, in S3's order


def test_complete_error_codes(s3):
    upload_id = start(s3)
    big = payload(5 * MIB)
    p1 = put_part(s3, upload_id, 1, big)
    p2 = put_part(s3, upload_id, 2, b"small")
    p3 = put_part(s3, upload_id, 3, b"last")

    wrong_etag = {**p2, "ETag": '"0123456789abcdef0123456789abcdef"'}
    cases = [
        ("NoSuchUpload", "not-an-upload", [p1]),
        ("InvalidRequest", upload_id, []),  # S3: "You must specify at least one part"
        ("InvalidPartOrder", upload_id, [p2, p1]),
        ("InvalidPart", upload_id, [p1, wrong_etag]),
        ("EntityTooSmall", upload_id, [p1, p2, p3]),
    ]
    for code, target, parts in cases:
        with pytest.raises(ClientError) as excinfo:
            complete(s3, target, parts)
        assert error_code(excinfo) == code, code
    with pytest.raises(ClientError) as not_uploaded:
        complete(s3, upload_id, [p1, {"PartNumber": 9, "ETag": p2["ETag"], "ChecksumCRC32": p2["ChecksumCRC32"]}])
    assert error_code(not_uploaded) == "InvalidPart"
    assert not_uploaded.value.response["Error"]["PartNumber"] == "9"
    with pytest.raises(ClientError) as too_small:
        complete(s3, upload_id, [p1, p2, p3])
    assert too_small.value.response["Error"]["MinSizeAllowed"] == "5242880"
    assert too_small.value.response["Error"]["ProposedSize"] == "5"
    assert complete(s3, upload_id, [p1, p3])["ETag"] == expected_etag([big, b"last"])  # part 2 discarded


def test_complete_checks_in_reference_order(s3):
    upload_id = start(s3)
    p1, p2 = put_part(s3, upload_id, 1, b"one"), put_part(s3, upload_id, 2, b"two")
    wrong = {**p1, "ETag": '"ffffffffffffffffffffffffffffffff"'}
    with pytest.raises(ClientError) as order_first:
        complete(s3, upload_id, [p2, wrong])  # out of order AND a wrong ETag
    assert error_code(order_first) == "InvalidPartOrder"
    with pytest.raises(ClientError) as part_before_size:
        complete(s3, upload_id, [p1, {**p2, "ETag": wrong["ETag"]}])  # wrong ETag AND part 1 too small
    assert error_code(part_before_size) == "InvalidPart"


def test_composite_upload_requires_part_checksums_in_complete(s3):
    upload_id = start(s3, ChecksumAlgorithm="CRC32")
    part = put_part(s3, upload_id, 1, b"data")
    with pytest.raises(ClientError) as missing:
        complete(s3, upload_id, [{"PartNumber": 1, "ETag": part["ETag"]}])
    assert error_code(missing) == "InvalidRequest"
    assert "missing for part 1" in missing.value.response["Error"]["Message"]
    with pytest.raises(ClientError) as wrong:
        complete(s3, upload_id, [{**part, "ChecksumCRC32": crc32_b64(b"other")}])
    assert error_code(wrong) == "InvalidPart"
    assert complete(s3, upload_id, [part])["ChecksumCRC32"].endswith("-1")


def test_conditional_complete_and_abort(fake_s3, s3):
    s3.put_object(Bucket="mp-bucket", Key="k", Body=b"existing")
    upload_id = start(s3)
    part = put_part(s3, upload_id, 1, b"new")
    with pytest.raises(ClientError) as exists:
        complete(s3, upload_id, [part], IfNoneMatch="*")
    assert error_code(exists) == "PreconditionFailed"
    assert fake_s3.buckets["mp-bucket"]["k"].body == b"existing"
    assert fake_s3.writes[-1].outcome == "rejected"
    # A failed precondition leaves the upload to retry or abort.
    assert [u["UploadId"] for u in s3.list_multipart_uploads(Bucket="mp-bucket")["Uploads"]] == [upload_id]
    etag = fake_s3.buckets["mp-bucket"]["k"].etag
    assert complete(s3, upload_id, [part], IfMatch=etag)["ETag"] == expected_etag([b"new"])

    doomed = start(s3, key="doomed")
    put_part(s3, doomed, 1, b"x", key="doomed")
    aborted = s3.abort_multipart_upload(Bucket="mp-bucket", Key="doomed", UploadId=doomed)
    assert aborted["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as again:
        s3.abort_multipart_upload(Bucket="mp-bucket", Key="doomed", UploadId=doomed)
    assert error_code(again) == "NoSuchUpload"
    assert "doomed" not in fake_s3.buckets["mp-bucket"]


def test_upload_part_copy_with_range(fake_s3, s3):
    source = payload(6 * MIB, seed=9)
    s3.put_object(Bucket="mp-bucket", Key="src dir/ü+source", Body=source)
    upload_id = start(s3, key="assembled")
    copied = s3.upload_part_copy(
        Bucket="mp-bucket",
        Key="assembled",
        UploadId=upload_id,
        PartNumber=1,
        CopySource={"Bucket": "mp-bucket", "Key": "src dir/ü+source"},
        CopySourceRange=f"bytes=0-{5 * MIB - 1}",
    )["CopyPartResult"]
    assert copied["ETag"] == f'"{hashlib.md5(source[: 5 * MIB]).hexdigest()}"'
    tail = s3.upload_part_copy(
        Bucket="mp-bucket",
        Key="assembled",
        UploadId=upload_id,
        PartNumber=2,
        CopySource="mp-bucket/src dir/ü+source",
        CopySourceRange=f"bytes={5 * MIB}-{6 * MIB - 1}",
    )["CopyPartResult"]
    with pytest.raises(ClientError) as past_end:
        s3.upload_part_copy(
            Bucket="mp-bucket",
            Key="assembled",
            UploadId=upload_id,
            PartNumber=3,
            CopySource="mp-bucket/src dir/ü+source",
            CopySourceRange=f"bytes=0-{6 * MIB}",
        )
    assert error_code(past_end) == "InvalidArgument"
    parts = [{"PartNumber": 1, "ETag": copied["ETag"]}, {"PartNumber": 2, "ETag": tail["ETag"]}]
    complete(s3, upload_id, parts, key="assembled")
    assert fake_s3.buckets["mp-bucket"]["assembled"].body == source


def test_list_multipart_uploads_prefix_delimiter_and_pages(s3):
    ids = {key: start(s3, key=key) for key in ["logs/a", "logs/b", "logs/deep/c", "other", "logs/a"]}
    listed = s3.list_multipart_uploads(Bucket="mp-bucket", Prefix="logs/", Delimiter="/")
    assert [u["Key"] for u in listed["Uploads"]] == ["logs/a", "logs/a", "logs/b"]
    assert [p["Prefix"] for p in listed["CommonPrefixes"]] == ["logs/deep/"]
    pages = list(
        s3.get_paginator("list_multipart_uploads").paginate(Bucket="mp-bucket", PaginationConfig={"PageSize": 2})
    )
    keys = [u["Key"] for page in pages for u in page.get("Uploads", [])]
    assert keys == ["logs/a", "logs/a", "logs/b", "logs/deep/c", "other"]
    assert len(pages) == 3
    assert ids["other"] in [u["UploadId"] for u in pages[-1]["Uploads"]]


# ---------------------------------------------------------------- hostile bodies


@pytest.mark.parametrize(
    "body",
    [
        b"<CompleteMultipartUpload>",
        b"not xml at all",
        b"<Other><Part><PartNumber>1</PartNumber><ETag>x</ETag></Part></Other>",
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
        b"<CompleteMultipartUpload><Part><PartNumber>&lol2;</PartNumber><ETag>x</ETag></Part></CompleteMultipartUpload>",
        b'<!DOCTYPE x SYSTEM "file:///etc/passwd"><CompleteMultipartUpload/>',
        b"<CompleteMultipartUpload><Part><PartNumber>-1</PartNumber><ETag>x</ETag></Part></CompleteMultipartUpload>",
        b"<CompleteMultipartUpload><Part><PartNumber>1</PartNumber></Part></CompleteMultipartUpload>",
        b"<CompleteMultipartUpload>" + b"<a>" * 5000 + b"</a>" * 5000 + b"</CompleteMultipartUpload>",
        "<CompleteMultipartUpload><Part><PartNumber>\u0661</PartNumber><ETag>x</ETag></Part></CompleteMultipartUpload>".encode(),
    ],
    ids=["unclosed", "text", "wrong-root", "entities", "external-dtd", "negative", "no-etag", "deep", "digit"],
)
def test_hostile_complete_bodies_are_malformed_xml(body):
    http = urllib3.PoolManager()
    with FakeS3(buckets=[BucketSpec("open-mp", acl="public-read-write")], isolate_environment=False) as fake:
        created = http.request("POST", "https://s3.amazonaws.com/open-mp/k?uploads")
        upload_id = created.data.split(b"<UploadId>")[1].split(b"</UploadId>")[0].decode()
        response = http.request("POST", f"https://s3.amazonaws.com/open-mp/k?uploadId={upload_id}", body=body)
        assert response.status == 400
        assert b"<Code>MalformedXML</Code>" in response.data
        assert fake.calls[-1].error_code == "MalformedXML"
        assert "k" not in fake.buckets["open-mp"]


def test_concurrent_completes_commit_once(fake_s3, s3):
    upload_id = start(s3)
    part = put_part(s3, upload_id, 1, b"only once")
    outcomes: list[str] = []

    def finish() -> None:
        try:
            complete(s3, upload_id, [part])
            outcomes.append("ok")
        except ClientError as error:
            outcomes.append(error.response["Error"]["Code"])

    threads = [threading.Thread(target=finish) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # One wins; the others either see the upload taken (NoSuchUpload) or, once the winner has
    # answered, get its answer again as S3 does for a repeated Complete.
    assert "ok" in outcomes
    assert set(outcomes) <= {"ok", "NoSuchUpload"}
    completes = [w for w in fake_s3.writes if w.operation == "CompleteMultipartUpload"]
    assert [w.outcome for w in completes].count("stored") == 1


def test_complete_is_received_through_the_sequencer(fake_s3, s3):
    upload_id = start(s3)
    part = put_part(s3, upload_id, 1, b"from multipart")
    with fake_s3.simultaneous(order="reverse"):
        s3.put_object(Bucket="mp-bucket", Key="k", Body=b"from put")
        complete(s3, upload_id, [part])
        assert "k" not in fake_s3.buckets["mp-bucket"]  # acknowledged, not received yet
    assert fake_s3.buckets["mp-bucket"]["k"].body == b"from put"  # received last, so it wins
    assert [w.operation for w in sorted(fake_s3.writes[-2:], key=lambda w: w.received or 0)] == [
        "CompleteMultipartUpload",
        "PutObject",
    ]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode), xml_like()))
def test_random_complete_bodies_never_crash_the_fake(body):
    with FakeS3(buckets=[BucketSpec("fuzz-mp", acl="public-read-write")], isolate_environment=False) as fake:
        http = urllib3.PoolManager()
        created = http.request("POST", "https://s3.amazonaws.com/fuzz-mp/k?uploads")
        upload_id = created.data.split(b"<UploadId>")[1].split(b"</UploadId>")[0].decode()
        http.request("PUT", f"https://s3.amazonaws.com/fuzz-mp/k?uploadId={upload_id}&partNumber=1", body=b"x")
        response = http.request("POST", f"https://s3.amazonaws.com/fuzz-mp/k?uploadId={upload_id}", body=body)
        assert response.status in (200, 400)
        assert fake.calls[-1].error_code != "InternalError"
