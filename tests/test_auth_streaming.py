"""aws-chunked signatures: published vectors for the chain, and authenticate() end to end."""

from __future__ import annotations

import dataclasses
import hashlib
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fakes3put._auth import Principal, sigv4, streaming
from fakes3put._wire import chunked as _chunked
from fakes3put._wire.chunked import ChunkedBody
from fakes3put.errors import S3Error
from tests.signing import WireRequest, make_request, verify, with_headers

AKID = "AKIAIOSFODNN7EXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
AMZ_DATE = "20130524T000000Z"
NOW = datetime(2013, 5, 24, tzinfo=UTC)
SCOPE = "20130524/us-east-1/s3/aws4_request"
KEY = sigv4.signing_key(SECRET, "20130524", "us-east-1")
DATA = [b"a" * 65536, b"a" * 1024]
URL = "https://s3.amazonaws.com/examplebucket/chunkObject.txt"
SIGNED_HEADERS = {
    "content-encoding": "aws-chunked",
    "content-length": "66824",
    "host": "s3.amazonaws.com",
    "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
    "x-amz-date": AMZ_DATE,
    "x-amz-decoded-content-length": "66560",
    "x-amz-storage-class": "REDUCED_REDUNDANCY",
}
TRAILER_HEADERS = {
    "content-encoding": "aws-chunked",
    "host": "s3.amazonaws.com",
    "x-amz-content-sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
    "x-amz-date": AMZ_DATE,
    "x-amz-decoded-content-length": "66560",
    "x-amz-storage-class": "REDUCED_REDUNDANCY",
    "x-amz-trailer": "x-amz-checksum-crc32c",
}
TRAILERS = [("x-amz-checksum-crc32c", "sOO8/Q==")]


def seed_signature(headers: dict[str, str]) -> str:
    canonical = sigv4.canonical_request(
        "PUT", "/examplebucket/chunkObject.txt", [], headers.items(), headers["x-amz-content-sha256"]
    )
    return sigv4.signature(KEY, sigv4.string_to_sign(AMZ_DATE, SCOPE, canonical))


def streaming_request(headers: dict[str, str], body: bytes, seed: str) -> WireRequest:
    authorization = sigv4.authorization(AKID, SCOPE, ";".join(sorted(headers)), seed)
    wire = {n: v for n, v in headers.items() if n != "host"}
    return make_request("PUT", URL, {**wire, "Authorization": authorization}, body)


def auth(request: WireRequest, chunked: ChunkedBody | None) -> Principal:
    return verify(request, chunked, credentials={AKID: SECRET}, now=NOW)


def rejected(request: WireRequest, chunked: ChunkedBody | None) -> S3Error:
    with pytest.raises(S3Error) as info:
        auth(request, chunked)
    assert info.value.hint
    return info.value


# --- published vectors -------------------------------------------------------------------


def test_signed_vector_chain() -> None:
    seed = seed_signature(SIGNED_HEADERS)
    assert seed == "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
    first = streaming.chunk_string_to_sign(AMZ_DATE, SCOPE, seed, DATA[0])
    assert first.endswith(
        "\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        "\nbf718b6f653bebc184e1479f1935b8da974d701b893afcf49e701f3e2f9f9c5a"
    )
    assert first.startswith(f"AWS4-HMAC-SHA256-PAYLOAD\n{AMZ_DATE}\n{SCOPE}\n{seed}\n")
    signatures = streaming.chunk_signatures(KEY, AMZ_DATE, SCOPE, seed, [*DATA, b""])
    for signature, (prefix, suffix) in zip(
        signatures, [("ad80c730", "288648"), ("0055627c", "ef5497"), ("b6c6ea8a", "449df9")], strict=True
    ):
        assert signature.startswith(prefix)
        assert signature.endswith(suffix)


def test_signed_vector_encoded_length_and_end_to_end() -> None:
    seed = seed_signature(SIGNED_HEADERS)
    body = streaming.encode_signed(KEY, AMZ_DATE, SCOPE, seed, DATA)
    assert len(body) == 66824
    chunked = _chunked.decode(body)
    assert chunked.data == b"a" * 66560
    assert auth(streaming_request(SIGNED_HEADERS, body, seed), chunked) == Principal(AKID, "sigv4-header")


def test_trailer_vector_chain() -> None:
    seed = seed_signature(TRAILER_HEADERS)
    assert seed == "106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e"
    signatures = streaming.chunk_signatures(KEY, AMZ_DATE, SCOPE, seed, [*DATA, b""])
    for signature, (prefix, suffix) in zip(
        signatures, [("b474d886", "01ef5aa2"), ("1c1344b1", "ae51e5c7"), ("2ca2aba2", "5863f992")], strict=True
    ):
        assert signature.startswith(prefix)
        assert signature.endswith(suffix)
    to_sign = streaming.trailer_string_to_sign(AMZ_DATE, SCOPE, signatures[-1], TRAILERS)
    assert to_sign.endswith("\n" + hashlib.sha256(b"x-amz-checksum-crc32c:sOO8/Q==\n").hexdigest())
    assert streaming.sign(KEY, to_sign) == "d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435"


def test_trailer_vector_encoded_length_and_end_to_end() -> None:
    seed = seed_signature(TRAILER_HEADERS)
    body = streaming.encode_signed(KEY, AMZ_DATE, SCOPE, seed, DATA, trailers=TRAILERS)
    assert len(body) == 66946
    chunked = _chunked.decode(body)
    assert chunked.trailers == tuple(TRAILERS)
    assert chunked.trailer_signature == "d81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435"
    assert auth(streaming_request(TRAILER_HEADERS, body, seed), chunked).access_key == AKID


# --- tampering ---------------------------------------------------------------------------


def signed_body(*, trailer: bool) -> tuple[WireRequest, bytes, str]:
    headers = TRAILER_HEADERS if trailer else SIGNED_HEADERS
    seed = seed_signature(headers)
    body = streaming.encode_signed(
        KEY, AMZ_DATE, SCOPE, seed, [b"0123456789", b"abc"], trailers=TRAILERS if trailer else None
    )
    return streaming_request(headers, body, seed), body, seed


def test_small_signed_body_round_trip() -> None:
    for trailer in (False, True):
        request, body, _ = signed_body(trailer=trailer)
        assert auth(request, _chunked.decode(body)).access_key == AKID


def test_tampered_chunk_data_names_the_chunk() -> None:
    request, body, seed = signed_body(trailer=False)
    tampered = body.replace(b"abc", b"abd")
    chunked = _chunked.decode(tampered)
    error = rejected(request, chunked)
    assert (error.code, error.status) == ("SignatureDoesNotMatch", 403)
    first = streaming.chunk_signatures(KEY, AMZ_DATE, SCOPE, seed, [b"0123456789"])[0]
    assert error.extra["StringToSign"] == streaming.chunk_string_to_sign(AMZ_DATE, SCOPE, first, b"abd")
    assert error.extra["SignatureProvided"] == chunked.chunks[1].signature
    assert "CanonicalRequest" not in error.extra
    assert "chunk index 1" in (error.hint or "")


def test_tampered_chunk_signature() -> None:
    request, body, _ = signed_body(trailer=False)
    chunked = _chunked.decode(body)
    final = chunked.chunks[-1].signature or ""
    tampered = body.replace(final.encode(), ("0" * 64).encode())
    error = rejected(request, _chunked.decode(tampered))
    assert error.code == "SignatureDoesNotMatch"
    assert "chunk index 2" in (error.hint or "")
    assert "final zero-length chunk" in (error.hint or "")


def test_missing_chunk_signature() -> None:
    request, _, _ = signed_body(trailer=False)
    unsigned = _chunked.decode(b"3\r\nabc\r\n0\r\n\r\n")
    error = rejected(request, unsigned)
    assert error.code == "SignatureDoesNotMatch"
    assert "carries no chunk-signature" in (error.hint or "")


def test_tampered_trailer_value() -> None:
    request, body, _ = signed_body(trailer=True)
    tampered = body.replace(b"sOO8/Q==", b"AAAAAA==")
    error = rejected(request, _chunked.decode(tampered))
    assert error.code == "SignatureDoesNotMatch"
    assert error.extra["StringToSign"].startswith("AWS4-HMAC-SHA256-TRAILER\n")
    assert "trailer" in (error.hint or "")


def test_missing_trailer_signature() -> None:
    request, body, _ = signed_body(trailer=True)
    cut = body[: body.index(b"x-amz-trailer-signature")] + b"\r\n"
    error = rejected(request, _chunked.decode(cut))
    assert error.code == "SignatureDoesNotMatch"
    assert "no x-amz-trailer-signature" in (error.hint or "")


def test_streaming_without_decoded_body() -> None:
    request, _, _ = signed_body(trailer=False)
    error = rejected(request, None)
    assert (error.code, error.status) == ("InvalidRequest", 400)


def test_seed_signature_still_checked() -> None:
    request, body, _ = signed_body(trailer=False)
    bad = with_headers(request, x_amz_storage_class="STANDARD")
    assert rejected(bad, _chunked.decode(body)).code == "SignatureDoesNotMatch"


def test_unsigned_trailer_needs_no_signatures() -> None:
    headers = {
        "content-encoding": "aws-chunked",
        "host": "s3.amazonaws.com",
        "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        "x-amz-date": AMZ_DATE,
        "x-amz-decoded-content-length": "11",
        "x-amz-trailer": "x-amz-checksum-crc32",
    }
    body = b"b\r\nhello world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n"
    request = streaming_request(headers, body, seed_signature(headers))
    assert auth(request, _chunked.decode(body)).access_key == AKID


def test_presigned_streaming_uses_the_query_signature_as_seed() -> None:
    scope_param = f"{AKID}%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
    raw_query = (
        f"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential={scope_param}&X-Amz-Date={AMZ_DATE}"
        "&X-Amz-Expires=600&X-Amz-SignedHeaders=host&X-Amz-Content-Sha256=STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
    )
    draft = make_request("PUT", f"{URL}?{raw_query}")
    canonical = sigv4.canonical_request(
        "PUT", draft.raw_path, draft.query, [("host", draft.host)], "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
    )
    seed = sigv4.signature(KEY, sigv4.string_to_sign(AMZ_DATE, SCOPE, canonical))
    body = streaming.encode_signed(KEY, AMZ_DATE, SCOPE, seed, [b"xyz"])
    request = dataclasses.replace(make_request("PUT", f"{URL}?{raw_query}&X-Amz-Signature={seed}"), body=body)
    assert auth(request, _chunked.decode(body)) == Principal(AKID, "sigv4-query")
    assert rejected(request, _chunked.decode(body.replace(b"xyz", b"xyZ"))).code == "SignatureDoesNotMatch"


# --- hostile input -----------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(position=st.integers(min_value=0), byte=st.integers(min_value=0, max_value=255), trailer=st.booleans())
def test_corrupted_body_only_raises_s3error(position: int, byte: int, trailer: bool) -> None:
    request, body, _ = signed_body(trailer=trailer)
    index = position % len(body)
    corrupted = body[:index] + bytes([byte]) + body[index + 1 :]
    outcome: ChunkedBody | S3Error
    try:
        outcome = _chunked.decode(corrupted)
        auth(request, outcome)
    except S3Error as error:
        outcome = error
    if isinstance(outcome, S3Error):
        assert outcome.code in {"IncompleteBody", "SignatureDoesNotMatch"}
    else:  # accepted: only harmless bytes changed (e.g. the case of a trailer name)
        assert outcome.data == b"0123456789abc"
