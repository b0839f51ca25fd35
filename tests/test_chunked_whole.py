"""A small aws-chunked body held in one block is decoded in one pass: the same answer as the general
decoder, for well-formed bodies and broken ones alike."""

from __future__ import annotations

from collections.abc import Callable

import boto3
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fakes3put import BucketSpec, FakeS3
from fakes3put._wire import payload as payload_module
from fakes3put._wire.chunked import WHOLE_MAX, ChunkedBody, Piece, decode_blocks, decode_whole
from fakes3put._wire.request import Headers
from fakes3put.errors import S3Error

_SIGNATURE = st.text("0123456789abcdef", min_size=64, max_size=64)
_TRAILER_NAME = st.sampled_from(["x-amz-checksum-crc32", "X-Amz-Checksum-SHA256", "x-amz-trailer-signature", "x"])


@st.composite
def encodings(draw: st.DrawFn) -> bytes:
    """aws-chunked bodies, mostly well-formed, some with one edit that may break them."""
    parts: list[bytes] = []
    for data in draw(st.lists(st.binary(max_size=40), max_size=4)):
        if not data:
            continue
        size = draw(st.sampled_from([f"{len(data):x}", f"{len(data):X}", f" {len(data):x} "]))
        extension = f";chunk-signature={draw(_SIGNATURE)}" if draw(st.booleans()) else ""
        parts.append(f"{size}{extension}\r\n".encode() + data + b"\r\n")
    last = f";chunk-signature={draw(_SIGNATURE)}" if draw(st.booleans()) else ""
    parts.append(f"0{last}\r\n".encode())
    for name, value in draw(st.lists(st.tuples(_TRAILER_NAME, st.text("abcXYZ=+/ ", max_size=12)), max_size=2)):
        parts.append(f"{name}:{value}\r\n".encode())
    parts.append(b"\r\n")
    encoded = b"".join(parts)
    edit = draw(st.sampled_from(["none", "none", "cut", "flip", "insert", "append"]))
    if edit != "none" and encoded:
        at = draw(st.integers(0, len(encoded) - 1))
        if edit == "cut":
            encoded = encoded[:at]
        elif edit == "flip":
            encoded = encoded[:at] + bytes([encoded[at] ^ draw(st.integers(1, 255))]) + encoded[at + 1 :]
        elif edit == "insert":
            encoded = encoded[:at] + draw(st.binary(min_size=1, max_size=3)) + encoded[at:]
        else:
            encoded += draw(st.binary(min_size=1, max_size=3))
    return encoded


def _outcome(decoder: str, encoded: bytes) -> tuple[ChunkedBody | None, str | None, bytes]:
    seen: list[bytes] = []

    def on_piece(piece: Piece) -> None:
        seen.append(bytes(piece))

    try:
        body = decode_whole(encoded, on_piece) if decoder == "whole" else decode_blocks([encoded], on_piece)
    except S3Error as error:
        return None, f"{error.code}: {error.message}", b""
    return body, None, b"".join(seen)


@settings(max_examples=400, deadline=None)
@given(encodings())
def test_decode_whole_agrees_with_the_general_decoder(encoded: bytes) -> None:
    whole, whole_error, whole_seen = _outcome("whole", encoded)
    general, general_error, general_seen = _outcome("general", encoded)
    assert whole_error == general_error
    assert whole == general
    if whole is not None:
        assert whole_seen == general_seen == whole.data  # every object byte hashed, once, in order


def test_a_well_formed_small_body_is_decoded_in_one_pass() -> None:
    encoded = b"3;chunk-signature=" + b"a" * 64 + b"\r\nabc\r\n2\r\nde\r\n0\r\nx-amz-checksum-crc32:AAAA\r\n\r\n"
    body = decode_whole(encoded)
    assert body.data == b"abcde"
    assert [(c.start, c.end) for c in body.chunks] == [(0, 3), (3, 5), (5, 5)]
    assert body.chunks[0].signature == "a" * 64
    assert body.trailers == (("x-amz-checksum-crc32", "AAAA"),)
    assert body.wire_length == len(encoded)


def test_read_payload_takes_the_one_pass_decoder_for_a_small_body_only(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []
    original = decode_whole

    def counting(encoded: bytes, on_piece: Callable[[Piece], None] | None = None) -> ChunkedBody:
        calls.append(len(encoded))
        return original(encoded, on_piece)

    monkeypatch.setattr(payload_module, "decode_whole", counting)
    headers = Headers({"content-encoding": "aws-chunked", "x-amz-decoded-content-length": "3"})
    small = b"3\r\nabc\r\n0\r\n\r\n"
    assert payload_module.read_payload(headers, small, wire_sha256=False, limit=None).data == b"abc"
    assert calls == [len(small)]
    big_data = b"x" * WHOLE_MAX
    big = f"{len(big_data):x}\r\n".encode() + big_data + b"\r\n0\r\n\r\n"
    assert payload_module.read_payload(headers, big, wire_sha256=False, limit=None).data == big_data
    split = [small[:5], small[5:]]  # two blocks: the general decoder joins them
    assert payload_module.read_payload(headers, iter(split), wire_sha256=False, limit=None).data == b"abc"
    assert calls == [len(small)]


def test_boto3_small_put_with_checksum_is_stored_and_checked() -> None:
    with FakeS3(buckets=[BucketSpec("whole-bucket")]) as fake:
        client = boto3.client(
            "s3", region_name="us-east-1", aws_access_key_id=fake.access_key, aws_secret_access_key=fake.secret_key
        )
        put = client.put_object(Bucket="whole-bucket", Key="k", Body=b"hello", ChecksumAlgorithm="SHA256")
        assert put["ChecksumSHA256"] == "LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ="
        assert fake.buckets["whole-bucket"]["k"].body == b"hello"
        assert fake.calls[-1].status == 200
