"""PutObject, and the helpers other object operations share (bucket lookup, write conditions)."""

from __future__ import annotations

from fakes3put._commit.sequencer import Condition, Mutation, WriteRecord
from fakes3put._commit.store import Bucket, StoredObject
from fakes3put._ops import access, integrity
from fakes3put._ops.attributes import new_version, requested_attributes
from fakes3put._ops.context import OperationContext, RequestContext
from fakes3put._wire import checksums as _checksums
from fakes3put._wire.response import Response
from fakes3put.errors import S3Error

MAX_KEY_BYTES = 1024


def existing_bucket(ctx: RequestContext) -> Bucket:
    bucket = ctx.store.bucket(ctx.request.bucket)
    if bucket is None:
        raise S3Error("NoSuchBucket", extra={"BucketName": ctx.request.bucket})
    return bucket


def writable_bucket(ctx: RequestContext) -> Bucket:
    """The request's bucket, if the caller may write to it and the key is not too long."""
    bucket = existing_bucket(ctx)
    if not access.can_write(bucket, ctx.who):
        raise S3Error(
            "AccessDenied",
            hint=f"{ctx.who or 'an anonymous caller'} has no WRITE permission on bucket {bucket.name!r}",
        )
    size = len(ctx.request.key.encode("utf-8", "surrogatepass"))
    if size > MAX_KEY_BYTES:
        raise S3Error("KeyTooLongError", extra={"Size": str(size), "MaxSizeAllowed": str(MAX_KEY_BYTES)})
    return bucket


def submit_version(
    ctx: OperationContext, bucket: Bucket, obj: StoredObject, operation: str, condition: Condition | None
) -> WriteRecord:
    """Hand a new object version to the sequencer (the one way an object is written)."""
    return ctx.sequencer.submit(
        Mutation(
            bucket=bucket,
            key=obj.key,
            operation=operation,
            principal=ctx.who,
            sent=ctx.sent,
            sent_at=ctx.now,
            obj=obj,
            condition=condition,
        )
    )


def version_headers(record: WriteRecord, bucket: Bucket) -> dict[str, str]:
    """``x-amz-version-id`` once the bucket has ever had versioning (``null`` while suspended)."""
    if record.version_id is None and bucket.versioning is None:
        return {}
    return {"x-amz-version-id": record.version_id or "null"}


def admit_put(ctx: RequestContext) -> None:
    """Refuse from the headers what needs no body: a missing bucket, no WRITE permission, a long key."""
    writable_bucket(ctx)


def put_object(ctx: OperationContext) -> Response:
    bucket = writable_bucket(ctx)  # again: the bucket may have changed while the body was read
    attributes = requested_attributes(ctx.request.headers, bucket)
    condition = write_condition(ctx)
    body = integrity.verify(ctx.request, ctx.payload)
    checksums = {body.checksum_algorithm: body.checksum} if body.checksum_algorithm and body.checksum else {}
    obj = new_version(
        attributes,
        bucket=bucket.name,
        key=ctx.request.key,
        body=body.data,
        etag=_checksums.etag_of(body.md5),
        now=ctx.now,
        owner=access.object_owner(bucket, ctx.who, attributes.acl),
        checksums=checksums,
    )
    record = submit_version(ctx, bucket, obj, "PutObject", condition)
    response_headers = {"ETag": obj.etag, "x-amz-server-side-encryption": "AES256", **version_headers(record, bucket)}
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
    return Condition(
        if_match=if_match.strip() if if_match is not None else None, if_none_match=if_none_match is not None
    )


def readable_bucket(ctx: OperationContext) -> Bucket:
    bucket = existing_bucket(ctx)
    if not access.can_read(bucket, ctx.who):
        raise S3Error(
            "AccessDenied",
            hint=f"{ctx.who or 'an anonymous caller'} has no READ permission on bucket {bucket.name!r}",
        )
    return bucket
