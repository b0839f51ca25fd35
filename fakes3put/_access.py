"""Who may do what to a bucket: owner, canned ACLs and explicit grants."""

from __future__ import annotations

import hashlib
import re

from ._store import Bucket
from .errors import S3Error

CANNED_ACLS = frozenset(
    {
        "private",
        "public-read",
        "public-read-write",
        "authenticated-read",
        "aws-exec-read",
        "bucket-owner-read",
        "bucket-owner-full-control",
        "log-delivery-write",
    }
)
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
GRANT_HEADERS = {
    "x-amz-grant-read": "READ",
    "x-amz-grant-write": "WRITE",
    "x-amz-grant-read-acp": "READ_ACP",
    "x-amz-grant-write-acp": "WRITE_ACP",
    "x-amz-grant-full-control": "FULL_CONTROL",
}
_GRANTEE = re.compile(r'\s*(id|uri|emailAddress)\s*=\s*"?([^",]*)"?\s*(?:,|$)', re.IGNORECASE)


def canonical_id(access_key: str) -> str:
    """A stable 64-hex canonical user id for a principal, shaped like S3's."""
    return hashlib.sha256(f"fakes3put:{access_key}".encode()).hexdigest()


def parse_grants(value: str) -> frozenset[str]:
    """``id="abc", uri="http://..."`` -> {"abc", "http://..."}; S3Error on anything else."""
    grantees: list[str] = []
    pos = 0
    while pos < len(value):
        match = _GRANTEE.match(value, pos)
        if match is None or match.end() == pos:
            raise S3Error("InvalidArgument", "Invalid grant header value", extra={"ArgumentValue": value})
        grantees.append(match.group(2))
        pos = match.end()
    return frozenset(grantees)


def _grantee_matches(grantees: frozenset[str], principal: str | None) -> bool:
    if ALL_USERS in grantees:
        return True
    if principal is None:
        return False
    return AUTHENTICATED_USERS in grantees or principal in grantees or canonical_id(principal) in grantees


def _granted(bucket: Bucket, permission: str, principal: str | None) -> bool:
    for name in (permission, "FULL_CONTROL"):
        if _grantee_matches(bucket.grants.get(name, frozenset()), principal):
            return True
    return False


def can_write(bucket: Bucket, principal: str | None) -> bool:
    if principal is not None and principal == bucket.owner:
        return True
    if bucket.acl == "public-read-write":
        return True
    return _granted(bucket, "WRITE", principal)


def can_read(bucket: Bucket, principal: str | None) -> bool:
    if can_write(bucket, principal) and (principal == bucket.owner or bucket.acl == "public-read-write"):
        return True
    if bucket.acl in ("public-read", "public-read-write"):
        return True
    if bucket.acl == "authenticated-read" and principal is not None:
        return True
    return _granted(bucket, "READ", principal)


def is_owner(bucket: Bucket, principal: str | None) -> bool:
    return principal is not None and principal == bucket.owner


def can_write_acp(bucket: Bucket, principal: str | None) -> bool:
    return _granted(bucket, "WRITE_ACP", principal)
