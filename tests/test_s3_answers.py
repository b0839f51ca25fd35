"""Answers that follow Amazon S3 where other implementations differ; evidence per test.

"snapshot" means LocalStack's AWS-recorded snapshots (tests/aws/services/s3/*.snapshot.json),
which hold the responses real S3 gave.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from .helpers import make_client

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
