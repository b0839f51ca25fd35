"""Property: any single change to a correctly signed request is refused, and the store is untouched.

Each scheme signs one PUT with a real client signer (botocore's SigV4/SigV2 signers and presigner;
aws-chunked chains from the hmac code in test_auth_clients). Hypothesis then changes one thing -
method, host, path, a query value, a signed header, the date, a body byte, a chunk byte, a chunk
signature, the trailer - sends it with urllib3 through the patched transport, and checks the
error code S3 gives for that change. Time is frozen, so a moved date is a known distance away.
"""

from __future__ import annotations

import base64
import hashlib
import string
import zlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any
from urllib.parse import quote, unquote, urlsplit

import boto3
import pytest
import urllib3
from botocore.auth import HmacV1Auth, S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials
from freezegun import freeze_time
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fakes3put import FakeS3

from .signing import StreamingSigner, chain, derived_key

FROZEN = datetime(2025, 1, 15, 12, 0, 0, tzinfo=UTC)
MAIN = ("TAMPERMAINKEY0000001", "tamper/main/secret/000000000000000000000")
OTHER = ("TAMPEROTHERKEY000002", "tamper/other/secret/00000000000000000000")
BUCKET, OTHER_BUCKET = "tamper-bucket", "tamper-other"
KEY = "dir/object.txt"
BODY = b"the body the signer saw"
CHUNKS = [b"a" * 8192, b"b" * 8192, b"tail"]
MISMATCH, DENIED, QUERY_ERROR = "SignatureDoesNotMatch", "AccessDenied", "AuthorizationQueryParametersError"
HTTP = urllib3.PoolManager()
TEXT = string.ascii_letters + string.digits + " -_/;=+"


@dataclass(frozen=True)
class Wire:
    """A request exactly as it goes on the wire; query names and values stay percent-encoded."""

    method: str
    host: str
    path: str
    query: tuple[tuple[str, str], ...]
    headers: tuple[tuple[str, str], ...]
    body: bytes

    @classmethod
    def of(cls, method: str, url: str, headers: Any, body: bytes) -> Wire:
        parts = urlsplit(url)
        pairs = [item.partition("=") for item in parts.query.split("&") if item]
        query = tuple((name, value) for name, _, value in pairs)
        return cls(method, parts.netloc, parts.path, query, tuple((k, str(v)) for k, v in headers.items()), body)

    @property
    def url(self) -> str:
        query = "&".join(f"{name}={value}" for name, value in self.query)
        return f"https://{self.host}{self.path}" + (f"?{query}" if query else "")

    def header(self, name: str) -> str:
        return next(v for k, v in self.headers if k.lower() == name)

    def with_header(self, name: str, value: str | None) -> Wire:
        kept = tuple((k, v) for k, v in self.headers if k.lower() != name)
        return replace(self, headers=kept if value is None else (*kept, (name, value)))

    def query_value(self, name: str) -> str:
        return next(v for k, v in self.query if k == name)

    def with_query(self, name: str, value: str) -> Wire:
        if name not in dict(self.query):
            return replace(self, query=(*self.query, (name, value)))
        return replace(self, query=tuple((k, value if k == name else v) for k, v in self.query))


@dataclass(frozen=True)
class Change:
    what: str
    request: Wire
    code: str


# --------------------------------------------------------------------------- signed originals


def credentials() -> Credentials:
    return Credentials(*MAIN)


def virtual_url(query: str = "") -> str:
    return f"https://{BUCKET}.s3.amazonaws.com/{quote(KEY)}" + (f"?{query}" if query else "")


def sigv4_header() -> Wire:
    headers = {"Content-Type": "text/plain", "x-amz-meta-note": "original"}
    request = AWSRequest(method="PUT", url=virtual_url("x-id=PutObject"), data=BODY, headers=headers)
    S3SigV4Auth(credentials(), "s3", "us-east-1").add_auth(request)
    assert request.headers["X-Amz-Content-SHA256"] == hashlib.sha256(BODY).hexdigest()
    return Wire.of("PUT", request.url, request.headers, BODY)


def crc32(data: bytes) -> str:
    return base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()


def sigv4_chunked() -> Wire:
    headers = {
        "Content-Type": "text/plain",
        "x-amz-meta-note": "original",
        "Content-Encoding": "aws-chunked",
        "x-amz-decoded-content-length": str(sum(map(len, CHUNKS))),
        "x-amz-trailer": "x-amz-checksum-crc32",
    }
    request = AWSRequest(method="PUT", url=virtual_url("x-id=PutObject"), headers=headers)
    StreamingSigner(credentials(), "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER").add_auth(request)
    authorization = request.headers["Authorization"]
    scope = authorization.split("Credential=")[1].split(",")[0].split("/", 1)[1]
    seed = authorization.rsplit("Signature=", 1)[1]
    key = derived_key(MAIN[1], scope)
    trailer = f"x-amz-checksum-crc32:{crc32(b''.join(CHUNKS))}"
    body = chain(key, request.headers["X-Amz-Date"], scope, seed, CHUNKS, trailer)
    return Wire.of("PUT", request.url, request.headers, body)


def sigv2_header() -> Wire:
    md5 = base64.b64encode(hashlib.md5(BODY).digest()).decode()
    headers = {"Content-Type": "text/plain", "Content-MD5": md5, "x-amz-meta-note": "original"}
    request = AWSRequest(method="PUT", url=virtual_url(), data=BODY, headers=headers)
    request.auth_path = f"/{BUCKET}/{quote(KEY)}"  # virtual-hosted: the bucket belongs to the resource
    HmacV1Auth(credentials()).add_auth(request)
    return Wire.of("PUT", request.url, request.headers, BODY)


def presigned(version: str | None) -> Wire:
    config = Config(signature_version=version) if version else None
    s3 = boto3.client(
        "s3", region_name="us-east-1", aws_access_key_id=MAIN[0], aws_secret_access_key=MAIN[1], config=config
    )
    url = s3.generate_presigned_url("put_object", Params={"Bucket": BUCKET, "Key": KEY}, ExpiresIn=3600)
    return Wire.of("PUT", url, {}, BODY)


SIGNERS: dict[str, Callable[[], Wire]] = {
    "sigv4-header": sigv4_header,
    "sigv4-chunked-trailer": sigv4_chunked,
    "sigv2-header": sigv2_header,
    "sigv4-presigned": lambda: presigned("s3v4"),
    "sigv2-presigned": lambda: presigned(None),
}


# --------------------------------------------------------------------------- single changes


def other_text(original: str, alphabet: str = TEXT) -> st.SearchStrategy[str]:
    # Signers trim and collapse header whitespace, so a change must survive that to be a change.
    return st.text(alphabet, max_size=12).filter(lambda t: " ".join(t.split()) != " ".join(original.split()))


def flipped(text: str, positions: range, alphabet: str) -> st.SearchStrategy[str]:
    """``text`` with one character (at one of ``positions``) replaced by another from ``alphabet``."""

    def flip(index: int, choice: int) -> str:
        others = [c for c in alphabet if c != text[index]]
        return text[:index] + others[choice % len(others)] + text[index + 1 :]

    return st.builds(flip, st.sampled_from(list(positions)), st.integers(0, 1000))


def shifted_date(value: str, fmt: str | None) -> st.SearchStrategy[str]:
    """The same timestamp moved by up to 10 minutes (same day, within S3's 15-minute skew)."""
    moment = datetime.strptime(value, fmt).replace(tzinfo=UTC) if fmt else parsedate_to_datetime(value)

    def render(seconds: int) -> str:
        later = moment + timedelta(seconds=seconds)
        return later.strftime(fmt) if fmt else format_datetime(later, usegmt=True)

    return st.integers(-600, 600).filter(bool).map(render)


def is_sigv4(scheme: str) -> bool:
    return scheme.startswith("sigv4")


def common_changes(scheme: str, wire: Wire) -> list[st.SearchStrategy[Change]]:
    hosts = [f"{OTHER_BUCKET}.s3.amazonaws.com", "s3.amazonaws.com"]
    if is_sigv4(scheme):  # SigV2 does not sign the host: only a host that changes the bucket is a change
        hosts += [f"{BUCKET}.s3.us-east-1.amazonaws.com", f"{BUCKET}.s3-external-1.amazonaws.com"]
    present = {name for name, _ in wire.query}
    # SigV2 signs only sub-resources in the query; SigV4 signs every parameter.
    names = ["acl", "tagging", "versionId", "uploads", "response-content-type"]
    names += ["x-id-2", "foo"] if is_sigv4(scheme) else []
    return [
        st.sampled_from(["GET", "POST", "DELETE", "HEAD", "PATCH"]).map(
            lambda m: Change(f"method {m}", replace(wire, method=m), MISMATCH)
        ),
        st.sampled_from(hosts).map(lambda h: Change(f"host {h}", replace(wire, host=h), MISMATCH)),
        st.text("abcXYZ019-_~ /+!", min_size=1, max_size=16)
        .filter(lambda k: k != KEY)
        .map(lambda k: Change(f"path {k!r}", replace(wire, path="/" + quote(k, safe="/~")), MISMATCH)),
        st.tuples(
            st.sampled_from([n for n in names if n not in present]), st.text(string.ascii_letters, max_size=8)
        ).map(lambda nv: Change(f"added query {nv}", wire.with_query(nv[0], quote(nv[1])), MISMATCH)),
        st.tuples(
            st.sampled_from(["x-amz-meta-extra", "x-amz-acl", "x-amz-storage-class"]), st.text("abc", max_size=4)
        ).map(lambda hv: Change(f"added header {hv}", wire.with_header(*hv), DENIED if is_sigv4(scheme) else MISMATCH)),
    ]


def signed_header_change(wire: Wire, names: list[str]) -> st.SearchStrategy[Change]:
    def value_for(name: str) -> st.SearchStrategy[str]:
        value = wire.header(name)
        special = {
            "x-amz-date": lambda: shifted_date(value, "%Y%m%dT%H%M%SZ"),
            "date": lambda: shifted_date(value, None),
            "x-amz-decoded-content-length": lambda: st.integers(0, 10**6).map(str).filter(lambda v: v != value),
            "content-md5": lambda: st.binary(min_size=16, max_size=16).map(lambda b: base64.b64encode(b).decode()),
            "x-amz-content-sha256": lambda: st.one_of(
                st.binary(min_size=32, max_size=32).map(bytes.hex),
                st.sampled_from(["UNSIGNED-PAYLOAD", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"]),
            ).filter(lambda v: v != value and (value.startswith("STREAMING") or not v.startswith("STREAMING"))),
        }
        return special.get(name, lambda: other_text(value))()

    return st.sampled_from(names).flatmap(
        lambda name: value_for(name).map(
            lambda v: Change(f"signed header {name}: {v!r}", wire.with_header(name, v), MISMATCH)
        )
    )


def removed_header(wire: Wire, names: list[str]) -> st.SearchStrategy[Change]:
    return st.sampled_from(names).map(lambda n: Change(f"removed {n}", wire.with_header(n, None), MISMATCH))


def body_byte(wire: Wire, code: str, spans: list[tuple[int, int]]) -> st.SearchStrategy[Change]:
    def flip(span: tuple[int, int], offset: int, mask: int) -> Change:
        at = span[0] + offset % (span[1] - span[0])
        body = wire.body[:at] + bytes([wire.body[at] ^ mask]) + wire.body[at + 1 :]
        return Change(f"body byte {at} ^ {mask}", replace(wire, body=body), code)

    return st.builds(flip, st.sampled_from(spans), st.integers(0, 10**6), st.integers(1, 255))


def authorization_change(wire: Wire, scheme: str) -> st.SearchStrategy[Change]:
    value = wire.header("authorization")
    if is_sigv4(scheme):
        head, signature = value.rsplit("Signature=", 1)
        forged = flipped(signature, range(64), "0123456789abcdef").map(lambda s: f"{head}Signature={s}")
    else:
        head, signature = value.rsplit(":", 1)
        forged = flipped(signature, range(26), string.ascii_letters + string.digits + "+/").map(lambda s: f"{head}:{s}")
    as_other = value.replace(MAIN[0], OTHER[0])  # a known key whose secret did not sign this
    return st.one_of(
        forged.map(lambda v: Change("forged signature", wire.with_header("authorization", v), MISMATCH)),
        st.just(Change("another principal's key", wire.with_header("authorization", as_other), MISMATCH)),
    )


def chunk_layout(body: bytes) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(signature spans, data spans) of the aws-chunked frames; the final empty chunk has no data."""
    signatures: list[tuple[int, int]] = []
    data: list[tuple[int, int]] = []
    pos = 0
    while True:
        eol = body.index(b"\r\n", pos)
        size_field, _, extension = body[pos:eol].partition(b";")
        signatures.append((eol - len(extension) + len(b"chunk-signature="), eol))
        size = int(size_field, 16)
        if size == 0:
            return signatures, data
        data.append((eol + 2, eol + 2 + size))
        pos = eol + 2 + size + 2


def chunked_changes(wire: Wire) -> list[st.SearchStrategy[Change]]:
    signatures, data = chunk_layout(wire.body)

    def forged_chunk(span: tuple[int, int], offset: int, choice: int) -> Change:
        at = span[0] + offset % 64
        old = chr(wire.body[at])
        new = [c for c in "0123456789abcdef" if c != old][choice % 15]
        body = wire.body[:at] + new.encode() + wire.body[at + 1 :]
        return Change(f"chunk signature at {at}", replace(wire, body=body), MISMATCH)

    trailer_value = wire.body.split(b"x-amz-checksum-crc32:")[1].split(b"\r\n")[0]
    trailer_signature = wire.body.split(b"x-amz-trailer-signature:")[1].split(b"\r\n")[0]

    def replaced(old: bytes, new: str, what: str) -> Change:
        return Change(what, replace(wire, body=wire.body.replace(old, new.encode())), MISMATCH)

    return [
        body_byte(wire, MISMATCH, data),
        st.builds(forged_chunk, st.sampled_from(signatures), st.integers(0, 63), st.integers(0, 14)),
        st.binary(min_size=4, max_size=4)
        .map(lambda b: base64.b64encode(b).decode())
        .filter(lambda v: v.encode() != trailer_value)
        .map(lambda v: replaced(trailer_value, v, f"trailer value {v}")),
        flipped(trailer_signature.decode(), range(64), "0123456789abcdef").map(
            lambda s: replaced(trailer_signature, s, "trailer signature")
        ),
    ]


def presigned_v4_changes(wire: Wire) -> list[st.SearchStrategy[Change]]:
    credential = wire.query_value("X-Amz-Credential")

    def query(name: str, value: str, code: str = MISMATCH) -> Change:
        return Change(f"query {name}={value}", wire.with_query(name, value), code)

    date = wire.query_value("X-Amz-Date")
    return [
        flipped(wire.query_value("X-Amz-Signature"), range(64), "0123456789abcdef").map(
            lambda s: query("X-Amz-Signature", s)
        ),
        shifted_date(date, "%Y%m%dT%H%M%SZ").map(lambda d: query("X-Amz-Date", d)),
        st.integers(1, 604800).filter(lambda n: n != 3600).map(lambda n: query("X-Amz-Expires", str(n))),
        st.sampled_from(
            [
                query("X-Amz-Credential", credential.replace(MAIN[0], OTHER[0])),
                query("X-Amz-Credential", credential.replace(MAIN[0], "AKIAUNKNOWN000000000"), "InvalidAccessKeyId"),
                query("X-Amz-Credential", credential.replace("us-east-1", "us-west-2"), QUERY_ERROR),
                query("X-Amz-Credential", credential.replace(date[:8], "20250114"), QUERY_ERROR),
                query("X-Amz-SignedHeaders", "content-type%3Bhost"),
                query("X-Amz-SignedHeaders", "x-amz-date", DENIED),  # host no longer signed
                query("X-Amz-Algorithm", "AWS4-HMAC-SHA512", QUERY_ERROR),
            ]
        ),
    ]


def presigned_v2_changes(wire: Wire) -> list[st.SearchStrategy[Change]]:
    expires = int(wire.query_value("Expires"))
    signature = base64.b64decode(unquote(wire.query_value("Signature")))

    def query(name: str, value: str, code: str = MISMATCH) -> Change:
        return Change(f"query {name}={value}", wire.with_query(name, value), code)

    def forged(index: int, mask: int) -> Change:
        raw = bytearray(signature)
        raw[index] ^= mask
        return query("Signature", quote(base64.b64encode(bytes(raw)).decode(), safe=""))

    now = int(FROZEN.timestamp())
    return [
        st.builds(forged, st.integers(0, 19), st.integers(1, 255)),
        st.one_of(st.integers(-7200, -3601), st.integers(-3600, 7200).filter(bool)).map(  # expired, or not yet
            lambda d: query("Expires", str(expires + d), MISMATCH if expires + d >= now else DENIED)
        ),
        st.sampled_from(
            [
                query("AWSAccessKeyId", OTHER[0]),
                query("AWSAccessKeyId", "AKIAUNKNOWN000000000", "InvalidAccessKeyId"),
            ]
        ),
        other_text("").map(lambda v: Change(f"Content-Type {v!r}", wire.with_header("Content-Type", v), MISMATCH)),
    ]


def changes(scheme: str, wire: Wire) -> st.SearchStrategy[Change]:
    options = common_changes(scheme, wire)
    if scheme == "sigv4-header":
        signed = wire.header("authorization").split("SignedHeaders=")[1].split(",")[0].split(";")
        options += [
            st.text(string.ascii_letters, max_size=10)
            .filter(lambda v: v != "PutObject")
            .map(lambda v: Change(f"query x-id={v}", wire.with_query("x-id", v), MISMATCH)),
            signed_header_change(wire, [n for n in signed if n != "host"]),
            removed_header(wire, ["content-type", "x-amz-meta-note"]),
            body_byte(wire, "XAmzContentSHA256Mismatch", [(0, len(wire.body))]),
            authorization_change(wire, scheme),
        ]
    elif scheme == "sigv4-chunked-trailer":
        signed = wire.header("authorization").split("SignedHeaders=")[1].split(",")[0].split(";")
        options += [
            signed_header_change(wire, [n for n in signed if n != "host"]),
            removed_header(wire, ["content-type", "x-amz-meta-note"]),
            authorization_change(wire, scheme),
            *chunked_changes(wire),
        ]
    elif scheme == "sigv2-header":
        signed = ["content-type", "content-md5", "date", "x-amz-meta-note"]
        options += [
            signed_header_change(wire, signed),
            removed_header(wire, ["content-type", "content-md5", "x-amz-meta-note"]),
            body_byte(wire, "BadDigest", [(0, len(wire.body))]),  # the body is signed through Content-MD5
            authorization_change(wire, scheme),
        ]
    elif scheme == "sigv4-presigned":
        options += presigned_v4_changes(wire)
    else:
        options += presigned_v2_changes(wire)
    return st.one_of(options)


# --------------------------------------------------------------------------- the property


def send(wire: Wire) -> urllib3.BaseHTTPResponse:
    headers = dict(wire.headers)
    return HTTP.request(wire.method, wire.url, body=wire.body, headers=headers, retries=False, redirect=False)


def stored(fake: FakeS3) -> dict[tuple[str, str], int]:
    """Every stored object, by identity: an accepted write makes a new object even with equal fields."""
    return {(name, key): id(obj) for name, bucket in fake.buckets.items() for key, obj in bucket.items()}


def started_fake() -> FakeS3:
    fake = FakeS3(buckets=[BUCKET, OTHER_BUCKET], credentials=dict([MAIN, OTHER])).start()
    s3 = boto3.client("s3", region_name="us-east-1", aws_access_key_id=MAIN[0], aws_secret_access_key=MAIN[1])
    s3.put_object(Bucket=BUCKET, Key=KEY, Body=b"previous")
    return fake


@pytest.mark.parametrize("scheme", list(SIGNERS))
def test_any_single_change_is_refused_and_stores_nothing(scheme):
    with freeze_time(FROZEN, ignore=["hypothesis"]):
        fake = started_fake()
        try:
            original = SIGNERS[scheme]()
            before = stored(fake)

            @settings(max_examples=200, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])
            @given(changes(scheme, original))
            def refused(change: Change) -> None:
                calls = len(fake.calls)
                response = send(change.request)
                call = fake.calls[-1]
                assert len(fake.calls) == calls + 1, change.what
                assert (response.status, call.error_code) == (call.status, change.code), (
                    f"{change.what}\n{call.describe()}"
                )
                assert response.status >= 400
                assert stored(fake) == before, change.what

            refused()
            # The unchanged request is accepted: every refusal above was the change's doing.
            assert send(original).status == 200, fake.calls[-1].describe()
            expected = b"".join(CHUNKS) if "chunked" in scheme else BODY
            assert fake.buckets[BUCKET][KEY].body == expected
        finally:
            fake.stop()
