"""Random methods, targets, header sets and body framings through the real urllib3 path.

Every answer is a well-formed S3 answer (a success, or an XML error with a Code that is not
InternalError), or else the exception the real client stack raises for the same input when it
talks to a real socket; and no refusal changes the store.
"""

from __future__ import annotations

import contextlib
import io
import re
import socket
import socketserver
import threading
import xml.etree.ElementTree as ET

import pytest
import urllib3
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fakes3put import BucketSpec, FakeS3

FAKE = "http://127.0.0.1:1"
# A key holding a C0 control character comes back raw inside <Key>, which no XML 1.0 parser
# accepts (S3 sends such characters as character references, which strict parsers refuse too):
# for those bodies only the error's shape is checked.
_C0_CONTROLS = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
BUCKET = "prop-bucket"


class _AnyRequest(socketserver.BaseRequestHandler):
    """Reads one request as framed (Content-Length or chunked), answers 200 and closes."""

    def handle(self):
        self.request.settimeout(0.2)
        data = b""
        try:
            while b"\r\n\r\n" not in data:
                block = self.request.recv(65536)
                if not block:
                    return
                data += block
            head, _, rest = data.partition(b"\r\n\r\n")
            lower = head.lower()
            if b"transfer-encoding: chunked" in lower:
                while b"0\r\n\r\n" not in rest and (block := self.request.recv(65536)):
                    rest += block
            else:
                for line in lower.split(b"\r\n"):
                    if line.startswith(b"content-length:") and line[15:].strip().isdigit():
                        wanted = int(line[15:].strip())
                        while len(rest) < wanted and (block := self.request.recv(65536)):
                            rest += block
        except OSError:
            pass
        with contextlib.suppress(OSError):
            self.request.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")


@pytest.fixture(scope="module")
def real_server():
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), _AnyRequest)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


KEY_TEXT = st.text(st.sampled_from("ab/%2F+ é.~*?=&日\x00\x7f"), max_size=8)
QUERIES = st.lists(
    st.sampled_from(
        [
            "uploads",
            "versions",
            "list-type=2",
            "delete",
            "acl",
            "uploadId=x",
            "partNumber=1",
            "partNumber=0",
            "tagging",
            "max-keys=2",
            "max-keys=-1",
            "prefix=a",
            "delimiter=%2F",
            "encoding-type=url",
            "versionId=null",
            "continuation-token=%%%",
            "X-Amz-Algorithm=AWS4-HMAC-SHA256",
            "Signature=x",
        ]
    ),
    max_size=2,
).map(lambda query: query[: len(query) // 2 * 2])  # half the targets have no query
TARGETS = st.builds(
    lambda bucket, key, query: f"/{bucket}{'' if key is None else '/' + key}{'?' + '&'.join(query) if query else ''}",
    st.sampled_from([BUCKET] * 6 + ["missing-bucket", "Bad_Bucket"]),
    st.none() | KEY_TEXT,
    QUERIES,
)
KNOWN_HEADER_NAMES = st.sampled_from(
    [
        "Content-Length",
        "Content-MD5",
        "Content-Type",
        "Content-Encoding",
        "Transfer-Encoding",
        "x-amz-content-sha256",
        "x-amz-decoded-content-length",
        "x-amz-checksum-crc32",
        "x-amz-sdk-checksum-algorithm",
        "x-amz-trailer",
        "x-amz-copy-source",
        "x-amz-acl",
        "x-amz-storage-class",
        "If-Match",
        "If-None-Match",
        "Range",
        "Expect",
        "Authorization",
        "x-amz-date",
        "x-amz-meta-a",
        "x-amz-tagging",
        "x-amz-grant-read",
        "Host",
    ]
)
# One header in eight has an odd name or value, some of which the client stack cannot send.
HEADER_NAMES = st.one_of(*[KNOWN_HEADER_NAMES] * 7, st.text(st.sampled_from("ab-:\r\n é"), max_size=5))
PLAIN_VALUES = st.sampled_from(
    ["", "0", "3", "-1", "*", "aws-chunked", "chunked", "STREAMING-UNSIGNED-PAYLOAD-TRAILER", "bytes=0-0", "CRC32"]
)
HEADER_VALUES = st.one_of(*[PLAIN_VALUES] * 7, st.text(st.sampled_from("a1/=\r\n\t é€"), max_size=6))
PAYLOADS = st.binary(max_size=24)


@st.composite
def framings(draw):
    """(body factory, chunked flag): each side gets a fresh body, since an iterator is read once."""
    kind = draw(st.sampled_from(["none", "bytes", "str", "iterator", "file", "chunked-bytes"]))
    data = draw(PAYLOADS)
    if kind == "none":
        return (lambda: None), False
    if kind == "str":
        text = draw(st.text(st.sampled_from("abé€"), max_size=6))
        return (lambda: text), False
    if kind == "iterator":
        pieces = draw(st.lists(PAYLOADS, max_size=3))
        return (lambda: iter(pieces)), False
    if kind == "file":
        return (lambda: io.BytesIO(data)), False
    return (lambda: data), kind == "chunked-bytes"


def send(base, method, target, headers, body, chunked):
    try:
        response = urllib3.PoolManager().urlopen(
            method, base + target, body=body(), headers=dict(headers), chunked=chunked, retries=False, redirect=False
        )
    except Exception as exc:
        return exc
    return response


def snapshot(fake):
    return {
        name: (bucket.acl, bucket.versioning, sorted((v.key, v.version_id, v.etag) for v in bucket.all_versions()))
        for name, bucket in fake.buckets.items()
    }


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    method=st.sampled_from(["PUT"] * 4 + ["GET", "GET", "HEAD", "POST", "DELETE", "PATCH"]),
    target=TARGETS,
    headers=st.dictionaries(HEADER_NAMES, HEADER_VALUES, max_size=4),
    framing=framings(),
)
def test_every_answer_is_s3s_or_the_client_stacks_own_refusal(real_server, method, target, headers, framing):
    body, chunked = framing
    buckets = [BucketSpec(BUCKET, acl="public-read-write")]
    with FakeS3(endpoints=[FAKE], buckets=buckets, isolate_environment=False) as fake:
        urllib3.PoolManager().request("PUT", f"{FAKE}/{BUCKET}/k", body=b"original")
        before = snapshot(fake)
        answer = send(FAKE, method, target, headers, body, chunked)
        real = send(real_server, method, target, headers, body, chunked)
        if isinstance(answer, Exception) or isinstance(real, Exception):
            # The client stack refused the input: the fake must raise just what the socket path raised.
            assert isinstance(real, Exception), f"the fake raised {answer!r}; a real socket took the request"
            assert isinstance(answer, Exception), f"a real socket path raised {real!r}; the fake answered"
            assert (type(answer), str(answer)) == (type(real), str(real))
            assert snapshot(fake) == before
            return
        assert answer.status != 500
        if answer.status >= 300 and answer.status != 304:
            assert fake.calls[-1].error_code not in (None, "InternalError")
            if method != "HEAD":
                code = re.match(rb'<\?xml version="1.0" encoding="UTF-8"\?>\n<Error><Code>(\w+)</Code>', answer.data)
                assert code is not None, answer.data
                assert code[1] != b"InternalError"
                if not _C0_CONTROLS.search(answer.data):
                    assert ET.fromstring(answer.data).findtext("Code") == code[1].decode()
            assert snapshot(fake) == before
    # leaving the block raises FakeS3InternalError if anything inside the fake crashed


def test_the_comparison_server_answers_any_framing(real_server):
    """The reference side: a plain socket that takes whatever it is sent."""
    http = urllib3.PoolManager()
    assert http.request("PUT", real_server + "/x", body=iter([b"a", b"b"])).status == 200
    assert http.request("FOO", real_server + "/x").status == 200
    with socket.create_connection(("127.0.0.1", int(real_server.rsplit(":", 1)[1]))) as raw:
        raw.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        assert raw.recv(100).startswith(b"HTTP/1.1 200")
