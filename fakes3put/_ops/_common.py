"""Helpers the operations share: finding the bucket, version and part arguments, writing through
the sequencer, and the XML pieces several answers carry."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from fakes3put._commit.store import Bucket, Store, StoredObject
from fakes3put._commit.uploads import Upload
from fakes3put._commit.writes import Condition, Mutation, WriteRecord
from fakes3put._ops import access
from fakes3put._ops.context import OperationContext, RequestContext
from fakes3put._wire.response import xml_element
from fakes3put.errors import S3Error

MAX_KEY_BYTES = 1024


def existing_bucket(ctx: RequestContext) -> Bucket:
    bucket = ctx.store.bucket(ctx.request.bucket)
    if bucket is None:
        raise no_such_bucket(ctx.request.bucket, ctx.store)
    return bucket


def no_such_bucket(name: str, store: Store) -> S3Error:
    """NoSuchBucket, with a hint naming the buckets the fake has and how to make this one."""
    names = sorted(bucket.name for bucket in store.buckets())
    shown = ", ".join(repr(n) for n in names[:5]) + (", ..." if len(names) > 5 else "")
    return S3Error(
        "NoSuchBucket",
        extra={"BucketName": name},
        hint=(
            f"bucket {name!r} does not exist in this fake (it has {shown or 'no buckets'}); create it "
            f"first (CreateBucket) or pass FakeS3(buckets=[{name!r}])."
        ),
    )


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
    submitted = ctx.sequencer.submit(
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
    ctx.written.append(submitted.record)
    return submitted.record


def version_headers(record: WriteRecord, bucket: Bucket) -> dict[str, str]:
    """``x-amz-version-id`` once the bucket has ever had versioning (``null`` while suspended)."""
    if record.version_id is None and bucket.versioning is None:
        return {}
    return {"x-amz-version-id": record.version_id or "null"}


def write_condition(ctx: OperationContext) -> Condition | None:
    """If-Match / If-None-Match on a write; decided when S3 receives the write, not now."""
    headers = ctx.request.headers
    if_none_match = headers.get("if-none-match")
    if_match = headers.get("if-match")
    # S3's answers (LocalStack's AWS snapshots put-obj-both-precondition, copy-obj-both,
    # put-obj-if-match-star-value): both headers at once, If-Match: *, or an ETag in
    # If-None-Match are 501, both-at-once checked first.
    if if_none_match is not None and if_match is not None:
        raise S3Error(
            "NotImplemented",
            extra={"Header": "If-Match,If-None-Match"},
            hint="S3 takes either If-Match or If-None-Match on a write, not both",
        )
    if if_none_match is not None and if_none_match.strip() != "*":
        raise S3Error(
            "NotImplemented",
            extra={"Header": "If-None-Match"},
            hint="S3 supports only If-None-Match: * on writes",
        )
    if if_match is not None and if_match.strip() == "*":
        raise S3Error(
            "NotImplemented",
            extra={"Header": "If-Match"},
            hint="S3 takes only an ETag in If-Match on a write, not *",
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


MAX_PART_NUMBER = 10_000


def version_label(obj: StoredObject) -> str:
    """The version id S3 shows: objects written before versioning was enabled are "null"."""
    return obj.version_id or "null"


def checksum_type(value: str) -> str:
    # A composite multipart checksum carries its part count ("...-3"); base64 never has '-'.
    return "COMPOSITE" if "-" in value else "FULL_OBJECT"


def iso_time(moment: datetime) -> str:
    """The timestamp form of S3's XML bodies: UTC, whole seconds (S3 always sends ``.000Z``)."""
    utc = moment.astimezone(UTC) if moment.tzinfo is not None else moment
    return utc.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def find_version(bucket: Bucket, key: str, version_id: str, now: datetime) -> StoredObject | None:
    for version in reversed(bucket.versions(key)):
        if version_label(version) == version_id and version.visible(now):
            return version
    return None


def requested_version(ctx: OperationContext) -> str | None:
    """The ``versionId`` query parameter; S3 refuses an empty one."""
    if not ctx.request.has_query("versionId"):
        return None
    version_id = ctx.request.query_value("versionId")
    if not version_id:
        raise S3Error("InvalidArgument", "Version id cannot be the empty string", extra={"ArgumentName": "versionId"})
    return version_id


_FAKE_VERSION_ID = re.compile(r"[0-9a-f]{32}")  # the form of every version id this fake issues


def check_version_form(bucket: Bucket, version_id: str) -> None:
    """S3's 400 for a version id that cannot name a version (LocalStack's AWS snapshots
    get-obj-with-version, delete-nonexistent-object-versionid, delete-with-bad-version): any id
    but "null" on a never-versioned bucket, and on a versioned one an id not of the issued form."""
    if version_id == "null" or (bucket.versioning is not None and _FAKE_VERSION_ID.fullmatch(version_id)):
        return
    raise S3Error(
        "InvalidArgument",
        "Invalid version id specified",
        extra={"ArgumentName": "versionId", "ArgumentValue": version_id},
    )


def no_such_version(key: str, version_id: str) -> S3Error:
    return S3Error(
        "NoSuchVersion",
        "The specified version does not exist.",
        status=404,
        extra={"Key": key, "VersionId": version_id},
    )


def part_number(text: str | None) -> int:
    """A part number from the query string: 1..10000, else S3's InvalidArgument."""
    if text is not None and text.isascii() and text.isdigit() and len(text) <= 6:
        number = int(text)
        if 1 <= number <= MAX_PART_NUMBER:
            return number
    raise S3Error(
        "InvalidArgument",
        f"Part number must be an integer between 1 and {MAX_PART_NUMBER}, inclusive",
        extra={"ArgumentName": "partNumber", "ArgumentValue": text or ""},
    )


MAX_KEYS = 1000


_INT32_MAX = 2**31 - 1


# The canonical id S3 shows as the owner of what an anonymous caller wrote.
ANONYMOUS_CANONICAL_ID = "65a011a29cdf8ec533ec3d1ccaae921c"


def owner_element(tag: str, principal: str | None) -> str:
    identity = access.canonical_id(principal) if principal is not None else ANONYMOUS_CANONICAL_ID
    return f"<{tag}>{xml_element('ID', identity)}</{tag}>"


def limit_parameter(ctx: OperationContext, name: str) -> int:
    """``max-keys``-like parameters: 0..2^31-1 accepted, at most 1000 honoured."""
    if not ctx.request.has_query(name):
        return MAX_KEYS
    text = ctx.request.query_value(name) or ""
    if not (text.isascii() and text.isdigit() and len(text) <= 10 and int(text) <= _INT32_MAX):
        raise S3Error(
            "InvalidArgument",
            f"Provided {name} not an integer or within integer range",
            extra={"ArgumentName": name, "ArgumentValue": text},
        )
    return min(int(text), MAX_KEYS)


def checksum_settings(upload: Upload) -> str:
    """The checksum algorithm and type chosen at CreateMultipartUpload, for ListParts and ListMultipartUploads."""
    if upload.checksum_algorithm is None or upload.checksum_type is None:
        return ""
    return xml_element("ChecksumAlgorithm", upload.checksum_algorithm) + xml_element(
        "ChecksumType", upload.checksum_type
    )
