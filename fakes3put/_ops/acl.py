"""ACLs: GetBucketAcl, PutBucketAcl, GetObjectAcl, PutObjectAcl.

An ACL arrives as a canned ACL (``x-amz-acl``), grant headers (``x-amz-grant-*``) or an
``AccessControlPolicy`` body, exactly one of the three, and feeds the access model
(``bucket.acl``/``bucket.grants``, ``StoredObject.acl``/``grants``). Validation follows S3 as
LocalStack's AWS-validated checks record it: an unknown group URI or id is InvalidArgument, a
body that is not a policy is MalformedACLError, and a canned ACL or grant headers together with a
body is UnexpectedContent. The answer lists the owner's FULL_CONTROL plus what a canned ACL
grants, or exactly the explicit grants (grant headers and bodies replace the whole ACL in S3).

An object's ACL change replaces that version by an edited copy at the commit point
(``Sequencer.change_object``); like tagging it is not an object write and stays out of the write log.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping

from fakes3put._commit.store import EMPTY, Bucket, Store, StoredObject
from fakes3put._ops import access
from fakes3put._ops._common import ANONYMOUS_CANONICAL_ID, existing_bucket, owner_element
from fakes3put._ops.context import OperationContext
from fakes3put._ops.target import readable_object, versioned_target
from fakes3put._ops.xmlbody import Element, parse
from fakes3put._wire.response import Response, xml_document, xml_element
from fakes3put.errors import S3Error

_XML = {"Content-Type": "application/xml"}
_XSI = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'
_ORDER = ("FULL_CONTROL", "WRITE", "WRITE_ACP", "READ", "READ_ACP")

Grants = dict[str, frozenset[str]]


# ---------------------------------------------------------------- reading an ACL from a request


def requested_policy(ctx: OperationContext) -> tuple[str | None, Grants]:
    """The canned ACL and grants a Put*Acl request asks for (headers or body, not both)."""
    canned, grants = access.requested_acl(ctx.request.headers)
    body = ctx.payload.data
    if not body.strip():
        if canned is None and not grants:
            raise S3Error(
                "MissingSecurityHeader",
                "Your request was missing a required header",  # S3's wording for this case
                hint="send x-amz-acl, x-amz-grant-* headers or an AccessControlPolicy body",
            )
        return canned, grants
    if canned is not None or grants:
        raise S3Error(
            "UnexpectedContent",
            hint="an ACL goes either in x-amz-acl / x-amz-grant-* headers or in an AccessControlPolicy body",
        )
    return None, policy_grants(body)


def _malformed(why: str) -> S3Error:
    return S3Error("MalformedACLError", hint=why)


def policy_grants(body: bytes) -> Grants:
    """An ``AccessControlPolicy`` document -> permission -> grantees (canonical ids, group URIs, emails)."""
    try:
        root = parse(body, "AccessControlPolicy")
    except S3Error as error:
        raise _malformed(error.hint or "not an AccessControlPolicy document") from None
    owner, acl = root.first("Owner"), root.first("AccessControlList")
    if owner is None or acl is None:
        raise _malformed("an AccessControlPolicy needs <Owner> and <AccessControlList>")
    _checked_id(owner.text_of("ID") or "")
    grants: dict[str, set[str]] = {}
    for grant in acl.all("Grant"):
        permission = grant.text_of("Permission") or ""
        grantee = grant.first("Grantee")
        if permission not in access.PERMISSIONS or grantee is None:
            raise _malformed("each <Grant> needs a <Grantee> and one of S3's five permissions")
        grants.setdefault(permission, set()).add(_grantee(grantee))
    return {permission: frozenset(grantees) for permission, grantees in grants.items()}


def _invalid_argument(message: str, name: str, value: str) -> S3Error:
    return S3Error("InvalidArgument", message, extra={"ArgumentName": name, "ArgumentValue": value})


def _checked_id(identity: str) -> str:
    if access.grantee_problem("id", identity) is not None:
        raise _invalid_argument("Invalid id", "CanonicalUser/ID", identity)
    return identity


def _grantee(grantee: Element) -> str:
    """A grantee's identity; its xsi:type is implied by which child it has."""
    uri, identity, email = grantee.text_of("URI"), grantee.text_of("ID"), grantee.text_of("EmailAddress")
    if uri is not None:
        if access.grantee_problem("uri", uri) is not None:
            raise _invalid_argument("Invalid group uri", "Group/URI", uri)
        return uri
    if identity is not None:
        return _checked_id(identity)
    if email is not None:
        return email
    raise _malformed("a <Grantee> needs an <ID>, a <URI> or an <EmailAddress>")


def _owner_only(grants: Mapping[str, frozenset[str]], owner: str | None) -> bool:
    """The one explicit ACL a bucket with ACLs disabled accepts: FULL_CONTROL to its owner."""
    if owner is None:
        return False
    return dict(grants) == {"FULL_CONTROL": frozenset({owner})} or dict(grants) == {
        "FULL_CONTROL": frozenset({access.canonical_id(owner)})
    }


def _check_enabled(bucket: Bucket, canned: str | None, grants: Grants) -> None:
    if bucket.object_ownership == access.ENFORCED and grants and _owner_only(grants, bucket.owner):
        return
    access.check_acls_enabled(bucket, canned, grants)


# ---------------------------------------------------------------- rendering an ACL


def _grantee_element(grantee: str) -> str:
    if "://" in grantee:
        return f'<Grantee {_XSI} xsi:type="Group">{xml_element("URI", grantee)}</Grantee>'
    if "@" in grantee:
        return f'<Grantee {_XSI} xsi:type="AmazonCustomerByEmail">{xml_element("EmailAddress", grantee)}</Grantee>'
    known = len(grantee) == 64 or grantee == ANONYMOUS_CANONICAL_ID
    identity = grantee if known else access.canonical_id(grantee)
    return f'<Grantee {_XSI} xsi:type="CanonicalUser">{xml_element("ID", identity)}</Grantee>'


def _policy(owner: str | None, grants: Mapping[str, frozenset[str]]) -> bytes:
    entries = "".join(
        f"<Grant>{_grantee_element(grantee)}{xml_element('Permission', permission)}</Grant>"
        for permission in _ORDER
        for grantee in sorted(grants.get(permission, ()))
    )
    return xml_document(
        "AccessControlPolicy", owner_element("Owner", owner) + f"<AccessControlList>{entries}</AccessControlList>"
    )


def _with_owner(owner: str | None, extra: Mapping[str, frozenset[str]]) -> Grants:
    """A canned ACL's grants: the owner's FULL_CONTROL (an anonymous owner by its S3 id) plus ``extra``."""
    grants = dict(extra)
    holder = owner if owner is not None else ANONYMOUS_CANONICAL_ID
    grants["FULL_CONTROL"] = grants.get("FULL_CONTROL", frozenset()) | {holder}
    return grants


# ---------------------------------------------------------------- bucket ACL


def get_bucket_acl(ctx: OperationContext) -> Response:
    bucket = existing_bucket(ctx)
    if not access.can_read_acp(bucket, ctx.who):
        raise S3Error("AccessDenied", hint=f"{ctx.who or 'an anonymous caller'} has no READ_ACP on {bucket.name!r}")
    grants = bucket.grants or _with_owner(bucket.owner, access.bucket_canned_grants(bucket.acl))
    return Response(200, _XML, _policy(bucket.owner, grants))


def put_bucket_acl(ctx: OperationContext) -> Response:
    bucket = existing_bucket(ctx)
    if not access.can_write_acp(bucket, ctx.who):
        raise S3Error("AccessDenied", hint=f"{ctx.who or 'an anonymous caller'} has no WRITE_ACP on {bucket.name!r}")
    canned, grants = requested_policy(ctx)
    _check_enabled(bucket, canned, grants)

    def apply(_: Store) -> None:
        bucket._set_acl(canned or "private", grants)  # explicit grants replace the canned ACL

    ctx.sequencer.change_buckets(apply)
    return Response(200)


# ---------------------------------------------------------------- object ACL


def get_object_acl(ctx: OperationContext) -> Response:
    bucket, obj = readable_object(ctx, permission="READ_ACP")
    grants = dict(obj.grants) or _with_owner(obj.owner, access.object_canned_grants(bucket, obj.acl))
    return Response(200, _XML, _policy(obj.owner, grants))


def put_object_acl(ctx: OperationContext) -> Response:
    bucket = existing_bucket(ctx)
    canned, grants = requested_policy(ctx)

    def edit(obj: StoredObject) -> StoredObject:
        if not access.object_permits(bucket, obj, "WRITE_ACP", ctx.who):
            raise S3Error(
                "AccessDenied",
                hint=f"{ctx.who or 'an anonymous caller'} has no WRITE_ACP on {bucket.name}/{obj.key}",
            )
        _check_enabled(bucket, canned, grants)
        return dataclasses.replace(obj, acl=canned, grants=grants or EMPTY)

    obj = ctx.sequencer.change_object(bucket, versioned_target(ctx), edit)
    headers = {"x-amz-version-id": obj.version_id} if obj.version_id is not None else {}
    return Response(200, headers)
