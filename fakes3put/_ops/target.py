"""The object version a request names (``versionId`` or the current one), and who may see it.

Shared by the reads (GetObject, HeadObject, GetObjectAttributes) and the sub-resource
operations on an object (tagging, ACL), which look it up again under the commit lock.
"""

from __future__ import annotations

from collections.abc import Callable

from fakes3put._commit.store import Bucket, StoredObject
from fakes3put._ops import access
from fakes3put._ops._common import (
    check_version_form,
    existing_bucket,
    find_version,
    no_such_version,
    requested_version,
)
from fakes3put._ops.context import OperationContext
from fakes3put._ops.copy_source import denied_read
from fakes3put.errors import S3Error


def requested_object(ctx: OperationContext, bucket: Bucket) -> StoredObject:
    """The version ``versionId`` names, else the visible current one; S3's 404/405 if there is none."""
    key = ctx.request.key
    version_id = requested_version(ctx)
    if version_id is not None:
        check_version_form(bucket, version_id)
        obj = find_version(bucket, key, version_id, ctx.now)
        if obj is None:
            raise no_such_version(key, version_id)
        if obj.delete_marker:
            raise S3Error(
                "MethodNotAllowed",
                extra={"Method": ctx.request.method, "ResourceType": "DeleteMarker"},
                headers={"Allow": "DELETE", "x-amz-delete-marker": "true", "x-amz-version-id": version_id},
            )
        return obj
    obj = bucket.visible(key, ctx.now)
    if obj is None or obj.delete_marker:
        headers = {"x-amz-delete-marker": "true"} if obj is not None else {}
        if obj is not None and obj.version_id is not None:
            headers["x-amz-version-id"] = obj.version_id
        raise S3Error("NoSuchKey", extra={"Key": key}, headers=headers)
    return obj


def hidden_unless_listable(ctx: OperationContext, bucket: Bucket, missing: S3Error) -> S3Error:
    """Without READ on the bucket S3 does not say whether a key exists: AccessDenied instead of a 404."""
    if missing.code in ("NoSuchKey", "NoSuchVersion") and not access.can_read(bucket, ctx.who):
        return denied_read(ctx, bucket.name, ctx.request.key)
    return missing


def readable_object(ctx: OperationContext, permission: str = "READ") -> tuple[Bucket, StoredObject]:
    """The requested version, if the object's ACL gives the caller ``permission`` (READ, READ_ACP)."""
    bucket = existing_bucket(ctx)
    try:
        obj = requested_object(ctx, bucket)
    except S3Error as missing:
        raise hidden_unless_listable(ctx, bucket, missing) from None
    if not access.object_permits(bucket, obj, permission, ctx.who):
        raise denied_read(ctx, bucket.name, ctx.request.key)
    return bucket, obj


def versioned_target(ctx: OperationContext) -> Callable[[Bucket], StoredObject]:
    """The version a tag or ACL change names, looked up at the commit point (in the bucket as it is then)."""

    def find(current: Bucket) -> StoredObject:
        try:
            return requested_object(ctx, current)
        except S3Error as missing:
            raise hidden_unless_listable(ctx, current, missing) from None

    return find
