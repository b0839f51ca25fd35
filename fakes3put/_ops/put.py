"""PutObject, and the helpers other object operations share (bucket lookup, write conditions)."""

from __future__ import annotations

from fakes3put._ops import access, integrity
from fakes3put._ops._common import submit_version, version_headers, writable_bucket, write_condition
from fakes3put._ops.attributes import new_version, requested_attributes
from fakes3put._ops.context import OperationContext, RequestContext
from fakes3put._wire import checksums as _checksums
from fakes3put._wire.response import Response


def admit_put(ctx: RequestContext) -> None:
    """Refuse from the headers what needs no body: a missing bucket, no WRITE permission, a long key."""
    writable_bucket(ctx)


def put_object(ctx: OperationContext) -> Response:
    bucket = writable_bucket(ctx)  # again: the bucket may have changed while the body was read
    attributes = requested_attributes(ctx.request.headers, bucket)
    condition = write_condition(ctx)
    body = integrity.verify(ctx.request, ctx.payload)
    checksums = body.stored_checksums()
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
    response_headers = {"ETag": obj.etag, "x-amz-server-side-encryption": "AES256"}
    if bucket.versioning != "Suspended":  # S3 names no version for a put into a suspended bucket
        response_headers.update(version_headers(record, bucket))
    for algorithm, value in checksums.items():
        response_headers[_checksums.header_name(algorithm)] = value
        response_headers["x-amz-checksum-type"] = "FULL_OBJECT"
    return Response(200, response_headers)
