"""Multipart uploads: Create, UploadPart, UploadPartCopy, Complete, Abort and ListParts.

Parts live in the ``Uploads`` registry and are invisible to readers; only Complete writes
to the store, through the sequencer like every other write, so races and conditional
writes (If-None-Match / If-Match on Complete) behave as they do for PutObject.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from fakes3put._commit.store import Bucket, StoredObject
from fakes3put._commit.uploads import Completed, Part, Upload, composite_checksum, multipart_etag, new_upload_id
from fakes3put._commit.writes import WriteRecord
from fakes3put._ops import access, integrity
from fakes3put._ops._common import (
    MAX_PART_NUMBER,
    checksum_settings,
    iso_time,
    limit_parameter,
    owner_element,
    part_number,
    readable_bucket,
    submit_version,
    version_headers,
    writable_bucket,
    write_condition,
)
from fakes3put._ops.attributes import new_version, requested_attributes
from fakes3put._ops.context import OperationContext, RequestContext
from fakes3put._ops.copy_source import checksum_algorithm, checksum_elements, parse_copy_source, source_object
from fakes3put._ops.xmlbody import parse
from fakes3put._wire import checksums as _checksums
from fakes3put._wire.parse import parse_uint
from fakes3put._wire.response import XML_CONTENT_TYPE, Response, xml_document, xml_element
from fakes3put.errors import S3Error

MIN_PART_SIZE = 5 * 1024**2
_FULL_OBJECT_ONLY = frozenset({"CRC64NVME"})
_COMPOSITE_ONLY = frozenset({"SHA1", "SHA256"})
_COPY_RANGE = re.compile(r"bytes=([0-9]{1,19})-([0-9]{1,19})")
_XML = {"Content-Type": XML_CONTENT_TYPE}
_SSE = {"x-amz-server-side-encryption": "AES256"}


# ---------------------------------------------------------------- CreateMultipartUpload


def create_multipart_upload(ctx: OperationContext) -> Response:
    bucket = writable_bucket(ctx)
    attributes = requested_attributes(ctx.request.headers, bucket)
    algorithm, kind = _checksum_choice(ctx)
    upload = Upload(
        upload_id=new_upload_id(),
        bucket=bucket.name,
        key=ctx.request.key,
        initiated=ctx.now,
        initiator=ctx.who,
        attributes=attributes,
        checksum_algorithm=algorithm,
        checksum_type=kind,
        began_at_receipt=ctx.sequencer.received_total,
    )
    ctx.uploads.start(upload)
    headers = {**_XML, **_SSE}
    if algorithm is not None and kind is not None:
        headers.update({"x-amz-checksum-algorithm": algorithm, "x-amz-checksum-type": kind})
    inner = (
        xml_element("Bucket", bucket.name) + xml_element("Key", upload.key) + xml_element("UploadId", upload.upload_id)
    )
    return Response(200, headers, xml_document("InitiateMultipartUploadResult", inner))


def _checksum_choice(ctx: OperationContext) -> tuple[str | None, str | None]:
    """(algorithm, COMPOSITE | FULL_OBJECT) from x-amz-checksum-algorithm and x-amz-checksum-type."""
    algorithm = checksum_algorithm(ctx)
    kind = ctx.request.headers.get("x-amz-checksum-type")
    if kind is not None:
        kind = kind.strip().upper()
        if kind not in ("COMPOSITE", "FULL_OBJECT"):
            raise S3Error("InvalidRequest", "Value for x-amz-checksum-type header is invalid.")
        if algorithm is None:
            raise S3Error(
                "InvalidRequest",
                "The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm header.",
            )
    if algorithm is None:
        return None, None
    # S3's pairing: CRC64NVME only whole-object, SHA only composite, the 32-bit CRCs either way.
    kind = kind or ("FULL_OBJECT" if algorithm in _FULL_OBJECT_ONLY else "COMPOSITE")
    wrong = _COMPOSITE_ONLY if kind == "FULL_OBJECT" else _FULL_OBJECT_ONLY
    if algorithm in wrong:
        raise S3Error(
            "InvalidRequest",
            f"The {kind} checksum type cannot be used with the {algorithm.lower()} checksum algorithm.",
        )
    return algorithm, kind


# ---------------------------------------------------------------- parts


def _upload(ctx: RequestContext) -> Upload:
    upload_id = ctx.request.query_value("uploadId") or ""
    upload = ctx.uploads.get(upload_id, ctx.request.bucket, ctx.request.key)
    if upload is None:
        raise S3Error("NoSuchUpload", extra={"UploadId": upload_id})
    return upload


def _store_part(ctx: OperationContext, upload: Upload, part: Part) -> None:
    if not ctx.uploads.add_part(upload.upload_id, part):
        raise S3Error("NoSuchUpload", extra={"UploadId": upload.upload_id}, hint="completed or aborted meanwhile")


def admit_part(ctx: RequestContext) -> None:
    """Refuse from the headers what needs no body: bucket, permission, part number, upload."""
    writable_bucket(ctx)
    part_number(ctx.request.query_value("partNumber"))
    _upload(ctx)


def upload_part(ctx: OperationContext) -> Response:
    writable_bucket(ctx)  # again: the bucket may have changed while the body was read
    number = part_number(ctx.request.query_value("partNumber"))
    upload = _upload(ctx)
    body = integrity.verify(ctx.request, ctx.payload)
    checksums = _part_checksums(upload, body.checksum_algorithm, body.checksum, body.data)
    part = Part(number, body.data, body.md5, _checksums.etag_of(body.md5), ctx.now, checksums)
    _store_part(ctx, upload, part)
    headers = {"ETag": part.etag, **_SSE}
    # Echoed so the client can name it in Complete (s3transfer copies it from this response).
    headers.update({_checksums.header_name(name): value for name, value in checksums.items()})
    return Response(200, headers)


def _part_checksums(upload: Upload, sent: str | None, value: str | None, data: bytes) -> dict[str, str]:
    expected = upload.checksum_algorithm
    if expected is None:
        # boto3 >= 1.36 sends CRC32 with every part even when Create named no algorithm, and
        # S3 accepts it (after verifying it, as _integrity already did).
        return {sent: value} if sent is not None and value is not None else {}
    if (sent is not None and sent != expected) or (sent is None and upload.checksum_type == "COMPOSITE"):
        raise S3Error(
            "InvalidRequest",
            f"Checksum Type mismatch occurred, expected checksum Type: {expected.lower()}, "
            f"actual checksum Type: {(sent or 'null').lower()}",
        )
    return {expected: value if value is not None else _checksums.checksum(expected, data)}


def upload_part_copy(ctx: OperationContext) -> Response:
    writable_bucket(ctx)
    number = part_number(ctx.request.query_value("partNumber"))
    upload = _upload(ctx)
    src = source_object(ctx, parse_copy_source(ctx.request.headers["x-amz-copy-source"]))
    first, last = _copy_range(ctx.request.headers.get("x-amz-copy-source-range"), src.size)
    data = src.body[first : last + 1]
    md5 = _checksums.md5_digest(data)
    algorithm = upload.checksum_algorithm
    checksums = {algorithm: _checksums.checksum(algorithm, data)} if algorithm is not None else {}
    part = Part(number, data, md5, _checksums.etag_of(md5), ctx.now, checksums)
    _store_part(ctx, upload, part)
    headers = {**_XML, **_SSE}
    if src.version_id is not None:
        headers["x-amz-copy-source-version-id"] = src.version_id
    inner = (
        xml_element("LastModified", iso_time(part.last_modified))
        + xml_element("ETag", part.etag)
        + checksum_elements(checksums, with_type=False)
    )
    return Response(200, headers, xml_document("CopyPartResult", inner))


def _copy_range(header: str | None, size: int) -> tuple[int, int]:
    if header is None:
        return 0, size - 1
    match = _COPY_RANGE.fullmatch(header.strip())
    if match is None:
        raise S3Error(
            "InvalidArgument",
            "The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are "
            "the zero-based offsets of the first and last bytes to copy",
            extra={"ArgumentName": "x-amz-copy-source-range", "ArgumentValue": header},
        )
    first, last = int(match.group(1)), int(match.group(2))
    if first > last or last >= size:
        raise S3Error(
            "InvalidArgument",
            f"Range specified is not valid for source object of size: {size}",
            extra={"ArgumentName": "x-amz-copy-source-range", "ArgumentValue": header},
        )
    return first, last


# ---------------------------------------------------------------- CompleteMultipartUpload


@dataclass(frozen=True, slots=True)
class _Listed:
    """One <Part> of the Complete request."""

    number: int
    etag: str
    checksums: Mapping[str, str]


def complete_multipart_upload(ctx: OperationContext) -> Response:
    # The order of checks is the one reference section 9.5 gives for S3.
    bucket = writable_bucket(ctx)
    if (repeat := _repeated_complete(ctx)) is not None:
        return repeat
    upload = _upload(ctx)
    listed = _listed_parts(ctx.payload.data)
    _check_order(upload, listed)
    parts = _matching_parts(upload, listed)
    _check_sizes(parts)
    obj = _assembled(ctx, bucket, upload, parts, _object_checksums(ctx, upload, parts, listed))
    _check_declared_size(ctx, obj.size)
    record = _commit(ctx, bucket, upload, obj)
    headers = {**_XML, **_SSE, **version_headers(record, bucket)}
    inner = (
        xml_element("Location", f"{ctx.request.scheme}://{ctx.request.host}{ctx.request.raw_path}")
        + xml_element("Bucket", bucket.name)
        + xml_element("Key", obj.key)
        + xml_element("ETag", obj.etag)
        + checksum_elements(obj.checksums)
    )
    answer = Response(200, headers, xml_document("CompleteMultipartUploadResult", inner))
    done = Completed(bucket.name, obj.key, _listed_signature(listed), dict(headers), answer.body)
    ctx.uploads.remember_completed(upload.upload_id, done)
    return answer


def _listed_signature(listed: Sequence[_Listed]) -> tuple[tuple[int, str], ...]:
    return tuple((entry.number, entry.etag.strip('"')) for entry in listed)


def _repeated_complete(ctx: OperationContext) -> Response | None:
    """The first answer again, for the same Complete repeated after it succeeded.

    Real S3 answers a repeated Complete with 200 and the same result (shown against AWS in
    adobe/S3Mock#2586 and minio/minio#13318); clients retry after a lost acknowledgement.
    A different part list, or an aborted upload, stays NoSuchUpload.
    """
    upload_id = ctx.request.query_value("uploadId") or ""
    if ctx.uploads.get(upload_id, ctx.request.bucket, ctx.request.key) is not None:
        return None
    done = ctx.uploads.completed_as(upload_id, ctx.request.bucket, ctx.request.key)
    if done is None:
        return None
    try:
        same = _listed_signature(_listed_parts(ctx.payload.data)) == done.parts
    except S3Error:
        same = False
    if not same:
        raise S3Error("NoSuchUpload", extra={"UploadId": upload_id}, hint="completed with another part list")
    return Response(200, dict(done.headers), done.body)


def _assembled(
    ctx: OperationContext, bucket: Bucket, upload: Upload, parts: Sequence[Part], checksums: dict[str, str]
) -> StoredObject:
    """The object the parts make, with the attributes given when the upload was created."""
    return new_version(
        upload.attributes,
        bucket=upload.bucket,
        key=upload.key,
        body=b"".join(part.data for part in parts),
        etag=multipart_etag(parts),
        now=ctx.now,
        owner=access.object_owner(bucket, ctx.who, upload.attributes.acl),
        checksums=checksums,
        parts=tuple(part.size for part in parts),
        part_checksums=tuple(part.checksums for part in parts) if checksums else (),
    )


def _commit(ctx: OperationContext, bucket: Bucket, upload: Upload, obj: StoredObject) -> WriteRecord:
    """Claim the upload (one Complete wins) and hand the object to the sequencer."""
    condition = write_condition(ctx)
    if condition is not None:
        condition = dataclasses.replace(condition, upload_began=upload.began_at_receipt)
    claimed = ctx.uploads.take(upload.upload_id)
    if claimed is None:  # a concurrent Complete or Abort won
        raise S3Error("NoSuchUpload", extra={"UploadId": upload.upload_id})
    try:
        return submit_version(ctx, bucket, obj, "CompleteMultipartUpload", condition)
    except S3Error as error:
        # A failed precondition leaves the upload in place to retry; a conflict (409) does not:
        # S3's ConditionalRequestConflict message tells the client to start a new upload.
        if error.code in ("PreconditionFailed", "NoSuchKey"):
            ctx.uploads.put_back(claimed)
        raise


def _listed_parts(body: bytes) -> list[_Listed]:
    # S3 answers a Complete without a body (boto3 sends none when no parts are given) with
    # InvalidRequest, not MalformedXML: LocalStack's AWS snapshot "complete-exc-no-parts".
    elements = parse(body, "CompleteMultipartUpload").all("Part") if body.strip() else []
    if not elements:
        raise S3Error("InvalidRequest", "You must specify at least one part")
    if len(elements) > MAX_PART_NUMBER:
        raise S3Error("MalformedXML", hint=f"Complete must list 1 to {MAX_PART_NUMBER} parts, got {len(elements)}")
    listed = []
    for element in elements:
        number = element.token_of("PartNumber") or ""
        etag = element.token_of("ETag") or ""
        if not (number.isascii() and number.isdigit() and len(number) <= 9) or not etag:
            raise S3Error("MalformedXML", hint="every <Part> needs a numeric <PartNumber> and an <ETag>")
        checksums = {
            name: value for name in _checksums.ALGORITHMS if (value := element.token_of(f"Checksum{name}")) is not None
        }
        listed.append(_Listed(int(number), etag, checksums))
    return listed


def _check_order(upload: Upload, listed: Sequence[_Listed]) -> None:
    for previous, current in itertools.pairwise(listed):
        if current.number <= previous.number:
            raise S3Error(
                "InvalidPartOrder",
                extra={"UploadId": upload.upload_id},
                hint=f"part {current.number} follows part {previous.number}; parts must be strictly ascending",
            )


def _matching_parts(upload: Upload, listed: Sequence[_Listed]) -> list[Part]:
    parts = []
    for entry in listed:
        part = upload.parts.get(entry.number)
        if part is None or part.etag.strip('"') != entry.etag.strip().strip('"'):
            raise _invalid_part(upload, entry, "was not uploaded" if part is None else f"has ETag {part.etag}")
        for name, value in entry.checksums.items():
            if part.checksums.get(name) != value:
                raise _invalid_part(upload, entry, f"has no {name} checksum {value!r}")
        parts.append(part)
    return parts


def _invalid_part(upload: Upload, entry: _Listed, why: str) -> S3Error:
    return S3Error(
        "InvalidPart",
        # S3 echoes the ETag without its quotes (LocalStack's AWS snapshots of InvalidPart).
        extra={"UploadId": upload.upload_id, "PartNumber": str(entry.number), "ETag": entry.etag.strip('"')},
        hint=f"part {entry.number} {why}",
    )


def _check_sizes(parts: Sequence[Part]) -> None:
    for part in parts[:-1]:
        if part.size < MIN_PART_SIZE:
            raise S3Error(
                "EntityTooSmall",
                extra={
                    "ProposedSize": str(part.size),
                    "MinSizeAllowed": str(MIN_PART_SIZE),
                    "PartNumber": str(part.number),
                    "ETag": part.etag.strip('"'),
                },
            )


def _object_checksums(
    ctx: OperationContext, upload: Upload, parts: Sequence[Part], listed: Sequence[_Listed]
) -> dict[str, str]:
    algorithm = upload.checksum_algorithm
    if algorithm is None:
        # An upload created without an algorithm ends, on S3, with a full-object CRC64NVME.
        algorithm = _checksums.default_algorithm()
        if algorithm is None:
            return {}
    if upload.checksum_type == "COMPOSITE":
        for entry in listed:
            if algorithm not in entry.checksums:
                raise S3Error(
                    "InvalidRequest",
                    f"The upload was created using a {algorithm.lower()} checksum. The complete request must "
                    f"include the checksum for each part. It was missing for part {entry.number} in the request.",
                )
        value = composite_checksum(algorithm, [part.checksums[algorithm] for part in parts])
    else:
        update, result = _checksums.incremental(algorithm)  # over the parts in turn: no joined copy
        for part in parts:
            update(part.data)
        value = result()
    claimed = ctx.request.headers.get(_checksums.header_name(algorithm))
    if claimed is not None and claimed.strip() != value:
        raise S3Error(
            "BadDigest",
            f"The {algorithm} you specified did not match the calculated checksum.",
            hint=f"Complete sent {claimed.strip()!r}, fakes3put computed {value!r}",
        )
    return {algorithm: value}


def _check_declared_size(ctx: OperationContext, size: int) -> None:
    declared = ctx.request.headers.get("x-amz-mp-object-size")
    if declared is None:
        return
    value = parse_uint(declared)
    if value is None:
        raise S3Error(
            "InvalidArgument", extra={"ArgumentName": "x-amz-mp-object-size", "ArgumentValue": declared[:100]}
        )
    if value != size:
        raise S3Error(
            "InvalidRequest",
            f"The provided 'x-amz-mp-object-size' header value {declared.strip()} does not match what was "
            f"computed: {size}",
        )


# ---------------------------------------------------------------- Abort and ListParts


def abort_multipart_upload(ctx: OperationContext) -> Response:
    writable_bucket(ctx)
    upload = _upload(ctx)
    if ctx.uploads.take(upload.upload_id) is None:
        raise S3Error("NoSuchUpload", extra={"UploadId": upload.upload_id})
    return Response(204)


def _marker_number(ctx: OperationContext) -> int:
    text = ctx.request.query_value("part-number-marker") or "0"
    if not (text.isascii() and text.isdigit() and len(text) <= 10):
        raise S3Error(
            "InvalidArgument",
            "Provided part-number-marker not an integer or within integer range",
            extra={"ArgumentName": "part-number-marker", "ArgumentValue": text},
        )
    return int(text)


def list_parts(ctx: OperationContext) -> Response:
    readable_bucket(ctx)
    upload = _upload(ctx)
    limit = limit_parameter(ctx, "max-parts")
    marker = _marker_number(ctx)
    numbers = sorted(number for number in upload.parts if number > marker)
    page, truncated = numbers[:limit], len(numbers) > limit
    parts_xml = "".join(
        "<Part>"
        + xml_element("PartNumber", str(part.number))
        + xml_element("LastModified", iso_time(part.last_modified))
        + xml_element("ETag", part.etag)
        + xml_element("Size", str(part.size))
        # Part checksums only for an upload created with an algorithm, as S3 lists them (LocalStack's
        # AWS snapshot list-parts-empty-marker: boto3's per-part CRC32 is not listed).
        + (checksum_elements(part.checksums, with_type=False) if upload.checksum_algorithm else "")
        + "</Part>"
        for part in (upload.parts[number] for number in page)
    )
    inner = (
        xml_element("Bucket", upload.bucket)
        + xml_element("Key", upload.key)
        + xml_element("UploadId", upload.upload_id)
        + owner_element("Initiator", upload.initiator)
        + owner_element("Owner", upload.initiator)
        + xml_element("StorageClass", upload.attributes.storage_class)
        + xml_element("PartNumberMarker", str(marker))
        + xml_element("NextPartNumberMarker", str(page[-1] if page else marker))
        + xml_element("MaxParts", str(limit))
        + xml_element("IsTruncated", "true" if truncated else "false")
        + parts_xml
        + checksum_settings(upload)
    )
    return Response(200, _XML, xml_document("ListPartsResult", inner))
