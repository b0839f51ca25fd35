"""CopyObject, plus what UploadPartCopy shares with it: the copy source and its preconditions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from urllib.parse import unquote

from fakes3put._commit.store import Bucket, StoredObject
from fakes3put._ops import access
from fakes3put._ops.attributes import new_version, requested_attributes
from fakes3put._ops.context import OperationContext
from fakes3put._ops.put import submit_version, version_headers, writable_bucket, write_condition
from fakes3put._ops.read import Preconditions, denied_read, find_version, iso_time, no_such_version
from fakes3put._wire import checksums as _checksums
from fakes3put._wire.response import Response, xml_document, xml_element
from fakes3put.errors import S3Error

MAX_COPY_SOURCE_SIZE = 5 * 1024**3
_DIRECTIVES = ("COPY", "REPLACE")
_SSE_HEADERS = ("x-amz-server-side-encryption", "x-amz-server-side-encryption-aws-kms-key-id")


@dataclass(frozen=True, slots=True)
class CopySource:
    bucket: str
    key: str
    version_id: str | None


# ---------------------------------------------------------------- shared rules


def parse_copy_source(value: str) -> CopySource:
    """``[/]bucket/url-encoded-key[?versionId=id]`` -> CopySource; InvalidArgument if malformed."""
    path, has_query, query = value.strip().partition("?")
    version_id = None
    if has_query:
        name, _, raw_version = query.partition("=")
        if name != "versionId" or not raw_version:
            raise _bad_copy_source(value)
        version_id = unquote(raw_version)
    try:
        decoded = unquote(path, errors="strict")
    except UnicodeDecodeError:
        raise _bad_copy_source(value) from None
    bucket, _, key = decoded.removeprefix("/").partition("/")
    if not bucket or not key:
        raise _bad_copy_source(value)
    return CopySource(bucket, key, version_id)


def _bad_copy_source(value: str) -> S3Error:
    return S3Error(
        "InvalidArgument",
        "Copy Source must mention the source bucket and key: sourcebucket/sourcekey",
        extra={"ArgumentName": "x-amz-copy-source", "ArgumentValue": value},
    )


def source_object(ctx: OperationContext, source: CopySource) -> StoredObject:
    """The object a copy reads: READ permission on its bucket, and its x-amz-copy-source-if-* hold."""
    bucket = ctx.store.bucket(source.bucket)
    if bucket is None:
        raise S3Error("NoSuchBucket", extra={"BucketName": source.bucket})
    if source.version_id is not None:
        obj = find_version(bucket, source.key, source.version_id, ctx.now)
        if obj is None:
            raise no_such_version(source.key, source.version_id)
        if obj.delete_marker:
            raise S3Error(
                "InvalidRequest",
                "The source of a copy request may not specifically refer to a delete marker by version id.",
            )
    else:
        visible = bucket.visible(source.key, ctx.now)
        if visible is None or visible.delete_marker:
            raise S3Error("NoSuchKey", extra={"Key": source.key})
        obj = visible
    if not access.can_read_object(bucket, obj, ctx.who):
        raise denied_read(ctx, bucket.name, source.key)
    failure = Preconditions.from_headers(ctx.request.headers, "x-amz-copy-source-").failure(obj)
    if failure is not None:
        # A copy has nothing to answer "not modified" with: both kinds of failure are 412.
        raise S3Error("PreconditionFailed", extra={"Condition": failure[1]})
    return obj


def checksum_elements(checksums: Mapping[str, str], *, with_type: bool = True) -> str:
    """``<ChecksumCRC32>..</ChecksumCRC32><ChecksumType>..</ChecksumType>`` for a result document."""
    inner = ""
    for algorithm, value in checksums.items():
        inner += xml_element(f"Checksum{algorithm}", value)
        if with_type:
            inner += xml_element("ChecksumType", "COMPOSITE" if "-" in value else "FULL_OBJECT")
    return inner


def checksum_algorithm(ctx: OperationContext) -> str | None:
    """The ``x-amz-checksum-algorithm`` a request asks for, validated."""
    value = ctx.request.headers.get("x-amz-checksum-algorithm")
    if value is None:
        return None
    algorithm = value.strip().upper()
    if algorithm not in _checksums.ALGORITHMS:
        raise S3Error(
            "InvalidRequest",
            "Checksum algorithm provided is unsupported. Please try again with any of the valid types: "
            f"[{', '.join(_checksums.ALGORITHMS)}]",
        )
    return algorithm


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
    algorithms = [algorithm] if algorithm is not None else list(src.checksums)
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
    response_headers = {"Content-Type": "application/xml", "x-amz-server-side-encryption": "AES256"}
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
