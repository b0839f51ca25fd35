"""PutBucketVersioning and GetBucketVersioning.

The sequencer reads ``bucket.versioning`` when it receives a write: "Enabled" gives every
write its own version id, "Suspended" writes the "null" version, None means never enabled.
"""

from __future__ import annotations

from fakes3put._commit.store import Bucket, Store, is_versioning_status
from fakes3put._ops import access, integrity
from fakes3put._ops._common import existing_bucket
from fakes3put._ops.context import OperationContext
from fakes3put._ops.xmlbody import parse
from fakes3put._wire.response import XML_CONTENT_TYPE, Response, xml_document, xml_element
from fakes3put.errors import S3Error


def _owned_bucket(ctx: OperationContext) -> Bucket:
    bucket = existing_bucket(ctx)
    if not access.is_owner(bucket, ctx.who):
        raise S3Error("AccessDenied", hint="only the bucket owner may read or change its versioning")
    return bucket


def put_bucket_versioning(ctx: OperationContext) -> Response:
    bucket = _owned_bucket(ctx)
    integrity.verify(ctx.request, ctx.payload)  # a Content-MD5 or checksum, if sent, must hold
    root = parse(ctx.payload.data, "VersioningConfiguration")
    status = root.token_of("Status")
    if status is not None and not is_versioning_status(status):
        raise S3Error("MalformedXML", hint=f"<Status> must be Enabled or Suspended, not {status!r}")
    if (root.token_of("MfaDelete") or "Disabled") != "Disabled":
        raise S3Error(
            "NotImplemented",
            "fakes3put does not implement MFA delete",
            extra={"Header": "x-amz-mfa"},
        )
    if status is None:
        # S3 refuses an empty configuration (LocalStack's AWS snapshot "put-versioning-empty").
        if root.first("MfaDelete") is None:
            raise S3Error("IllegalVersioningConfigurationException", "The Versioning element must be specified")
        return Response(200)  # MfaDelete alone (Disabled) changes nothing

    def apply(_: Store) -> None:
        bucket._set_versioning(status)

    ctx.sequencer.change_buckets(apply)
    return Response(200)


def get_bucket_versioning(ctx: OperationContext) -> Response:
    bucket = _owned_bucket(ctx)
    inner = xml_element("Status", bucket.versioning) if bucket.versioning is not None else ""
    return Response(200, {"Content-Type": XML_CONTENT_TYPE}, xml_document("VersioningConfiguration", inner))
