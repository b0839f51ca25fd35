"""Listings: ListObjectsV2, ListObjects (v1), ListObjectVersions and ListMultipartUploads,
with one set of paging rules. Keys come in UTF-8 byte order, as S3 sends them."""

from __future__ import annotations

import base64
import binascii
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar
from urllib.parse import quote_plus

from fakes3put._commit.store import Bucket, StoredObject
from fakes3put._commit.uploads import Upload
from fakes3put._ops._common import (
    checksum_settings,
    checksum_type,
    iso_time,
    limit_parameter,
    owner_element,
    readable_bucket,
    version_label,
)
from fakes3put._ops.context import OperationContext
from fakes3put._wire.response import XML_CONTENT_TYPE, Response, xml_document, xml_element
from fakes3put.errors import S3Error

T = TypeVar("T")
_TOKEN_TAG = b"\x01"  # versions the continuation token's format

Encode = Callable[[str], str]


# ---------------------------------------------------------------- shared paging rules


def sort_key(key: str) -> bytes:
    return key.encode("utf-8", "surrogatepass")


def encoder(ctx: OperationContext) -> tuple[Encode, str]:
    """How names are written back (``encoding-type=url`` or as is) and the element announcing it."""
    if not ctx.request.has_query("encoding-type"):
        return (lambda text: text), ""
    value = ctx.request.query_value("encoding-type") or ""
    if value.lower() != "url":
        raise S3Error(
            "InvalidArgument",
            "Invalid Encoding Method specified in Request",
            extra={"ArgumentName": "encoding-type", "ArgumentValue": value},
        )
    # botocore decodes with unquote_plus: a literal '+' must travel as %2B, a space as '+'.
    # Real S3 leaves '/' as is in every encoded element (measured: brekkylab/backlot#178,
    # ceph/s3-tests#478), so a Delimiter '/' comes back '/'.
    return (lambda text: quote_plus(text, safe="/")), xml_element("EncodingType", "url")


@dataclass(slots=True)
class Page(Generic[T]):
    """One page: what was emitted, in order (``None`` items are CommonPrefixes), and whether more follow."""

    emitted: list[tuple[str, T | None]] = field(default_factory=list)
    truncated: bool = False

    @property
    def entries(self) -> list[T]:
        return [item for _, item in self.emitted if item is not None]

    @property
    def prefixes(self) -> list[str]:
        return [name for name, item in self.emitted if item is None]

    @property
    def last(self) -> tuple[str, T | None] | None:
        return self.emitted[-1] if self.emitted else None


def paginate(
    items: Iterable[tuple[str, T]],
    *,
    prefix: str,
    delimiter: str,
    marker: str | None,
    limit: int,
    skip_past: Callable[[str], None] | None = None,
) -> Page[T]:
    """Walk ``items`` (already in key order and past ``marker``), rolling keys up into CommonPrefixes.

    A rolled-up prefix at or before ``marker`` was sent on an earlier page (its marker is the
    prefix itself), so it is skipped, and with it every key under it. ``skip_past(prefix)``, if
    given, makes ``items`` jump over the keys under a prefix instead of walking them.
    """
    page: Page[T] = Page()
    if limit == 0:
        return page  # max-keys=0 asks for nothing; reporting "truncated" would give no token to follow
    for key, item in items:
        if not key.startswith(prefix):
            continue
        rolled = _rolled_up(key, prefix, delimiter)
        if rolled is not None:
            seen = bool(page.emitted) and page.emitted[-1] == (rolled, None)
            if seen or (marker is not None and sort_key(rolled) <= sort_key(marker)):
                if skip_past is not None:
                    skip_past(rolled)
                continue
        if len(page.emitted) >= limit:
            page.truncated = True
            break
        page.emitted.append((rolled, None) if rolled is not None else (key, item))
        if rolled is not None and skip_past is not None:
            skip_past(rolled)
    return page


class KeyWalk(Generic[T]):
    """``(key, item)`` pairs in key order, read from a bucket's sorted keys as a page consumes them.

    Starts past ``marker`` and at ``prefix`` (a bisection, not a sort of the bucket) and stops at
    the first key outside ``prefix``; ``items_for(key)`` gives what a key contributes (nothing for a
    deleted key). ``skip_past`` jumps over a CommonPrefix already sent. So a page costs
    O(log n + what it reads) however large the bucket.
    """

    def __init__(
        self,
        bucket: Bucket,
        *,
        prefix: str,
        marker: str,
        items_for: Callable[[str], Iterable[T]],
        first: Iterable[tuple[str, T]] = (),
    ) -> None:
        self._bucket = bucket
        self._prefix = prefix
        self._items_for = items_for
        self._pending: deque[tuple[str, T]] = deque(first)
        # Python orders str by code point, the same order as their UTF-8 bytes (S3's order).
        if prefix > marker:
            self._keys = bucket.keys_from(prefix)
        else:
            self._keys = bucket.keys_from(marker, after=bool(marker))

    def __iter__(self) -> Iterator[tuple[str, T]]:
        return self

    def __next__(self) -> tuple[str, T]:
        while not self._pending:
            key = next(self._keys)
            if not key.startswith(self._prefix):
                raise StopIteration
            self._pending.extend((key, item) for item in self._items_for(key))
        return self._pending.popleft()

    def skip_past(self, rolled: str) -> None:
        """Continue after every key that starts with ``rolled``."""
        # The first string past all those starting with ``rolled``: its last character, plus one.
        last = ord(rolled[-1])
        if last >= 0x10FFFF:
            return  # no such string; walking on is correct, only slower
        self._pending.clear()
        self._keys = self._bucket.keys_from(rolled[:-1] + chr(last + 1))


def _rolled_up(key: str, prefix: str, delimiter: str) -> str | None:
    if not delimiter:
        return None
    cut = key.find(delimiter, len(prefix))
    return key[: cut + len(delimiter)] if cut >= 0 else None


def prefixes_xml(page: Page[T], encode: Encode) -> str:
    return "".join(f"<CommonPrefixes>{xml_element('Prefix', encode(p))}</CommonPrefixes>" for p in page.prefixes)


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _optional(name: str, value: str | None, encode: Encode) -> str:
    return xml_element(name, encode(value)) if value else ""


def _xml_response(root: str, inner: str) -> Response:
    return Response(200, {"Content-Type": XML_CONTENT_TYPE}, xml_document(root, inner))


# ---------------------------------------------------------------- ListObjectsV2 and ListObjects


def _objects_page(
    bucket: Bucket, now: datetime, *, prefix: str, delimiter: str, marker: str, limit: int
) -> Page[StoredObject]:
    """What a reader at ``now`` sees (visibility lag included), in key order, after ``marker``."""

    def seen(key: str) -> tuple[StoredObject, ...]:
        version = bucket.visible(key, now)
        return (version,) if version is not None and not version.delete_marker else ()

    walk = KeyWalk(bucket, prefix=prefix, marker=marker, items_for=seen)
    return paginate(walk, prefix=prefix, delimiter=delimiter, marker=marker, limit=limit, skip_past=walk.skip_past)


def _checksum_fields(obj: StoredObject) -> str:
    fields = "".join(xml_element("ChecksumAlgorithm", name) for name in obj.checksums)
    first = next(iter(obj.checksums.values()), None)
    return fields + (xml_element("ChecksumType", checksum_type(first)) if first is not None else "")


def listing_time(moment: datetime) -> str:
    """``iso_time`` for the stored (UTC) timestamps, without strftime: a listing writes a thousand."""
    if moment.utcoffset():
        return iso_time(moment)
    return f"{moment.replace(tzinfo=None).isoformat(timespec='seconds')}.000Z"


def _contents(obj: StoredObject, encode: Encode, *, with_owner: bool) -> str:
    # Size and StorageClass need no escaping (a number, one of S3's storage class names).
    return (
        "<Contents>"
        + xml_element("Key", encode(obj.key))
        + f"<LastModified>{listing_time(obj.last_modified)}</LastModified>"
        + xml_element("ETag", obj.etag)
        + (_checksum_fields(obj) if obj.checksums else "")
        + f"<Size>{obj.size}</Size>"
        + (owner_element("Owner", obj.owner) if with_owner else "")
        + f"<StorageClass>{obj.storage_class}</StorageClass>"
        + "</Contents>"
    )


def _query(ctx: OperationContext, name: str) -> str:
    return ctx.request.query_value(name) or ""


def list_objects_v2(ctx: OperationContext) -> Response:
    bucket = readable_bucket(ctx)  # NoSuchBucket and AccessDenied come before parameter errors
    encode, encoding_element = encoder(ctx)
    prefix, delimiter, start_after = _query(ctx, "prefix"), _query(ctx, "delimiter"), _query(ctx, "start-after")
    limit = limit_parameter(ctx, "max-keys")
    token = ctx.request.query_value("continuation-token") if ctx.request.has_query("continuation-token") else None
    marker = _token_marker(token) if token is not None else start_after
    page = _objects_page(bucket, ctx.now, prefix=prefix, delimiter=delimiter, marker=marker, limit=limit)
    with_owner = _query(ctx, "fetch-owner").lower() == "true"
    last = page.last
    inner = (
        xml_element("Name", ctx.request.bucket)
        + xml_element("Prefix", encode(prefix))
        + _optional("Delimiter", delimiter, encode)
        + xml_element("MaxKeys", str(limit))
        + encoding_element
        + xml_element("KeyCount", str(len(page.emitted)))
        + xml_element("IsTruncated", _bool(page.truncated))
        + (xml_element("ContinuationToken", token) if token is not None else "")
        + (xml_element("NextContinuationToken", _token_for(last[0])) if page.truncated and last else "")
        # S3 leaves StartAfter out once a continuation token decides the page (LocalStack's
        # AWS snapshot list-objects-start-after-token).
        + (_optional("StartAfter", start_after, encode) if token is None else "")
        + "".join(_contents(obj, encode, with_owner=with_owner) for obj in page.entries)
        + prefixes_xml(page, encode)
    )
    return _xml_response("ListBucketResult", inner)


def list_objects(ctx: OperationContext) -> Response:
    bucket = readable_bucket(ctx)
    encode, encoding_element = encoder(ctx)
    prefix, delimiter, marker = _query(ctx, "prefix"), _query(ctx, "delimiter"), _query(ctx, "marker")
    limit = limit_parameter(ctx, "max-keys")
    page = _objects_page(bucket, ctx.now, prefix=prefix, delimiter=delimiter, marker=marker, limit=limit)
    last = page.last
    # S3 sends NextMarker only with a delimiter; without one, clients continue from the last key.
    next_marker = last[0] if page.truncated and delimiter and last else None
    inner = (
        xml_element("Name", ctx.request.bucket)
        + xml_element("Prefix", encode(prefix))
        + xml_element("Marker", encode(marker))
        + _optional("NextMarker", next_marker, encode)
        + xml_element("MaxKeys", str(limit))
        + _optional("Delimiter", delimiter, encode)
        + encoding_element
        + xml_element("IsTruncated", _bool(page.truncated))
        + "".join(_contents(obj, encode, with_owner=True) for obj in page.entries)
        + prefixes_xml(page, encode)
    )
    return _xml_response("ListBucketResult", inner)


def _token_for(last: str) -> str:
    return base64.urlsafe_b64encode(_TOKEN_TAG + last.encode("utf-8", "surrogatepass")).decode("ascii")


def _token_marker(token: str | None) -> str:
    """The last name of the previous page, from a token this fake issued."""
    try:
        raw = base64.b64decode(token or "", altchars=b"-_", validate=True)
        if not raw.startswith(_TOKEN_TAG):
            raise ValueError("not a fakes3put continuation token")
        return raw[len(_TOKEN_TAG) :].decode("utf-8", "surrogatepass")
    except (binascii.Error, ValueError):
        raise S3Error(
            "InvalidArgument",
            "The continuation token provided is incorrect",
            # An empty token's error names the argument only (LocalStack's AWS snapshot exc-continuation-token).
            extra={"ArgumentName": "continuation-token", **({"ArgumentValue": token} if token else {})},
        ) from None


# ---------------------------------------------------------------- ListObjectVersions


@dataclass(frozen=True, slots=True)
class _Version:
    obj: StoredObject
    latest: bool


def _versions_walk(
    bucket: Bucket, now: datetime, *, prefix: str, key_marker: str, version_marker: str
) -> KeyWalk[_Version]:
    """Every visible version past the markers: keys in byte order, each key's versions newest first."""

    def newest_first(key: str) -> list[_Version]:
        visible = [v for v in reversed(bucket.versions(key)) if v.visible(now)]
        return [_Version(v, index == 0) for index, v in enumerate(visible)]

    first: list[_Version] = []
    if key_marker and version_marker:
        same_key = newest_first(key_marker)
        labels = [version_label(v.obj) for v in same_key]
        if version_marker in labels:
            first = same_key[labels.index(version_marker) + 1 :]
    return KeyWalk(
        bucket, prefix=prefix, marker=key_marker, items_for=newest_first, first=[(key_marker, v) for v in first]
    )


def _version_xml(version: _Version, encode: Encode) -> str:
    obj = version.obj
    common = (
        xml_element("Key", encode(obj.key))
        + xml_element("VersionId", version_label(obj))
        + xml_element("IsLatest", _bool(version.latest))
        + xml_element("LastModified", iso_time(obj.last_modified))
    )
    if obj.delete_marker:
        return f"<DeleteMarker>{common}{owner_element('Owner', obj.owner)}</DeleteMarker>"
    return (
        f"<Version>{common}"
        + xml_element("ETag", obj.etag)
        + _checksum_fields(obj)
        + xml_element("Size", str(obj.size))
        + xml_element("StorageClass", obj.storage_class)
        + owner_element("Owner", obj.owner)
        + "</Version>"
    )


def list_object_versions(ctx: OperationContext) -> Response:
    bucket = readable_bucket(ctx)
    encode, encoding_element = encoder(ctx)
    prefix, delimiter = _query(ctx, "prefix"), _query(ctx, "delimiter")
    key_marker, version_marker = _query(ctx, "key-marker"), _query(ctx, "version-id-marker")
    if version_marker and not key_marker:
        raise S3Error(
            "InvalidArgument",
            "A version-id marker cannot be specified without a key marker.",
            extra={"ArgumentName": "version-id-marker", "ArgumentValue": version_marker},
        )
    limit = limit_parameter(ctx, "max-keys")
    walk = _versions_walk(bucket, ctx.now, prefix=prefix, key_marker=key_marker, version_marker=version_marker)
    page = paginate(
        walk, prefix=prefix, delimiter=delimiter, marker=key_marker or None, limit=limit, skip_past=walk.skip_past
    )
    next_markers = ""
    last = page.last
    if page.truncated and last is not None:
        name, version = last
        next_markers = xml_element("NextKeyMarker", encode(name))
        if version is not None:
            next_markers += xml_element("NextVersionIdMarker", version_label(version.obj))
    inner = (
        xml_element("Name", ctx.request.bucket)
        + xml_element("Prefix", encode(prefix))
        + xml_element("KeyMarker", encode(key_marker))
        + xml_element("VersionIdMarker", version_marker)
        + next_markers
        + xml_element("MaxKeys", str(limit))
        + _optional("Delimiter", delimiter, encode)
        + encoding_element
        + xml_element("IsTruncated", _bool(page.truncated))
        + "".join(_version_xml(version, encode) for version in page.entries)
        + prefixes_xml(page, encode)
    )
    return _xml_response("ListVersionsResult", inner)


# ---------------------------------------------------------------- ListMultipartUploads


def list_multipart_uploads(ctx: OperationContext) -> Response:
    bucket = readable_bucket(ctx)
    encode, encoding_element = encoder(ctx)
    query = ctx.request.query_value
    prefix, delimiter = query("prefix") or "", query("delimiter") or ""
    key_marker, id_marker = query("key-marker") or "", query("upload-id-marker") or ""
    limit = limit_parameter(ctx, "max-uploads")
    uploads = sorted(ctx.uploads.in_bucket(bucket.name), key=lambda u: (sort_key(u.key), u.initiated))
    items = [(u.key, u) for u in _after_markers(uploads, key_marker, id_marker)]
    page = paginate(items, prefix=prefix, delimiter=delimiter, marker=key_marker or None, limit=limit)
    last = page.last
    # S3 names the last upload listed even on the final page, and sends Prefix only when asked
    # (LocalStack's AWS snapshot list-multiparts).
    next_key = last[0] if last else ""
    next_id = last[1].upload_id if last and last[1] is not None else ""
    inner = (
        xml_element("Bucket", bucket.name)
        + xml_element("KeyMarker", encode(key_marker))
        + xml_element("UploadIdMarker", id_marker)
        + xml_element("NextKeyMarker", encode(next_key))
        + xml_element("NextUploadIdMarker", next_id)
        + (xml_element("Delimiter", encode(delimiter)) if delimiter else "")
        + (xml_element("Prefix", encode(prefix)) if prefix else "")
        + encoding_element
        + xml_element("MaxUploads", str(limit))
        + xml_element("IsTruncated", _bool(page.truncated))
        + "".join(_upload_xml(upload, encode) for upload in page.entries)
        + prefixes_xml(page, encode)
    )
    return _xml_response("ListMultipartUploadsResult", inner)


def _after_markers(uploads: list[Upload], key_marker: str, id_marker: str) -> list[Upload]:
    if not key_marker:
        return uploads
    after = sort_key(key_marker)
    kept = [u for u in uploads if sort_key(u.key) > after]
    same_key = [u for u in uploads if u.key == key_marker]
    ids = [u.upload_id for u in same_key]
    if id_marker and id_marker in ids:
        kept = same_key[ids.index(id_marker) + 1 :] + kept
    return kept


def _upload_xml(upload: Upload, encode: Encode) -> str:
    return (
        "<Upload>"
        + xml_element("Key", encode(upload.key))
        + xml_element("UploadId", upload.upload_id)
        + owner_element("Initiator", upload.initiator)
        + owner_element("Owner", upload.initiator)
        + xml_element("StorageClass", upload.attributes.storage_class)
        + xml_element("Initiated", iso_time(upload.initiated))
        + checksum_settings(upload)
        + "</Upload>"
    )
