"""``python -m fakes3put demo``: S3's own 2006 PUT Object example, played through the fake."""

from __future__ import annotations

from datetime import UTC, datetime

import urllib3

from fakes3put._auth import sigv2
from fakes3put._fake import FakeS3

# The example's access key. Its printed signature is a documentation placeholder: no secret
# reproduces it. This secret is the one from AWS's published SigV2 examples.
EXAMPLE_ACCESS_KEY = "15B4D3461F177624206A"
EXAMPLE_SECRET = "uV3F3YluFJax1cknvbcGwgjvx4QpvB+leU8dUj2o"
EXAMPLE_SIGNATURE = "xQE0diMbLRepdf3YB+FIc8F2Cy8="
EXAMPLE_DATE = "Thu, 17 Nov 2005 07:48:33 GMT"
EXAMPLE_HEADERS = {"x-amz-meta-family": "Anderson", "Content-Type": "text/plain", "Date": EXAMPLE_DATE}

INTRODUCTION = """\
S3's 2006 documentation of PUT Object shows one request: PUT /quotes/Neo with the body 'woah',
a metadata header and a SigV2 signature by access key 15B4D3461F177624206A. The fake plays it
twice, with that key and a secret it knows, and its clock set to the example's Date so the
request is not refused as too old.
"""
FIRST = """\
1. The request exactly as printed. Its signature is a placeholder no secret produces, so the
   fake recomputes the signature and refuses it as S3 would: 403 SignatureDoesNotMatch, with the
   StringToSign it signed, for you to compare with yours. Nothing is stored.
"""
SECOND = """\
2. The same request, signed with the secret. The fake stores the object, and the ETag is the
   real MD5 of 'woah' (the old documentation printed another).
"""


def _example_clock() -> datetime:
    return datetime(2005, 11, 17, 7, 48, 33, tzinfo=UTC)


def _show(title: str, headers: dict[str, str], response: urllib3.BaseHTTPResponse) -> None:
    print(f"--- {title}")
    print("PUT /quotes/Neo HTTP/1.1")
    for name, value in headers.items():
        print(f"{name}: {value}")
    print("\nwoah\n")
    print(f"HTTP/1.1 {response.status} {response.reason}")
    for name, value in response.headers.items():
        print(f"{name}: {value}")
    if response.data:
        print()
        print(response.data.decode())
    print()


def run() -> int:
    fake = FakeS3(
        buckets=["quotes"],
        credentials={EXAMPLE_ACCESS_KEY: EXAMPLE_SECRET},
        clock=_example_clock,  # the fake's clock stands at the example's Date, so the request is in time
        isolate_environment=False,
    )
    http = urllib3.PoolManager()
    url = "https://s3.amazonaws.com/quotes/Neo"
    print(INTRODUCTION)
    with fake:
        as_printed = {**EXAMPLE_HEADERS, "Authorization": f"AWS {EXAMPLE_ACCESS_KEY}:{EXAMPLE_SIGNATURE}"}
        refused = http.request("PUT", url, body=b"woah", headers=as_printed)
        print(FIRST)
        _show("the request as printed", as_printed, refused)

        to_sign = sigv2.string_to_sign(
            "PUT",
            content_type="text/plain",
            date=EXAMPLE_DATE,
            amz_headers=[("x-amz-meta-family", "Anderson")],
            resource="/quotes/Neo",
        )
        signature = sigv2.sign(EXAMPLE_SECRET, to_sign)
        signed_headers = {**EXAMPLE_HEADERS, "Authorization": f"AWS {EXAMPLE_ACCESS_KEY}:{signature}"}
        stored = http.request("PUT", url, body=b"woah", headers=signed_headers)
        print(SECOND)
        _show("the same request, signed with the secret", signed_headers, stored)

    obj = fake.buckets["quotes"]["Neo"]
    print("--- stored object")
    print(f"bucket/key:    quotes/{obj.key}")
    print(f"body:          {obj.body!r}")
    print(f"etag:          {obj.etag}  (the real MD5 of b'woah'; the old docs printed another)")
    print(f"content type:  {obj.content_type}")
    print(f"metadata:      {dict(obj.metadata)}")
    print(f"last modified: {obj.last_modified.isoformat()}")
    print()
    print("--- the fake's call log (fake.calls), as a test would print it")
    for call in fake.calls:
        print(call.describe())
    return 0 if refused.status == 403 and stored.status == 200 else 1
