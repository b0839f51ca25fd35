"""Which S3 operation a request is, and the function that answers it (or NotImplemented)."""

from __future__ import annotations

from collections.abc import Callable

from fakes3put._ops import buckets as _ops_bucket
from fakes3put._ops import copy as _ops_copy
from fakes3put._ops import delete as _ops_delete
from fakes3put._ops import listing as _ops_list
from fakes3put._ops import multipart as _ops_multipart
from fakes3put._ops import put as _ops_object
from fakes3put._ops import read as _ops_read
from fakes3put._ops import versioning as _ops_versioning
from fakes3put._ops.context import OperationContext
from fakes3put._wire.request import S3Request
from fakes3put._wire.response import Response
from fakes3put.errors import S3Error

Handler = Callable[[OperationContext], Response]

IMPLEMENTED: dict[str, Handler] = {
    "ListBuckets": _ops_bucket.list_buckets,
    "CreateBucket": _ops_bucket.create_bucket,
    "HeadBucket": _ops_bucket.head_bucket,
    "GetBucketLocation": _ops_bucket.get_bucket_location,
    "PutBucketAcl": _ops_bucket.put_bucket_acl,
    "DeleteBucket": _ops_delete.delete_bucket,
    "PutBucketVersioning": _ops_versioning.put_bucket_versioning,
    "GetBucketVersioning": _ops_versioning.get_bucket_versioning,
    "ListObjects": _ops_list.list_objects,
    "ListObjectsV2": _ops_list.list_objects_v2,
    "ListObjectVersions": _ops_list.list_object_versions,
    "PutObject": _ops_object.put_object,
    "GetObject": _ops_read.get_object,
    "HeadObject": _ops_read.head_object,
    "CopyObject": _ops_copy.copy_object,
    "DeleteObject": _ops_delete.delete_object,
    "DeleteObjects": _ops_delete.delete_objects,
    "CreateMultipartUpload": _ops_multipart.create_multipart_upload,
    "UploadPart": _ops_multipart.upload_part,
    "UploadPartCopy": _ops_multipart.upload_part_copy,
    "CompleteMultipartUpload": _ops_multipart.complete_multipart_upload,
    "AbortMultipartUpload": _ops_multipart.abort_multipart_upload,
    "ListParts": _ops_multipart.list_parts,
    "ListMultipartUploads": _ops_list.list_multipart_uploads,
}
# Operations that change the store; they go in the write log, accepted or rejected.
MUTATING = frozenset({"PutObject", "CopyObject", "DeleteObject", "DeleteObjects", "CompleteMultipartUpload"})

# Sub-resource query names -> operation name suffix, for naming what is not implemented.
_BUCKET_SUBRESOURCES = {
    "acl": "Acl",
    "cors": "Cors",
    "lifecycle": "LifecycleConfiguration",
    "location": "Location",
    "logging": "Logging",
    "notification": "NotificationConfiguration",
    "policy": "Policy",
    "replication": "Replication",
    "requestPayment": "RequestPayment",
    "tagging": "Tagging",
    "versioning": "Versioning",
    "website": "Website",
    "encryption": "Encryption",
    "object-lock": "ObjectLockConfiguration",
    "ownershipControls": "OwnershipControls",
    "publicAccessBlock": "PublicAccessBlock",
    "accelerate": "AccelerateConfiguration",
    "analytics": "AnalyticsConfiguration",
    "inventory": "InventoryConfiguration",
    "metrics": "MetricsConfiguration",
    "intelligent-tiering": "IntelligentTieringConfiguration",
}
_OBJECT_SUBRESOURCES = {
    "acl": "Acl",
    "tagging": "Tagging",
    "retention": "Retention",
    "legal-hold": "LegalHold",
    "attributes": "Attributes",
    "torrent": "Torrent",
    "restore": "Restore",
}
_VERBS = {"GET": "Get", "PUT": "Put", "DELETE": "Delete", "HEAD": "Head", "POST": "Post"}


def operation_name(request: S3Request) -> str:
    """S3's name for the operation this request performs (also for the ones not implemented)."""
    method, q = request.method, request.query_map
    if not request.bucket:
        return "ListBuckets" if method == "GET" else f"{_VERBS.get(method, method)}Service"
    if not request.key:
        for name, suffix in _BUCKET_SUBRESOURCES.items():
            if name in q:
                return f"{_VERBS.get(method, method)}Bucket{suffix}"
        if method == "GET":
            if "uploads" in q:
                return "ListMultipartUploads"
            if "versions" in q:
                return "ListObjectVersions"
            return "ListObjectsV2" if q.get("list-type") == "2" else "ListObjects"
        if method == "POST" and "delete" in q:
            return "DeleteObjects"
        return {"PUT": "CreateBucket", "HEAD": "HeadBucket", "DELETE": "DeleteBucket"}.get(method, f"{method}Bucket")
    for name, suffix in _OBJECT_SUBRESOURCES.items():
        if name in q:
            return f"{_VERBS.get(method, method)}Object{suffix}"
    copy = "x-amz-copy-source" in request.headers
    if method == "PUT":
        if "uploadId" in q and "partNumber" in q:
            return "UploadPartCopy" if copy else "UploadPart"
        return "CopyObject" if copy else "PutObject"
    if method == "POST":
        if "uploads" in q:
            return "CreateMultipartUpload"
        if "uploadId" in q:
            return "CompleteMultipartUpload"
        if "select" in q:
            return "SelectObjectContent"
        return "PostObject"
    if method == "DELETE":
        return "AbortMultipartUpload" if "uploadId" in q else "DeleteObject"
    if method == "GET" and "uploadId" in q:
        return "ListParts"
    return {"GET": "GetObject", "HEAD": "HeadObject"}.get(method, f"{method}Object")


def handler_for(operation: str) -> Handler:
    handler = IMPLEMENTED.get(operation)
    if handler is None:
        raise S3Error(
            "NotImplemented",
            f"{operation} is not implemented by fakes3put.",
            extra={"Operation": operation},
        )
    return handler


def known_operations() -> frozenset[str]:
    """Every name ``operation_name`` gives: the implemented operations and the ones it names to refuse."""
    names = set(IMPLEMENTED) | {"SelectObjectContent", "PostObject", "POSTBucket"}
    for verb in _VERBS.values():
        names.add(f"{verb}Service")
        names.update(f"{verb}Bucket{suffix}" for suffix in _BUCKET_SUBRESOURCES.values())
        names.update(f"{verb}Object{suffix}" for suffix in _OBJECT_SUBRESOURCES.values())
    return frozenset(names)
