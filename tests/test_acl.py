"""Object and bucket ACLs through boto3: Get/Put Bucket and Object ACL, S3's validation, the access they give."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
import requests
from botocore.exceptions import ClientError

from fakes3put import FakeS3
from fakes3put._ops.access import canonical_id

from .helpers import error_code

OWNER = ("OWNERPRINCIPAL000001", "owner/secret")
OTHER = ("OTHERPRINCIPAL000002", "other/secret")
BUCKET = "acl-ops-bucket"
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
OWNER_ID, OTHER_ID = canonical_id(OWNER[0]), canonical_id(OTHER[0])


def client(pair: tuple[str, str]) -> Any:
    return boto3.client("s3", region_name="us-east-1", aws_access_key_id=pair[0], aws_secret_access_key=pair[1])


@pytest.fixture
def fake():
    with FakeS3(credentials=dict([OWNER, OTHER])) as running:
        yield running


@pytest.fixture
def owner(fake):
    s3 = client(OWNER)
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="k", Body=b"data")
    return s3


@pytest.fixture
def other(fake):
    return client(OTHER)


def grants_of(answer: dict[str, Any]) -> list[tuple[str, str, str]]:
    return sorted(
        (g["Grantee"]["Type"], g["Grantee"].get("ID") or g["Grantee"].get("URI"), g["Permission"])
        for g in answer["Grants"]
    )


def policy(*grants: tuple[dict[str, str], str], owner_id: str = OWNER_ID) -> dict[str, Any]:
    return {"Owner": {"ID": owner_id}, "Grants": [{"Grantee": g, "Permission": p} for g, p in grants]}


def test_default_acls_give_the_owner_full_control(owner):
    for answer in (owner.get_bucket_acl(Bucket=BUCKET), owner.get_object_acl(Bucket=BUCKET, Key="k")):
        assert answer["Owner"]["ID"] == OWNER_ID
        assert grants_of(answer) == [("CanonicalUser", OWNER_ID, "FULL_CONTROL")]


def test_canned_object_acl_is_listed_and_grants_read(owner):
    owner.put_object_acl(Bucket=BUCKET, Key="k", ACL="public-read")
    assert grants_of(owner.get_object_acl(Bucket=BUCKET, Key="k")) == [
        ("CanonicalUser", OWNER_ID, "FULL_CONTROL"),
        ("Group", ALL_USERS, "READ"),
    ]
    assert requests.get(f"https://{BUCKET}.s3.amazonaws.com/k").content == b"data"  # anonymous read now works


def test_object_grant_headers_replace_the_acl(owner, other):
    with pytest.raises(ClientError) as denied:
        other.get_object(Bucket=BUCKET, Key="k")
    assert error_code(denied) == "AccessDenied"
    owner.put_object_acl(Bucket=BUCKET, Key="k", GrantRead=f'id="{OTHER_ID}"', GrantFullControl=f'id="{OWNER_ID}"')
    assert other.get_object(Bucket=BUCKET, Key="k")["Body"].read() == b"data"
    assert set(grants_of(owner.get_object_acl(Bucket=BUCKET, Key="k"))) == {
        ("CanonicalUser", OTHER_ID, "READ"),
        ("CanonicalUser", OWNER_ID, "FULL_CONTROL"),
    }
    with pytest.raises(ClientError) as no_acp:
        other.get_object_acl(Bucket=BUCKET, Key="k")  # READ is not READ_ACP
    assert error_code(no_acp) == "AccessDenied"


def test_object_acl_body(owner, other, fake):
    owner.put_object_acl(
        Bucket=BUCKET,
        Key="k",
        AccessControlPolicy=policy(
            ({"Type": "CanonicalUser", "ID": OWNER_ID}, "FULL_CONTROL"),
            ({"Type": "CanonicalUser", "ID": OTHER_ID}, "WRITE_ACP"),
        ),
    )
    other.put_object_acl(Bucket=BUCKET, Key="k", ACL="public-read")  # WRITE_ACP lets it replace the ACL
    assert fake.buckets[BUCKET]["k"].acl == "public-read"
    assert fake.buckets[BUCKET]["k"].body == b"data"


def test_bucket_acl_body_feeds_the_access_model(owner, other):
    with pytest.raises(ClientError) as denied:
        other.put_object(Bucket=BUCKET, Key="x", Body=b"1")
    assert error_code(denied) == "AccessDenied"
    owner.put_bucket_acl(
        Bucket=BUCKET,
        AccessControlPolicy=policy(
            ({"Type": "CanonicalUser", "ID": OWNER_ID}, "FULL_CONTROL"),
            ({"Type": "CanonicalUser", "ID": OTHER_ID}, "WRITE"),
            ({"Type": "Group", "URI": ALL_USERS}, "READ"),
        ),
    )
    other.put_object(Bucket=BUCKET, Key="x", Body=b"1")
    assert set(grants_of(owner.get_bucket_acl(Bucket=BUCKET))) == {
        ("CanonicalUser", OTHER_ID, "WRITE"),
        ("CanonicalUser", OWNER_ID, "FULL_CONTROL"),
        ("Group", ALL_USERS, "READ"),
    }
    with pytest.raises(ClientError) as no_acp:
        other.get_bucket_acl(Bucket=BUCKET)
    assert error_code(no_acp) == "AccessDenied"


def test_canned_bucket_acl_is_listed(owner):
    owner.put_bucket_acl(Bucket=BUCKET, ACL="log-delivery-write")
    assert grants_of(owner.get_bucket_acl(Bucket=BUCKET)) == [
        ("CanonicalUser", OWNER_ID, "FULL_CONTROL"),
        ("Group", "http://acs.amazonaws.com/groups/s3/LogDelivery", "READ_ACP"),
        ("Group", "http://acs.amazonaws.com/groups/s3/LogDelivery", "WRITE"),
    ]


@pytest.mark.parametrize("operation", ["bucket", "object"])
@pytest.mark.parametrize(
    ("arguments", "code", "message", "argument"),
    [
        (
            {"GrantRead": 'uri="http://acs.amazonaws.com/groups/global/Nobody"'},
            "InvalidArgument",
            "Invalid group uri",
            "uri",
        ),
        ({"GrantRead": 'id="not-a-canonical-id"'}, "InvalidArgument", "Invalid id", "id"),
        ({"GrantRead": "someone"}, "InvalidArgument", "Argument format not recognized", "x-amz-grant-read"),
        (
            {"AccessControlPolicy": policy(({"Type": "Group", "URI": "http://example.com/group"}, "READ"))},
            "InvalidArgument",
            "Invalid group uri",
            "Group/URI",
        ),
        (
            {"AccessControlPolicy": policy(({"Type": "CanonicalUser", "ID": "abc"}, "READ"))},
            "InvalidArgument",
            "Invalid id",
            "CanonicalUser/ID",
        ),
        (
            {"ACL": "private", "AccessControlPolicy": policy(({"Type": "CanonicalUser", "ID": OWNER_ID}, "READ"))},
            "UnexpectedContent",
            "This request does not support content",
            None,
        ),
        (
            {"AccessControlPolicy": policy(({"Type": "CanonicalUser", "ID": OWNER_ID}, "EVERYTHING"))},
            "MalformedACLError",
            "The XML you provided was not well-formed or did not validate against our published schema",
            None,
        ),
    ],
)
def test_validation(owner, operation, arguments, code, message, argument):
    call = owner.put_bucket_acl if operation == "bucket" else owner.put_object_acl
    target = {"Bucket": BUCKET} if operation == "bucket" else {"Bucket": BUCKET, "Key": "k"}
    with pytest.raises(ClientError) as refused:
        call(**target, **arguments)
    error = refused.value.response["Error"]
    assert refused.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert (error["Code"], error["Message"]) == (code, message)
    if argument is not None:
        assert error["ArgumentName"] == argument


def test_acls_disabled_answers_as_put_object_does(fake):
    s3 = client(OWNER)
    s3.create_bucket(Bucket=BUCKET, ObjectOwnership="BucketOwnerEnforced")
    s3.put_object(Bucket=BUCKET, Key="k", Body=b"x")
    for attempt in (
        lambda: s3.put_object_acl(Bucket=BUCKET, Key="k", ACL="public-read"),
        lambda: s3.put_bucket_acl(Bucket=BUCKET, ACL="public-read"),
        lambda: s3.put_bucket_acl(
            Bucket=BUCKET, AccessControlPolicy=policy(({"Type": "Group", "URI": ALL_USERS}, "READ"))
        ),
    ):
        with pytest.raises(ClientError) as refused:
            attempt()
        assert error_code(refused) == "AccessControlListNotSupported"
    s3.put_bucket_acl(
        Bucket=BUCKET, AccessControlPolicy=policy(({"Type": "CanonicalUser", "ID": OWNER_ID}, "FULL_CONTROL"))
    )
    s3.put_object_acl(Bucket=BUCKET, Key="k", ACL="bucket-owner-full-control")
    assert grants_of(s3.get_object_acl(Bucket=BUCKET, Key="k")) == [("CanonicalUser", OWNER_ID, "FULL_CONTROL")]


def test_object_acl_not_found_and_denied(owner, other):
    with pytest.raises(ClientError) as missing:
        owner.get_object_acl(Bucket=BUCKET, Key="absent")
    assert error_code(missing) == "NoSuchKey"
    with pytest.raises(ClientError) as missing:
        owner.put_object_acl(Bucket=BUCKET, Key="absent", ACL="private")
    assert error_code(missing) == "NoSuchKey"
    with pytest.raises(ClientError) as hidden:
        other.put_object_acl(Bucket=BUCKET, Key="absent", ACL="private")
    assert error_code(hidden) == "AccessDenied"  # no READ on the bucket: S3 does not say the key is missing
    with pytest.raises(ClientError) as denied:
        other.put_object_acl(Bucket=BUCKET, Key="k", ACL="public-read")
    assert error_code(denied) == "AccessDenied"


def test_object_acl_of_one_version(owner):
    owner.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    first = owner.put_object(Bucket=BUCKET, Key="v", Body=b"1")["VersionId"]
    owner.put_object(Bucket=BUCKET, Key="v", Body=b"2")
    owner.put_object_acl(Bucket=BUCKET, Key="v", VersionId=first, ACL="public-read")
    assert len(owner.get_object_acl(Bucket=BUCKET, Key="v", VersionId=first)["Grants"]) == 2
    assert len(owner.get_object_acl(Bucket=BUCKET, Key="v")["Grants"]) == 1
