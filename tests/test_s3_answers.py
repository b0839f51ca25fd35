"""Answers that follow Amazon S3 where other implementations differ; evidence per test.

"snapshot" means LocalStack's AWS-recorded snapshots (tests/aws/services/s3/*.snapshot.json),
which hold the responses real S3 gave.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import urllib3
from botocore.exceptions import ClientError

from fakes3put import BucketSpec, FakeS3

from .helpers import make_client, xml_code

BUCKET = "answers"


@pytest.fixture
def s3(fake_s3: Any) -> Any:
    client = make_client(fake_s3)
    client.create_bucket(Bucket=BUCKET)
    return client


def _error(excinfo: pytest.ExceptionInfo[ClientError]) -> tuple[int, str, str]:
    response = excinfo.value.response
    return (
        response["ResponseMetadata"]["HTTPStatusCode"],
        str(response["Error"]["Code"]),
        str(response["Error"].get("Message", "")),
    )


# ---------------------------------------------------------------- XML text is verbatim


@pytest.mark.parametrize("key", [" ", "_ ", "a\n", "\tx"])
def test_delete_objects_deletes_exactly_the_key_written(s3: Any, key: str) -> None:
    s3.put_object(Bucket=BUCKET, Key=key, Body=b"x")
    s3.put_object(Bucket=BUCKET, Key=key.strip() or "_", Body=b"neighbour")
    answer = s3.delete_objects(Bucket=BUCKET, Delete={"Objects": [{"Key": key}]})
    assert [d["Key"] for d in answer["Deleted"]] == [key]
    left = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])]
    assert left == [key.strip() or "_"]


# ---------------------------------------------------------------- empty configurations


def test_put_bucket_versioning_with_an_empty_configuration_is_refused(s3: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={})
    assert _error(excinfo) == (
        400,
        "IllegalVersioningConfigurationException",
        "The Versioning element must be specified",
    )
    assert "Status" not in s3.get_bucket_versioning(Bucket=BUCKET)


def test_complete_without_parts_asks_for_one(s3: Any) -> None:
    upload = s3.create_multipart_upload(Bucket=BUCKET, Key="k")["UploadId"]
    s3.upload_part(Bucket=BUCKET, Key="k", UploadId=upload, PartNumber=1, Body=b"x")
    with pytest.raises(ClientError) as excinfo:
        s3.complete_multipart_upload(Bucket=BUCKET, Key="k", UploadId=upload)
    assert _error(excinfo) == (400, "InvalidRequest", "You must specify at least one part")
    with pytest.raises(ClientError) as excinfo:
        s3.complete_multipart_upload(Bucket=BUCKET, Key="k", UploadId=upload, MultipartUpload={"Parts": []})
    assert _error(excinfo) == (400, "InvalidRequest", "You must specify at least one part")


# ---------------------------------------------------------------- default checksum


def _crc64nvme(data: bytes) -> str:
    anycrc = pytest.importorskip("anycrc")
    return base64.b64encode(int(anycrc.Model("CRC64-NVME").calc(data)).to_bytes(8, "big")).decode()


def test_a_claimed_checksum_is_the_one_stored(s3: Any) -> None:
    put = s3.put_object(Bucket=BUCKET, Key="k", Body=b"hello", ChecksumAlgorithm="CRC32")
    assert "ChecksumCRC64NVME" not in put
    assert put["ChecksumCRC32"]
    assert "ChecksumCRC64NVME" not in s3.head_object(Bucket=BUCKET, Key="k", ChecksumMode="ENABLED")


def test_boto3_put_without_checksum_reads_crc64nvme(fake_s3: Any) -> None:
    client = make_client(fake_s3, request_checksum_calculation="when_required")
    client.create_bucket(Bucket=BUCKET)
    put = client.put_object(Bucket=BUCKET, Key="k", Body=b"hello")
    expected = _crc64nvme(b"hello")
    assert (put["ChecksumCRC64NVME"], put["ChecksumType"]) == (expected, "FULL_OBJECT")
    head = client.head_object(Bucket=BUCKET, Key="k", ChecksumMode="ENABLED")
    assert (head["ChecksumCRC64NVME"], head["ChecksumType"]) == (expected, "FULL_OBJECT")
    got = client.get_object(Bucket=BUCKET, Key="k", ChecksumMode="ENABLED")
    assert got["ChecksumCRC64NVME"] == expected
    assert got["Body"].read() == b"hello"


def test_multipart_without_an_algorithm_ends_with_full_object_crc64nvme(fake_s3: Any) -> None:
    client = make_client(fake_s3, request_checksum_calculation="when_required")
    client.create_bucket(Bucket=BUCKET)
    upload = client.create_multipart_upload(Bucket=BUCKET, Key="mp")["UploadId"]
    first, second = b"a" * (5 * 1024 * 1024), b"tail"
    parts = [
        {
            "PartNumber": n,
            "ETag": client.upload_part(Bucket=BUCKET, Key="mp", UploadId=upload, PartNumber=n, Body=b)["ETag"],
        }
        for n, b in ((1, first), (2, second))
    ]
    done = client.complete_multipart_upload(Bucket=BUCKET, Key="mp", UploadId=upload, MultipartUpload={"Parts": parts})
    expected = _crc64nvme(first + second)
    assert (done["ChecksumCRC64NVME"], done["ChecksumType"]) == (expected, "FULL_OBJECT")
    head = client.head_object(Bucket=BUCKET, Key="mp", ChecksumMode="ENABLED")
    assert head["ChecksumCRC64NVME"] == expected


def test_copy_of_an_object_without_checksum_gets_crc64nvme(fake_s3: Any) -> None:
    client = make_client(fake_s3, request_checksum_calculation="when_required")
    client.create_bucket(Bucket=BUCKET)
    client.put_object(Bucket=BUCKET, Key="src", Body=b"hello")
    copied = client.copy_object(Bucket=BUCKET, Key="dst", CopySource={"Bucket": BUCKET, "Key": "src"})
    assert copied["CopyObjectResult"]["ChecksumCRC64NVME"] == _crc64nvme(b"hello")


# ---------------------------------------------------------------- repeated Complete


def _one_part_upload(s3: Any, key: str) -> tuple[str, list[dict[str, Any]]]:
    upload = s3.create_multipart_upload(Bucket=BUCKET, Key=key)["UploadId"]
    etag = s3.upload_part(Bucket=BUCKET, Key=key, UploadId=upload, PartNumber=1, Body=b"only part")["ETag"]
    return upload, [{"PartNumber": 1, "ETag": etag}]


def test_a_repeated_complete_answers_the_same_result(s3: Any) -> None:
    upload, parts = _one_part_upload(s3, "mp")
    first = s3.complete_multipart_upload(Bucket=BUCKET, Key="mp", UploadId=upload, MultipartUpload={"Parts": parts})
    again = s3.complete_multipart_upload(Bucket=BUCKET, Key="mp", UploadId=upload, MultipartUpload={"Parts": parts})
    assert again["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert (again["ETag"], again["Location"], again["Key"]) == (first["ETag"], first["Location"], "mp")
    assert s3.get_object(Bucket=BUCKET, Key="mp")["Body"].read() == b"only part"


def test_a_complete_with_another_part_list_after_success_is_no_such_upload(s3: Any) -> None:
    upload, parts = _one_part_upload(s3, "mp")
    s3.complete_multipart_upload(Bucket=BUCKET, Key="mp", UploadId=upload, MultipartUpload={"Parts": parts})
    other = [{"PartNumber": 1, "ETag": '"00000000000000000000000000000000"'}]
    with pytest.raises(ClientError) as excinfo:
        s3.complete_multipart_upload(Bucket=BUCKET, Key="mp", UploadId=upload, MultipartUpload={"Parts": other})
    assert _error(excinfo)[:2] == (404, "NoSuchUpload")


def test_a_complete_of_an_aborted_upload_is_no_such_upload(s3: Any) -> None:
    upload, parts = _one_part_upload(s3, "mp")
    s3.abort_multipart_upload(Bucket=BUCKET, Key="mp", UploadId=upload)
    with pytest.raises(ClientError) as excinfo:
        s3.complete_multipart_upload(Bucket=BUCKET, Key="mp", UploadId=upload, MultipartUpload={"Parts": parts})
    assert _error(excinfo)[:2] == (404, "NoSuchUpload")


def test_a_complete_whose_answer_was_lost_is_retried_to_success(fake_s3: Any) -> None:
    s3 = make_client(fake_s3)
    s3.create_bucket(Bucket=BUCKET)
    upload, parts = _one_part_upload(s3, "mp")
    fake_s3.faults.add("reset-after-commit", operation="CompleteMultipartUpload")
    done = s3.complete_multipart_upload(Bucket=BUCKET, Key="mp", UploadId=upload, MultipartUpload={"Parts": parts})
    assert done["ETag"].endswith('-1"')
    assert [c.fault for c in fake_s3.calls if c.operation == "CompleteMultipartUpload"] == ["reset-after-commit", None]


# ---------------------------------------------------------------- write conditions S3 does not implement


@pytest.mark.parametrize(
    ("conditions", "header"),
    [
        ({"IfMatch": "*"}, "If-Match"),
        ({"IfNoneMatch": '"0123"'}, "If-None-Match"),
        ({"IfMatch": '"0123"', "IfNoneMatch": "*"}, "If-Match,If-None-Match"),
        ({"IfMatch": "*", "IfNoneMatch": '"0123"'}, "If-Match,If-None-Match"),
    ],
)
def test_write_conditions_s3_does_not_implement_are_501(s3: Any, conditions: dict[str, str], header: str) -> None:
    s3.put_object(Bucket=BUCKET, Key="k", Body=b"old")
    with pytest.raises(ClientError) as excinfo:
        s3.put_object(Bucket=BUCKET, Key="k", Body=b"new", **conditions)
    expected = (501, "NotImplemented", "A header you provided implies functionality that is not implemented")
    assert _error(excinfo) == expected
    assert excinfo.value.response["Error"]["Header"] == header
    assert s3.get_object(Bucket=BUCKET, Key="k")["Body"].read() == b"old"


# ---------------------------------------------------------------- conditional Complete


def _complete(s3: Any, key: str, upload: str, parts: list[dict[str, Any]], **conditions: str) -> Any:
    return s3.complete_multipart_upload(
        Bucket=BUCKET, Key=key, UploadId=upload, MultipartUpload={"Parts": parts}, **conditions
    )


def test_complete_if_none_match_after_the_key_was_deleted_is_a_conflict(s3: Any) -> None:
    s3.put_object(Bucket=BUCKET, Key="k", Body=b"first")
    upload, parts = _one_part_upload(s3, "k")
    with pytest.raises(ClientError) as present:
        _complete(s3, "k", upload, parts, IfNoneMatch="*")
    assert _error(present)[:2] == (412, "PreconditionFailed")
    s3.delete_object(Bucket=BUCKET, Key="k")
    with pytest.raises(ClientError) as conflict:
        _complete(s3, "k", upload, parts, IfNoneMatch="*")
    message = "The conditional request cannot succeed due to a conflicting operation against this resource."
    assert _error(conflict) == (409, "ConditionalRequestConflict", message)
    assert (conflict.value.response["Error"]["Condition"], conflict.value.response["Error"]["Key"]) == (
        "If-None-Match",
        "k",
    )
    fresh, fresh_parts = _one_part_upload(s3, "k")  # a new upload succeeds
    assert _complete(s3, "k", fresh, fresh_parts, IfNoneMatch="*")["ETag"].endswith('-1"')


def test_complete_if_none_match_after_a_put_during_the_upload_is_412(s3: Any) -> None:
    upload, parts = _one_part_upload(s3, "k")
    s3.put_object(Bucket=BUCKET, Key="k", Body=b"during")
    with pytest.raises(ClientError) as excinfo:
        _complete(s3, "k", upload, parts, IfNoneMatch="*")
    assert _error(excinfo)[:2] == (412, "PreconditionFailed")


def test_complete_if_match_on_a_write_made_during_the_upload_is_a_conflict(s3: Any) -> None:
    before = s3.put_object(Bucket=BUCKET, Key="k", Body=b"before")["ETag"]
    upload, parts = _one_part_upload(s3, "k")
    during = s3.put_object(Bucket=BUCKET, Key="k", Body=b"during")["ETag"]
    with pytest.raises(ClientError) as stale:
        _complete(s3, "k", upload, parts, IfMatch=before)
    assert _error(stale)[:2] == (412, "PreconditionFailed")
    with pytest.raises(ClientError) as conflict:
        _complete(s3, "k", upload, parts, IfMatch=during)
    assert _error(conflict)[:2] == (409, "ConditionalRequestConflict")
    assert conflict.value.response["Error"]["Condition"] == "If-Match"
    fresh, fresh_parts = _one_part_upload(s3, "k")
    assert _complete(s3, "k", fresh, fresh_parts, IfMatch=during)["ETag"].endswith('-1"')


# ---------------------------------------------------------------- listings with EncodingType=url


def test_url_encoded_listings_leave_slash_as_is(fake_s3: Any, s3: Any) -> None:
    for key in ("dir a/x+y.txt", "dir a/sub/z", "top"):
        s3.put_object(Bucket=BUCKET, Key=key, Body=b"x")
    http = urllib3.PoolManager()
    url = s3.generate_presigned_url(
        "list_objects_v2",
        Params={"Bucket": BUCKET, "Prefix": "dir a/", "Delimiter": "/", "StartAfter": "dir a/", "EncodingType": "url"},
    )
    body = http.request("GET", url).data.decode()
    assert "<Prefix>dir+a/</Prefix>" in body
    assert "<Delimiter>/</Delimiter>" in body
    assert "<StartAfter>dir+a/</StartAfter>" in body
    assert "<Key>dir+a/x%2By.txt</Key>" in body
    assert "<CommonPrefixes><Prefix>dir+a/sub/</Prefix></CommonPrefixes>" in body
    listed = s3.list_objects_v2(Bucket=BUCKET, Prefix="dir a/", Delimiter="/")  # boto3 decodes it back
    assert [o["Key"] for o in listed["Contents"]] == ["dir a/x+y.txt"]
    assert listed["Delimiter"] == "/"


# ---------------------------------------------------------------- Content-Encoding kept as sent


@pytest.mark.parametrize("calculation", ["when_supported", "when_required"])  # with and without aws-chunked
def test_content_encoding_is_kept_as_sent_but_aws_chunked(fake_s3: Any, calculation: str) -> None:
    s3 = make_client(fake_s3, request_checksum_calculation=calculation)
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="k", Body=b"x", ContentEncoding="deflate, gzip")
    assert s3.head_object(Bucket=BUCKET, Key="k")["ContentEncoding"] == "deflate, gzip"


# ---------------------------------------------------------------- If-Modified-Since in the future


def test_if_modified_since_in_the_future_is_ignored(s3: Any) -> None:
    s3.put_object(Bucket=BUCKET, Key="k", Body=b"x")
    future = datetime.now(UTC) + timedelta(days=1)
    got = s3.get_object(Bucket=BUCKET, Key="k", IfModifiedSince=future)
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert s3.head_object(Bucket=BUCKET, Key="k", IfModifiedSince=future)["ResponseMetadata"]["HTTPStatusCode"] == 200
    copied = s3.copy_object(
        Bucket=BUCKET, Key="copy", CopySource={"Bucket": BUCKET, "Key": "k"}, CopySourceIfModifiedSince=future
    )
    assert copied["ResponseMetadata"]["HTTPStatusCode"] == 200
    with pytest.raises(ClientError) as excinfo:  # a date not in the future still decides
        s3.head_object(Bucket=BUCKET, Key="k", IfModifiedSince=s3.head_object(Bucket=BUCKET, Key="k")["LastModified"])
    assert excinfo.value.response["Error"]["Code"] == "304"


# ---------------------------------------------------------------- malformed checksum values


@pytest.mark.parametrize(
    ("algorithm", "value"),
    [("CRC32", "not base64!"), ("CRC32", "AAAAAAAA"), ("SHA256", "DUoRhQ=="), ("CRC64NVME", "DUoRhQ==")],
)
def test_a_checksum_value_of_the_wrong_form_is_invalid_request(s3: Any, algorithm: str, value: str) -> None:
    with pytest.raises(ClientError) as excinfo:
        s3.put_object(Bucket=BUCKET, Key="k", Body=b"x", **{f"Checksum{algorithm}": value})
    message = f"Value for x-amz-checksum-{algorithm.lower()} header is invalid."
    assert _error(excinfo) == (400, "InvalidRequest", message)


def test_a_well_formed_checksum_that_does_not_match_is_bad_digest(s3: Any) -> None:
    with pytest.raises(ClientError) as excinfo:
        s3.put_object(Bucket=BUCKET, Key="k", Body=b"x", ChecksumCRC32="AAAAAA==")
    assert _error(excinfo)[:2] == (400, "BadDigest")


# ---------------------------------------------------------------- version ids

_S3_LIKE_ID = "HPniJFCxqTsMuIH9KX8K8wEjNUgmABCD"  # the form real S3 issues; never issued here


@pytest.mark.parametrize("call", ["get_object", "head_object", "delete_object"])
def test_a_version_id_on_a_never_versioned_bucket_is_invalid(s3: Any, call: str) -> None:
    s3.put_object(Bucket=BUCKET, Key="k", Body=b"x")
    with pytest.raises(ClientError) as excinfo:
        getattr(s3, call)(Bucket=BUCKET, Key="k", VersionId=_S3_LIKE_ID)
    assert excinfo.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    if call != "head_object":  # HEAD answers without a body
        assert _error(excinfo) == (400, "InvalidArgument", "Invalid version id specified")
        assert excinfo.value.response["Error"]["ArgumentValue"] == _S3_LIKE_ID
    assert getattr(s3, call)(Bucket=BUCKET, Key="k", VersionId="null")["ResponseMetadata"]["HTTPStatusCode"] in (
        200,
        204,
    )


def test_a_malformed_version_id_on_a_versioned_bucket_is_invalid(s3: Any) -> None:
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    version = s3.put_object(Bucket=BUCKET, Key="k", Body=b"x")["VersionId"]
    with pytest.raises(ClientError) as malformed:
        s3.delete_object(Bucket=BUCKET, Key="k", VersionId=version[:-4] + "ABCD")
    assert _error(malformed) == (400, "InvalidArgument", "Invalid version id specified")
    s3.delete_object(Bucket=BUCKET, Key="k", VersionId=version)
    with pytest.raises(ClientError) as gone:  # well formed, no longer there
        s3.get_object(Bucket=BUCKET, Key="k", VersionId=version)
    assert _error(gone)[:2] == (404, "NoSuchVersion")


def test_delete_objects_lists_an_unknown_version_as_no_such_version(s3: Any) -> None:
    s3.put_object(Bucket=BUCKET, Key="k", Body=b"x")
    answer = s3.delete_objects(Bucket=BUCKET, Delete={"Objects": [{"Key": "k", "VersionId": _S3_LIKE_ID}]})
    assert answer["Errors"] == [
        {
            "Key": "k",
            "VersionId": _S3_LIKE_ID,
            "Code": "NoSuchVersion",
            "Message": "The specified version does not exist.",
        }
    ]
    assert "Deleted" not in answer
    assert s3.get_object(Bucket=BUCKET, Key="k")["Body"].read() == b"x"


def test_a_put_into_a_suspended_bucket_names_no_version(s3: Any) -> None:
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    assert "VersionId" in s3.put_object(Bucket=BUCKET, Key="k", Body=b"1")
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Suspended"})
    assert "VersionId" not in s3.put_object(Bucket=BUCKET, Key="k", Body=b"2")
    assert s3.head_object(Bucket=BUCKET, Key="k")["VersionId"] == "null"


# ---------------------------------------------------------------- storage classes


@pytest.mark.parametrize("storage_class", ["GLACIER", "DEEP_ARCHIVE"])
def test_an_archived_object_is_not_readable_but_answers_head(s3: Any, storage_class: str) -> None:
    s3.put_object(Bucket=BUCKET, Key="cold", Body=b"x", StorageClass=storage_class)
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=BUCKET, Key="cold")
    message = "The operation is not valid for the object's storage class"
    assert _error(excinfo) == (403, "InvalidObjectState", message)
    assert excinfo.value.response["Error"]["StorageClass"] == storage_class
    head = s3.head_object(Bucket=BUCKET, Key="cold")
    assert head["StorageClass"] == storage_class


def test_a_storage_class_a_regional_bucket_refuses(s3: Any) -> None:
    with pytest.raises(ClientError) as put:
        s3.put_object(Bucket=BUCKET, Key="k", Body=b"x", StorageClass="OUTPOSTS")
    assert _error(put) == (400, "InvalidStorageClass", "The storage class you specified is not valid")
    assert put.value.response["Error"]["StorageClassRequested"] == "OUTPOSTS"
    with pytest.raises(ClientError) as create:
        s3.create_multipart_upload(Bucket=BUCKET, Key="k", StorageClass="OUTPOSTS")
    assert _error(create)[:2] == (400, "InvalidStorageClass")


# ---------------------------------------------------------------- request framing

_OPEN = "open-answers"


@pytest.fixture
def open_fake() -> Any:
    with FakeS3(buckets=[BucketSpec(_OPEN, acl="public-read-write")], isolate_environment=False) as fake:
        yield fake


@pytest.mark.parametrize(
    ("method", "path", "length"),
    [
        ("PUT", "/new-bucket-x", "-1"),
        ("PUT", f"/{_OPEN}/k", "-5"),
        ("GET", f"/{_OPEN}/k", "abc"),
        ("DELETE", f"/{_OPEN}/k", "x"),
    ],
    ids=["create-bucket", "put-object", "get-object", "delete-object"],
)
def test_a_negative_or_non_numeric_content_length_is_400(open_fake: Any, method: str, path: str, length: str) -> None:
    response = urllib3.PoolManager().request(
        method, f"https://s3.amazonaws.com{path}", headers={"Content-Length": length}, body=b""
    )
    assert response.status == 400
    assert xml_code(response) == "InvalidArgument"
    assert "new-bucket-x" not in open_fake.buckets


def test_options_without_origin_asks_for_one(open_fake: Any) -> None:
    http = urllib3.PoolManager()
    bare = http.request("OPTIONS", f"https://{_OPEN}.s3.amazonaws.com/k")
    assert bare.status == 400
    assert xml_code(bare) == "BadRequest"
    assert "<Message>Insufficient information. Origin request header needed.</Message>" in bare.data.decode()
    preflight = http.request(
        "OPTIONS",
        f"https://{_OPEN}.s3.amazonaws.com/k",
        headers={"Origin": "https://app.example", "Access-Control-Request-Method": "PUT"},
    )
    assert preflight.status == 403  # no CORS configuration: S3 refuses every preflight
    assert xml_code(preflight) == "AccessForbidden"
    assert "<Method>PUT</Method>" in preflight.data.decode()


# ---------------------------------------------------------------- field-level details


def test_bad_digest_reports_digests_in_s3s_forms(s3: Any) -> None:
    sent = base64.b64encode(hashlib.md5(b"other").digest()).decode()
    calculated = base64.b64encode(hashlib.md5(b"body").digest()).decode()
    with pytest.raises(ClientError) as put:
        s3.put_object(Bucket=BUCKET, Key="k", Body=b"body", ContentMD5=sent)
    assert _error(put) == (400, "BadDigest", "The Content-MD5 you specified did not match what we received.")
    assert put.value.response["Error"]["ExpectedDigest"] == hashlib.md5(b"other").hexdigest()
    assert put.value.response["Error"]["CalculatedDigest"] == calculated
    upload = s3.create_multipart_upload(Bucket=BUCKET, Key="k")["UploadId"]
    with pytest.raises(ClientError) as part:
        s3.upload_part(Bucket=BUCKET, Key="k", UploadId=upload, PartNumber=1, Body=b"body", ContentMD5=sent)
    assert part.value.response["Error"]["ExpectedDigest"] == sent
    assert part.value.response["Error"]["CalculatedDigest"] == calculated


def test_complete_errors_carry_s3s_fields(s3: Any) -> None:
    upload, parts = _one_part_upload(s3, "mp")
    wrong = [{"PartNumber": 1, "ETag": '"00000000000000000000000000000000"'}]
    with pytest.raises(ClientError) as invalid:
        _complete(s3, "mp", upload, wrong)
    message = (
        "One or more of the specified parts could not be found.  The part may not have been uploaded, "
        "or the specified entity tag may not match the part's entity tag."
    )
    assert _error(invalid) == (400, "InvalidPart", message)
    assert invalid.value.response["Error"]["ETag"] == "00000000000000000000000000000000"
    assert invalid.value.response["Error"]["UploadId"] == upload
    with pytest.raises(ClientError) as order:
        _complete(s3, "mp", upload, [parts[0], parts[0]])
    assert _error(order)[:2] == (400, "InvalidPartOrder")
    assert order.value.response["Error"]["UploadId"] == upload


def test_list_objects_v2_with_a_token_does_not_echo_start_after(s3: Any) -> None:
    for n in range(4):
        s3.put_object(Bucket=BUCKET, Key=f"k{n}", Body=b"x")
    first = s3.list_objects_v2(Bucket=BUCKET, MaxKeys=2, StartAfter="a")
    assert first["StartAfter"] == "a"
    rest = s3.list_objects_v2(Bucket=BUCKET, StartAfter="a", ContinuationToken=first["NextContinuationToken"])
    assert "StartAfter" not in rest
    assert [o["Key"] for o in rest["Contents"]] == ["k2", "k3"]
    with pytest.raises(ClientError) as empty:
        s3.list_objects_v2(Bucket=BUCKET, ContinuationToken="")
    assert _error(empty) == (400, "InvalidArgument", "The continuation token provided is incorrect")
    assert empty.value.response["Error"]["ArgumentName"] == "continuation-token"


def test_create_and_head_bucket_carry_s3s_headers(fake_s3: Any) -> None:
    s3 = make_client(fake_s3)
    plain = s3.create_bucket(Bucket="plain-bucket")
    assert (plain["Location"], plain["BucketArn"]) == ("/plain-bucket", "arn:aws:s3:::plain-bucket")
    eu = make_client(fake_s3, region="eu-west-1")
    placed = eu.create_bucket(Bucket="placed-bucket", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert placed["Location"] == "http://placed-bucket.s3.amazonaws.com/"
    head = eu.head_bucket(Bucket="placed-bucket")
    assert (head["BucketArn"], head["BucketRegion"], head["AccessPointAlias"]) == (
        "arn:aws:s3:::placed-bucket",
        "eu-west-1",
        False,
    )
    assert head["ResponseMetadata"]["HTTPHeaders"]["content-type"] == "application/xml"


# ---------------------------------------------------------------- checksums on partial reads


def test_reads_of_every_byte_return_the_objects_checksum(s3: Any) -> None:
    crc = s3.put_object(Bucket=BUCKET, Key="k", Body=b"test-123", ChecksumAlgorithm="CRC32")["ChecksumCRC32"]
    part = s3.get_object(Bucket=BUCKET, Key="k", PartNumber=1, ChecksumMode="ENABLED")
    assert (part["ContentRange"], part["ChecksumCRC32"], part["ChecksumType"]) == ("bytes 0-7/8", crc, "FULL_OBJECT")
    whole = s3.get_object(Bucket=BUCKET, Key="k", Range="bytes=0-7", ChecksumMode="ENABLED")
    assert whole["ChecksumCRC32"] == crc
    some = s3.get_object(Bucket=BUCKET, Key="k", Range="bytes=0-3", ChecksumMode="ENABLED")
    assert "ChecksumCRC32" not in some  # it would not verify the partial body


# ---------------------------------------------------------------- presigned requests with unsigned headers


@pytest.mark.parametrize(
    ("extra", "not_signed"),
    [
        ({"X-Amz-Decoded-Content-Length": "test"}, "x-amz-date, x-amz-decoded-content-length"),
        ({}, "x-amz-date"),
    ],
)
def test_presigned_put_with_unsigned_headers_is_refused_before_framing(
    fake_s3: Any, s3: Any, extra: dict[str, str], not_signed: str
) -> None:
    presigner = make_client(fake_s3, signature_version="s3v4")
    url = presigner.generate_presigned_url("put_object", Params={"Bucket": BUCKET, "Key": "k"})
    headers = {
        "X-Amz-Content-Sha256": "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
        "X-Amz-Date": "20211122T191045Z",
        "Content-Length": "4",
        **extra,
    }
    response = urllib3.PoolManager().request("PUT", url, body=b"test", headers=headers)
    assert response.status == 403
    assert xml_code(response) == "AccessDenied"
    text = response.data.decode()
    assert "<Message>There were headers present in the request which were not signed</Message>" in text
    assert f"<HeadersNotSigned>{not_signed}</HeadersNotSigned>" in text


def test_upload_listings_carry_s3s_fields(s3: Any) -> None:
    upload = s3.create_multipart_upload(Bucket=BUCKET, Key="mp")["UploadId"]
    s3.upload_part(Bucket=BUCKET, Key="mp", UploadId=upload, PartNumber=1, Body=b"x", ChecksumAlgorithm="CRC32")
    parts = s3.list_parts(Bucket=BUCKET, Key="mp", UploadId=upload)["Parts"]
    assert "ChecksumCRC32" not in parts[0]  # the upload has no algorithm: S3 lists none
    uploads = s3.list_multipart_uploads(Bucket=BUCKET)
    assert (uploads["NextKeyMarker"], uploads["NextUploadIdMarker"]) == ("mp", upload)
    assert uploads["IsTruncated"] is False
    assert "Prefix" not in uploads
    with_algorithm = s3.create_multipart_upload(Bucket=BUCKET, Key="crc", ChecksumAlgorithm="CRC32")["UploadId"]
    s3.upload_part(
        Bucket=BUCKET, Key="crc", UploadId=with_algorithm, PartNumber=1, Body=b"x", ChecksumAlgorithm="CRC32"
    )
    assert "ChecksumCRC32" in s3.list_parts(Bucket=BUCKET, Key="crc", UploadId=with_algorithm)["Parts"][0]


def test_a_part_read_of_a_composite_upload_returns_that_parts_checksum(s3: Any) -> None:
    upload = s3.create_multipart_upload(Bucket=BUCKET, Key="mp", ChecksumAlgorithm="CRC32")["UploadId"]
    bodies = {1: b"a" * (5 * 1024 * 1024), 2: b"tail"}
    sent = {
        n: s3.upload_part(Bucket=BUCKET, Key="mp", UploadId=upload, PartNumber=n, Body=b, ChecksumAlgorithm="CRC32")
        for n, b in bodies.items()
    }
    parts = [{"PartNumber": n, "ETag": r["ETag"], "ChecksumCRC32": r["ChecksumCRC32"]} for n, r in sent.items()]
    done = _complete(s3, "mp", upload, parts)
    assert done["ChecksumCRC32"].endswith("-2")
    for number in (1, 2):
        got = s3.get_object(Bucket=BUCKET, Key="mp", PartNumber=number, ChecksumMode="ENABLED")
        assert (got["ChecksumCRC32"], got["ChecksumType"]) == (sent[number]["ChecksumCRC32"], "COMPOSITE")
        assert got["Body"].read() == bodies[number]
    whole = s3.get_object(Bucket=BUCKET, Key="mp", ChecksumMode="ENABLED")
    assert whole["ChecksumCRC32"] == done["ChecksumCRC32"]
