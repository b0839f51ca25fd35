"""The source of a copy (CopyObject, UploadPartCopy): ``x-amz-copy-source`` and its conditions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import unquote

from fakes3put._commit.store import StoredObject
from fakes3put._ops import access
from fakes3put._ops._common import find_version, no_such_bucket, no_such_version
from fakes3put._ops.context import OperationContext
from fakes3put._wire import checksums as _checksums
from fakes3put._wire.request import Headers
from fakes3put._wire.response import xml_element
from fakes3put.errors import S3Error


@dataclass(frozen=True, slots=True)
class CopySource:
    bucket: str
    key: str
    version_id: str | None


def parse_copy_source(value: str) -> CopySource:
    """``[/]bucket/url-encoded-key[?versionId=id]`` -> CopySource; InvalidArgument if malformed."""
    path, has_query, query = value.strip().partition("?")
    version_id = None
    if has_query:
        name, _, raw_version = query.partition("=")
        if name != "versionId" or not raw_version:
            raise _bad_copy_source(value)
        version_id = unquote(raw_version)
    try:
        decoded = unquote(path, errors="strict")
    except UnicodeDecodeError:
        raise _bad_copy_source(value) from None
    bucket, _, key = decoded.removeprefix("/").partition("/")
    if not bucket or not key:
        raise _bad_copy_source(value)
    return CopySource(bucket, key, version_id)


def _bad_copy_source(value: str) -> S3Error:
    return S3Error(
        "InvalidArgument",
        "Copy Source must mention the source bucket and key: sourcebucket/sourcekey",
        extra={"ArgumentName": "x-amz-copy-source", "ArgumentValue": value},
    )


def source_object(ctx: OperationContext, source: CopySource) -> StoredObject:
    """The object a copy reads: READ permission on its bucket, and its x-amz-copy-source-if-* hold."""
    bucket = ctx.store.bucket(source.bucket)
    if bucket is None:
        raise no_such_bucket(source.bucket, ctx.store)
    if source.version_id is not None:
        obj = find_version(bucket, source.key, source.version_id, ctx.now)
        if obj is None:
            raise no_such_version(source.key, source.version_id)
        if obj.delete_marker:
            raise S3Error(
                "InvalidRequest",
                "The source of a copy request may not specifically refer to a delete marker by version id.",
            )
    else:
        visible = bucket.visible(source.key, ctx.now)
        if visible is None or visible.delete_marker:
            raise S3Error("NoSuchKey", extra={"Key": source.key})
        obj = visible
    if not access.can_read_object(bucket, obj, ctx.who):
        raise denied_read(ctx, bucket.name, source.key)
    failure = Preconditions.from_headers(ctx.request.headers, "x-amz-copy-source-").failure(obj, ctx.now)
    if failure is not None:
        # A copy has nothing to answer "not modified" with: both kinds of failure are 412.
        raise S3Error("PreconditionFailed", extra={"Condition": failure[1]})
    return obj


def checksum_elements(checksums: Mapping[str, str], *, with_type: bool = True) -> str:
    """``<ChecksumCRC32>..</ChecksumCRC32><ChecksumType>..</ChecksumType>`` for a result document."""
    inner = ""
    for algorithm, value in checksums.items():
        inner += xml_element(f"Checksum{algorithm}", value)
        if with_type:
            inner += xml_element("ChecksumType", "COMPOSITE" if "-" in value else "FULL_OBJECT")
    return inner


def checksum_algorithm(ctx: OperationContext) -> str | None:
    """The ``x-amz-checksum-algorithm`` a request asks for, validated."""
    value = ctx.request.headers.get("x-amz-checksum-algorithm")
    if value is None:
        return None
    algorithm = value.strip().upper()
    if algorithm not in _checksums.ALGORITHMS:
        raise S3Error(
            "InvalidRequest",
            "Checksum algorithm provided is unsupported. Please try again with any of the valid types: "
            f"[{', '.join(_checksums.ALGORITHMS)}]",
        )
    return algorithm


@dataclass(frozen=True, slots=True)
class Preconditions:
    """RFC 7232 validators of a read (``prefix=""``) or of a copy source (``x-amz-copy-source-``)."""

    prefix: str
    if_match: str | None
    if_none_match: str | None
    if_modified_since: str | None
    if_unmodified_since: str | None

    @classmethod
    def from_headers(cls, headers: Headers, prefix: str = "") -> Preconditions:
        return cls(
            prefix,
            headers.get(f"{prefix}if-match"),
            headers.get(f"{prefix}if-none-match"),
            headers.get(f"{prefix}if-modified-since"),
            headers.get(f"{prefix}if-unmodified-since"),
        )

    def failure(self, obj: StoredObject, now: datetime) -> tuple[int, str] | None:
        """(412 or 304, the deciding header) if the validators stop the request, else None.

        RFC 7232 section 6 order, which S3 documents: a passing If-Match makes S3 skip
        If-Unmodified-Since, and a failing If-None-Match makes it skip If-Modified-Since.
        """
        modified = obj.last_modified.replace(microsecond=0)
        if self.if_match is not None:
            if not etag_matches(self.if_match, obj.etag):
                return 412, f"{self.prefix}If-Match"
        elif (since := _http_date(self.if_unmodified_since)) is not None and modified > since:
            return 412, f"{self.prefix}If-Unmodified-Since"
        if self.if_none_match is not None:
            if etag_matches(self.if_none_match, obj.etag):
                return 304, f"{self.prefix}If-None-Match"
        # An If-Modified-Since after now is ignored (RFC 7232 section 3.3): S3 answers 200.
        elif (since := _http_date(self.if_modified_since)) is not None and since <= now and modified <= since:
            return 304, f"{self.prefix}If-Modified-Since"
        return None


def _http_date(text: str | None) -> datetime | None:
    """An HTTP date, or None: RFC 7232 says an invalid date makes the header ignored."""
    if text is None:
        return None
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def denied_read(ctx: OperationContext, bucket: str, key: str) -> S3Error:
    who = ctx.who or "an anonymous caller"
    return S3Error(
        "AccessDenied",
        hint=f"{who} may not read {bucket}/{key}: object READ comes from the object's ACL "
        "(its uploader, a canned ACL such as public-read, or x-amz-grant-read)",
    )


def etag_matches(header: str, etag: str) -> bool:
    wanted = etag.strip('"')
    candidates = (c.strip().removeprefix("W/").strip('"') for c in header.split(","))
    return any(candidate in ("*", wanted) for candidate in candidates)
