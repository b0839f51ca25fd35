"""Object reads: GetObject and HeadObject, with versions, ranges, parts and conditional headers."""

from __future__ import annotations

import re

from fakes3put._commit.store import StoredObject
from fakes3put._ops import metadata
from fakes3put._ops._common import (
    checksum_type,
    part_number,
)
from fakes3put._ops.context import OperationContext
from fakes3put._ops.copy_source import Preconditions
from fakes3put._ops.target import readable_object
from fakes3put._wire import checksums as _checksums
from fakes3put._wire.response import Response, http_time
from fakes3put.errors import S3Error

# At most 19 digits per bound: longer numbers are not byte offsets, so the header is ignored.
_RANGE = re.compile(r"bytes=([0-9]{0,19})-([0-9]{0,19})")
_RESPONSE_OVERRIDES = {
    "response-content-type": "Content-Type",
    "response-content-language": "Content-Language",
    "response-expires": "Expires",
    "response-cache-control": "Cache-Control",
    "response-content-disposition": "Content-Disposition",
    "response-content-encoding": "Content-Encoding",
}


# ---------------------------------------------------------------- shared with copy and listings


def object_headers(obj: StoredObject, *, with_checksums: bool) -> dict[str, str]:
    headers = {
        "Last-Modified": http_time(obj.last_modified),
        "ETag": obj.etag,
        "Content-Type": obj.content_type,
        "Content-Length": str(obj.size),
        "Accept-Ranges": "bytes",
        "x-amz-server-side-encryption": "AES256",
    }
    headers.update(obj.headers)
    for name, value in obj.metadata.items():
        headers[f"x-amz-meta-{name}"] = metadata.response_value(value)
    if obj.storage_class != "STANDARD":
        headers["x-amz-storage-class"] = obj.storage_class
    if obj.version_id is not None:
        headers["x-amz-version-id"] = obj.version_id
    if with_checksums:
        for algorithm, value in obj.checksums.items():
            headers[_checksums.header_name(algorithm)] = value
            headers["x-amz-checksum-type"] = checksum_type(value)
    return headers


# ---------------------------------------------------------------- GetObject / HeadObject


def get_object(ctx: OperationContext) -> Response:
    return _read(ctx, with_body=True)


def head_object(ctx: OperationContext) -> Response:
    return _read(ctx, with_body=False)


# Archived until restored, and the fake does not restore (LocalStack's AWS snapshot
# get-object-invalid-state: 403 InvalidObjectState; HEAD still answers).
_ARCHIVED = frozenset({"GLACIER", "DEEP_ARCHIVE"})


def _read(ctx: OperationContext, *, with_body: bool) -> Response:
    obj = _readable_object(ctx)
    if with_body and obj.storage_class in _ARCHIVED:
        raise S3Error(
            "InvalidObjectState",
            "The operation is not valid for the object's storage class",
            extra={"StorageClass": obj.storage_class},
            headers={"x-amz-storage-class": obj.storage_class},
        )
    failure = Preconditions.from_headers(ctx.request.headers).failure(obj, ctx.now)
    if failure is not None:
        status, header = failure
        if status == 304:
            return Response(304, _validator_headers(obj))
        raise S3Error("PreconditionFailed", extra={"Condition": header})
    overrides = _response_overrides(ctx)
    window = _part_window(ctx, obj)
    if window is None:
        window = _range_window(ctx, obj)
    wants_checksums = (ctx.request.headers.get("x-amz-checksum-mode") or "").upper() == "ENABLED"
    # Whole-object checksums would not verify a partial body (reference rule 10): only on reads
    # of every byte, which includes partNumber=1 of a plain object (LocalStack's AWS snapshot
    # get-obj-no-multipart) and a range over the whole object, when the checksum is full-object.
    headers = object_headers(obj, with_checksums=wants_checksums and _reads_whole(obj, window))
    composite = any(checksum_type(value) == "COMPOSITE" for value in obj.checksums.values())
    if wants_checksums and composite and obj.part_checksums and ctx.request.has_query("partNumber"):
        # A composite upload's part read carries that part's own checksum (LocalStack's AWS
        # snapshot test_get_object_part_checksum[COMPOSITE]).
        number = part_number(ctx.request.query_value("partNumber"))
        for algorithm, value in obj.part_checksums[number - 1].items():
            headers[_checksums.header_name(algorithm)] = value
            headers["x-amz-checksum-type"] = "COMPOSITE"
    if with_body and obj.tagging:
        headers["x-amz-tagging-count"] = str(len([t for t in obj.tagging.split("&") if t]))
    headers.update(overrides)
    if window is None:
        return Response(200, headers, obj.body if with_body else b"")
    start, end, extra = window
    headers.update(extra)
    headers["Content-Length"] = str(end - start + 1)
    headers["Content-Range"] = f"bytes {start}-{end}/{obj.size}"
    return Response(206, headers, obj.body[start : end + 1] if with_body else b"")


def _reads_whole(obj: StoredObject, window: Window | None) -> bool:
    if window is None:
        return True
    start, end, _ = window
    covers = start == 0 and end == obj.size - 1
    return covers and all(checksum_type(value) == "FULL_OBJECT" for value in obj.checksums.values())


def _readable_object(ctx: OperationContext) -> StoredObject:
    return readable_object(ctx)[1]


def _validator_headers(obj: StoredObject) -> dict[str, str]:
    headers = {"ETag": obj.etag, "Last-Modified": http_time(obj.last_modified)}
    if obj.version_id is not None:
        headers["x-amz-version-id"] = obj.version_id
    return headers


def _response_overrides(ctx: OperationContext) -> dict[str, str]:
    overrides = {
        header: ctx.request.query_value(param) or ""
        for param, header in _RESPONSE_OVERRIDES.items()
        if ctx.request.has_query(param)
    }
    if overrides and ctx.who is None:
        raise S3Error("InvalidRequest", "Request specific response headers cannot be used for anonymous GET requests.")
    return {header: _as_header_value(header, value) for header, value in overrides.items()}


def _as_header_value(header: str, value: str) -> str:
    """An override as the bytes a server puts on the wire: a line break or control character could
    split the answer, so it is refused (the fake's choice: S3's answer is not recorded); other text
    goes out as UTF-8, which clients read back as latin-1 from any socket."""
    if any((ord(character) < 32 and character != "\t") or character == "\x7f" for character in value):
        raise S3Error(
            "InvalidArgument",
            f"{header} must not contain control characters.",
            extra={"ArgumentName": header, "ArgumentValue": value.encode("unicode_escape").decode()[:100]},
        )
    return value if value.isascii() else value.encode("utf-8").decode("latin-1")


Window = tuple[int, int, dict[str, str]]  # first byte, last byte, extra headers


def _range_window(ctx: OperationContext, obj: StoredObject) -> Window | None:
    header = ctx.request.headers.get("range")
    if header is None:
        return None
    bounds = byte_range(header, obj.size)
    return (*bounds, {}) if bounds is not None else None


def byte_range(header: str, size: int) -> tuple[int, int] | None:
    """(first, last) byte of ``Range: bytes=...`` clamped to ``size``; None if the header is not
    a single valid byte range (S3 then ignores it); InvalidRange if it cannot be satisfied."""
    match = _RANGE.fullmatch(header.strip().lower())
    if match is None or match.group(1) == match.group(2) == "":
        return None
    first_text, last_text = match.groups()
    if first_text == "":
        suffix = int(last_text)
        if suffix == 0 or size == 0:
            raise _invalid_range(header, size)
        return max(size - suffix, 0), size - 1
    first = int(first_text)
    if last_text and int(last_text) < first:
        return None  # syntactically invalid per RFC 7233, so ignored
    if first >= size:
        raise _invalid_range(header, size)
    return first, min(int(last_text), size - 1) if last_text else size - 1


def _invalid_range(header: str, size: int) -> S3Error:
    return S3Error(
        "InvalidRange",
        extra={"RangeRequested": header, "ActualObjectSize": str(size)},
        headers={"Content-Range": f"bytes */{size}"},
    )


def _part_window(ctx: OperationContext, obj: StoredObject) -> Window | None:
    if not ctx.request.has_query("partNumber"):
        return None
    number = part_number(ctx.request.query_value("partNumber"))
    if "range" in ctx.request.headers:
        raise S3Error("InvalidRequest", "Cannot specify both Range header and partNumber query parameter.")
    sizes = obj.parts or (obj.size,)  # a single PUT reads as one part
    if number > len(sizes):
        raise S3Error(
            "InvalidPartNumber",
            "The requested partnumber is not satisfiable",
            status=416,
            extra={"PartNumberRequested": str(number), "ActualPartCount": str(len(sizes))},
        )
    first = sum(sizes[: number - 1])
    extra = {"x-amz-mp-parts-count": str(len(sizes))} if obj.parts else {}
    if sizes[number - 1] == 0:
        return None  # an empty object has no byte range to name
    return first, first + sizes[number - 1] - 1, extra
