"""Deletes: DeleteObject, DeleteObjects (POST ?delete) and DeleteBucket.

Every object delete is a write through the sequencer (one per key for DeleteObjects), so
the write log, windows and holds see deletes exactly as they see PUTs.
"""

from __future__ import annotations

from dataclasses import dataclass

from fakes3put._commit.store import Bucket, Store
from fakes3put._commit.writes import Condition, Mutation, Submitted
from fakes3put._ops import access, integrity
from fakes3put._ops._common import (
    MAX_KEY_BYTES,
    check_version_form,
    existing_bucket,
    find_version,
    no_such_version,
    requested_version,
    writable_bucket,
)
from fakes3put._ops.context import OperationContext
from fakes3put._ops.xmlbody import Element, parse
from fakes3put._wire.response import XML_CONTENT_TYPE, Response, xml_document, xml_element
from fakes3put.errors import S3Error

MAX_DELETE_KEYS = 1000


@dataclass(frozen=True, slots=True)
class _Deleted:
    key: str
    version_id: str | None  # the version asked for, if any
    marker_version: str | None  # the delete marker created or removed, if one was


def _deletion(
    ctx: OperationContext,
    bucket: Bucket,
    key: str,
    version_id: str | None,
    condition: Condition | None,
    *,
    sent: int,
    operation: str,
) -> tuple[Mutation, bool]:
    """The delete of one key as a write for the sequencer, and whether it removes a delete marker."""
    # Without versioning the null version is the object itself: deleting it is a plain delete.
    exact = None if version_id == "null" and bucket.versioning is None else version_id
    removes_marker = exact is not None and _removes_marker(bucket, key, exact)
    mutation = Mutation(
        bucket=bucket,
        key=key,
        operation=operation,
        principal=ctx.who,
        sent=sent,
        sent_at=ctx.now,
        condition=condition,
        delete_version=exact,
    )
    return mutation, removes_marker


def _deleted(mutation: Mutation, submitted: Submitted, version_id: str | None, removes_marker: bool) -> _Deleted:
    """What S3 reports for a delete once it is acknowledged (``removes_marker`` as planned, for a
    delete a window still holds back; a received one says what it removed)."""
    exact = mutation.delete_version
    if exact is not None:
        if submitted.record.received is not None:
            removes_marker = submitted.installed is not None and submitted.installed.delete_marker
        return _Deleted(mutation.key, exact, exact if removes_marker else None)
    if mutation.bucket.versioning is None:
        return _Deleted(mutation.key, version_id, None)
    return _Deleted(mutation.key, None, submitted.version_id or "null")  # a plain delete adds a delete marker


def _removes_marker(bucket: Bucket, key: str, version_id: str) -> bool:
    """Whether deleting ``version_id`` removes a delete marker (False if there is no such version)."""
    target = next((v for v in bucket.versions(key) if (v.version_id or "null") == version_id), None)
    return target is not None and target.delete_marker


def _if_match(ctx: OperationContext) -> Condition | None:
    value = ctx.request.headers.get("if-match")
    return Condition(if_match=value.strip()) if value is not None else None


def delete_object(ctx: OperationContext) -> Response:
    bucket = writable_bucket(ctx)
    version_id = requested_version(ctx)
    if version_id is not None:
        check_version_form(bucket, version_id)
    mutation, removes_marker = _deletion(
        ctx, bucket, ctx.request.key, version_id, _if_match(ctx), sent=ctx.sent, operation="DeleteObject"
    )
    submitted = ctx.sequencer.submit(mutation)
    ctx.written.append(submitted.record)
    deleted = _deleted(mutation, submitted, version_id, removes_marker)
    headers = {}
    if deleted.marker_version is not None:
        headers["x-amz-delete-marker"] = "true"
    version = deleted.version_id or deleted.marker_version
    if version is not None:
        headers["x-amz-version-id"] = version
    return Response(204, headers)


# ---------------------------------------------------------------- DeleteObjects


@dataclass(frozen=True, slots=True)
class _Target:
    key: str
    version_id: str | None
    etag: str | None


def delete_objects(ctx: OperationContext) -> Response:
    bucket = writable_bucket(ctx)
    body = integrity.verify(ctx.request, ctx.payload)
    if "content-md5" not in ctx.request.headers and body.checksum_algorithm is None:
        # S3 insists on an integrity header for this operation (botocore sends a CRC32 today).
        raise S3Error("InvalidRequest", "Missing required header for this request: Content-MD5")
    root = parse(ctx.payload.data, "Delete")
    quiet = _quiet(root)
    targets = _targets(root)
    # Every key is its own write (and write-log entry), handed to the sequencer together so a
    # hold counts each key as an arrival; a key refused alone is an <Error> entry.
    entries: list[tuple[_Target, Mutation | None, bool, S3Error | None]] = []
    for index, target in enumerate(targets):
        sent = ctx.sent if index == 0 else ctx.sequencer.next_sent()
        if len(target.key.encode("utf-8", "surrogatepass")) > MAX_KEY_BYTES:
            entries.append((target, None, False, S3Error("KeyTooLongError")))
            continue
        if target.version_id is not None and find_version(bucket, target.key, target.version_id, ctx.now) is None:
            # S3 lists an unknown version as NoSuchVersion (LocalStack's AWS snapshot
            # delete-object-wrong-version-id), where DeleteObject answers 400 for its form.
            entries.append((target, None, False, no_such_version(target.key, target.version_id)))
            continue
        condition = Condition(if_match=target.etag) if target.etag is not None else None
        mutation, removes_marker = _deletion(
            ctx, bucket, target.key, target.version_id, condition, sent=sent, operation="DeleteObjects"
        )
        entries.append((target, mutation, removes_marker, None))
    planned = [entry[1] for entry in entries if entry[1] is not None]
    outcomes = dict(zip(map(id, planned), ctx.sequencer.submit_many(planned), strict=True))
    ctx.written.extend(submitted.record for submitted in outcomes.values())
    inner = ""
    for target, wanted, removes_marker, refused in entries:
        submitted = outcomes[id(wanted)] if wanted is not None else None
        error = refused if submitted is None else submitted.refusal
        if error is not None:
            inner += _error_entry(target, error)
        elif wanted is not None and submitted is not None and not quiet:
            inner += _deleted_entry(_deleted(wanted, submitted, target.version_id, removes_marker))
    return Response(200, {"Content-Type": XML_CONTENT_TYPE}, xml_document("DeleteResult", inner))


def _quiet(root: Element) -> bool:
    text = (root.token_of("Quiet") or "false").lower()
    if text not in ("true", "false"):
        raise S3Error("MalformedXML", hint=f"<Quiet> must be true or false, not {text!r}")
    return text == "true"


def _targets(root: Element) -> list[_Target]:
    objects = root.all("Object")
    if not 1 <= len(objects) <= MAX_DELETE_KEYS:
        raise S3Error(
            "MalformedXML", hint=f"DeleteObjects takes 1 to {MAX_DELETE_KEYS} <Object> entries, got {len(objects)}"
        )
    targets = []
    for element in objects:
        key = element.text_of("Key")
        if not key:
            raise S3Error("MalformedXML", hint="every <Object> needs a non-empty <Key>")
        targets.append(_Target(key, element.token_of("VersionId") or None, element.token_of("ETag") or None))
    return targets


def _error_entry(target: _Target, error: S3Error) -> str:
    version = xml_element("VersionId", target.version_id) if target.version_id else ""
    inner = xml_element("Key", target.key) + version + xml_element("Code", error.code)
    return f"<Error>{inner}{xml_element('Message', error.message)}</Error>"


def _deleted_entry(deleted: _Deleted) -> str:
    inner = xml_element("Key", deleted.key)
    if deleted.version_id is not None:
        inner += xml_element("VersionId", deleted.version_id)
    if deleted.marker_version is not None:
        inner += xml_element("DeleteMarker", "true") + xml_element("DeleteMarkerVersionId", deleted.marker_version)
    return f"<Deleted>{inner}</Deleted>"


# ---------------------------------------------------------------- DeleteBucket


def delete_bucket(ctx: OperationContext) -> Response:
    bucket = existing_bucket(ctx)
    if not access.is_owner(bucket, ctx.who):
        raise S3Error("AccessDenied", hint="only the bucket owner may delete a bucket")

    def remove(store: Store) -> None:
        if store.bucket(bucket.name) is not bucket:
            raise S3Error("NoSuchBucket", extra={"BucketName": bucket.name})
        if bucket.all_versions():  # every version and delete marker counts, as in S3
            raise S3Error("BucketNotEmpty", extra={"BucketName": bucket.name})
        store.remove_bucket(bucket.name)

    ctx.sequencer.change_buckets(remove)
    # Uploads in progress do not block the delete: reports against AWS (ceph/ceph#15630,
    # scality/cloudserver#1591) show the bucket deleted and its uploads gone with it.
    ctx.uploads.drop_bucket(bucket.name)
    return Response(204)
