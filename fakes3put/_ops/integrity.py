"""What makes a body trustworthy: declared lengths, Content-MD5 and flexible checksums."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from fakes3put._wire import checksums as _checksums
from fakes3put._wire.chunked import ChunkedBody
from fakes3put._wire.parse import parse_uint
from fakes3put._wire.payload import Payload, is_aws_chunked
from fakes3put._wire.request import Headers, S3Request
from fakes3put.errors import S3Error

MAX_PUT_SIZE = 5 * 1024**3


@dataclass(frozen=True, slots=True)
class VerifiedBody:
    data: bytes
    md5: bytes
    checksum_algorithm: str | None  # the checksum the client claimed (and that held)
    checksum: str | None
    default_checksum: str | None = None  # CRC64NVME taken when nothing was claimed

    def stored_checksums(self) -> dict[str, str]:
        """What S3 stores with the object: the claimed checksum, else its own CRC64NVME."""
        if self.checksum_algorithm is not None and self.checksum is not None:
            return {self.checksum_algorithm: self.checksum}
        if self.default_checksum is not None:
            return {_checksums.DEFAULT_ALGORITHM: self.default_checksum}
        return {}


def _length(headers: Headers, name: str) -> int | None:
    text = headers.get(name)
    if text is None:
        return None
    value = parse_uint(text)
    if value is None:
        raise S3Error(
            "InvalidArgument",
            f"{name} must be a non-negative integer",
            extra={"ArgumentName": name, "ArgumentValue": text[:100]},
        )
    return value


def check_content_length(headers: Headers) -> None:
    """A negative or non-numeric Content-Length is a 400 on any request, before authentication."""
    _length(headers, "content-length")


def declared_length(headers: Headers, *, accept_chunked_transfer: bool) -> int | None:
    """The object size the client announces, checked before any body byte is touched."""
    content_length = _length(headers, "content-length")
    decoded = _length(headers, "x-amz-decoded-content-length")
    aws_chunked = is_aws_chunked(headers)
    if content_length is None:
        if "chunked" not in (headers.get("transfer-encoding") or "").lower():
            raise S3Error("MissingContentLength")
        if not aws_chunked and not accept_chunked_transfer:
            # S3 has answered a plain chunked upload (no size anywhere) with 501 for years.
            raise S3Error(
                "NotImplemented",
                extra={"Header": "Transfer-Encoding"},
                hint="a chunked upload without Content-Length or aws-chunked; pass a sized body, "
                "or FakeS3(accept_chunked_transfer=True) to accept it",
            )
    if aws_chunked and decoded is None:
        raise S3Error("MissingContentLength", "x-amz-decoded-content-length is required with aws-chunked")
    size = decoded if aws_chunked else content_length
    if size is not None and size > MAX_PUT_SIZE:
        raise S3Error(
            "EntityTooLarge",
            extra={"ProposedSize": str(size), "MaxSizeAllowed": str(MAX_PUT_SIZE)},
        )
    return size


def _compare(name: str, declared: int, actual: int) -> None:
    if actual < declared:
        raise S3Error(
            "IncompleteBody",
            hint=f"{name} says {declared} bytes but the body has {actual}",
        )
    if actual > declared:
        # S3 would store the first bytes and trip over the rest as a next request;
        # a fake that refuses outright is the useful strictness.
        raise S3Error(
            "InvalidRequest",
            f"The body is longer than the {name} header says ({actual} > {declared} bytes).",
        )


def _check_length(request: S3Request, payload: Payload) -> None:
    headers = request.headers
    length = _length(headers, "content-length")
    if length is not None:
        _compare("Content-Length", length, payload.wire_length)
    if payload.chunked is not None:
        decoded = _length(headers, "x-amz-decoded-content-length")
        if decoded is None:
            raise S3Error("MissingContentLength", "x-amz-decoded-content-length is required with aws-chunked")
        _compare("x-amz-decoded-content-length", decoded, len(payload.data))


def _content_md5(headers: Headers, md5: bytes, size: int, *, part: bool) -> None:
    given = headers.get("content-md5")
    if given is None:
        return
    try:
        raw = base64.b64decode(given.strip(), validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 16:
        raise S3Error("InvalidDigest", extra={"Content-MD5": given})
    if raw != md5:
        raise S3Error(
            "BadDigest",
            # S3's own forms (LocalStack's AWS snapshots md5-error-bad-digest and
            # upload-part-md5-bad-digest): the expected MD5 in hex for PutObject, as sent
            # (base64) for UploadPart; the calculated one in base64.
            extra={
                "ExpectedDigest": given.strip() if part else raw.hex(),
                "CalculatedDigest": base64.b64encode(md5).decode("ascii"),
            },
            hint=f"Content-MD5 {given} is not the MD5 of the {size} bytes received",
        )


def _check_form(header: str, algorithm: str, value: str) -> None:
    """A value that is not base64 of the algorithm's digest size is refused before any comparison
    (LocalStack's AWS snapshots "put-wrong-checksum-no-b64"); BadDigest is for a well-formed mismatch."""
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != _checksums.ALGORITHMS[algorithm]:
        raise S3Error("InvalidRequest", f"Value for {header} header is invalid.")


def _claimed_checksum(request: S3Request, chunked: ChunkedBody | None) -> tuple[str, str] | None:
    """(algorithm, value) the client sent as a header or announced trailer; S3Error if inconsistent."""
    claims: list[tuple[str, str]] = []
    for name, value in request.headers.items():
        if name.startswith("x-amz-checksum-"):
            algorithm = _checksums.algorithm_of_header(name)
            if algorithm is not None:
                _check_form(name, algorithm, value.strip())
                claims.append((algorithm, value.strip()))
    announced = request.headers.get("x-amz-trailer")
    if announced is not None:
        algorithm = _checksums.algorithm_of_header(announced.strip().lower())
        if algorithm is None:
            raise S3Error(
                "InvalidRequest", f"The value specified in the x-amz-trailer header is not supported: {announced}"
            )
        if chunked is None:
            raise S3Error("InvalidRequest", "x-amz-trailer requires an aws-chunked body")
        values = [v for n, v in chunked.trailers if n == announced.strip().lower()]
        if not values:
            raise S3Error("IncompleteBody", f"The trailer {announced} announced by x-amz-trailer was not sent.")
        claims.append((algorithm, values[-1]))
    if len(claims) > 1:
        raise S3Error(
            "InvalidRequest",
            "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.",
        )
    sdk_algorithm = request.headers.get("x-amz-sdk-checksum-algorithm")
    if sdk_algorithm is not None:
        wanted = sdk_algorithm.strip().upper()
        if wanted not in _checksums.ALGORITHMS:
            raise S3Error(
                "InvalidRequest",
                "Value for x-amz-sdk-checksum-algorithm header is invalid.",
            )
        if not claims:
            raise S3Error(
                "InvalidRequest",
                "x-amz-sdk-checksum-algorithm specified, but no corresponding x-amz-checksum-* "
                "or x-amz-trailer headers were found.",
            )
        if claims[0][0] != wanted:
            raise S3Error(
                "BadDigest",
                f"Value for x-amz-sdk-checksum-algorithm header is invalid: {sdk_algorithm} does not "
                f"match the {claims[0][0]} checksum sent.",
            )
    return claims[0] if claims else None


def verify(request: S3Request, payload: Payload) -> VerifiedBody:
    """Check every integrity claim of a body that carries an object, with the digests read took."""
    data = payload.data
    _check_length(request, payload)
    claim = _claimed_checksum(request, payload.chunked)
    digests = payload.digests
    md5 = digests.md5
    _content_md5(request.headers, md5, len(data), part=request.has_query("partNumber"))
    if claim is None:
        default = digests.checksum if digests.checksum_algorithm == _checksums.DEFAULT_ALGORITHM else None
        return VerifiedBody(data, md5, None, None, default)
    algorithm, value = claim
    if digests.checksum_algorithm == algorithm and digests.checksum is not None:
        computed = digests.checksum
    else:
        computed = _checksums.checksum(algorithm, data)
    if computed != value:
        raise S3Error(
            "BadDigest",
            f"The {algorithm} you specified did not match the calculated checksum.",
            hint=f"{algorithm} sent {value!r}, fakes3put computed {computed!r} over {len(data)} bytes",
        )
    return VerifiedBody(data, md5, algorithm, value)
