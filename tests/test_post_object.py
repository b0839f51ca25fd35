"""POST Object (browser-form uploads): boto3's generate_presigned_post sent with requests, and
hand-built forms for each refusal; answers as S3 gives them."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import zlib
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit
from xml.etree import ElementTree

import boto3
import pytest
import requests

from fakes3put import FakeS3

from .helpers import make_client

BUCKET = "post-bucket"
URL = f"https://{BUCKET}.s3.amazonaws.com/"


@pytest.fixture
def s3(fake_s3):
    client = make_client(fake_s3, signature_version="s3v4")
    client.create_bucket(Bucket=BUCKET)
    return client


def send(post: dict[str, Any], body: bytes = b"hello", *, filename: str = "a.txt", **extra: str) -> requests.Response:
    return requests.post(
        post["url"], data={**post["fields"], **extra}, files={"file": (filename, body, "text/plain")}, timeout=10
    )


def error_of(response: requests.Response) -> dict[str, str]:
    root = ElementTree.fromstring(response.content)
    return {child.tag: child.text or "" for child in root}


def signed_form(
    fake: FakeS3, conditions: list[Any], fields: dict[str, str], *, expires_in: int = 600
) -> dict[str, Any]:
    """A SigV4 form built by hand from AWS's recipe (policy -> base64 -> HMAC-SHA256 under the day's key)."""
    now = datetime.now(UTC)
    date = now.strftime("%Y%m%d")
    credential = f"{fake.access_key}/{date}/us-east-1/s3/aws4_request"
    amz = {"x-amz-algorithm": "AWS4-HMAC-SHA256", "x-amz-credential": credential, "x-amz-date": date + "T000000Z"}
    document = {
        "expiration": (now + timedelta(seconds=expires_in)).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "conditions": [{"bucket": BUCKET}, *conditions, *({k: v} for k, v in amz.items())],
    }
    policy = base64.b64encode(json.dumps(document).encode()).decode()
    key = f"AWS4{fake.secret_key}".encode()
    for part in (date, "us-east-1", "s3", "aws4_request"):
        key = hmac.digest(key, part.encode(), "sha256")
    signature = hmac.digest(key, policy.encode(), "sha256").hex()
    return {"url": URL, "fields": {**fields, **amz, "policy": policy, "x-amz-signature": signature}}


# ------------------------------------------------------------------ boto3's forms


def test_sigv4_form_from_boto3(s3, fake_s3):
    post = s3.generate_presigned_post(BUCKET, "docs/${filename}")
    assert post["fields"]["x-amz-algorithm"] == "AWS4-HMAC-SHA256"
    response = send(post, b"form body", filename="C:\\Users\\me\\report.txt")
    assert response.status_code == 204  # S3's default success_action_status
    assert response.headers["ETag"] == f'"{hashlib.md5(b"form body").hexdigest()}"'
    assert response.headers["Location"] == f"{URL}docs/report.txt"
    assert s3.get_object(Bucket=BUCKET, Key="docs/report.txt")["Body"].read() == b"form body"
    write = fake_s3.writes[-1]
    assert (write.operation, write.key, write.principal, write.outcome) == (
        "PostObject",
        "docs/report.txt",
        fake_s3.access_key,
        "stored",
    )


def test_sigv2_form_from_boto3(fake_s3, s3):
    legacy = make_client(fake_s3, signature_version="s3")
    post = legacy.generate_presigned_post(BUCKET, "v2-key")
    assert set(post["fields"]) == {"key", "AWSAccessKeyId", "policy", "signature"}
    assert send(post, b"v2 body").status_code == 204
    assert s3.get_object(Bucket=BUCKET, Key="v2-key")["Body"].read() == b"v2 body"


def test_binary_file_survives_the_form(s3):
    body = bytes(range(256)) * 64 + b"\r\n--boundary-lookalike\r\n\r"
    post = s3.generate_presigned_post(BUCKET, "bin")
    assert send(post, body).status_code == 204
    assert s3.get_object(Bucket=BUCKET, Key="bin")["Body"].read() == body


def test_success_action_status_201_answers_a_post_response(s3):
    post = s3.generate_presigned_post(
        BUCKET, "k201", Fields={"success_action_status": "201"}, Conditions=[{"success_action_status": "201"}]
    )
    response = send(post)
    assert response.status_code == 201
    answer = error_of(response)
    assert answer == {
        "Location": f"{URL}k201",
        "Bucket": BUCKET,
        "Key": "k201",
        "ETag": f'"{hashlib.md5(b"hello").hexdigest()}"',
    }


@pytest.mark.parametrize(("asked", "status"), [("200", 200), ("204", 204), ("299", 204)])
def test_success_action_status_200_and_204(s3, asked, status):
    post = s3.generate_presigned_post(
        BUCKET, "k", Fields={"success_action_status": asked}, Conditions=[{"success_action_status": asked}]
    )
    response = send(post)
    assert (response.status_code, response.content) == (status, b"")


def test_success_action_redirect(s3):
    target = "https://app.example.com/done?from=form"
    post = s3.generate_presigned_post(
        BUCKET, "r k", Fields={"success_action_redirect": target}, Conditions=[{"success_action_redirect": target}]
    )
    response = (
        send(post, allow_redirects=False)
        if False
        else requests.post(
            post["url"], data=post["fields"], files={"file": ("a", b"hello")}, allow_redirects=False, timeout=10
        )
    )
    assert response.status_code == 303
    location = urlsplit(response.headers["Location"])
    assert (location.scheme, location.netloc, location.path) == ("https", "app.example.com", "/done")
    assert parse_qs(location.query) == {
        "from": ["form"],
        "bucket": [BUCKET],
        "key": ["r k"],
        "etag": [f'"{hashlib.md5(b"hello").hexdigest()}"'],
    }


def test_metadata_content_type_and_checksum_fields(s3):
    crc = base64.b64encode(zlib.crc32(b"hello").to_bytes(4, "big")).decode()
    fields = {"Content-Type": "text/markdown", "x-amz-meta-owner": "ann", "x-amz-checksum-crc32": crc}
    post = s3.generate_presigned_post(BUCKET, "meta", Fields=fields, Conditions=[{k: v} for k, v in fields.items()])
    response = send(post)
    assert response.status_code == 204
    assert response.headers["x-amz-checksum-crc32"] == crc
    head = s3.head_object(Bucket=BUCKET, Key="meta", ChecksumMode="ENABLED")
    assert (head["ContentType"], head["Metadata"], head["ChecksumCRC32"]) == ("text/markdown", {"owner": "ann"}, crc)


def test_wrong_checksum_field_is_bad_digest(fake_s3, s3):
    form = signed_form(fake_s3, [["starts-with", "$key", ""], ["starts-with", "$x-amz-checksum-crc32", ""]], {})
    response = send(form, b"hello", **{"key": "k", "x-amz-checksum-crc32": "AAAAAA=="})
    assert (response.status_code, error_of(response)["Code"]) == (400, "BadDigest")
    assert "k" not in fake_s3.buckets[BUCKET]


def test_versioned_bucket_answers_the_version(s3):
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    response = send(s3.generate_presigned_post(BUCKET, "v"))
    version = response.headers["x-amz-version-id"]
    assert s3.head_object(Bucket=BUCKET, Key="v")["VersionId"] == version


# ------------------------------------------------------------------ refusals


def test_expired_policy(fake_s3):
    make_client(fake_s3).create_bucket(Bucket=BUCKET)
    form = signed_form(fake_s3, [["starts-with", "$key", ""]], {"key": "k"}, expires_in=-60)
    response = send(form)
    assert response.status_code == 403
    assert (error_of(response)["Code"], error_of(response)["Message"]) == (
        "AccessDenied",
        "Invalid according to Policy: Policy expired.",
    )


@pytest.mark.parametrize(
    ("condition", "fields"),
    [
        (["eq", "$key", "expected"], {"key": "other"}),
        ({"key": "expected"}, {"key": "other"}),
        (["starts-with", "$key", "uploads/"], {"key": "elsewhere/k"}),
    ],
)
def test_condition_violated(fake_s3, condition, fields):
    make_client(fake_s3).create_bucket(Bucket=BUCKET)
    response = send(signed_form(fake_s3, [condition], fields))
    assert response.status_code == 403
    error = error_of(response)
    assert error["Code"] == "AccessDenied"
    assert error["Message"] == f"Invalid according to Policy: Policy Condition failed: {json.dumps(condition)}"
    assert "other" not in fake_s3.buckets[BUCKET]


def test_bucket_condition_names_the_bucket_posted_to(fake_s3, s3):
    s3.create_bucket(Bucket="another-bucket")
    form = signed_form(fake_s3, [["starts-with", "$key", ""]], {"key": "k"})  # signed for BUCKET
    response = requests.post(
        "https://another-bucket.s3.amazonaws.com/", data=form["fields"], files={"file": ("a", b"x")}, timeout=10
    )
    assert (response.status_code, error_of(response)["Code"]) == (403, "AccessDenied")
    assert "Policy Condition failed" in error_of(response)["Message"]


def test_bad_signature(fake_s3, s3):
    form = signed_form(fake_s3, [["starts-with", "$key", ""]], {"key": "k"})
    form["fields"]["x-amz-signature"] = "0" * 64
    response = send(form)
    assert (response.status_code, error_of(response)["Code"]) == (403, "SignatureDoesNotMatch")
    assert error_of(response)["StringToSign"] == form["fields"]["policy"]


def test_tampered_policy_fails_the_signature(s3):
    post = s3.generate_presigned_post(BUCKET, "k")
    document = json.loads(base64.b64decode(post["fields"]["policy"]))
    document["conditions"].append(["content-length-range", 0, 10**9])
    post["fields"]["policy"] = base64.b64encode(json.dumps(document).encode()).decode()
    assert error_of(send(post))["Code"] == "SignatureDoesNotMatch"


def test_file_too_large_for_content_length_range(fake_s3, s3):
    form = signed_form(fake_s3, [["starts-with", "$key", ""], ["content-length-range", 1, 4]], {"key": "k"})
    response = send(form, b"12345")
    assert response.status_code == 400
    error = error_of(response)
    assert (error["Code"], error["ProposedSize"], error["MaxSizeAllowed"]) == ("EntityTooLarge", "5", "4")
    small = send(
        signed_form(fake_s3, [["starts-with", "$key", ""], ["content-length-range", 2, 4]], {"key": "k"}), b"1"
    )
    assert error_of(small)["Code"] == "EntityTooSmall"
    assert send(form, b"1234").status_code == 204


@pytest.mark.parametrize("missing", ["x-amz-signature", "x-amz-credential", "x-amz-date", "x-amz-algorithm"])
def test_missing_signature_field(fake_s3, s3, missing):
    form = signed_form(fake_s3, [["starts-with", "$key", ""]], {"key": "k"})
    del form["fields"][missing]
    response = send(form)
    name = "-".join(word.capitalize() for word in missing.split("-"))
    assert response.status_code == 400
    error = error_of(response)
    assert (error["Code"], error["ArgumentName"]) == ("InvalidArgument", name)
    assert error["Message"] == (
        f"Bucket POST must contain a field named '{name}'.  If it is specified, please check the order of the fields."
    )


def test_missing_sigv2_signature(fake_s3, s3):
    post = make_client(fake_s3, signature_version="s3").generate_presigned_post(BUCKET, "k")
    del post["fields"]["signature"]
    error = error_of(send(post))
    assert (error["Code"], error["ArgumentName"]) == ("InvalidArgument", "Signature")


def test_policy_without_signature_is_denied(fake_s3, s3):
    post = s3.generate_presigned_post(BUCKET, "k")
    fields = {"key": "k", "policy": post["fields"]["policy"]}
    response = send({"url": URL, "fields": fields})
    assert (response.status_code, error_of(response)["Code"]) == (403, "AccessDenied")


def test_field_no_condition_names(fake_s3, s3):
    form = signed_form(fake_s3, [["starts-with", "$key", ""]], {"key": "k", "x-amz-meta-note": "hi"})
    error = error_of(send(form))
    assert (error["Code"], error["Message"]) == (
        "AccessDenied",
        "Invalid according to Policy: Extra input fields: x-amz-meta-note",
    )
    assert send(form, b"hello", **{"x-ignore-tracking": "1"}).status_code == 403  # still the meta field
    del form["fields"]["x-amz-meta-note"]
    assert send(form, b"hello", **{"x-ignore-tracking": "1"}).status_code == 204


def test_missing_key_and_file(s3):
    post = s3.generate_presigned_post(BUCKET, "k")
    no_key = dict(post["fields"])
    del no_key["key"]
    error = error_of(send({"url": URL, "fields": no_key}))
    assert (error["Code"], error["ArgumentName"]) == ("InvalidArgument", "key")
    no_file = requests.post(URL, files={name: (None, value) for name, value in post["fields"].items()}, timeout=10)
    assert (no_file.status_code, error_of(no_file)["Code"]) == (400, "IncorrectNumberOfFilesInPostRequest")


def test_not_a_form(s3):
    response = requests.post(
        URL, data=b"key=k", headers={"Content-Type": "application/x-www-form-urlencoded"}, timeout=10
    )
    assert (response.status_code, error_of(response)["Code"]) == (400, "RequestIsNotMultiPartContent")


def test_fields_after_the_file_are_not_read(s3):
    post = s3.generate_presigned_post(BUCKET, "k")
    fields = dict(post["fields"])
    signature = fields.pop("x-amz-signature")
    files = [
        *((name, (None, value)) for name, value in fields.items()),
        ("file", ("a", b"x")),
        ("x-amz-signature", (None, signature)),
    ]
    error = error_of(requests.post(URL, files=files, timeout=10))
    assert (error["Code"], error["ArgumentName"]) == ("InvalidArgument", "X-Amz-Signature")


# ------------------------------------------------------------------ permission and writes


def test_signer_without_write_permission():
    credentials = {"OWNERKEY00000000001": "owner-secret", "OTHERKEY00000000002": "other-secret"}
    with FakeS3(credentials=credentials) as fake:
        make_client(fake).create_bucket(Bucket=BUCKET)
        other = boto3.client(
            "s3",
            region_name="us-east-1",
            aws_access_key_id="OTHERKEY00000000002",
            aws_secret_access_key="other-secret",
        )
        response = send(other.generate_presigned_post(BUCKET, "k"))
        assert (response.status_code, error_of(response)["Code"]) == (403, "AccessDenied")
        assert fake.writes[-1].outcome == "rejected"
        assert "k" not in fake.buckets[BUCKET]


def test_anonymous_form_needs_a_public_bucket(fake_s3, s3):
    form = {"url": URL, "fields": {"key": "anon"}}
    assert error_of(send(form))["Code"] == "AccessDenied"
    s3.put_bucket_acl(Bucket=BUCKET, ACL="public-read-write")
    assert send(form).status_code == 204
    stored = fake_s3.buckets[BUCKET]["anon"]
    assert (stored.body, stored.owner) == (b"hello", None)  # the anonymous uploader owns it, as in S3


def test_missing_bucket(s3):
    post = s3.generate_presigned_post("absent-bucket", "k")
    response = send(post)
    assert (response.status_code, error_of(response)["Code"]) == (404, "NoSuchBucket")


def test_form_uploads_take_part_in_holds(fake_s3, s3):
    """A form upload is a write through the commit point: a hold gathers it with a PUT and orders them."""
    post = s3.generate_presigned_post(BUCKET, "k")
    with ThreadPoolExecutor(2) as pool, fake_s3.simultaneous(expect=2, order="reverse") as hold:
        form = pool.submit(send, post, b"from the form")
        put = pool.submit(s3.put_object, Bucket=BUCKET, Key="k", Body=b"from put")
    assert form.result().status_code == 204
    put.result()
    assert sorted(w.operation for w in hold.writes) == ["PostObject", "PutObject"]
    first = hold.writes[0]
    assert fake_s3.buckets[BUCKET]["k"].etag == first.etag  # reversed: the first to arrive is received last


def test_lenient_mode_skips_the_signature_but_keeps_the_policy():
    with FakeS3(check_signatures=False) as fake:
        make_client(fake).create_bucket(Bucket=BUCKET)
        form = signed_form(fake, [["starts-with", "$key", "ok/"]], {"key": "ok/k"})
        form["fields"]["x-amz-signature"] = "0" * 64
        assert send(form).status_code == 204
        assert fake.writes[-1].principal == fake.access_key  # the credential names the caller
        form["fields"]["key"] = "elsewhere"
        assert error_of(send(form))["Code"] == "AccessDenied"  # conditions are the form's rules, not its signature


def test_post_to_an_object_is_not_a_form_upload(s3):
    post = s3.generate_presigned_post(BUCKET, "k")
    response = requests.post(URL + "k", data=post["fields"], files={"file": ("a", b"x")}, timeout=10)
    assert (response.status_code, error_of(response)["Code"]) == (405, "MethodNotAllowed")
