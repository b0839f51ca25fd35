"""CopyObject, plus what UploadPartCopy shares with it: the copy source and its preconditions."""

from __future__ import annotations

from dataclasses import replace

from fakes3put._commit.store import Bucket, StoredObject
from fakes3put._ops import access
from fakes3put._ops._common import iso_time, submit_version, version_headers, writable_bucket, write_condition
from fakes3put._ops.attributes import new_version, requested_attributes
from fakes3put._ops.context import OperationContext
from fakes3put._ops.copy_source import (
    CopySource,
    checksum_algorithm,
    checksum_elements,
    parse_copy_source,
    source_object,
)
from fakes3put._wire import checksums as _checksums
from fakes3put._wire.response import XML_CONTENT_TYPE, Response, xml_document, xml_element
from fakes3put.errors import S3Error

MAX_COPY_SOURCE_SIZE = 5 * 1024**3
_DIRECTIVES = ("COPY", "REPLACE")
_SSE_HEADERS = ("x-amz-server-side-encryption", "x-amz-server-side-encryption-aws-kms-key-id")


# ---------------------------------------------------------------- shared rules


# ---------------------------------------------------------------- CopyObject


def copy_object(ctx: OperationContext) -> Response:
    headers = ctx.request.headers
    bucket = writable_bucket(ctx)
    source = parse_copy_source(headers["x-amz-copy-source"])
    metadata_directive = _directive(ctx, "x-amz-metadata-directive")
    tagging_directive = _directive(ctx, "x-amz-tagging-directive")
    requested = requested_attributes(headers, bucket)
    algorithm = checksum_algorithm(ctx)
    src = source_object(ctx, source)
    if src.size > MAX_COPY_SOURCE_SIZE:
        raise S3Error(
            "InvalidRequest",
            "The specified copy source is larger than the maximum allowable size for a copy source: "
            f"{MAX_COPY_SOURCE_SIZE}",
        )
    if _copies_onto_itself(ctx, bucket, source, src) and metadata_directive == "COPY" and not _changes_anything(ctx):
        raise S3Error(
            "InvalidRequest",
            "This copy request is illegal because it is trying to copy an object to itself without changing the "
            "object's metadata, storage class, website redirect location or encryption attributes.",
        )
    if metadata_directive == "COPY":
        requested = replace(requested, content_type=src.content_type, metadata=src.metadata, headers=src.headers)
    if tagging_directive == "COPY":
        requested = replace(requested, tagging=src.tagging)
    # Algorithms: the one asked for, else the source's; always computed afresh over the whole copy.
    # A source without one gets S3's default, CRC64NVME (when the checksums extra is installed).
    algorithms = [algorithm] if algorithm is not None else list(src.checksums)
    if not algorithms and (default := _checksums.default_algorithm()) is not None:
        algorithms = [default]
    obj = new_version(
        requested,
        bucket=bucket.name,
        key=ctx.request.key,
        body=src.body,
        etag=_checksums.etag_of(_checksums.md5_digest(src.body)),  # a copy is one part: plain MD5
        now=ctx.now,
        owner=access.object_owner(bucket, ctx.who, requested.acl),
        checksums={name: _checksums.checksum(name, src.body) for name in algorithms},
    )
    record = submit_version(ctx, bucket, obj, "CopyObject", write_condition(ctx))
    response_headers = {"Content-Type": XML_CONTENT_TYPE, "x-amz-server-side-encryption": "AES256"}
    response_headers.update(version_headers(record, bucket))
    if src.version_id is not None:
        response_headers["x-amz-copy-source-version-id"] = src.version_id
    inner = (
        xml_element("LastModified", iso_time(record.time))
        + xml_element("ETag", obj.etag)
        + checksum_elements(obj.checksums)
    )
    return Response(200, response_headers, xml_document("CopyObjectResult", inner))


def _directive(ctx: OperationContext, header: str) -> str:
    value = (ctx.request.headers.get(header) or "COPY").strip()
    if value not in _DIRECTIVES:
        raise S3Error(
            "InvalidArgument",
            f"Unknown {header.removeprefix('x-amz-').replace('-', ' ')}.",
            extra={"ArgumentName": header, "ArgumentValue": value},
        )
    return value


def _copies_onto_itself(ctx: OperationContext, bucket: Bucket, source: CopySource, src: StoredObject) -> bool:
    if (source.bucket, source.key) != (bucket.name, ctx.request.key):
        return False
    current = bucket.visible(source.key, ctx.now)
    return current is src  # copying an older version over the current one restores it: a change


def _changes_anything(ctx: OperationContext) -> bool:
    headers = ctx.request.headers
    return any(name in headers for name in ("x-amz-storage-class", "x-amz-website-redirect-location", *_SSE_HEADERS))
