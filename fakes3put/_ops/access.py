"""Who may do what to a bucket: owner, canned ACLs and explicit grants.

A bucket's ACL is its canned ACL (``bucket.acl``) plus explicit grants (``bucket.grants``,
permission -> grantees). A grantee is an access key, the canonical id of one, or a group URI.
The owner always holds FULL_CONTROL; FULL_CONTROL implies every other permission.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping

from fakes3put._commit import store
from fakes3put._commit.store import Bucket, ObjectOwnership, StoredObject
from fakes3put.errors import S3Error

CANNED_ACLS = frozenset(store.CANNED_ACLS)
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
LOG_DELIVERY = "http://acs.amazonaws.com/groups/s3/LogDelivery"
# The only group URIs S3 knows; any other is "Invalid group uri".
GROUPS = frozenset({ALL_USERS, AUTHENTICATED_USERS, LOG_DELIVERY})
PERMISSIONS = frozenset({"READ", "WRITE", "READ_ACP", "WRITE_ACP", "FULL_CONTROL"})
GRANT_HEADERS = {
    "x-amz-grant-read": "READ",
    "x-amz-grant-write": "WRITE",
    "x-amz-grant-read-acp": "READ_ACP",
    "x-amz-grant-write-acp": "WRITE_ACP",
    "x-amz-grant-full-control": "FULL_CONTROL",
}
# What each canned ACL grants besides the owner's FULL_CONTROL (the others name no principal
# the fake knows: the EC2 and log-delivery groups, or the bucket owner again).
_CANNED_GRANTS: Mapping[str, Mapping[str, frozenset[str]]] = {
    "public-read": {"READ": frozenset({ALL_USERS})},
    "public-read-write": {"READ": frozenset({ALL_USERS}), "WRITE": frozenset({ALL_USERS})},
    "authenticated-read": {"READ": frozenset({AUTHENTICATED_USERS})},
}
_BUCKET_CANNED_GRANTS: Mapping[str, Mapping[str, frozenset[str]]] = {
    **_CANNED_GRANTS,
    "log-delivery-write": {"WRITE": frozenset({LOG_DELIVERY}), "READ_ACP": frozenset({LOG_DELIVERY})},
}
BUCKET_OWNER = "bucket-owner"  # stands for the bucket's owner in an object's canned grants
_OBJECT_CANNED_GRANTS: Mapping[str, Mapping[str, frozenset[str]]] = {
    **_CANNED_GRANTS,
    "bucket-owner-read": {"READ": frozenset({BUCKET_OWNER})},
    "bucket-owner-full-control": {"FULL_CONTROL": frozenset({BUCKET_OWNER})},
}
_GRANTEE = re.compile(r'\s*(id|uri|emailAddress)\s*=\s*"?([^",]+)"?\s*(?:,|$)', re.IGNORECASE)

Grants = dict[str, frozenset[str]]


def canonical_id(access_key: str) -> str:
    """A stable 64-hex canonical user id for a principal, shaped like S3's."""
    return hashlib.sha256(f"fakes3put:{access_key}".encode()).hexdigest()


_CANONICAL_ID = re.compile(r"[0-9a-f]{64}")
# The fake also takes an access key as a grantee id (its principals are access keys).
_ACCESS_KEY = re.compile(r"[A-Z0-9]{16,128}")


def grantee_problem(kind: str, value: str) -> tuple[str, str] | None:
    """(message, argument name) of S3's InvalidArgument for a grantee it does not know, else None.

    S3 answers "Invalid group uri" for a URI that is not one of its groups and "Invalid id" for
    an id that is not a canonical user id (LocalStack's AWS-validated ACL checks agree).
    """
    if kind == "uri" and value not in GROUPS:
        return "Invalid group uri", "uri"
    if kind == "id" and not (_CANONICAL_ID.fullmatch(value) or _ACCESS_KEY.fullmatch(value)):
        return "Invalid id", "id"
    return None


def parse_grants(value: str, header: str = "x-amz-grant-read") -> frozenset[str]:
    """``id="abc", uri="http://..."`` -> {"abc", "http://..."}; S3's InvalidArgument on anything else."""
    grantees: list[str] = []
    pos = 0
    while pos < len(value):
        match = _GRANTEE.match(value, pos)
        if match is None or match.end() == pos:
            raise S3Error(
                "InvalidArgument",
                "Argument format not recognized",
                extra={"ArgumentName": header, "ArgumentValue": value[pos:].split(",", maxsplit=1)[0].strip()},
            )
        problem = grantee_problem(match.group(1).lower(), match.group(2))
        if problem is not None:
            raise S3Error(
                "InvalidArgument", problem[0], extra={"ArgumentName": problem[1], "ArgumentValue": match.group(2)}
            )
        grantees.append(match.group(2))
        pos = match.end()
    return frozenset(grantees)


def requested_acl(headers: Mapping[str, str]) -> tuple[str | None, Grants]:
    """The canned ACL (``x-amz-acl``) and the grants (``x-amz-grant-*``) a request asks for.

    S3 takes one or the other: both at once is InvalidRequest.
    """
    raw = headers.get("x-amz-acl")
    canned = raw.strip() if raw is not None else None
    if canned is not None and canned not in CANNED_ACLS:
        raise S3Error("InvalidArgument", extra={"ArgumentName": "x-amz-acl", "ArgumentValue": raw or ""})
    grants = {
        permission: parse_grants(headers[header], header)
        for header, permission in GRANT_HEADERS.items()
        if header in headers
    }
    if canned is not None and grants:
        raise S3Error(
            "InvalidRequest",
            "Specifying both Canned ACLs and Header Grants is not allowed",
            hint=f"send x-amz-acl ({canned}) or x-amz-grant-* ({', '.join(sorted(grants))}), not both.",
        )
    return canned, grants


def _matches(grantees: frozenset[str], principal: str | None) -> bool:
    if ALL_USERS in grantees:
        return True
    if principal is None:
        return False
    return AUTHENTICATED_USERS in grantees or principal in grantees or canonical_id(principal) in grantees


ENFORCED: ObjectOwnership = "BucketOwnerEnforced"


def check_acls_enabled(bucket: Bucket, canned: str | None, grants: Grants) -> None:
    """With ACLs disabled (BucketOwnerEnforced) S3 refuses any ACL but bucket-owner-full-control."""
    if bucket.object_ownership == ENFORCED and (grants or canned not in (None, "bucket-owner-full-control")):
        raise S3Error(
            "AccessControlListNotSupported",
            hint=f"the bucket's Object Ownership is {ENFORCED}, so ACLs are disabled; drop x-amz-acl/x-amz-grant-*",
        )


def bucket_acl_problem(ownership: str, canned: str | None, grants: Grants) -> str | None:
    """Why a new bucket's ACL cannot go with its Object Ownership (ACLs disabled allow only private)."""
    if ownership == ENFORCED and (grants or canned not in (None, "private", "bucket-owner-full-control")):
        return f"a bucket with Object Ownership {ENFORCED} has ACLs disabled: only a private bucket ACL is allowed"
    return None


def object_owner(bucket: Bucket, writer: str | None, canned: str | None) -> str | None:
    """Who owns a new object: its writer, unless Object Ownership gives it to the bucket owner."""
    if bucket.object_ownership == ENFORCED:
        return bucket.owner
    if bucket.object_ownership == "BucketOwnerPreferred" and canned == "bucket-owner-full-control":
        return bucket.owner
    return writer


def _permits(bucket: Bucket, permission: str, principal: str | None) -> bool:
    """Does the owner rule, the canned ACL or an explicit grant give ``principal`` ``permission``?"""
    if is_owner(bucket, principal):
        return True
    if bucket.object_ownership == ENFORCED:
        return False  # ACLs are disabled: only the owner (policies are not modelled)
    for grants in (_CANNED_GRANTS.get(bucket.acl, {}), bucket.grants):
        for granted in (permission, "FULL_CONTROL"):
            if _matches(grants.get(granted, frozenset()), principal):
                return True
    return False


def is_owner(bucket: Bucket, principal: str | None) -> bool:
    return principal is not None and principal == bucket.owner


def can_write(bucket: Bucket, principal: str | None) -> bool:
    """WRITE: create and overwrite objects in the bucket."""
    return _permits(bucket, "WRITE", principal)


def can_read(bucket: Bucket, principal: str | None) -> bool:
    """READ: the bucket's contents (the fake also answers GetObject/HeadObject with it)."""
    return _permits(bucket, "READ", principal)


def can_write_acp(bucket: Bucket, principal: str | None) -> bool:
    """WRITE_ACP: replace the bucket's ACL."""
    return _permits(bucket, "WRITE_ACP", principal)


def can_read_acp(bucket: Bucket, principal: str | None) -> bool:
    """READ_ACP: read the bucket's ACL."""
    return _permits(bucket, "READ_ACP", principal)


def can_read_object(bucket: Bucket, obj: StoredObject, principal: str | None) -> bool:
    """READ on an object comes from the object's ACL, as in S3's ACL model, not from the bucket's.

    The uploader owns the object (an anonymous upload is owned by the anonymous user); the bucket
    owner reads it only through ``bucket-owner-read`` / ``bucket-owner-full-control``.
    """
    return object_permits(bucket, obj, "READ", principal)


def object_permits(bucket: Bucket, obj: StoredObject, permission: str, principal: str | None) -> bool:
    """Does the object's owner rule, canned ACL or grants give ``principal`` ``permission`` on it?"""
    if principal == obj.owner:
        return True
    if bucket.object_ownership == ENFORCED:
        return is_owner(bucket, principal)  # ACLs disabled: the bucket owner owns and reads every object
    for grants in (object_canned_grants(bucket, obj.acl), obj.grants):
        for granted in (permission, "FULL_CONTROL"):
            if _matches(grants.get(granted, frozenset()), principal):
                return True
    return False


def object_canned_grants(bucket: Bucket, canned: str | None) -> Grants:
    """What an object's canned ACL grants besides its owner's FULL_CONTROL, with the bucket owner named."""
    return {
        permission: frozenset(g for g in (bucket.owner if g == BUCKET_OWNER else g for g in grantees) if g)
        for permission, grantees in _OBJECT_CANNED_GRANTS.get(canned or "private", {}).items()
    }


def bucket_canned_grants(canned: str) -> Mapping[str, frozenset[str]]:
    """What a bucket's canned ACL grants besides its owner's FULL_CONTROL."""
    return _BUCKET_CANNED_GRANTS.get(canned, {})
