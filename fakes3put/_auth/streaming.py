"""Signed aws-chunked bodies: the chunk-signature chain and the trailer signature.

Each chunk is signed over the previous signature (the request's seed signature for the
first chunk), so a chunk cannot be changed, dropped or reordered without breaking the chain.
The framing itself is decoded by ``fakes3put._chunked``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from fakes3put._auth._common import Evidence, hmac_sha256, same_text, sha256_hex, signature_mismatch
from fakes3put._wire.chunked import ChunkedBody

CHUNK_ALGORITHM = "AWS4-HMAC-SHA256-PAYLOAD"
TRAILER_ALGORITHM = "AWS4-HMAC-SHA256-TRAILER"
EMPTY_SHA256 = sha256_hex(b"")


def chunk_string_to_sign(amz_date: str, scope: str, previous_signature: str, data: bytes | memoryview) -> str:
    """The StringToSign of one chunk (the final empty chunk included)."""
    return f"{CHUNK_ALGORITHM}\n{amz_date}\n{scope}\n{previous_signature}\n{EMPTY_SHA256}\n{sha256_hex(data)}"


def trailer_text(trailers: Iterable[tuple[str, str]]) -> str:
    """The signed form of the trailer section: ``name:value\\n`` per trailer, in order."""
    return "".join(f"{name}:{value}\n" for name, value in trailers)


def trailer_string_to_sign(
    amz_date: str, scope: str, previous_signature: str, trailers: Iterable[tuple[str, str]]
) -> str:
    """The StringToSign of the trailer; ``previous_signature`` is the final chunk's."""
    return f"{TRAILER_ALGORITHM}\n{amz_date}\n{scope}\n{previous_signature}\n{sha256_hex(trailer_text(trailers))}"


def sign(key: bytes, string_to_sign: str) -> str:
    """Hex HMAC-SHA256 under the request's SigV4 signing key (same as ``sigv4.signature``)."""
    return hmac_sha256(key, string_to_sign).hex()


def chunk_signatures(key: bytes, amz_date: str, scope: str, seed: str, chunks: Iterable[bytes]) -> list[str]:
    """Signatures for ``chunks`` in order; pass the final ``b""`` chunk explicitly."""
    signatures: list[str] = []
    previous = seed
    for data in chunks:
        previous = sign(key, chunk_string_to_sign(amz_date, scope, previous, data))
        signatures.append(previous)
    return signatures


def encode_signed(
    key: bytes,
    amz_date: str,
    scope: str,
    seed: str,
    chunks: Sequence[bytes],
    *,
    trailers: Sequence[tuple[str, str]] | None = None,
) -> bytes:
    """An aws-chunked body with chunk signatures (and a signed trailer if ``trailers`` is given).

    ``chunks`` are the data chunks; the final zero-length chunk is added here.
    """
    all_chunks = [*chunks, b""]
    signatures = chunk_signatures(key, amz_date, scope, seed, all_chunks)
    out = bytearray()
    for data, chunk_signature in zip(all_chunks, signatures, strict=True):
        out += f"{len(data):x};chunk-signature={chunk_signature}\r\n".encode("ascii")
        if data:
            out += data + b"\r\n"
    if trailers is not None:
        out += trailer_text(trailers).replace("\n", "\r\n").encode("latin-1")
        trailer_signature = sign(key, trailer_string_to_sign(amz_date, scope, signatures[-1], trailers))
        out += f"x-amz-trailer-signature:{trailer_signature}\r\n".encode("ascii")
    out += b"\r\n"
    return bytes(out)


def verify_chain(
    chunked: ChunkedBody,
    *,
    key: bytes,
    amz_date: str,
    scope: str,
    seed: str,
    access_key: str,
    trailer: bool,
) -> None:
    """Check every chunk signature (and the trailer's if ``trailer``); raise S3Error on the first break."""
    previous = seed
    total = len(chunked.chunks)
    for index, chunk in enumerate(chunked.chunks):
        data = chunked.chunk_data(chunk)
        expected_sts = chunk_string_to_sign(amz_date, scope, previous, data)
        provided = chunk.signature or ""
        if not same_text(provided, sign(key, expected_sts)):
            what = "the final zero-length chunk" if index == total - 1 else f"a {len(data)}-byte chunk"
            problem = (
                "carries no chunk-signature"
                if chunk.signature is None
                else "has a chunk-signature that does not match its data and the previous signature"
            )
            raise signature_mismatch(
                access_key=access_key,
                string_to_sign=expected_sts,
                provided=provided,
                canonical_request=None,
                hint=(
                    f"chunk index {index} ({what}, {index + 1} of {total}) {problem}; either its bytes "
                    "changed after signing or the signer chained from a different previous signature. "
                    "StringToSign below is that chunk's."
                ),
                evidence=None
                if chunk.signature is None
                else Evidence(
                    "chunk",
                    {
                        "chunked": chunked,
                        "index": index,
                        "key": key,
                        "amz_date": amz_date,
                        "scope": scope,
                        "seed": seed,
                        "previous": previous,
                    },
                ),
            )
        previous = provided
    if not trailer:
        return
    expected_sts = trailer_string_to_sign(amz_date, scope, previous, chunked.trailers)
    provided = chunked.trailer_signature or ""
    if not same_text(provided, sign(key, expected_sts)):
        names = ", ".join(name for name, _ in chunked.trailers) or "no trailers"
        problem = (
            "has no x-amz-trailer-signature line"
            if chunked.trailer_signature is None
            else "has an x-amz-trailer-signature that does not match the trailer lines"
        )
        raise signature_mismatch(
            access_key=access_key,
            string_to_sign=expected_sts,
            provided=provided,
            canonical_request=None,
            hint=(
                f"the trailer section ({names}) {problem}; a trailer value changed after signing, or the "
                "signer hashed other text than 'name:value\\n' per trailer. StringToSign below is the trailer's."
            ),
            evidence=None
            if chunked.trailer_signature is None
            else Evidence(
                "trailer",
                {
                    "chunked": chunked,
                    "key": key,
                    "amz_date": amz_date,
                    "scope": scope,
                    "seed": seed,
                    "previous": previous,
                },
            ),
        )
