"""What a write request says about the object it creates: type, metadata, stored headers,
storage class, tagging and ACL. One set of rules for PutObject, CopyObject (REPLACE) and
CreateMultipartUpload."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from fakes3put._commit.store import EMPTY, Bucket, ObjectAttributes, StoredObject
from fakes3put._ops import access, metadata
from fakes3put._wire.request import Headers
from fakes3put.errors import S3Error

STORED_HEADERS = (
    "cache-control",
    "content-disposition",
    "content-language",
    "expires",
    "x-amz-website-redirect-location",
)
# OUTPOSTS is refused for a regional bucket (LocalStack's AWS snapshot put-object-outposts).
STORAGE_CLASSES = frozenset(
    {
        "STANDARD",
        "REDUCED_REDUNDANCY",
        "STANDARD_IA",
        "ONEZONE_IA",
        "INTELLIGENT_TIERING",
        "GLACIER",
        "DEEP_ARCHIVE",
        "GLACIER_IR",
        "SNOW",
        "EXPRESS_ONEZONE",
        "FSX_OPENZFS",
        "FSX_ONTAP",
    }
)


def new_version(
    attributes: ObjectAttributes,
    *,
    bucket: str,
    key: str,
    body: bytes,
    etag: str,
    now: datetime,
    owner: str | None,
    checksums: Mapping[str, str],
    parts: tuple[int, ...] = (),
    part_checksums: tuple[Mapping[str, str], ...] = (),
) -> StoredObject:
    """The object version a write creates: its bytes plus what the request said about it."""
    return StoredObject(
        bucket=bucket,
        key=key,
        body=body,
        etag=etag,
        last_modified=now,
        content_type=attributes.content_type,
        metadata=attributes.metadata or EMPTY,
        headers=attributes.headers or EMPTY,
        storage_class=attributes.storage_class,
        tagging=attributes.tagging,
        acl=attributes.acl,
        grants=attributes.grants or EMPTY,
        checksums=checksums or EMPTY,
        owner=owner,
        parts=parts,
        part_checksums=part_checksums,
    )


def stored_content_encoding(value: str | None) -> str | None:
    """Content-Encoding without the aws-chunked token (it describes the transfer, not the object);
    the rest stays exactly as sent ("deflate, gzip" keeps its space)."""
    if value is None:
        return None
    pieces = value.split(",")
    kept = [piece for piece in pieces if piece.strip().lower() != "aws-chunked"]
    if len(kept) == len(pieces):
        return value or None
    return ",".join(kept).strip() or None


def requested_attributes(headers: Headers, bucket: Bucket) -> ObjectAttributes:
    storage_class = (headers.get("x-amz-storage-class") or "STANDARD").strip()
    if storage_class not in STORAGE_CLASSES:
        raise S3Error("InvalidStorageClass", extra={"StorageClassRequested": storage_class})
    acl, grants = access.requested_acl(headers)
    access.check_acls_enabled(bucket, acl, grants)
    stored = {name: headers[name] for name in STORED_HEADERS if name in headers}
    encoding = stored_content_encoding(headers.get("content-encoding"))
    if encoding is not None:
        stored["content-encoding"] = encoding
    return ObjectAttributes(
        content_type=headers.get("content-type") or "binary/octet-stream",
        metadata=metadata.user_metadata(headers),
        headers=stored,
        storage_class=storage_class,
        tagging=headers.get("x-amz-tagging"),
        acl=acl,
        grants=grants,
    )
