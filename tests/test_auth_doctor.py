"""The signature doctor: a SignatureDoesNotMatch names the client mistake that produced the signature.

Every signature here comes from a real signer (boto3's presigner, botocore's S3SigV4Auth, SigV4Auth
and HmacV1Auth, or a few lines of hmac written from the AWS documentation) and every request goes
through the real patched transport with requests or urllib3; the mistake is the one a user makes
(a header the browser adds, a URL edited or used with another method, a scope rewritten...).
The answer must stay S3's (403 SignatureDoesNotMatch, S3's XML); only the call's hint changes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import zlib
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote, unquote, urlsplit, urlunsplit

import pytest
import requests
import urllib3
from botocore.auth import HmacV1Auth, S3SigV4Auth, SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from fakes3put import FakeS3
from fakes3put._state import Call

from .helpers import make_client

BUCKET = "doctor-bucket"
PATH_STYLE = f"https://s3.amazonaws.com/{BUCKET}"  # HmacV1Auth on a bare AWSRequest signs the path as given
FROZEN = datetime(2025, 1, 15, 12, 0, 0, tzinfo=UTC)
HTTP = urllib3.PoolManager()


def refused(fake: FakeS3, response: requests.Response) -> Call:
    """The refused call, after checking the answer is S3's own SignatureDoesNotMatch."""
    assert response.status_code == 403, response.text
    assert "<Code>SignatureDoesNotMatch</Code>" in response.text
    assert "Cause found" not in response.text  # the diagnosis is for the test author, never in the XML
    call = fake.calls[-1]
    assert call.error_code == "SignatureDoesNotMatch"
    return call


def cause(fake: FakeS3, response: requests.Response) -> str:
    """The doctor's sentence for the refused call (also shown by Call.describe())."""
    call = refused(fake, response)
    hint = call.hint or ""
    assert "Cause found by re-signing" in hint, hint
    found = hint.split("Cause found by re-signing", 1)[1].partition(": ")[2]
    assert found in call.describe()
    return found


def credentials(fake: FakeS3) -> Credentials:
    return Credentials(fake.access_key, fake.secret_key)


def send(request: AWSRequest, **changes: Any) -> requests.Response:
    """Send a botocore-signed request with requests, with ``changes`` applied to its headers."""
    headers = dict(request.headers.items())
    for name, value in changes.items():
        headers[name.replace("_", "-")] = value
    return requests.request(request.method, request.url, data=request.body, headers=headers, timeout=5)


# --------------------------------------------------------------------------- headers


@pytest.mark.fakes3put(buckets=[BUCKET])
def test_sigv2_presigned_put_then_a_content_type_is_sent(fake_s3):
    # The most common presigned-upload failure: the URL was made without ContentType and the
    # uploader (a browser, or requests with a header) sends one.
    url = make_client(fake_s3).generate_presigned_url("put_object", Params={"Bucket": BUCKET, "Key": "photo.png"})
    response = requests.put(url, data=b"png", headers={"Content-Type": "image/png"}, timeout=5)
    found = cause(fake_s3, response)
    assert "the URL was signed without Content-Type but the request sends 'image/png'" in found
    assert "presign with ContentType='image/png' or send no Content-Type" in found
    assert "photo.png" not in fake_s3.buckets[BUCKET]


@pytest.mark.fakes3put(buckets=[BUCKET])
def test_sigv2_presigned_put_for_another_content_type(fake_s3):
    params = {"Bucket": BUCKET, "Key": "doc", "ContentType": "text/plain"}
    url = make_client(fake_s3).generate_presigned_url("put_object", Params=params)
    response = requests.put(url, data=b"x", headers={"Content-Type": "application/json"}, timeout=5)
    assert "presigned with content-type='text/plain' but the request sends Content-Type 'application/json'" in (
        cause(fake_s3, response)
    )


@pytest.mark.fakes3put(buckets=[BUCKET])
def test_sigv4_presigned_put_for_one_content_type_used_with_another(fake_s3):
    s3 = make_client(fake_s3, signature_version="s3v4")
    params = {"Bucket": BUCKET, "Key": "upload.bin", "ContentType": "text/plain"}
    url = s3.generate_presigned_url("put_object", Params=params)
    assert "X-Amz-SignedHeaders=content-type%3Bhost" in url
    response = requests.put(url, data=b"x", headers={"Content-Type": "application/octet-stream"}, timeout=5)
    assert (
        "the URL was signed with Content-Type 'text/plain' but the request sends 'application/octet-stream'"
        in cause(fake_s3, response)
    )


@pytest.mark.fakes3put(buckets=[BUCKET])
def test_sigv4_presigned_put_with_content_type_sent_without_one(fake_s3):
    s3 = make_client(fake_s3, signature_version="s3v4")
    url = s3.generate_presigned_url(
        "put_object", Params={"Bucket": BUCKET, "Key": "data.json", "ContentType": "application/json"}
    )
    response = requests.put(url, data=b"{}", timeout=5)
    call = refused(fake_s3, response)
    assert "Signed header(s) content-type are not on the request" in (call.hint or "")
    assert "signed with Content-Type 'application/json' but the request sends none" in cause(fake_s3, response)


@pytest.mark.fakes3put(buckets=[BUCKET])
def test_sigv2_presigned_content_md5_differs(fake_s3):
    body = b"the body"
    md5 = base64.b64encode(hashlib.md5(body).digest()).decode()
    params = {"Bucket": BUCKET, "Key": "k", "ContentMD5": md5}
    url = make_client(fake_s3).generate_presigned_url("put_object", Params=params)
    other = base64.b64encode(hashlib.md5(b"another body").digest()).decode()
    response = requests.put(url, data=b"another body", headers={"Content-MD5": other}, timeout=5)
    assert f"presigned with content-md5={md5!r} but the request sends Content-MD5 {other!r}" in cause(fake_s3, response)


@pytest.mark.fakes3put(buckets=[BUCKET])
def test_sigv2_header_content_md5_added_after_signing(fake_s3):
    request = AWSRequest(method="PUT", url=f"{PATH_STYLE}/k", data=b"x")
    HmacV1Auth(credentials(fake_s3)).add_auth(request)
    md5 = base64.b64encode(hashlib.md5(b"x").digest()).decode()
    response = send(request, Content_MD5=md5)
    assert f"Content-MD5 {md5!r} was added after signing" in cause(fake_s3, response)


@pytest.mark.fakes3put(buckets=[BUCKET])
def test_sigv2_header_metadata_added_after_signing(fake_s3):
    request = AWSRequest(method="PUT", url=f"{PATH_STYLE}/k", data=b"x")
    HmacV1Auth(credentials(fake_s3)).add_auth(request)
    response = send(request, **{"x-amz-meta-owner": "me"})
    assert "x-amz-meta-owner: 'me' was added after signing" in cause(fake_s3, response)


@pytest.mark.fakes3put(buckets=[BUCKET])
def test_sigv2_presigned_acl_sent_with_another_value(fake_s3):
    params = {"Bucket": BUCKET, "Key": "k", "ACL": "public-read"}
    url = make_client(fake_s3).generate_presigned_url("put_object", Params=params)
    response = requests.put(url, data=b"x", headers={"x-amz-acl": "private"}, timeout=5)
    assert "presigned with x-amz-acl='public-read' but the request sends x-amz-acl: 'private'" in cause(
        fake_s3, response
    )


@pytest.mark.fakes3put(buckets=[BUCKET])
def test_sigv4_presigned_acl_sent_with_another_value(fake_s3):
    s3 = make_client(fake_s3, signature_version="s3v4")
    url = s3.generate_presigned_url("put_object", Params={"Bucket": BUCKET, "Key": "k", "ACL": "public-read"})
    response = requests.put(url, data=b"x", headers={"x-amz-acl": "private"}, timeout=5)
    assert "the URL was signed with x-amz-acl 'public-read' but the request sends 'private'" in cause(fake_s3, response)


# --------------------------------------------------------------------------- key and query encoding


@pytest.mark.fakes3put(buckets=[BUCKET])
def test_key_encoded_twice_by_a_generic_sigv4_signer(fake_s3):
    # botocore's SigV4Auth is the signer of other services: it encodes the already-encoded path again.
    request = AWSRequest(
        method="PUT",
        url=f"https://{BUCKET}.s3.amazonaws.com/a%20b.txt",
        headers={"X-Amz-Content-SHA256": hashlib.sha256(b"x").hexdigest()},
        data=b"x",
    )
    SigV4Auth(credentials(fake_s3), "s3", "us-east-1").add_auth(request)
    found = cause(fake_s3, send(request))
    assert "the key was percent-encoded twice when signing" in found
    assert "signed '/a%2520b.txt', sent '/a%20b.txt'" in found


@pytest.mark.fakes3put(buckets=[BUCKET])
def test_space_sent_as_plus_in_a_presigned_key(fake_s3):
    s3 = make_client(fake_s3, signature_version="s3v4")
    url = s3.generate_presigned_url("put_object", Params={"Bucket": BUCKET, "Key": "my file.txt"})
    assert "my%20file.txt" in url
    response = requests.put(url.replace("my%20file.txt", "my+file.txt"), data=b"x", timeout=5)
    found = cause(fake_s3, response)
    assert "a '+' in the key was signed as '%20'" in found
    assert "'/doctor-bucket/my%20file.txt'" in found or "'/my%20file.txt'" in found


@pytest.mark.fakes3put(buckets=[BUCKET])
def test_characters_left_unencoded_in_a_presigned_key(fake_s3):
    # botocore signs '!' and '(' percent-encoded; a URL rebuilt from the decoded key sends them raw.
    s3 = make_client(fake_s3, signature_version="s3v4")
    url = s3.generate_presigned_url("put_object", Params={"Bucket": BUCKET, "Key": "wow!(1).txt"})
    parts = urlsplit(url)
    rebuilt = urlunsplit(parts._replace(path=quote(unquote(parts.path), safe="/!()")))
    assert "wow!(1).txt" in rebuilt
    found = cause(fake_s3, requests.put(rebuilt, data=b"x", timeout=5))
    assert "the key was signed encoded per RFC 3986 but sent with characters encoded otherwise" in found
    assert "signed '/wow%21%281%29.txt', sent '/wow!(1).txt'" in found


@pytest.mark.fakes3put(buckets=[BUCKET])
def test_query_parameter_added_to_a_presigned_url(fake_s3):
    s3 = make_client(fake_s3, signature_version="s3v4")
    s3.put_object(Bucket=BUCKET, Key="k", Body=b"x")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": "k"})
    response = requests.get(url + "&download=1", timeout=5)
    assert "the query parameter 'download=1' was added after signing" in cause(fake_s3, response)


@pytest.mark.fakes3put(buckets=[BUCKET])
def test_sigv2_sub_resource_added_to_a_presigned_url(fake_s3):
    s3 = make_client(fake_s3)
    s3.put_object(Bucket=BUCKET, Key="k", Body=b"x")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": "k"})
    assert "AWSAccessKeyId=" in url
    response = requests.get(url + "&response-content-type=text/csv", timeout=5)
    assert "the sub-resource 'response-content-type=text/csv' was added to the URL after signing" in cause(
        fake_s3, response
    )


def hand_signed_v4(fake: FakeS3, method: str, url: str, canonical_query: str) -> dict[str, str]:
    """Headers of a SigV4 request whose canonical query is written by the caller (from the AWS docs)."""
    amz_date = "20250115T120000Z"
    scope = "20250115/us-east-1/s3/aws4_request"
    host = urlsplit(url).netloc
    payload = hashlib.sha256(b"").hexdigest()
    canonical = "\n".join(
        [
            method,
            urlsplit(url).path,
            canonical_query,
            f"host:{host}\nx-amz-content-sha256:{payload}\nx-amz-date:{amz_date}\n",
            "host;x-amz-content-sha256;x-amz-date",
            payload,
        ]
    )
    to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope, hashlib.sha256(canonical.encode()).hexdigest()])
    key = f"AWS4{fake.secret_key}".encode()
    for part in scope.split("/"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return {
        "x-amz-date": amz_date,
        "x-amz-content-sha256": payload,
        "Authorization": f"AWS4-HMAC-SHA256 Credential={fake.access_key}/{scope}, "
        f"SignedHeaders=host;x-amz-content-sha256;x-amz-date, Signature={signature}",
    }


@pytest.mark.fakes3put(buckets=[BUCKET], clock=lambda: FROZEN)
def test_query_signed_in_the_order_sent(fake_s3):
    url = f"https://{BUCKET}.s3.amazonaws.com/?prefix=a&delimiter=%2F"
    headers = hand_signed_v4(fake_s3, "GET", url, "prefix=a&delimiter=%2F")  # not sorted by name
    found = cause(fake_s3, requests.get(url, headers=headers, timeout=5))
    assert "signed in the order sent ('prefix=a&delimiter=%2F') instead of sorted by name" in found
    assert "'delimiter=%2F&prefix=a'" in found


@pytest.mark.fakes3put(buckets=[BUCKET], clock=lambda: FROZEN)
def test_space_in_the_query_signed_as_plus(fake_s3):
    url = f"https://{BUCKET}.s3.amazonaws.com/?prefix=my%20dir"
    headers = hand_signed_v4(fake_s3, "GET", url, "prefix=my+dir")  # form encoding, not RFC 3986
    found = cause(fake_s3, requests.get(url, headers=headers, timeout=5))
    assert "a space in the query was signed as '+' ('prefix=my+dir') where S3 signs '%20'" in found


# --------------------------------------------------------------------------- host and port


@pytest.mark.fakes3put(buckets=[BUCKET])
def test_path_style_url_rewritten_to_virtual_hosted(fake_s3):
    s3 = make_client(fake_s3, signature_version="s3v4", s3={"addressing_style": "path"})
    url = s3.generate_presigned_url("put_object", Params={"Bucket": BUCKET, "Key": "k"})
    assert url.startswith(f"https://s3.amazonaws.com/{BUCKET}/k?")
    virtual = url.replace(f"https://s3.amazonaws.com/{BUCKET}/", f"https://{BUCKET}.s3.amazonaws.com/")
    found = cause(fake_s3, requests.put(virtual, data=b"x", timeout=5))
    assert "signed path-style but sent virtual-hosted" in found
    assert f"host 's3.amazonaws.com', path '/{BUCKET}/k'" in found
    assert f"host '{BUCKET}.s3.amazonaws.com', path '/k'" in found


@pytest.mark.fakes3put(buckets=[BUCKET])
def test_default_port_written_out_when_signing(fake_s3):
    # botocore drops a default port itself; a Host given with ':443' (as some proxies and
    # hand-written signers do) is signed as given, while urllib3 sends it without the port.
    request = AWSRequest(method="PUT", url=f"{PATH_STYLE}/k", data=b"x", headers={"Host": "s3.amazonaws.com:443"})
    request.headers["X-Amz-Content-SHA256"] = hashlib.sha256(b"x").hexdigest()
    S3SigV4Auth(credentials(fake_s3), "s3", "us-east-1").add_auth(request)
    response = send(request, Host="s3.amazonaws.com")
    found = cause(fake_s3, response)
    assert "the Host was signed with the default port :443 written out" in found
    assert "signed host 's3.amazonaws.com:443', sent host 's3.amazonaws.com'" in found


@pytest.mark.fakes3put(buckets=[BUCKET], endpoints=["http://localhost:9000"])
def test_host_signed_without_its_port(fake_s3):
    request = AWSRequest(method="PUT", url=f"http://localhost/{BUCKET}/k", data=b"x")
    request.headers["X-Amz-Content-SHA256"] = hashlib.sha256(b"x").hexdigest()
    S3SigV4Auth(credentials(fake_s3), "s3", "us-east-1").add_auth(request)
    headers = dict(request.headers.items())
    response = requests.put(f"http://localhost:9000/{BUCKET}/k", data=b"x", headers=headers, timeout=5)
    assert "the Host was signed without its port: signed host 'localhost', sent host 'localhost:9000'" in cause(
        fake_s3, response
    )


@pytest.mark.fakes3put(buckets=[BUCKET])
def test_proxy_changed_the_host(fake_s3):
    request = AWSRequest(method="PUT", url=f"https://{BUCKET}.files.example.test/k", data=b"x")
    request.headers["X-Amz-Content-SHA256"] = hashlib.sha256(b"x").hexdigest()
    S3SigV4Auth(credentials(fake_s3), "s3", "us-east-1").add_auth(request)
    headers = dict(request.headers.items())
    headers["X-Forwarded-Host"] = f"{BUCKET}.files.example.test"
    response = requests.put(f"https://{BUCKET}.s3.amazonaws.com/k", data=b"x", headers=headers, timeout=5)
    assert f"a proxy changed the Host (the client signed the one in X-Forwarded-Host): signed host '{BUCKET}.files" in (
        cause(fake_s3, response)
    )


@pytest.mark.fakes3put(buckets=[BUCKET])
def test_url_for_the_global_endpoint_sent_to_the_regional_one(fake_s3):
    s3 = make_client(fake_s3, signature_version="s3v4", s3={"addressing_style": "path"})
    url = s3.generate_presigned_url("put_object", Params={"Bucket": BUCKET, "Key": "k"})
    regional = url.replace("https://s3.amazonaws.com/", "https://s3.us-east-1.amazonaws.com/")
    found = cause(fake_s3, requests.put(regional, data=b"x", timeout=5))
    assert "the request was signed for the global endpoint" in found
    assert "signed host 's3.amazonaws.com', sent host 's3.us-east-1.amazonaws.com'" in found


# --------------------------------------------------------------------------- method


@pytest.mark.parametrize("version", [None, "s3v4"])
@pytest.mark.fakes3put(buckets=[BUCKET])
def test_url_presigned_for_get_used_for_put(fake_s3, version):
    s3 = make_client(fake_s3, **({"signature_version": version} if version else {}))
    url = s3.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": "k"})
    response = requests.put(url, data=b"x", timeout=5)
    assert "the URL was signed for GET but sent as PUT" in cause(fake_s3, response)


# --------------------------------------------------------------------------- credential scope


@pytest.mark.fakes3put(buckets=[BUCKET])
def test_signature_made_for_another_region_then_the_scope_rewritten(fake_s3):
    # botocore signs for us-west-2; the Credential is then edited to name the bucket's region,
    # so S3 accepts the scope and can only call the signature a mismatch.
    request = AWSRequest(method="PUT", url=f"https://{BUCKET}.s3.amazonaws.com/k", data=b"x")
    request.headers["X-Amz-Content-SHA256"] = hashlib.sha256(b"x").hexdigest()
    S3SigV4Auth(credentials(fake_s3), "s3", "us-west-2").add_auth(request)
    rewritten = request.headers["Authorization"].replace("/us-west-2/", "/us-east-1/")
    found = cause(fake_s3, send(request, Authorization=rewritten))
    assert "the signature was made for region 'us-west-2' but the Credential names 'us-east-1'" in found


@pytest.mark.fakes3put(buckets=[BUCKET])
def test_signing_key_derived_for_another_service(fake_s3):
    class KeyForOtherService(S3SigV4Auth):
        """A signer whose key derivation uses another service name than its scope."""

        def signature(self, string_to_sign: str, request: AWSRequest) -> str:
            key = self._sign(f"AWS4{self.credentials.secret_key}".encode(), request.context["timestamp"][0:8])
            for part in (self._region_name, "s3-object-lambda", "aws4_request"):
                key = self._sign(key, part)
            return self._sign(key, string_to_sign, hex=True)

    request = AWSRequest(method="PUT", url=f"https://{BUCKET}.s3.amazonaws.com/k", data=b"x")
    request.headers["X-Amz-Content-SHA256"] = hashlib.sha256(b"x").hexdigest()
    KeyForOtherService(credentials(fake_s3), "s3", "us-east-1").add_auth(request)
    found = cause(fake_s3, send(request))
    assert "the signing key was derived for service 's3-object-lambda' while the Credential names 's3'" in found


@pytest.mark.fakes3put(buckets=[BUCKET])
def test_signing_key_cached_from_the_day_before(fake_s3):
    class StaleKeySigner(S3SigV4Auth):
        """A signer that reuses yesterday's derived key (a key cache keyed without the date)."""

        def signature(self, string_to_sign: str, request: AWSRequest) -> str:
            today = datetime.strptime(request.context["timestamp"][0:8], "%Y%m%d")
            key = f"AWS4{self.credentials.secret_key}".encode()
            for part in ((today - timedelta(days=1)).strftime("%Y%m%d"), self._region_name, "s3", "aws4_request"):
                key = self._sign(key, part)
            return self._sign(key, string_to_sign, hex=True)

    request = AWSRequest(method="PUT", url=f"https://{BUCKET}.s3.amazonaws.com/k", data=b"x")
    request.headers["X-Amz-Content-SHA256"] = hashlib.sha256(b"x").hexdigest()
    StaleKeySigner(credentials(fake_s3), "s3", "us-east-1").add_auth(request)
    found = cause(fake_s3, send(request))
    assert "the signing key was derived for date" in found
    assert "(a key cached across midnight?) while the Credential names" in found


# --------------------------------------------------------------------------- SigV2 / SigV4 confusion


@pytest.mark.fakes3put(buckets=[BUCKET])
def test_sigv2_signature_in_a_sigv4_header(fake_s3):
    v4 = AWSRequest(method="PUT", url=f"{PATH_STYLE}/k", data=b"x")
    v4.headers["X-Amz-Content-SHA256"] = hashlib.sha256(b"x").hexdigest()
    S3SigV4Auth(credentials(fake_s3), "s3", "us-east-1").add_auth(v4)
    v2 = AWSRequest(method="PUT", url=v4.url, data=b"x", headers={"x-amz-date": v4.headers["X-Amz-Date"]})
    v2.headers["X-Amz-Content-SHA256"] = v4.headers["X-Amz-Content-SHA256"]
    HmacV1Auth(credentials(fake_s3)).add_auth(v2)
    v2_signature = v2.headers["Authorization"].rsplit(":", 1)[1]
    mixed = v4.headers["Authorization"].rsplit("Signature=", 1)[0] + f"Signature={v2_signature}"
    found = cause(fake_s3, send(v4, Authorization=mixed, Date=v2.headers["Date"]))
    assert "the Signature is a SigV2 signature (base64 HMAC-SHA1 of the SigV2 StringToSign) sent in a SigV4" in found
    assert f"Authorization header ({v2_signature!r} where SigV4 sends 64 hex digits)" in found


@pytest.mark.fakes3put(buckets=[BUCKET])
def test_sigv4_signature_in_a_sigv2_header(fake_s3):
    request = AWSRequest(method="PUT", url=f"https://{BUCKET}.s3.amazonaws.com/k", data=b"x")
    request.headers["X-Amz-Content-SHA256"] = hashlib.sha256(b"x").hexdigest()
    S3SigV4Auth(credentials(fake_s3), "s3", "us-east-1").add_auth(request)
    v4_signature = request.headers["Authorization"].rsplit("Signature=", 1)[1]
    found = cause(fake_s3, send(request, Authorization=f"AWS {fake_s3.access_key}:{v4_signature}"))
    assert "the signature is a SigV4 signature (64 hex digits, region 'us-east-1') sent in a SigV2" in found


def sigv2_signature(secret: str, string_to_sign: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), string_to_sign.encode(), hashlib.sha1).digest()).decode()


@pytest.mark.fakes3put(buckets=[BUCKET], clock=lambda: FROZEN)
def test_sigv2_x_amz_date_signed_in_the_date_slot(fake_s3):
    # The AWS guide's own DELETE example puts x-amz-date in the Date slot.
    amz_date = "Wed, 15 Jan 2025 12:00:00 GMT"
    to_sign = f"PUT\n\n\n{amz_date}\n/{BUCKET}/k"
    signature = sigv2_signature(fake_s3.secret_key, to_sign)
    headers = {"x-amz-date": amz_date, "Authorization": f"AWS {fake_s3.access_key}:{signature}"}
    response = requests.put(f"https://{BUCKET}.s3.amazonaws.com/k", data=b"x", headers=headers, timeout=5)
    found = cause(fake_s3, response)
    assert f"the client put x-amz-date in the Date slot ('{amz_date}') and left it out of the x-amz-* lines" in found


@pytest.mark.fakes3put(buckets=[BUCKET], clock=lambda: FROZEN)
def test_sigv2_x_amz_date_added_after_signing_with_date(fake_s3):
    http_date, amz_date = "Wed, 15 Jan 2025 12:00:00 GMT", "Wed, 15 Jan 2025 12:00:05 GMT"
    signature = sigv2_signature(fake_s3.secret_key, f"PUT\n\n\n{http_date}\n/{BUCKET}/k")
    headers = {"Date": http_date, "x-amz-date": amz_date, "Authorization": f"AWS {fake_s3.access_key}:{signature}"}
    response = requests.put(f"https://{BUCKET}.s3.amazonaws.com/k", data=b"x", headers=headers, timeout=5)
    assert f"x-amz-date ({amz_date!r}) was added after signing: the signature covers only the Date header" in (
        cause(fake_s3, response)
    )


# --------------------------------------------------------------------------- nothing reproduces it


@pytest.mark.parametrize("version", [None, "s3", "s3v4"])
@pytest.mark.fakes3put(buckets=[BUCKET])
def test_wrong_secret_points_at_the_access_key_never_the_secret(fake_s3, version):
    s3 = make_client(fake_s3, **({"signature_version": version} if version else {}))
    url = s3.generate_presigned_url("put_object", Params={"Bucket": BUCKET, "Key": "k"})
    wrong = FakeS3(credentials={fake_s3.access_key: "not-the-secret"})
    bad_url = make_client(wrong, **({"signature_version": version} if version else {})).generate_presigned_url(
        "put_object", Params={"Bucket": BUCKET, "Key": "k"}
    )
    assert urlsplit(bad_url).path == urlsplit(url).path
    call = refused(fake_s3, requests.put(bad_url, data=b"x", timeout=5))
    hint = call.hint or ""
    assert "Cause found" not in hint
    assert f"a wrong secret for access key {fake_s3.access_key!r} is the likelier cause" in hint
    assert fake_s3.secret_key not in call.describe()
    assert "not-the-secret" not in call.describe()


@pytest.mark.fakes3put(buckets=[BUCKET])
def test_a_signed_value_the_fake_cannot_guess_is_named_before_the_secret(fake_s3):
    s3 = make_client(fake_s3, signature_version="s3v4")
    url = s3.generate_presigned_url("put_object", Params={"Bucket": BUCKET, "Key": "k", "Metadata": {"a": "1"}})
    call = refused(fake_s3, requests.put(url, data=b"x", headers={"x-amz-meta-a": "2"}, timeout=5))
    hint = call.hint or ""
    assert "Cause found" not in hint
    assert "The values signed for x-amz-meta-a cannot be guessed: if the request sends other values" in hint
    assert f"otherwise a wrong secret for access key {fake_s3.access_key!r} is the likelier cause" in hint


@pytest.mark.fakes3put(buckets=[BUCKET])
def test_the_answer_stays_s3s(fake_s3):
    # Same request, doctor or not: 403 with S3's XML elements and nothing more.
    url = make_client(fake_s3).generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": "k"})
    response = requests.put(url, data=b"x", timeout=5)
    refused(fake_s3, response)
    for element in ("AWSAccessKeyId", "StringToSign", "SignatureProvided", "StringToSignBytes", "RequestId"):
        assert f"<{element}>" in response.text
    assert "signed for GET" not in response.text
    assert fake_s3.calls[-1].diagnostics["StringToSign"].startswith("PUT\n")


@pytest.mark.fakes3put(buckets=[BUCKET])
def test_a_body_that_differs_from_its_hash_stays_its_own_error(fake_s3):
    request = AWSRequest(method="PUT", url=f"https://{BUCKET}.s3.amazonaws.com/k", data=b"signed")
    request.headers["X-Amz-Content-SHA256"] = hashlib.sha256(b"signed").hexdigest()
    S3SigV4Auth(credentials(fake_s3), "s3", "us-east-1").add_auth(request)
    headers = dict(request.headers.items())
    response = requests.put(request.url, data=b"sent", headers=headers, timeout=5)
    assert response.status_code == 400
    assert "<Code>XAmzContentSHA256Mismatch</Code>" in response.text
    assert "Cause found" not in (fake_s3.calls[-1].hint or "")


# --------------------------------------------------------------------------- chunk-signature chain


def chunked_body(key: bytes, amz_date: str, scope: str, seed: str, chunks: list[bytes], *, chained: bool) -> bytes:
    """aws-chunked with chunk signatures written from the AWS documentation; ``chained=False`` is the
    mistake of signing every chunk over the request's own signature."""
    empty = hashlib.sha256(b"").hexdigest()
    out, previous = b"", seed
    for data in [*chunks, b""]:
        prior = previous if chained else seed
        to_sign = "\n".join(
            ["AWS4-HMAC-SHA256-PAYLOAD", amz_date, scope, prior, empty, hashlib.sha256(data).hexdigest()]
        )
        previous = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        out += f"{len(data):x};chunk-signature={previous}\r\n".encode() + (data + b"\r\n" if data else b"")
    return out + b"\r\n"


class StreamingSigner(S3SigV4Auth):
    """botocore's S3 signer, told the payload is signed aws-chunked."""

    def payload(self, request: AWSRequest) -> str:
        return "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"


class TrailerSigner(S3SigV4Auth):
    def payload(self, request: AWSRequest) -> str:
        return "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"


def signing_key(secret: str, scope: str) -> bytes:
    key = f"AWS4{secret}".encode()
    for part in scope.split("/"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


@pytest.mark.fakes3put(buckets=[BUCKET])
def test_chunks_signed_over_the_seed_instead_of_chained(fake_s3):
    chunks = [b"a" * 8192, b"b" * 100]
    url = f"https://{BUCKET}.s3.amazonaws.com/streamed"
    headers = {"Content-Encoding": "aws-chunked", "x-amz-decoded-content-length": str(8292)}
    request = AWSRequest(method="PUT", url=url, headers=headers)
    StreamingSigner(credentials(fake_s3), "s3", "us-east-1").add_auth(request)
    scope = request.headers["Authorization"].split("Credential=")[1].split(",")[0].split("/", 1)[1]
    seed = request.headers["Authorization"].rsplit("Signature=", 1)[1]
    key = signing_key(fake_s3.secret_key, scope)
    body = chunked_body(key, request.headers["X-Amz-Date"], scope, seed, chunks, chained=False)
    response = requests.put(url, data=body, headers=dict(request.headers.items()), timeout=5)
    found = cause(fake_s3, response)
    assert "chunk index 1" in (fake_s3.calls[-1].hint or "")
    assert "signed over the request's own signature instead of the previous chunk's" in found


@pytest.mark.fakes3put(buckets=[BUCKET])
def test_trailer_hashed_with_crlf_line_ends(fake_s3):
    data = b"trailed"
    crc = base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()
    url = f"https://{BUCKET}.s3.amazonaws.com/trailed"
    headers = {
        "Content-Encoding": "aws-chunked",
        "x-amz-decoded-content-length": str(len(data)),
        "x-amz-trailer": "x-amz-checksum-crc32",
    }
    request = AWSRequest(method="PUT", url=url, headers=headers)
    TrailerSigner(credentials(fake_s3), "s3", "us-east-1").add_auth(request)
    amz_date = request.headers["X-Amz-Date"]
    scope = request.headers["Authorization"].split("Credential=")[1].split(",")[0].split("/", 1)[1]
    seed = request.headers["Authorization"].rsplit("Signature=", 1)[1]
    key = signing_key(fake_s3.secret_key, scope)
    body = chunked_body(key, amz_date, scope, seed, [data], chained=True)[: -len(b"\r\n")]
    final = body.rsplit(b"chunk-signature=", 1)[1][:64].decode()
    trailer = f"x-amz-checksum-crc32:{crc}"
    digest = hashlib.sha256(f"{trailer}\r\n".encode()).hexdigest()  # the wire's CRLF, not '\n'
    to_sign = "\n".join(["AWS4-HMAC-SHA256-TRAILER", amz_date, scope, final, digest])
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    body += f"{trailer}\r\nx-amz-trailer-signature:{signature}\r\n\r\n".encode()
    response = requests.put(url, data=body, headers=dict(request.headers.items()), timeout=5)
    assert "the trailer was hashed with CRLF line ends (as sent) instead of '\\n'" in cause(fake_s3, response)
