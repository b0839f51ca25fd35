"""WRITE (and READ) access: owner / another principal / anonymous against canned ACLs and grants.

The owner creates the bucket through CreateBucket with the ACL under test; the other principals
then write and read through their own boto3 clients (anonymous: an UNSIGNED client).
"""

from __future__ import annotations

from typing import Any

import boto3
import pytest
import requests
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

from fakes3put import BucketSpec, FakeS3
from fakes3put._ops.access import canonical_id

OWNER = ("OWNERPRINCIPAL000001", "owner/principal/secret/00000000000000000")
OTHER = ("OTHERPRINCIPAL000002", "other/principal/secret/0000000000000000")
CREDENTIALS = dict([OWNER, OTHER])
ALL_USERS = 'uri="http://acs.amazonaws.com/groups/global/AllUsers"'
AUTHENTICATED = 'uri="http://acs.amazonaws.com/groups/global/AuthenticatedUsers"'
OTHER_ID = f'id="{canonical_id(OTHER[0])}"'
BUCKET = "acl-bucket"
Y, N = True, False

# setup -> (CreateBucket arguments, (owner, other, anonymous) may write, ... may read)
MATRIX: dict[str, tuple[dict[str, str], tuple[bool, bool, bool], tuple[bool, bool, bool]]] = {
    "private": ({"ACL": "private"}, (Y, N, N), (Y, N, N)),
    "default-acl": ({}, (Y, N, N), (Y, N, N)),
    "public-read": ({"ACL": "public-read"}, (Y, N, N), (Y, Y, Y)),
    "public-read-write": ({"ACL": "public-read-write"}, (Y, Y, Y), (Y, Y, Y)),
    "authenticated-read": ({"ACL": "authenticated-read"}, (Y, N, N), (Y, Y, N)),
    "write-to-other-by-canonical-id": ({"GrantWrite": OTHER_ID}, (Y, Y, N), (Y, N, N)),
    "write-to-other-by-access-key": ({"GrantWrite": f'id="{OTHER[0]}"'}, (Y, Y, N), (Y, N, N)),
    "full-control-to-other-by-canonical-id": ({"GrantFullControl": OTHER_ID}, (Y, Y, N), (Y, Y, N)),
    "full-control-to-other-by-access-key": ({"GrantFullControl": f'id="{OTHER[0]}"'}, (Y, Y, N), (Y, Y, N)),
    "read-to-other": ({"GrantRead": OTHER_ID}, (Y, N, N), (Y, Y, N)),
    "write-to-all-users": ({"GrantWrite": ALL_USERS}, (Y, Y, Y), (Y, N, N)),
    "write-to-authenticated-users": ({"GrantWrite": AUTHENTICATED}, (Y, Y, N), (Y, N, N)),
    "full-control-to-authenticated-users": ({"GrantFullControl": AUTHENTICATED}, (Y, Y, N), (Y, Y, N)),
    "full-control-to-all-users": ({"GrantFullControl": ALL_USERS}, (Y, Y, Y), (Y, Y, Y)),
    "write-to-someone-else": ({"GrantWrite": f'id="{canonical_id("NOBODY")}"'}, (Y, N, N), (Y, N, N)),
}
PRINCIPALS = ["owner", "other", "anonymous"]


def client(who: str) -> Any:
    if who == "anonymous":
        return boto3.client("s3", region_name="us-east-1", config=Config(signature_version=UNSIGNED))
    key, secret = OWNER if who == "owner" else OTHER
    return boto3.client("s3", region_name="us-east-1", aws_access_key_id=key, aws_secret_access_key=secret)


def principal_of(who: str) -> str | None:
    return {"owner": OWNER[0], "other": OTHER[0]}.get(who)


def error_code(call: Any) -> str:
    with pytest.raises(ClientError) as raised:
        call()
    return str(raised.value.response["Error"]["Code"])


def snapshot(fake: FakeS3) -> dict[str, dict[str, bytes]]:
    return {name: {key: obj.body for key, obj in bucket.items()} for name, bucket in fake.buckets.items()}


def assert_put(fake: FakeS3, who: str, allowed: bool) -> None:
    s3 = client(who)
    before = snapshot(fake)
    attempts = [
        lambda: s3.put_object(Bucket=BUCKET, Key="new", Body=b"new"),
        lambda: s3.put_object(Bucket=BUCKET, Key="existing", Body=b"overwritten"),
    ]
    if allowed:
        for attempt in attempts:
            attempt()
        assert snapshot(fake)[BUCKET] == {"existing": b"overwritten", "new": b"new"}
        assert fake.buckets[BUCKET]["new"].owner == principal_of(who)
        return
    assert [error_code(attempt) for attempt in attempts] == ["AccessDenied", "AccessDenied"]
    assert snapshot(fake) == before
    assert [(w.outcome, w.error_code, w.principal) for w in fake.writes[-2:]] == [
        ("rejected", "AccessDenied", principal_of(who))
    ] * 2


def assert_read(fake: FakeS3, who: str, allowed: bool) -> None:
    """Bucket READ lets a caller see the bucket and learn that a key is missing; reading an
    object takes READ on the object itself, which the owner's private object gives nobody else."""
    s3 = client(who)
    if who == "owner":
        assert s3.get_object(Bucket=BUCKET, Key="existing")["Body"].read() == b"existing"
    else:
        assert error_code(lambda: s3.get_object(Bucket=BUCKET, Key="existing")) == "AccessDenied"
    if allowed:
        s3.head_bucket(Bucket=BUCKET)
        assert error_code(lambda: s3.get_object(Bucket=BUCKET, Key="absent")) == "NoSuchKey"
        return
    assert error_code(lambda: s3.get_object(Bucket=BUCKET, Key="absent")) == "AccessDenied"
    assert error_code(lambda: s3.head_bucket(Bucket=BUCKET)) == "403"  # HEAD: no body, status only


@pytest.mark.parametrize("who", PRINCIPALS)
@pytest.mark.parametrize("setup", list(MATRIX))
@pytest.mark.fakes3put(credentials=CREDENTIALS)
def test_permission_matrix(fake_s3, setup, who):
    create, writers, readers = MATRIX[setup]
    owner = client("owner")
    owner.create_bucket(Bucket=BUCKET, **create)
    owner.put_object(Bucket=BUCKET, Key="existing", Body=b"existing")
    index = PRINCIPALS.index(who)
    assert_read(fake_s3, who, readers[index])
    assert_put(fake_s3, who, writers[index])


@pytest.mark.fakes3put(credentials=CREDENTIALS)
def test_object_acl_is_stored(fake_s3):
    s3 = client("owner")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="public", Body=b"x", ACL="public-read")
    s3.put_object(Bucket=BUCKET, Key="plain", Body=b"x")
    assert fake_s3.buckets[BUCKET]["public"].acl == "public-read"
    assert fake_s3.buckets[BUCKET]["plain"].acl is None


@pytest.mark.fakes3put(credentials=CREDENTIALS)
def test_put_bucket_acl_changes_who_may_write(fake_s3):
    owner, other = client("owner"), client("other")
    owner.create_bucket(Bucket=BUCKET)

    def other_writes() -> str:
        try:
            other.put_object(Bucket=BUCKET, Key="k", Body=b"x")
        except ClientError as exc:
            return str(exc.response["Error"]["Code"])
        return "stored"

    assert other_writes() == "AccessDenied"
    owner.put_bucket_acl(Bucket=BUCKET, ACL="public-read-write")
    assert other_writes() == "stored"
    owner.put_bucket_acl(Bucket=BUCKET, ACL="private")
    assert other_writes() == "AccessDenied"
    owner.put_bucket_acl(Bucket=BUCKET, GrantWrite=OTHER_ID)
    assert (fake_s3.buckets[BUCKET].acl, other_writes()) == ("private", "stored")
    owner.put_bucket_acl(Bucket=BUCKET, ACL="authenticated-read")  # a canned ACL replaces the grants
    assert fake_s3.buckets[BUCKET].grants == {}
    assert other_writes() == "AccessDenied"


@pytest.mark.fakes3put(credentials=CREDENTIALS)
def test_put_bucket_acl_needs_write_acp(fake_s3):
    owner, other = client("owner"), client("other")
    owner.create_bucket(Bucket=BUCKET, GrantWrite=OTHER_ID)
    assert error_code(lambda: other.put_bucket_acl(Bucket=BUCKET, ACL="public-read-write")) == "AccessDenied"
    assert fake_s3.buckets[BUCKET].acl == "private"
    owner.put_bucket_acl(Bucket=BUCKET, GrantWriteACP=OTHER_ID)
    other.put_bucket_acl(Bucket=BUCKET, ACL="public-read-write")
    assert fake_s3.buckets[BUCKET].acl == "public-read-write"
    anonymous = client("anonymous")
    assert error_code(lambda: anonymous.put_bucket_acl(Bucket=BUCKET, ACL="private")) == "AccessDenied"


@pytest.mark.fakes3put(credentials=CREDENTIALS, buckets=[BucketSpec(BUCKET, acl="public-read")])
def test_put_bucket_acl_without_an_acl_is_missing_security_header(fake_s3):
    assert error_code(lambda: client("owner").put_bucket_acl(Bucket=BUCKET)) == "MissingSecurityHeader"
    assert fake_s3.buckets[BUCKET].acl == "public-read"


@pytest.mark.parametrize("operation", ["create_bucket", "put_bucket_acl"])
@pytest.mark.fakes3put(credentials=CREDENTIALS, buckets=[BucketSpec(BUCKET, owner=OWNER[0])])
def test_canned_acl_and_grants_together_are_refused(fake_s3, operation):
    call = getattr(client("owner"), operation)
    with pytest.raises(ClientError) as raised:
        call(Bucket=BUCKET, ACL="public-read", GrantWrite=OTHER_ID)
    error = raised.value.response["Error"]
    assert (error["Code"], error["Message"]) == (
        "InvalidRequest",
        "Specifying both Canned ACLs and Header Grants is not allowed",
    )
    assert (fake_s3.buckets[BUCKET].acl, fake_s3.buckets[BUCKET].grants) == ("private", {})


@pytest.mark.parametrize(
    ("header", "value", "code"),
    [("ACL", "world-writable", "InvalidArgument"), ("GrantWrite", "id=", "InvalidArgument")],
)
@pytest.mark.fakes3put(credentials=CREDENTIALS)
def test_malformed_acl_headers_are_refused(fake_s3, header, value, code):
    assert error_code(lambda: client("owner").create_bucket(Bucket=BUCKET, **{header: value})) == code
    assert BUCKET not in fake_s3.buckets


@pytest.mark.fakes3put(credentials=CREDENTIALS)
def test_recreating_an_owned_us_east_1_bucket_resets_its_acl(fake_s3):
    owner, other = client("owner"), client("other")
    owner.create_bucket(Bucket=BUCKET, ACL="public-read-write")
    owner.put_object(Bucket=BUCKET, Key="kept", Body=b"x")
    owner.create_bucket(Bucket=BUCKET)  # 200 in us-east-1, and the ACL is the new request's
    assert fake_s3.buckets[BUCKET].acl == "private"
    assert list(fake_s3.buckets[BUCKET]) == ["kept"]
    assert error_code(lambda: other.put_object(Bucket=BUCKET, Key="k", Body=b"x")) == "AccessDenied"
    assert error_code(lambda: other.create_bucket(Bucket=BUCKET)) == "BucketAlreadyExists"


@pytest.mark.fakes3put(
    credentials=CREDENTIALS,
    buckets=[
        BucketSpec("open-bucket", acl="public-read-write"),
        BucketSpec("others-bucket", owner=OTHER[0]),
        BucketSpec("readable-bucket", acl="authenticated-read"),
    ],
)
def test_constructor_acls_and_owners(fake_s3):
    anonymous, owner, other = client("anonymous"), client("owner"), client("other")
    anonymous.put_object(Bucket="open-bucket", Key="anon", Body=b"a")
    assert fake_s3.buckets["open-bucket"]["anon"].owner is None
    other.put_object(Bucket="others-bucket", Key="mine", Body=b"o")
    assert error_code(lambda: owner.put_object(Bucket="others-bucket", Key="k", Body=b"x")) == "AccessDenied"
    assert list(fake_s3.buckets["others-bucket"]) == ["mine"]
    owner.put_object(Bucket="readable-bucket", Key="r", Body=b"r", ACL="authenticated-read")
    assert other.get_object(Bucket="readable-bucket", Key="r")["Body"].read() == b"r"
    assert error_code(lambda: other.put_object(Bucket="readable-bucket", Key="k", Body=b"x")) == "AccessDenied"
    assert error_code(lambda: anonymous.get_object(Bucket="readable-bucket", Key="r")) == "AccessDenied"


@pytest.mark.fakes3put(credentials=CREDENTIALS, buckets=[BucketSpec(BUCKET, acl="public-read")])
def test_get_bucket_location_is_for_the_owner_only(fake_s3):
    assert client("owner").get_bucket_location(Bucket=BUCKET)["LocationConstraint"] is None
    assert error_code(lambda: client("other").get_bucket_location(Bucket=BUCKET)) == "AccessDenied"


@pytest.mark.fakes3put(credentials=CREDENTIALS, buckets=[BucketSpec(BUCKET, acl="public-read-write")])
def test_anonymous_plain_requests_put(fake_s3):
    response = requests.put(f"https://{BUCKET}.s3.amazonaws.com/plain", data=b"anon", timeout=5)
    assert response.status_code == 200
    assert fake_s3.writes[-1].principal is None
    assert fake_s3.buckets[BUCKET]["plain"].body == b"anon"


# object ACL -> (owner, other, anonymous) may read the object
OBJECT_READERS: dict[str, tuple[dict[str, str], tuple[bool, bool, bool]]] = {
    "private": ({}, (Y, N, N)),
    "public-read": ({"ACL": "public-read"}, (Y, Y, Y)),
    "authenticated-read": ({"ACL": "authenticated-read"}, (Y, Y, N)),
    "grant-read-to-other": ({"GrantRead": OTHER_ID}, (Y, Y, N)),
    "grant-full-control-to-all": ({"GrantFullControl": ALL_USERS}, (Y, Y, Y)),
}


@pytest.mark.parametrize("acl", list(OBJECT_READERS))
@pytest.mark.fakes3put(credentials=CREDENTIALS, buckets=[BucketSpec(BUCKET, acl="public-read-write", owner=OWNER[0])])
def test_object_read_comes_from_the_object_acl(fake_s3, acl):
    extra, readers = OBJECT_READERS[acl]
    client("owner").put_object(Bucket=BUCKET, Key="obj", Body=b"body", **extra)
    for who, allowed in zip(PRINCIPALS, readers, strict=True):
        if allowed:
            assert client(who).get_object(Bucket=BUCKET, Key="obj")["Body"].read() == b"body"
        else:
            assert error_code(lambda who=who: client(who).get_object(Bucket=BUCKET, Key="obj")) == "AccessDenied"


@pytest.mark.fakes3put(credentials=CREDENTIALS, buckets=[BucketSpec(BUCKET, acl="public-read-write", owner=OWNER[0])])
def test_bucket_owner_reads_others_objects_only_when_granted(fake_s3):
    other, owner = client("other"), client("owner")
    other.put_object(Bucket=BUCKET, Key="theirs", Body=b"t")
    other.put_object(Bucket=BUCKET, Key="shared", Body=b"s", ACL="bucket-owner-read")
    assert error_code(lambda: owner.get_object(Bucket=BUCKET, Key="theirs")) == "AccessDenied"
    assert owner.get_object(Bucket=BUCKET, Key="shared")["Body"].read() == b"s"
    assert fake_s3.buckets[BUCKET]["shared"].acl == "bucket-owner-read"


@pytest.mark.fakes3put(
    credentials=CREDENTIALS,
    buckets=[BucketSpec(BUCKET, owner=OWNER[0], object_ownership="BucketOwnerEnforced")],
)
def test_bucket_owner_enforced_disables_acls(fake_s3):
    owner = client("owner")
    with pytest.raises(ClientError) as refused:
        owner.put_object(Bucket=BUCKET, Key="k", Body=b"x", ACL="public-read")
    assert refused.value.response["Error"]["Code"] == "AccessControlListNotSupported"
    assert "k" not in fake_s3.buckets[BUCKET]
    owner.put_object(Bucket=BUCKET, Key="k", Body=b"x", ACL="bucket-owner-full-control")
    with pytest.raises(ClientError) as grant:
        owner.put_bucket_acl(Bucket=BUCKET, ACL="public-read")
    assert grant.value.response["Error"]["Code"] == "AccessControlListNotSupported"
    assert error_code(lambda: client("anonymous").get_object(Bucket=BUCKET, Key="k")) == "AccessDenied"


@pytest.mark.fakes3put(credentials=CREDENTIALS)
def test_bucket_owner_owns_every_object_when_enforced(fake_s3):
    owner, other = client("owner"), client("other")
    owner.create_bucket(Bucket=BUCKET, ObjectOwnership="BucketOwnerEnforced")
    assert fake_s3.buckets[BUCKET].object_ownership == "BucketOwnerEnforced"
    owner.put_object(Bucket=BUCKET, Key="mine", Body=b"m")
    assert fake_s3.buckets[BUCKET]["mine"].owner == OWNER[0]
    assert error_code(lambda: other.get_object(Bucket=BUCKET, Key="mine")) == "AccessDenied"
    with pytest.raises(ClientError) as refused:
        owner.create_bucket(Bucket="acl-bucket-two", ObjectOwnership="BucketOwnerEnforced", ACL="public-read")
    assert refused.value.response["Error"]["Code"] == "InvalidBucketAclWithObjectOwnership"
    with pytest.raises(ClientError) as private_object:
        owner.put_object(Bucket=BUCKET, Key="private", Body=b"p", ACL="private")
    assert private_object.value.response["Error"]["Code"] == "AccessControlListNotSupported"


@pytest.mark.fakes3put(
    credentials=CREDENTIALS,
    buckets=[BucketSpec(BUCKET, acl="public-read-write", owner=OWNER[0], object_ownership="BucketOwnerPreferred")],
)
def test_bucket_owner_preferred_takes_objects_written_with_full_control(fake_s3):
    other = client("other")
    other.put_object(Bucket=BUCKET, Key="given", Body=b"g", ACL="bucket-owner-full-control")
    other.put_object(Bucket=BUCKET, Key="kept", Body=b"k")
    assert fake_s3.buckets[BUCKET]["given"].owner == OWNER[0]
    assert fake_s3.buckets[BUCKET]["kept"].owner == OTHER[0]
