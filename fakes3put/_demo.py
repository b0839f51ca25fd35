"""``python -m fakes3put demo``: the seed's PUT /quotes/Neo, played through the fake."""

from __future__ import annotations

from datetime import UTC, datetime

import urllib3

from fakes3put._auth import sigv2
from fakes3put._fake import FakeS3

# The seed example's access key. Its printed signature is a documentation placeholder: no
# secret reproduces it. This secret is the one from AWS's published SigV2 examples.
SEED_ACCESS_KEY = "15B4D3461F177624206A"
SEED_SECRET = "uV3F3YluFJax1cknvbcGwgjvx4QpvB+leU8dUj2o"
SEED_SIGNATURE = "xQE0diMbLRepdf3YB+FIc8F2Cy8="
SEED_DATE = "Thu, 17 Nov 2005 07:48:33 GMT"
SEED_HEADERS = {"x-amz-meta-family": "Anderson", "Content-Type": "text/plain", "Date": SEED_DATE}


def _seed_clock() -> datetime:
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
        credentials={SEED_ACCESS_KEY: SEED_SECRET},
        clock=_seed_clock,  # the fake's clock stands at the seed's Date, so the request is in time
        isolate_environment=False,
    )
    http = urllib3.PoolManager()
    url = "https://s3.amazonaws.com/quotes/Neo"
    with fake:
        seed_headers = {**SEED_HEADERS, "Authorization": f"AWS {SEED_ACCESS_KEY}:{SEED_SIGNATURE}"}
        refused = http.request("PUT", url, body=b"woah", headers=seed_headers)
        _show("the seed's request, signature as printed in the old documentation", seed_headers, refused)

        to_sign = sigv2.string_to_sign(
            "PUT",
            content_type="text/plain",
            date=SEED_DATE,
            amz_headers=[("x-amz-meta-family", "Anderson")],
            resource="/quotes/Neo",
        )
        signed_headers = {**SEED_HEADERS, "Authorization": f"AWS {SEED_ACCESS_KEY}:{sigv2.sign(SEED_SECRET, to_sign)}"}
        stored = http.request("PUT", url, body=b"woah", headers=signed_headers)
        _show("the same request, signed with the seed's access key and a known secret", signed_headers, stored)

    obj = fake.buckets["quotes"]["Neo"]
    print("--- stored object")
    print(f"bucket/key:    quotes/{obj.key}")
    print(f"body:          {obj.body!r}")
    print(f"etag:          {obj.etag}  (the real MD5 of b'woah'; the old docs printed another)")
    print(f"content type:  {obj.content_type}")
    print(f"metadata:      {dict(obj.metadata)}")
    print(f"last modified: {obj.last_modified.isoformat()}")
    print()
    print("--- call log")
    for call in fake.calls:
        print(call.describe())
    return 0 if refused.status == 403 and stored.status == 200 else 1
