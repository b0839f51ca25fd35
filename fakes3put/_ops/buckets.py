"""Bucket operations: CreateBucket, HeadBucket, GetBucketLocation, ListBuckets (PutBucketAcl is in acl.py)."""

from __future__ import annotations

from fakes3put._commit.store import Bucket, Store, is_object_ownership
from fakes3put._ops import access
from fakes3put._ops._common import existing_bucket, iso_time
from fakes3put._ops.context import OperationContext
from fakes3put._ops.names import bucket_name_problem
from fakes3put._ops.xmlbody import parse
from fakes3put._wire.response import XML_CONTENT_TYPE, Response, xml_document, xml_element
from fakes3put.errors import S3Error


def location_constraint(body: bytes) -> str | None:
    """The region a CreateBucket body asks for (None: no body, or no constraint); MalformedXML if bad."""
    if not body.strip():
        return None
    return (parse(body, "CreateBucketConfiguration").text_of("LocationConstraint") or "").strip() or None


def create_bucket(ctx: OperationContext) -> Response:
    request = ctx.request
    name = request.bucket
    if ctx.who is None:
        raise S3Error("AccessDenied", hint="anonymous callers cannot create buckets")
    problem = bucket_name_problem(name)
    if problem is not None:
        raise S3Error("InvalidBucketName", extra={"BucketName": name}, hint=f"bucket name {name!r} {problem}")
    constraint = location_constraint(ctx.payload.data)
    if constraint == "us-east-1":
        raise S3Error("InvalidLocationConstraint", extra={"LocationConstraint": constraint})
    region = constraint or "us-east-1"
    endpoint_region = request.endpoint_region
    if endpoint_region is not None and endpoint_region != region:
        raise S3Error(
            "IllegalLocationConstraintException",
            f"The {constraint or 'unspecified'} location constraint is incompatible for the region "
            f"specific endpoint this request was sent to.",
        )
    canned, grants = access.requested_acl(request.headers)
    acl = canned or "private"
    ownership = (request.headers.get("x-amz-object-ownership") or "ObjectWriter").strip()
    if not is_object_ownership(ownership):
        raise S3Error("InvalidArgument", extra={"ArgumentName": "x-amz-object-ownership", "ArgumentValue": ownership})
    problem = access.bucket_acl_problem(ownership, canned, grants)
    if problem is not None:
        raise S3Error(
            "InvalidBucketAclWithObjectOwnership",
            "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting",
            hint=problem,
        )

    def apply(store: Store) -> None:
        existing = store.bucket(name)
        if existing is not None:
            if existing.owner != ctx.who:
                raise S3Error("BucketAlreadyExists", extra={"BucketName": name})
            if existing.region != "us-east-1" or region != "us-east-1":
                raise S3Error("BucketAlreadyOwnedByYou", extra={"BucketName": name})
            # us-east-1 answers 200 to re-creating your own bucket, and resets its ACL to the request's.
            if access.bucket_acl_problem(existing.object_ownership, canned, grants) is not None:
                raise S3Error("InvalidBucketAclWithObjectOwnership")
            existing._set_acl(acl, grants)
            return
        bucket = Bucket(
            name, region=region, owner=ctx.who, created=ctx.now, acl=acl, object_ownership=ownership, grants=grants
        )
        store.add_bucket(bucket)

    ctx.sequencer.change_buckets(apply)
    # S3's headers (LocalStack's AWS snapshot test_create_bucket_head_bucket): a bucket created
    # with a LocationConstraint is located by its virtual-hosted URL, and the ARN is named.
    location = f"http://{name}.s3.amazonaws.com/" if constraint is not None else f"/{name}"
    return Response(200, {"Location": location, "x-amz-bucket-arn": _arn(name)})


def _arn(name: str) -> str:
    return f"arn:aws:s3:::{name}"


def head_bucket(ctx: OperationContext) -> Response:
    bucket = existing_bucket(ctx)
    if not access.can_read(bucket, ctx.who):
        raise S3Error("AccessDenied")
    return Response(
        200,
        {
            "Content-Type": "application/xml",
            "x-amz-access-point-alias": "false",
            "x-amz-bucket-arn": _arn(bucket.name),
            "x-amz-bucket-region": bucket.region,
        },
    )


def get_bucket_location(ctx: OperationContext) -> Response:
    bucket = existing_bucket(ctx)
    if not access.is_owner(bucket, ctx.who):
        raise S3Error("AccessDenied")
    region = "" if bucket.region == "us-east-1" else bucket.region
    return Response(200, {"Content-Type": XML_CONTENT_TYPE}, xml_document("LocationConstraint", region))


def list_buckets(ctx: OperationContext) -> Response:
    if ctx.who is None:
        raise S3Error("AccessDenied")
    owned = [b for b in ctx.store.buckets() if b.owner == ctx.who]
    entries = "".join(
        "<Bucket>"
        + xml_element("Name", b.name)
        + xml_element("CreationDate", iso_time(b.created))
        + xml_element("BucketRegion", b.region)
        + "</Bucket>"
        for b in owned
    )
    owner = "<Owner>" + xml_element("ID", access.canonical_id(ctx.who)) + "</Owner>"
    body = xml_document("ListAllMyBucketsResult", owner + f"<Buckets>{entries}</Buckets>")
    return Response(200, {"Content-Type": XML_CONTENT_TYPE}, body)
