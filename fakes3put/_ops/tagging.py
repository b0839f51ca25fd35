"""Object tagging: PutObjectTagging, GetObjectTagging, DeleteObjectTagging (with ``versionId``).

A version's tags live in ``StoredObject.tagging`` in the form of the ``x-amz-tagging`` header
(``k1=v1&k2=v2``). Changing them replaces the version by an edited copy at the commit point
(``Sequencer.change_object``), so it is atomic with writes to the key; it is not an object
write, so it does not enter the write log.

Permissions (S3 grants these through policies, which the fake does not model; ACLs carry no
tagging permission): the bucket owner and the object's owner may change tags, and whoever may
read the object may read them. S3's docs: "By default, the bucket owner has this permission".
"""

from __future__ import annotations

import dataclasses
from urllib.parse import parse_qsl, urlencode

from fakes3put._commit.store import Bucket, StoredObject
from fakes3put._ops import access
from fakes3put._ops._common import existing_bucket
from fakes3put._ops.context import OperationContext
from fakes3put._ops.target import readable_object, versioned_target
from fakes3put._ops.xmlbody import parse
from fakes3put._wire.response import Response, xml_document, xml_element
from fakes3put.errors import S3Error

MAX_TAGS = 10
MAX_TAG_KEY = 128
MAX_TAG_VALUE = 256
_XML = {"Content-Type": "application/xml"}


def tags_of(obj: StoredObject) -> list[tuple[str, str]]:
    return parse_qsl(obj.tagging or "", keep_blank_values=True)


def parse_tag_set(body: bytes) -> list[tuple[str, str]]:
    """A ``<Tagging><TagSet>`` document, checked against S3's limits and wording."""
    root = parse(body, "Tagging")
    tag_set = root.first("TagSet")
    if tag_set is None:
        raise S3Error("MalformedXML", hint="<Tagging> needs a <TagSet>")
    tags: list[tuple[str, str]] = []
    seen: set[str] = set()
    for tag in tag_set.all("Tag"):
        key, value = tag.text_of("Key"), tag.text_of("Value")
        if key is None or value is None:
            raise S3Error("MalformedXML", hint="each <Tag> needs a <Key> and a <Value>")
        if not key or len(key) > MAX_TAG_KEY:
            raise S3Error("InvalidTag", "The TagKey you have provided is invalid", extra={"TagKey": key})
        if len(value) > MAX_TAG_VALUE:
            raise S3Error(
                "InvalidTag", "The TagValue you have provided is invalid", extra={"TagKey": key, "TagValue": value}
            )
        if key.startswith("aws:"):
            raise S3Error("InvalidTag", "Your TagKey cannot be prefixed with aws:", extra={"TagKey": key})
        if key in seen:
            raise S3Error("InvalidTag", "Cannot provide multiple Tags with the same key", extra={"TagKey": key})
        seen.add(key)
        tags.append((key, value))
    if len(tags) > MAX_TAGS:
        # S3 answers BadRequest here, not InvalidTag (seen in public client reports for PutObjectTagging).
        raise S3Error("BadRequest", f"Object tags cannot be greater than {MAX_TAGS}", status=400)
    return tags


def _version_header(obj: StoredObject) -> dict[str, str]:
    return {"x-amz-version-id": obj.version_id} if obj.version_id is not None else {}


def _may_change(bucket: Bucket, obj: StoredObject, who: str | None) -> bool:
    return access.is_owner(bucket, who) or (who is not None and who == obj.owner)


def _retag(ctx: OperationContext, tagging: str | None) -> StoredObject:
    bucket = existing_bucket(ctx)

    def edit(obj: StoredObject) -> StoredObject:
        if not _may_change(bucket, obj, ctx.who):
            raise S3Error(
                "AccessDenied",
                hint=f"{ctx.who or 'an anonymous caller'} is neither the bucket's nor the object's owner",
            )
        return dataclasses.replace(obj, tagging=tagging)

    return ctx.sequencer.change_object(bucket, versioned_target(ctx), edit)


def put_object_tagging(ctx: OperationContext) -> Response:
    tags = parse_tag_set(ctx.payload.data)
    obj = _retag(ctx, urlencode(tags) if tags else None)
    return Response(200, _version_header(obj))


def delete_object_tagging(ctx: OperationContext) -> Response:
    return Response(204, _version_header(_retag(ctx, None)))


def get_object_tagging(ctx: OperationContext) -> Response:
    _, obj = readable_object(ctx)
    inner = "".join(f"<Tag>{xml_element('Key', k)}{xml_element('Value', v)}</Tag>" for k, v in tags_of(obj))
    body = xml_document("Tagging", f"<TagSet>{inner}</TagSet>")
    return Response(200, {**_XML, **_version_header(obj)}, body)
