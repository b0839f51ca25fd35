"""Which S3 operation a request is, and the function that answers it (or NotImplemented)."""

from __future__ import annotations

from collections.abc import Callable

from . import _ops_bucket, _ops_object
from ._context import OperationContext
from ._request import S3Request
from ._response import Response
from .errors import S3Error

Handler = Callable[[OperationContext], Response]

IMPLEMENTED: dict[str, Handler] = {
    "ListBuckets": _ops_bucket.list_buckets,
    "CreateBucket": _ops_bucket.create_bucket,
    "HeadBucket": _ops_bucket.head_bucket,
    "GetBucketLocation": _ops_bucket.get_bucket_location,
    "PutBucketAcl": _ops_bucket.put_bucket_acl,
    "PutObject": _ops_object.put_object,
    "GetObject": _ops_object.get_object,
    "HeadObject": _ops_object.head_object,
}
# Operations that change the store; they go in the write log, accepted or rejected.
MUTATING = frozenset(
    {"PutObject", "CopyObject", "DeleteObject", "DeleteObjects", "CompleteMultipartUpload", "PutObjectAcl"}
)

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
