"""Object operations: PutObject, GetObject, HeadObject."""

from __future__ import annotations

from email.utils import format_datetime

from . import _access, _checksums, _integrity
from ._context import OperationContext
from ._response import Response
from ._sequencer import Condition, Mutation
from ._store import Bucket, StoredObject
from .errors import S3Error

STORED_HEADERS = (
    "cache-control",
    "content-disposition",
    "content-language",
    "expires",
    "x-amz-website-redirect-location",
)
STORAGE_CLASSES = frozenset(
    {
        "STANDARD",
        "REDUCED_REDUNDANCY",
        "STANDARD_IA",
        "ONEZONE_IA",
        "INTELLIGENT_TIERING",
        "GLACIER",
        "DEEP_ARCHIVE",
        "OUTPOSTS",
        "GLACIER_IR",
        "SNOW",
        "EXPRESS_ONEZONE",
        "FSX_OPENZFS",
        "FSX_ONTAP",
    }
)
MAX_KEY_BYTES = 1024


def existing_bucket(ctx: OperationContext) -> Bucket:
    bucket = ctx.store.bucket(ctx.request.bucket)
    if bucket is None:
        raise S3Error("NoSuchBucket", extra={"BucketName": ctx.request.bucket})
    return bucket


def _content_encoding(value: str | None) -> str | None:
    """Drop the aws-chunked token (it describes the transfer, not the object)."""
    if value is None:
        return None
    tokens = [t.strip() for t in value.split(",") if t.strip() and t.strip().lower() != "aws-chunked"]
    return ",".join(tokens) or None


def _metadata(ctx: OperationContext) -> dict[str, str]:
    return {
        name[len("x-amz-meta-") :]: value
        for name, value in ctx.request.headers.items()
        if name.startswith("x-amz-meta-")
    }


def put_object(ctx: OperationContext) -> Response:
    request = ctx.request
    headers = request.headers
    bucket = existing_bucket(ctx)
    if not _access.can_write(bucket, ctx.who):
        raise S3Error(
            "AccessDenied", hint=f"{ctx.who or 'an anonymous caller'} has no WRITE permission on bucket {bucket.name!r}"
        )
    if len(request.key.encode("utf-8")) > MAX_KEY_BYTES:
        raise S3Error(
            "KeyTooLongError", extra={"Size": str(len(request.key.encode())), "MaxSizeAllowed": str(MAX_KEY_BYTES)}
        )
    storage_class = (headers.get("x-amz-storage-class") or "STANDARD").strip()
    if storage_class not in STORAGE_CLASSES:
        raise S3Error("InvalidStorageClass", extra={"StorageClassRequested": storage_class})
    acl = headers.get("x-amz-acl")
    if acl is not None and acl.strip() not in _access.CANNED_ACLS:
        raise S3Error("InvalidArgument", extra={"ArgumentName": "x-amz-acl", "ArgumentValue": acl})

    body = _integrity.verify(request, ctx.chunked)
    stored_headers = {name: headers[name] for name in STORED_HEADERS if name in headers}
    encoding = _content_encoding(headers.get("content-encoding"))
    if encoding is not None:
        stored_headers["content-encoding"] = encoding
    checksums = {body.checksum_algorithm: body.checksum} if body.checksum_algorithm and body.checksum else {}
    obj = StoredObject(
        bucket=bucket.name,
        key=request.key,
        body=body.data,
        etag=_checksums.etag_of(body.md5),
        last_modified=ctx.now,
        content_type=headers.get("content-type") or "binary/octet-stream",
        metadata=_metadata(ctx),
        headers=stored_headers,
        storage_class=storage_class,
        tagging=headers.get("x-amz-tagging"),
        acl=acl.strip() if acl is not None else None,
        checksums=checksums,
        owner=ctx.who,
    )
    record = ctx.sequencer.submit(
        Mutation(
            bucket=bucket,
            key=obj.key,
            operation="PutObject",
            principal=ctx.who,
            sent=ctx.sent,
            sent_at=ctx.now,
            obj=obj,
            condition=write_condition(ctx),
        )
    )
    response_headers = {"ETag": obj.etag, "x-amz-server-side-encryption": "AES256"}
    if record.version_id is not None or bucket.versioning is not None:
        response_headers["x-amz-version-id"] = record.version_id or "null"
    for algorithm, value in checksums.items():
        response_headers[_checksums.header_name(algorithm)] = value
        response_headers["x-amz-checksum-type"] = "FULL_OBJECT"
    return Response(200, response_headers)


def write_condition(ctx: OperationContext) -> Condition | None:
    """If-Match / If-None-Match on a write; decided when S3 receives the write, not now."""
    headers = ctx.request.headers
    if_none_match = headers.get("if-none-match")
    if_match = headers.get("if-match")
    if if_none_match is not None and if_none_match.strip() != "*":
        raise S3Error(
            "NotImplemented",
            extra={"Header": "If-None-Match"},
            hint="S3 supports only If-None-Match: * on writes",
        )
    if if_none_match is None and if_match is None:
        return None
    return Condition(if_match=if_match.strip() if if_match is not None else None, if_none_match=if_none_match is not None)


def readable_bucket(ctx: OperationContext) -> Bucket:
    bucket = existing_bucket(ctx)
    if not _access.can_read(bucket, ctx.who):
        raise S3Error(
            "AccessDenied",
            hint=f"{ctx.who or 'an anonymous caller'} has no READ permission on bucket {bucket.name!r}",
        )
    return bucket


def _readable_object(ctx: OperationContext) -> StoredObject:
    bucket = readable_bucket(ctx)
    obj = bucket.visible(ctx.request.key, ctx.now)
    if obj is None or obj.delete_marker:
        headers = {"x-amz-delete-marker": "true"} if obj is not None else {}
        raise S3Error("NoSuchKey", extra={"Key": ctx.request.key}, headers=headers)
    return obj


def object_headers(obj: StoredObject, *, with_checksums: bool) -> dict[str, str]:
    headers = {
        "Last-Modified": format_datetime(obj.last_modified.replace(microsecond=0), usegmt=True),
        "ETag": obj.etag,
        "Content-Type": obj.content_type,
        "Content-Length": str(obj.size),
        "Accept-Ranges": "bytes",
        "x-amz-server-side-encryption": "AES256",
    }
    headers.update(obj.headers)
    for name, value in obj.metadata.items():
        headers[f"x-amz-meta-{name}"] = value
    if obj.storage_class != "STANDARD":
        headers["x-amz-storage-class"] = obj.storage_class
    if obj.version_id is not None:
        headers["x-amz-version-id"] = obj.version_id
    if with_checksums:
        for algorithm, value in obj.checksums.items():
            headers[_checksums.header_name(algorithm)] = value
            headers["x-amz-checksum-type"] = "FULL_OBJECT"
    return headers


def _wants_checksums(ctx: OperationContext) -> bool:
    return (ctx.request.headers.get("x-amz-checksum-mode") or "").upper() == "ENABLED"


def get_object(ctx: OperationContext) -> Response:
    obj = _readable_object(ctx)
    headers = object_headers(obj, with_checksums=_wants_checksums(ctx))
    if obj.tagging:
        headers["x-amz-tagging-count"] = str(len([t for t in obj.tagging.split("&") if t]))
    return Response(200, headers, obj.body)


def head_object(ctx: OperationContext) -> Response:
    obj = _readable_object(ctx)
    return Response(200, object_headers(obj, with_checksums=_wants_checksums(ctx)))
