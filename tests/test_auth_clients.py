"""Signature checking through real clients: zero false rejects, and S3's rejections where S3 rejects.

Every request goes through the real patched transport. Signatures in this file come from the
clients themselves (boto3, minio, requests-aws4auth, botocore signers) or from a few lines
of hmac written here, never from fakes3put's own signer.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import zlib
from datetime import UTC, datetime, timedelta
from email.utils import formatdate
from typing import Any, NamedTuple
from urllib.parse import parse_qs, quote, urlsplit

import boto3
import pytest
import requests
import time_machine
from botocore.auth import HmacV1Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from botocore.exceptions import ClientError
from freezegun import freeze_time
from minio import Minio
from requests_aws4auth import AWS4Auth

from fakes3put import DEFAULT_ACCESS_KEY, BucketSpec, FakeS3
from fakes3put._auth import streaming

from .helpers import make_client
from .signing import StreamingSigner, chain, derived_key

BUCKET = "auth-bucket"
LOCAL = "http://localhost:9000"
LOCAL_TLS = "https://minio.example.test:9443"
# Keys whose encoding differs between clients: space, '+', '~', non-ASCII, sub-delims.
KEYS = ["plain.txt", "dir/hello world+1~ü.txt", "a!b'c(d)*e$f&g=h;i:j@k,l"]
SEED_KEY = "15B4D3461F177624206A"
SEED_SECRET = "uV3F3YluFJax1cknvbcGwgjvx4QpvB+leU8dUj2o"
SEED_PRINTED_SIGNATURE = "xQE0diMbLRepdf3YB+FIc8F2Cy8="
SEED_DATE = "Thu, 17 Nov 2005 07:48:33 GMT"
SEED_STRING_TO_SIGN = f"PUT\n\ntext/plain\n{SEED_DATE}\nx-amz-meta-family:Anderson\n/quotes/Neo"


def sent_headers(client: Any, operation: str) -> list[dict[str, str]]:
    """Record the headers botocore puts on the wire for ``operation`` (observes, changes nothing)."""
    seen: list[dict[str, str]] = []

    def record(request: AWSRequest, **_: Any) -> None:
        seen.append({k.lower(): v.decode() if isinstance(v, bytes) else v for k, v in request.headers.items()})

    client.meta.events.register(f"before-send.s3.{operation}", record)
    return seen


def failures(fake: FakeS3) -> list[str]:
    return [call.describe() for call in fake.calls if not call.ok]


def sigv2_signature(secret: str, string_to_sign: str) -> str:
    digest = hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def xml_error(response: requests.Response) -> str:
    assert response.headers["Content-Type"] == "application/xml"
    return response.text


# --------------------------------------------------------------------------- boto3


class Shape(NamedTuple):
    config: dict[str, Any]
    endpoint_url: str | None
    payload: str | None  # x-amz-content-sha256 as sent ("sha256": the body's hex digest)
    authorization: str  # how the Authorization header starts
    url: str  # where the PUT went


VIRTUAL = f"https://{BUCKET}.s3.amazonaws.com/"
TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
V4 = "AWS4-HMAC-SHA256 Credential="
BOTO3_SHAPES = {
    "default-https": Shape({}, None, TRAILER, V4, VIRTUAL),
    "http-endpoint": Shape({}, LOCAL, "sha256", V4, f"{LOCAL}/{BUCKET}/"),
    "when-required": Shape({"request_checksum_calculation": "when_required"}, None, "sha256", V4, VIRTUAL),
    "s3v4": Shape({"signature_version": "s3v4"}, None, TRAILER, V4, VIRTUAL),
    "path-style": Shape({"s3": {"addressing_style": "path"}}, None, TRAILER, V4, f"https://s3.amazonaws.com/{BUCKET}/"),
    "sigv2-header": Shape({"signature_version": "s3"}, None, None, f"AWS {DEFAULT_ACCESS_KEY}:", VIRTUAL),
}


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("shape", list(BOTO3_SHAPES))
@pytest.mark.fakes3put(buckets=[BUCKET], endpoints=[LOCAL])
def test_boto3_put_and_get_are_accepted(fake_s3, shape, key):
    expected = BOTO3_SHAPES[shape]
    s3 = make_client(fake_s3, endpoint_url=expected.endpoint_url, **expected.config)
    wire = sent_headers(s3, "PutObject")
    s3.put_object(Bucket=BUCKET, Key=key, Body=b"signed body", ContentType="text/plain", Metadata={"who": shape})
    assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == b"signed body"
    assert failures(fake_s3) == []
    assert fake_s3.buckets[BUCKET][key].metadata == {"who": shape}
    assert {c.principal for c in fake_s3.calls} == {fake_s3.access_key}
    # The request really had the shape this case is named for.
    assert fake_s3.calls[0].url.startswith(expected.url)
    assert wire[0]["authorization"].startswith(expected.authorization)
    payload = hashlib.sha256(b"signed body").hexdigest() if expected.payload == "sha256" else expected.payload
    assert wire[0].get("x-amz-content-sha256") == payload


@pytest.mark.fakes3put(buckets=[BUCKET])
def test_boto3_with_session_token_is_accepted(fake_s3):
    # The fake does not model STS: the token is signed like any x-amz-* header, not looked up.
    s3 = boto3.client(
        "s3",
        region_name="us-east-1",
        aws_access_key_id=fake_s3.access_key,
        aws_secret_access_key=fake_s3.secret_key,
        aws_session_token="FQoGZXIvYXdzE//token+value==",
    )
    s3.put_object(Bucket=BUCKET, Key="k", Body=b"x")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": "k"})
    assert "x-amz-security-token=" in url
    assert requests.get(url, timeout=5).content == b"x"
    assert failures(fake_s3) == []


@pytest.mark.fakes3put(buckets=[BucketSpec("eu-bucket", region="eu-west-1")])
def test_wrong_region_is_refused_then_botocore_redirects(fake_s3):
    # us-east-1 clients: each first attempt is signed for the wrong region (a fresh client for
    # HEAD, whose answer has no body: the region travels in x-amz-bucket-region).
    make_client(fake_s3).put_object(Bucket="eu-bucket", Key="k", Body=b"x")
    make_client(fake_s3).head_bucket(Bucket="eu-bucket")
    refused = [c for c in fake_s3.calls if not c.ok]
    assert [(c.operation, c.error_code) for c in refused] == [
        ("PutObject", "AuthorizationHeaderMalformed"),
        ("HeadBucket", "AuthorizationHeaderMalformed"),
    ]
    assert refused[0].diagnostics == {"Region": "eu-west-1"}
    assert "signed for region 'us-east-1' but the bucket lives in 'eu-west-1'" in (refused[0].hint or "")
    assert [c.url for c in fake_s3.calls if c.ok] == [
        "https://eu-bucket.s3.eu-west-1.amazonaws.com/k",
        "https://eu-bucket.s3.eu-west-1.amazonaws.com/",
    ]
    assert fake_s3.buckets["eu-bucket"]["k"].body == b"x"


@pytest.mark.fakes3put(buckets=[BucketSpec("eu-bucket", region="eu-west-1")])
def test_wrong_region_error_names_the_region_in_xml(fake_s3):
    auth = AWS4Auth(fake_s3.access_key, fake_s3.secret_key, "us-west-2", "s3")
    response = requests.put("https://eu-bucket.s3.amazonaws.com/k", data=b"x", auth=auth, timeout=5)
    assert response.status_code == 400
    assert "<Code>AuthorizationHeaderMalformed</Code>" in xml_error(response)
    assert "<Region>eu-west-1</Region>" in response.text
    assert "the region 'us-west-2' is wrong; expecting 'eu-west-1'" in response.text
    assert response.headers["x-amz-bucket-region"] == "eu-west-1"
    assert "k" not in fake_s3.buckets["eu-bucket"]


# --------------------------------------------------------------------------- presigned URLs


@pytest.mark.fakes3put(buckets=[BUCKET])
def test_default_presigned_put_is_sigv2_and_accepted(fake_s3):
    url = make_client(fake_s3).generate_presigned_url("put_object", Params={"Bucket": BUCKET, "Key": KEYS[1]})
    query = parse_qs(urlsplit(url).query)
    assert set(query) == {"AWSAccessKeyId", "Signature", "Expires"}  # SigV2, as botocore does in us-east-1
    response = requests.put(url, data=b"presigned", timeout=5)
    assert response.status_code == 200, response.text
    assert fake_s3.buckets[BUCKET][KEYS[1]].body == b"presigned"
    assert fake_s3.calls[-1].principal == fake_s3.access_key


@pytest.mark.fakes3put(buckets=[BUCKET])
def test_default_presigned_put_with_content_type(fake_s3):
    params = {"Bucket": BUCKET, "Key": "typed", "ContentType": "text/plain"}
    url = make_client(fake_s3).generate_presigned_url("put_object", Params=params)
    assert "content-type=text%2Fplain" in url
    untyped = requests.put(url, data=b"x", timeout=5)
    assert untyped.status_code == 403
    assert "<Code>SignatureDoesNotMatch</Code>" in xml_error(untyped)
    assert "content-type='text/plain'" in (fake_s3.calls[-1].hint or "")
    assert "typed" not in fake_s3.buckets[BUCKET]
    typed = requests.put(url, data=b"x", headers={"Content-Type": "text/plain"}, timeout=5)
    assert typed.status_code == 200, typed.text
    assert fake_s3.buckets[BUCKET]["typed"].content_type == "text/plain"


@pytest.mark.fakes3put(buckets=[BUCKET], endpoints=[LOCAL])
def test_default_presigned_put_with_custom_endpoint_is_still_sigv2(fake_s3):
    s3 = make_client(fake_s3, endpoint_url=LOCAL)
    url = s3.generate_presigned_url("put_object", Params={"Bucket": BUCKET, "Key": "k"})
    assert url.startswith(f"{LOCAL}/{BUCKET}/k?AWSAccessKeyId=")
    assert requests.put(url, data=b"local", timeout=5).status_code == 200
    assert fake_s3.buckets[BUCKET]["k"].body == b"local"


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.fakes3put(buckets=[BUCKET])
def test_s3v4_presigned_put_and_get_with_requests(fake_s3, key):
    s3 = make_client(fake_s3, signature_version="s3v4")
    put_url = s3.generate_presigned_url("put_object", Params={"Bucket": BUCKET, "Key": key})
    assert "X-Amz-Algorithm=AWS4-HMAC-SHA256" in put_url
    assert requests.put(put_url, data=b"v4 presigned", timeout=5).status_code == 200
    get_url = s3.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": key})
    got = requests.get(get_url, timeout=5)
    assert got.status_code == 200
    assert got.content == b"v4 presigned"
    assert failures(fake_s3) == []


@pytest.mark.fakes3put(buckets=[BUCKET])
def test_s3v4_presigned_put_with_signed_metadata(fake_s3):
    s3 = make_client(fake_s3, signature_version="s3v4")
    params = {"Bucket": BUCKET, "Key": "meta", "Metadata": {"a": "1"}}
    url = s3.generate_presigned_url("put_object", Params=params)
    assert "X-Amz-SignedHeaders=host%3Bx-amz-meta-a" in url
    assert requests.put(url, data=b"x", headers={"x-amz-meta-a": "2"}, timeout=5).status_code == 403
    assert fake_s3.calls[-1].error_code == "SignatureDoesNotMatch"
    assert requests.put(url, data=b"x", headers={"x-amz-meta-a": "1"}, timeout=5).status_code == 200
    assert fake_s3.buckets[BUCKET]["meta"].metadata == {"a": "1"}


@pytest.mark.fakes3put(buckets=[BucketSpec("central-bucket", region="eu-central-1")])
def test_eu_central_1_client_presigns_sigv4(fake_s3):
    s3 = make_client(fake_s3, region="eu-central-1")
    url = s3.generate_presigned_url("put_object", Params={"Bucket": "central-bucket", "Key": "k"})
    credential = parse_qs(urlsplit(url).query)["X-Amz-Credential"][0]
    assert credential.split("/")[2] == "eu-central-1"
    assert requests.put(url, data=b"central", timeout=5).status_code == 200
    s3.put_object(Bucket="central-bucket", Key="direct", Body=b"d")
    assert failures(fake_s3) == []
    assert sorted(fake_s3.buckets["central-bucket"]) == ["direct", "k"]


@pytest.mark.fakes3put(buckets=[BUCKET])
def test_presigned_url_for_the_wrong_region_is_refused(fake_s3):
    s3 = make_client(fake_s3, region="eu-central-1")  # BUCKET lives in us-east-1
    url = s3.generate_presigned_url("put_object", Params={"Bucket": BUCKET, "Key": "k"})
    response = requests.put(url, data=b"x", timeout=5)
    assert response.status_code == 400
    assert "<Code>AuthorizationQueryParametersError</Code>" in xml_error(response)
    assert "<Region>us-east-1</Region>" in response.text
    assert "k" not in fake_s3.buckets[BUCKET]


# --------------------------------------------------------------------------- presigned expiry


def presign(fake: FakeS3, version: str | None, expires: int) -> str:
    s3 = make_client(fake, **({"signature_version": version} if version else {}))
    return s3.generate_presigned_url("put_object", Params={"Bucket": BUCKET, "Key": "late"}, ExpiresIn=expires)


@pytest.mark.parametrize("version", [None, "s3v4"])
@pytest.mark.fakes3put(buckets=[BUCKET])
def test_presigned_url_expires_under_freezegun(fake_s3, version):
    with freeze_time("2025-01-15 12:00:00") as frozen:
        url = presign(fake_s3, version, 60)
        frozen.tick(60)
        assert requests.put(url, data=b"in time", timeout=5).status_code == 200
        frozen.tick(1)
        late = requests.put(url, data=b"too late", timeout=5)
    assert late.status_code == 403
    body = xml_error(late)
    assert "<Code>AccessDenied</Code><Message>Request has expired</Message>" in body
    assert "<Expires>2025-01-15T12:01:00Z</Expires><ServerTime>2025-01-15T12:01:01Z</ServerTime>" in body
    assert fake_s3.buckets[BUCKET]["late"].body == b"in time"


@pytest.mark.parametrize("version", [None, "s3v4"])
@pytest.mark.fakes3put(buckets=[BUCKET])
def test_presigned_url_expires_under_time_machine(fake_s3, version):
    with time_machine.travel(datetime(2025, 1, 15, 12, tzinfo=UTC), tick=False) as traveller:
        url = presign(fake_s3, version, 3600)
        traveller.shift(timedelta(hours=1, seconds=1))
        late = requests.put(url, data=b"too late", timeout=5)
    assert late.status_code == 403
    assert "<Message>Request has expired</Message>" in xml_error(late)
    assert fake_s3.calls[-1].diagnostics["ServerTime"] == "2025-01-15T13:00:01Z"
    assert "late" not in fake_s3.buckets[BUCKET]


@pytest.mark.fakes3put(buckets=[BUCKET])
def test_x_amz_expires_over_a_week_is_refused(fake_s3):
    week = presign(fake_s3, "s3v4", 604800)
    assert requests.put(week, data=b"a week", timeout=5).status_code == 200
    over = requests.put(presign(fake_s3, "s3v4", 604801), data=b"over", timeout=5)
    assert over.status_code == 400
    assert "<Code>AuthorizationQueryParametersError</Code>" in xml_error(over)
    assert "X-Amz-Expires must be less than a week" in over.text
    assert fake_s3.buckets[BUCKET]["late"].body == b"a week"


# --------------------------------------------------------------------------- clock


def skew_after_signing(client: Any, frozen: Any, delta: timedelta) -> None:
    """Move the frozen clock between botocore's signing and the send, once."""
    moved: list[bool] = []

    def tick(**_: Any) -> None:
        if not moved:
            moved.append(True)
            frozen.tick(delta)

    client.meta.events.register("before-send.s3.PutObject", tick)


@pytest.mark.parametrize("minutes", [16, -16])
@pytest.mark.fakes3put(buckets=[BUCKET])
def test_clock_skew_beyond_15_minutes_is_refused(fake_s3, minutes):
    with freeze_time("2025-01-15 12:00:00") as frozen:
        s3 = make_client(fake_s3)
        skew_after_signing(s3, frozen, timedelta(minutes=minutes))
        with pytest.raises(ClientError) as raised:
            s3.put_object(Bucket=BUCKET, Key="k", Body=b"x")
    error = raised.value.response["Error"]
    assert error["Code"] == "RequestTimeTooSkewed"
    assert error["RequestTime"] == "20250115T120000Z"
    assert error["ServerTime"] == (datetime(2025, 1, 15, 12, tzinfo=UTC) + timedelta(minutes=minutes)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )
    assert error["MaxAllowedSkewMilliseconds"] == "900000"
    assert len(fake_s3.calls) == 1  # botocore does not retry it
    assert "k" not in fake_s3.buckets[BUCKET]


@pytest.mark.parametrize("minutes", [14, -14])
@pytest.mark.fakes3put(buckets=[BUCKET])
def test_clock_skew_within_15_minutes_is_accepted(fake_s3, minutes):
    with freeze_time("2025-01-15 12:00:00") as frozen:
        s3 = make_client(fake_s3)
        skew_after_signing(s3, frozen, timedelta(minutes=minutes))
        s3.put_object(Bucket=BUCKET, Key="k", Body=b"x")
    assert fake_s3.buckets[BUCKET]["k"].body == b"x"


def seed_put(signature: str) -> requests.Response:
    headers = {
        "Content-Type": "text/plain",
        "Date": SEED_DATE,
        "x-amz-meta-family": "Anderson",
        "Authorization": f"AWS {SEED_KEY}:{signature}",
    }
    return requests.put("https://s3.amazonaws.com/quotes/Neo", data=b"woah", headers=headers, timeout=5)


@pytest.mark.fakes3put(buckets=["quotes"], credentials={SEED_KEY: SEED_SECRET})
def test_seed_request_is_in_time_under_freezegun(fake_s3):
    with freeze_time("2005-11-17 07:48:33"):
        accepted = seed_put(sigv2_signature(SEED_SECRET, SEED_STRING_TO_SIGN))
    assert accepted.status_code == 200, accepted.text
    assert accepted.headers["Date"] == SEED_DATE
    obj = fake_s3.buckets["quotes"]["Neo"]
    assert (obj.body, obj.content_type, dict(obj.metadata)) == (b"woah", "text/plain", {"family": "Anderson"})
    assert obj.last_modified == datetime(2005, 11, 17, 7, 48, 33, tzinfo=UTC)


@pytest.mark.fakes3put(buckets=["quotes"], credentials={SEED_KEY: SEED_SECRET})
def test_seed_request_out_of_time_today(fake_s3):
    response = seed_put(sigv2_signature(SEED_SECRET, SEED_STRING_TO_SIGN))
    assert response.status_code == 403
    assert "<Code>RequestTimeTooSkewed</Code>" in xml_error(response)
    assert "<RequestTime>Thu, 17 Nov 2005 07:48:33 GMT</RequestTime>" in response.text


@pytest.mark.fakes3put(buckets=["quotes"], credentials={SEED_KEY: SEED_SECRET})
def test_seed_printed_signature_is_refused_with_its_string_to_sign(fake_s3):
    with freeze_time("2005-11-17 07:48:33"):
        refused = seed_put(SEED_PRINTED_SIGNATURE)
    assert refused.status_code == 403
    body = xml_error(refused)
    assert "<Code>SignatureDoesNotMatch</Code>" in body
    assert f"<SignatureProvided>{SEED_PRINTED_SIGNATURE}</SignatureProvided>" in body
    assert f"<StringToSign>{SEED_STRING_TO_SIGN}</StringToSign>" in body
    call = fake_s3.calls[-1]
    assert call.diagnostics["StringToSign"] == SEED_STRING_TO_SIGN
    assert call.diagnostics["AWSAccessKeyId"] == SEED_KEY
    assert "CanonicalRequest" not in call.diagnostics  # SigV2 has none
    assert "Neo" not in fake_s3.buckets["quotes"]


# --------------------------------------------------------------------------- wrong credentials


@pytest.mark.parametrize("version", ["s3v4", "s3"])
@pytest.mark.fakes3put(buckets=[BUCKET])
def test_wrong_secret_is_signature_does_not_match_with_diagnostics(fake_s3, version):
    s3 = boto3.client(
        "s3",
        region_name="us-east-1",
        aws_access_key_id=fake_s3.access_key,
        aws_secret_access_key="not-the-secret",
        config=Config(signature_version=version),
    )
    with pytest.raises(ClientError) as raised:
        s3.put_object(Bucket=BUCKET, Key="k", Body=b"x")
    error = raised.value.response["Error"]
    call = fake_s3.calls[-1]
    assert error["Code"] == call.error_code == "SignatureDoesNotMatch"
    assert error["AWSAccessKeyId"] == fake_s3.access_key
    assert error["StringToSign"] == call.diagnostics["StringToSign"]
    assert bytes.fromhex(call.diagnostics["StringToSignBytes"].replace(" ", "")).decode() == error["StringToSign"]
    if version == "s3v4":
        assert error["StringToSign"].startswith("AWS4-HMAC-SHA256\n")
        assert error["CanonicalRequest"] == call.diagnostics["CanonicalRequest"]
        assert call.diagnostics["CanonicalRequest"].startswith("PUT\n/k\n")
    else:
        assert error["StringToSign"].endswith(f"\n/{BUCKET}/k")
        assert "CanonicalRequest" not in call.diagnostics
    assert "k" not in fake_s3.buckets[BUCKET]


@pytest.mark.parametrize("version", ["s3v4", "s3"])
@pytest.mark.fakes3put(buckets=[BUCKET])
def test_unknown_access_key_is_invalid_access_key_id(fake_s3, version):
    s3 = boto3.client(
        "s3",
        region_name="us-east-1",
        aws_access_key_id="AKIANOBODYKNOWSTHIS0",
        aws_secret_access_key="whatever",
        config=Config(signature_version=version),
    )
    with pytest.raises(ClientError) as raised:
        s3.put_object(Bucket=BUCKET, Key="k", Body=b"x")
    assert raised.value.response["Error"]["Code"] == "InvalidAccessKeyId"
    assert raised.value.response["Error"]["AWSAccessKeyId"] == "AKIANOBODYKNOWSTHIS0"
    assert fake_s3.calls[-1].diagnostics == {"AWSAccessKeyId": "AKIANOBODYKNOWSTHIS0"}
    assert "k" not in fake_s3.buckets[BUCKET]


# --------------------------------------------------------------------------- minio


@pytest.mark.fakes3put(endpoints=[LOCAL_TLS])
def test_minio_secure_against_https_endpoint(fake_s3):
    client = Minio("minio.example.test:9443", access_key=fake_s3.access_key, secret_key=fake_s3.secret_key, secure=True)
    client.make_bucket("tls-bucket")
    for key in KEYS:
        client.put_object("tls-bucket", key, io.BytesIO(b"tls"), length=3, content_type="text/plain")
        assert client.get_object("tls-bucket", key).read() == b"tls"
    assert failures(fake_s3) == []
    assert all(c.url.startswith(LOCAL_TLS) for c in fake_s3.calls)


@pytest.mark.fakes3put(endpoints=[LOCAL])
def test_minio_discovers_a_non_us_east_1_region(fake_s3):
    def client(**kwargs: Any) -> Minio:
        return Minio("localhost:9000", fake_s3.access_key, fake_s3.secret_key, secure=False, **kwargs)

    client(region="eu-west-1").make_bucket("eu-minio", location="eu-west-1")
    fresh = client()  # no region: asks GetBucketLocation, signed for us-east-1 as S3 allows
    fresh.put_object("eu-minio", "k", io.BytesIO(b"abc"), length=3)
    assert failures(fake_s3) == []
    assert [c.operation for c in fake_s3.calls] == ["CreateBucket", "GetBucketLocation", "PutObject"]
    assert fake_s3.buckets["eu-minio"]["k"].body == b"abc"


@pytest.mark.fakes3put(buckets=[BUCKET], endpoints=[LOCAL])
def test_minio_presigned_put_with_requests(fake_s3):
    client = Minio("localhost:9000", fake_s3.access_key, fake_s3.secret_key, secure=False, region="us-east-1")
    url = client.presigned_put_object(BUCKET, KEYS[1])
    assert requests.put(url, data=b"minio presigned", timeout=5).status_code == 200
    assert fake_s3.buckets[BUCKET][KEYS[1]].body == b"minio presigned"


# --------------------------------------------------------------------------- requests


@pytest.mark.parametrize("base", ["https://auth-bucket.s3.amazonaws.com", f"{LOCAL}/{BUCKET}"])
@pytest.mark.fakes3put(buckets=[BUCKET], endpoints=[LOCAL])
def test_requests_aws4auth_put_and_get(fake_s3, base):
    auth = AWS4Auth(fake_s3.access_key, fake_s3.secret_key, "us-east-1", "s3")
    for key in KEYS:
        url = f"{base}/{quote(key, safe='/~')}"
        headers = {"Content-Type": "text/plain", "x-amz-meta-client": "aws4auth"}
        assert requests.put(url, data=b"aws4auth", headers=headers, auth=auth, timeout=5).status_code == 200
        assert requests.get(url, auth=auth, timeout=5).content == b"aws4auth"
    assert failures(fake_s3) == []
    assert [fake_s3.buckets[BUCKET][k].metadata for k in KEYS] == [{"client": "aws4auth"}] * 3


@pytest.mark.fakes3put(buckets=[BUCKET])
def test_hand_signed_sigv2_requests_put(fake_s3):
    body = b"hand signed"
    md5 = base64.b64encode(hashlib.md5(body).digest()).decode()
    date = formatdate(usegmt=True)
    string_to_sign = (
        f"PUT\n{md5}\ntext/plain\n{date}\nx-amz-acl:private\nx-amz-meta-reviewed-by:a,b\n/{BUCKET}/dir/a%20b.txt"
    )
    headers = {
        "Content-MD5": md5,
        "Content-Type": "text/plain",
        "Date": date,
        "x-amz-meta-Reviewed-By": "a,b",
        "X-Amz-Acl": "private",
        "Authorization": f"AWS {fake_s3.access_key}:{sigv2_signature(fake_s3.secret_key, string_to_sign)}",
    }
    url = f"https://{BUCKET}.s3.amazonaws.com/dir/a%20b.txt"  # virtual-hosted: the bucket joins the resource
    response = requests.put(url, data=body, headers=headers, timeout=5)
    assert response.status_code == 200, response.text
    assert fake_s3.buckets[BUCKET]["dir/a b.txt"].body == body
    assert fake_s3.calls[-1].principal == fake_s3.access_key


@pytest.mark.fakes3put(buckets=[BUCKET])
def test_botocore_hmacv1_signed_requests_put(fake_s3):
    url = f"https://s3.amazonaws.com/{BUCKET}/v2?versionId=null"  # a signed sub-resource in the query
    request = AWSRequest(method="PUT", url=url, data=b"hmacv1", headers={"x-amz-meta-x": "1"})
    HmacV1Auth(Credentials(fake_s3.access_key, fake_s3.secret_key)).add_auth(request)
    response = requests.put(url, data=b"hmacv1", headers=dict(request.headers.items()), timeout=5)
    assert response.status_code == 200, response.text
    assert fake_s3.buckets[BUCKET]["v2"].metadata == {"x": "1"}


# --------------------------------------------------------------------------- signed aws-chunked


@pytest.mark.parametrize("with_trailer", [False, True])
@pytest.mark.fakes3put(buckets=[BUCKET])
def test_signed_aws_chunked_upload(fake_s3, with_trailer):
    chunks = [b"a" * 8192, b"b" * 8192, b"tail"]
    data = b"".join(chunks)
    crc = base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()
    trailer = f"x-amz-checksum-crc32:{crc}" if with_trailer else None
    mode = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD" + ("-TRAILER" if with_trailer else "")
    headers = {"Content-Encoding": "aws-chunked", "x-amz-decoded-content-length": str(len(data))}
    if with_trailer:
        headers["x-amz-trailer"] = "x-amz-checksum-crc32"
    url = f"https://{BUCKET}.s3.amazonaws.com/streamed"
    request = AWSRequest(method="PUT", url=url, headers=headers)
    StreamingSigner(Credentials(fake_s3.access_key, fake_s3.secret_key), mode).add_auth(request)

    amz_date = request.headers["X-Amz-Date"]
    authorization = request.headers["Authorization"]
    scope = authorization.split("Credential=")[1].split(",")[0].split("/", 1)[1]
    seed = authorization.rsplit("Signature=", 1)[1]
    key = derived_key(fake_s3.secret_key, scope)
    body = chain(key, amz_date, scope, seed, chunks, trailer)
    trailers = [(trailer.split(":", 1)[0], trailer.split(":", 1)[1])] if trailer else None
    assert body == streaming.encode_signed(key, amz_date, scope, seed, chunks, trailers=trailers)

    response = requests.put(url, data=body, headers=dict(request.headers.items()), timeout=5)
    assert response.status_code == 200, response.text
    obj = fake_s3.buckets[BUCKET]["streamed"]
    assert obj.body == data
    # Without a claimed checksum S3 stores its own CRC64NVME.
    assert list(obj.checksums) == (["CRC32"] if with_trailer else ["CRC64NVME"])
    assert obj.checksums.get("CRC32", crc) == crc


# --------------------------------------------------------------------------- lenient mode


@pytest.mark.fakes3put(buckets=[BUCKET], check_signatures=False)
def test_lenient_mode_accepts_a_wrong_secret(fake_s3):
    s3 = boto3.client(
        "s3",
        region_name="us-east-1",
        aws_access_key_id=fake_s3.access_key,
        aws_secret_access_key="not-the-secret",
    )
    s3.put_object(Bucket=BUCKET, Key="k", Body=b"lenient")
    assert fake_s3.buckets[BUCKET]["k"].body == b"lenient"
    assert fake_s3.calls[-1].principal == fake_s3.access_key


@pytest.mark.parametrize("version", ["s3v4", "s3"])
@pytest.mark.fakes3put(check_signatures=False)
def test_lenient_mode_accepts_an_unknown_key_as_that_principal(fake_s3, version):
    s3 = boto3.client(
        "s3",
        region_name="us-east-1",
        aws_access_key_id="AKIANOBODYKNOWSTHIS0",
        aws_secret_access_key="whatever",
        config=Config(signature_version=version),
    )
    s3.create_bucket(Bucket="strangers-bucket")
    s3.put_object(Bucket="strangers-bucket", Key="k", Body=b"x")
    assert fake_s3.buckets["strangers-bucket"].owner == "AKIANOBODYKNOWSTHIS0"
    assert fake_s3.buckets["strangers-bucket"]["k"].owner == "AKIANOBODYKNOWSTHIS0"
    assert {c.principal for c in fake_s3.calls} == {"AKIANOBODYKNOWSTHIS0"}


@pytest.mark.fakes3put(buckets=[BUCKET], check_signatures=False)
def test_lenient_mode_skips_expiry_but_not_permissions(fake_s3):
    with freeze_time("2025-01-15 12:00:00") as frozen:
        url = presign(fake_s3, "s3v4", 60)
        frozen.tick(timedelta(days=1))
        assert requests.put(url, data=b"late but lenient", timeout=5).status_code == 200
    assert fake_s3.calls[-1].principal == fake_s3.access_key
    anonymous = requests.put(f"https://{BUCKET}.s3.amazonaws.com/anon", data=b"x", timeout=5)
    assert anonymous.status_code == 403  # lenient about signatures, not about who may write
    assert "anon" not in fake_s3.buckets[BUCKET]
