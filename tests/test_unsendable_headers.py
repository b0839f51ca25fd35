"""Headers HTTP forbids never reach S3: the fake raises what urllib3 and http.client raise on a real
socket, and stores nothing."""

from __future__ import annotations

import http.client
import http.server
import threading

import pytest
import urllib3
from botocore.exceptions import HTTPClientError
from hypothesis import given
from hypothesis import strategies as st

from fakes3put import BucketSpec, FakeS3
from fakes3put._wire import parse

from .helpers import make_client

BUCKET = "header-bucket"
FAKE_URL = f"http://127.0.0.1:1/{BUCKET}/k"


class _Accepting(http.server.BaseHTTPRequestHandler):
    def do_PUT(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def real_url():
    """A real HTTP server on a local socket: what the client stack does with a header, for comparison."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Accepting)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/{BUCKET}/k"
    server.shutdown()
    server.server_close()


@pytest.fixture
def fake():
    buckets = [BucketSpec(BUCKET, acl="public-read-write")]
    with FakeS3(endpoints=["http://127.0.0.1:1"], buckets=buckets, isolate_environment=False) as started:
        yield started


def outcome(url, headers):
    try:
        return urllib3.PoolManager().request("PUT", url, body=b"x", headers=headers, retries=False).status
    except Exception as exc:
        return type(exc), str(exc)


UNSENDABLE = [
    ({"x-amz-meta-a": "b\r\nX-Evil: 1"}, ValueError),
    ({"x-amz-meta-a": "b\nc"}, ValueError),
    ({"x-amz-meta-a": "b\r"}, ValueError),
    ({"x-amz-meta-a": b"b\r\nX-Evil: 1"}, ValueError),
    ({"x-amz-meta-a:b": "c"}, ValueError),
    ({"": "c"}, ValueError),
    ({" x-amz-meta-a": "c"}, ValueError),
    ({b"a:b": "c"}, ValueError),
    ({"x-amz-meta-é": "c"}, UnicodeEncodeError),
    ({"x-amz-meta-a": "€"}, UnicodeEncodeError),
    ({"x-amz-meta-a": None}, TypeError),
    ({"x-amz-meta-a": 1.5}, TypeError),
    ({5: "c"}, AttributeError),
]


@pytest.mark.parametrize(("headers", "raised"), UNSENDABLE, ids=repr)
def test_an_unsendable_header_raises_what_a_real_socket_raises(fake, real_url, headers, raised):
    real = outcome(real_url, headers)
    assert real[0] is raised
    assert outcome(FAKE_URL, headers) == real
    assert list(fake.buckets[BUCKET]) == []
    assert fake.calls == []
    assert fake.writes == []


@pytest.mark.parametrize(
    "headers",
    [
        {"x-amz-meta-a": "b\r\n c"},  # obsolete line folding: http.client sends it
        {"x-amz-meta-a": "ü"},  # latin-1 on the wire
        {"x-amz-meta-a": b"\xe9"},
        {"x-amz-meta-a": 5},
        {"x-amz-meta-a ": "c"},
        {b"x-amz-meta-b": "c"},
    ],
    ids=repr,
)
def test_a_sendable_header_still_reaches_s3(fake, real_url, headers):
    assert outcome(real_url, headers) == 200
    assert outcome(FAKE_URL, headers) == 200
    assert list(fake.buckets[BUCKET]) == ["k"]


def test_boto3_metadata_with_a_line_break_is_refused_before_s3(fake):
    s3 = make_client(fake, retries={"total_max_attempts": 1})
    with pytest.raises(HTTPClientError, match="Invalid header value"):
        s3.put_object(Bucket=BUCKET, Key="evil", Body=b"x", Metadata={"a": "b\r\nX-Evil: 1"})
    assert "evil" not in fake.buckets[BUCKET]
    assert fake.calls == []


ASCII = st.text(st.characters(max_codepoint=0x7F), max_size=6)


@given(st.lists(ASCII, min_size=1, max_size=4))
def test_the_fast_name_check_agrees_with_http_client(names):
    legal = all(http.client._is_legal_header_name(name.encode("ascii")) for name in names)  # type: ignore[attr-defined]
    assert bool(parse._PLAIN_NAMES("\x80".join(names))) == legal
