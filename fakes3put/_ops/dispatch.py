"""Which S3 operation a request is, and the function that answers it (or NotImplemented)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from fakes3put._commit.store import Store
from fakes3put._ops import (
    acl,
    buckets,
    copy,
    cors,
    delete,
    listing,
    multipart,
    object_attributes,
    post_object,
    put,
    read,
    tagging,
    versioning,
)
from fakes3put._ops.context import OperationContext, RequestContext
from fakes3put._ops.integrity import MAX_PUT_SIZE
from fakes3put._wire.payload import Payload
from fakes3put._wire.request import S3Request
from fakes3put._wire.response import Response
from fakes3put.errors import S3Error

Handler = Callable[[OperationContext], Response]
Admission = Callable[[RequestContext], None]

# How an operation's body is read. An object body (PutObject, UploadPart) can be large: its
# length is checked and the request is authenticated and admitted from its headers before a byte
# is read, as S3 does. Every other body is a small XML document, read first (bounded): S3 refuses
# one past its size with MaxMessageLengthExceeded, and CreateBucket's names the signing region.
OBJECT_BODY = "object"
DOCUMENT_BODY = "document"
DOCUMENT_LIMIT = 1024 * 1024
# DeleteObjects names up to 1,000 keys of up to 1,024 bytes, Complete up to 10,000 parts with
# their checksums; either fits well inside this, even with every character escaped.
LARGE_DOCUMENT_LIMIT = 8 * 1024 * 1024
POST_OBJECT_LIMIT = MAX_PUT_SIZE + 1024 * 1024


@dataclass(frozen=True, slots=True)
class Operation:
    """One S3 operation the fake answers: its handler, how its body is read, whether it writes."""

    name: str
    handler: Handler
    body: str = DOCUMENT_BODY
    admit: Admission | None = None  # refusals decided from the headers, before an object body is read
    mutating: bool = False
    document_limit: int = DOCUMENT_LIMIT


def _operations(*operations: Operation) -> dict[str, Operation]:
    return {operation.name: operation for operation in operations}


OPERATIONS = _operations(
    Operation("ListBuckets", buckets.list_buckets),
    Operation("CreateBucket", buckets.create_bucket),
    Operation("HeadBucket", buckets.head_bucket),
    Operation("GetBucketLocation", buckets.get_bucket_location),
    Operation("PutBucketAcl", acl.put_bucket_acl),
    Operation("GetBucketAcl", acl.get_bucket_acl),
    Operation("DeleteBucket", delete.delete_bucket),
    Operation("PutBucketVersioning", versioning.put_bucket_versioning),
    Operation("GetBucketVersioning", versioning.get_bucket_versioning),
    Operation("ListObjects", listing.list_objects),
    Operation("ListObjectsV2", listing.list_objects_v2),
    Operation("ListObjectVersions", listing.list_object_versions),
    Operation("PutObject", put.put_object, OBJECT_BODY, put.admit_put, mutating=True),
    Operation("GetObject", read.get_object),
    Operation("HeadObject", read.head_object),
    Operation("CopyObject", copy.copy_object, mutating=True),
    Operation("DeleteObject", delete.delete_object, mutating=True),
    Operation("DeleteObjects", delete.delete_objects, mutating=True, document_limit=LARGE_DOCUMENT_LIMIT),
    Operation("CreateMultipartUpload", multipart.create_multipart_upload),
    Operation("UploadPart", multipart.upload_part, OBJECT_BODY, multipart.admit_part),
    Operation("UploadPartCopy", multipart.upload_part_copy),
    Operation(
        "CompleteMultipartUpload",
        multipart.complete_multipart_upload,
        mutating=True,
        document_limit=LARGE_DOCUMENT_LIMIT,
    ),
    Operation("AbortMultipartUpload", multipart.abort_multipart_upload),
    Operation("ListParts", multipart.list_parts),
    Operation("ListMultipartUploads", listing.list_multipart_uploads),
    Operation("GetObjectAttributes", object_attributes.get_object_attributes),
    # Tags and ACLs edit a version in place at the commit point; they are not object writes,
    # so they stay out of the write log (which records versions written and deleted).
    Operation("PutObjectTagging", tagging.put_object_tagging),
    Operation("GetObjectTagging", tagging.get_object_tagging),
    Operation("DeleteObjectTagging", tagging.delete_object_tagging),
    # A browser-form upload: read whole before auth (its form holds the signature), up to S3's
    # 5 GB object cap plus room for the other fields; written like a PUT, so it is in the write log.
    Operation("PostObject", post_object.post_object, mutating=True, document_limit=POST_OBJECT_LIMIT),
    Operation("PutObjectAcl", acl.put_object_acl),
    Operation("GetObjectAcl", acl.get_object_acl),
    Operation("OPTIONSObject", cors.preflight),
    Operation("OPTIONSBucket", cors.preflight),
)
# Operations that change the store; they go in the write log, accepted or rejected.
MUTATING = frozenset(name for name, operation in OPERATIONS.items() if operation.mutating)


def too_big(limit: int) -> S3Error:
    return S3Error("MaxMessageLengthExceeded", hint=f"the request body is over {limit} bytes, more than S3 reads here")


def signing_region(operation: str, request: S3Request, payload: Payload | None, store: Store, default: str) -> str:
    """The region a SigV4 scope must name: the bucket's, else the endpoint's, else the fake's;
    for CreateBucket, the region its body asks for."""
    bucket = store.bucket(request.bucket) if request.bucket else None
    if bucket is not None:
        return bucket.region
    if request.endpoint_region is not None:
        return request.endpoint_region
    if operation == "CreateBucket":
        try:
            constraint = buckets.location_constraint(payload.data if payload is not None else b"")
        except S3Error:
            constraint = None
        return constraint or "us-east-1"
    return default


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
        if method == "POST":
            # A POST to the bucket itself is a browser-form upload, unless it is a multi-object delete.
            return "DeleteObjects" if "delete" in q else "PostObject"
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


def not_implemented(operation: str) -> S3Error:
    return S3Error("NotImplemented", f"{operation} is not implemented by fakes3put.", extra={"Operation": operation})


def known_operations() -> frozenset[str]:
    """Every name ``operation_name`` gives: the implemented operations and the ones it names to refuse."""
    names = set(OPERATIONS) | {"SelectObjectContent", "PostObject", "POSTBucket"}
    for verb in _VERBS.values():
        names.add(f"{verb}Service")
        names.update(f"{verb}Bucket{suffix}" for suffix in _BUCKET_SUBRESOURCES.values())
        names.update(f"{verb}Object{suffix}" for suffix in _OBJECT_SUBRESOURCES.values())
    return frozenset(names)
