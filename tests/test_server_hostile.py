"""Bad HTTP at the loopback server: every connection is answered or closed, nothing is left behind.

Raw sockets on loopback; every loop is bounded and every read has a timeout.
"""

from __future__ import annotations

import os
import socket
import threading
from contextlib import contextmanager

import pytest
import requests

from fakes3put import BucketSpec, FakeS3

READ_TIMEOUT = 10


def open_sockets() -> int | None:
    """This process's open sockets, where the platform shows them (Linux's /proc)."""
    fds = "/proc/self/fd"
    if not os.path.isdir(fds):
        return None
    count = 0
    for name in os.listdir(fds):
        try:
            count += os.readlink(os.path.join(fds, name)).startswith("socket:")
        except OSError:
            continue
    return count


@contextmanager
def served():
    """A served fake with a bucket raw writers may use; checks nothing is left behind once stopped."""
    threads_before = set(threading.enumerate())
    sockets_before = open_sockets()
    fake = FakeS3(buckets=[BucketSpec("hostile", acl="public-read-write")], check_signatures=False)
    with fake.serve() as endpoint:
        yield fake, ("127.0.0.1", int(endpoint.rsplit(":", 1)[1])), endpoint
        # Still serving well-formed requests after whatever the test did.
        assert requests.put(f"{endpoint}/hostile/after", data=b"ok", timeout=READ_TIMEOUT).status_code == 200
    assert set(threading.enumerate()) - threads_before == set()
    after = open_sockets()  # earlier tests' sockets may close meanwhile: never more than before
    assert after is None or sockets_before is None or after <= sockets_before


def read_all(sock: socket.socket) -> bytes:
    """Everything the server sends until it closes the connection."""
    sock.settimeout(READ_TIMEOUT)
    received = b""
    while True:
        try:
            block = sock.recv(65536)
        except ConnectionResetError:
            return received
        if not block:
            return received
        received += block


@pytest.mark.parametrize(
    ("request_line", "answer_starts"),
    [
        (b"PUT /hostile/a b HTTP/1.1", b"HTTP/1.1 400 "),
        (b"PUT /hostile/k HTTP/9.9", b"<!DOCTYPE HTML>"),  # a version it cannot speak: 505, body only
        (b"THIS IS NOT HTTP", b"<!DOCTYPE HTML>"),  # no version: answered HTTP/0.9-style, body only
        (b"\xff\xfe\x00garbage", b"<!DOCTYPE HTML>"),
    ],
)
def test_malformed_request_line_gets_an_error_and_a_closed_connection(request_line, answer_starts):
    with served() as (fake, address, _), socket.create_connection(address, timeout=READ_TIMEOUT) as sock:
        sock.sendall(request_line + b"\r\nHost: x\r\n\r\n")
        answer = read_all(sock)
    assert answer.startswith(answer_starts)
    assert b"Error code: 400" in answer or b"Error code: 505" in answer
    assert [c.key for c in fake.calls] == ["after"]


def test_garbage_content_length_gets_400_and_is_not_stored():
    with served() as (fake, address, _), socket.create_connection(address, timeout=READ_TIMEOUT) as sock:
        sock.sendall(b"PUT /hostile/k HTTP/1.1\r\nHost: x\r\nContent-Length: 12abc\r\n\r\nbody")
        answer = read_all(sock)
    assert answer.startswith(b"HTTP/1.1 400 ")
    assert list(fake.buckets["hostile"]) == ["after"]


def test_client_that_disconnects_mid_body_changes_nothing():
    with served() as (fake, address, _):
        with socket.create_connection(address, timeout=READ_TIMEOUT) as sock:
            sock.sendall(b"PUT /hostile/half HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n" + b"x" * 300)
        before_after = list(fake.buckets["hostile"])
    assert before_after == []
    assert "half" not in fake.buckets["hostile"]
    assert [c.key for c in fake.calls] == ["after"]  # the abandoned request never reached S3


def test_body_shorter_than_content_length_is_closed_without_an_answer():
    with served() as (fake, address, _), socket.create_connection(address, timeout=READ_TIMEOUT) as sock:
        sock.sendall(b"PUT /hostile/short HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n" + b"y" * 10)
        sock.shutdown(socket.SHUT_WR)  # the client is done sending: 90 bytes never come
        answer = read_all(sock)
    assert answer == b""
    assert "short" not in fake.buckets["hostile"]


def test_chunked_body_that_stops_mid_chunk_changes_nothing():
    with served() as (fake, address, _), socket.create_connection(address, timeout=READ_TIMEOUT) as sock:
        sock.sendall(b"PUT /hostile/chunks HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc")
        sock.shutdown(socket.SHUT_WR)
        answer = read_all(sock)
    assert not answer.startswith(b"HTTP/1.1 200")
    assert "chunks" not in fake.buckets["hostile"]


def test_slow_client_sending_a_byte_at_a_time_is_answered():
    request = b"PUT /hostile/slow HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nslow!"
    with served() as (fake, address, _), socket.create_connection(address, timeout=READ_TIMEOUT) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for byte in request:
            sock.send(bytes([byte]))
        answer = read_all(sock)
    assert answer.startswith(b"HTTP/1.1 200 OK\r\n")
    assert fake.buckets["hostile"]["slow"].body == b"slow!"


def test_1000_connections_opened_and_dropped_leave_nothing_behind():
    shapes = [b"", b"PUT /hostile/k HTTP/1.1\r\nHo", b"PUT /hostile/k HTTP/1.1\r\n", b"PUT /hostile/k HTTP/1.1\r\n\r\n"]
    with served() as (fake, address, _):
        for n in range(1000):
            with socket.create_connection(address, timeout=READ_TIMEOUT) as sock:
                if shapes[n % len(shapes)]:
                    sock.sendall(shapes[n % len(shapes)])
        stored = dict(fake.buckets["hostile"])
    assert stored == {}
    # A complete PUT with no Content-Length may be answered (411) if its thread reads it before the drop.
    assert {c.status for c in fake.calls if c.key != "after"} <= {411}


def test_a_connection_left_open_does_not_keep_stop_waiting():
    threads_before = set(threading.enumerate())
    fake = FakeS3()
    with fake.serve() as endpoint:
        idle = socket.create_connection(("127.0.0.1", int(endpoint.rsplit(":", 1)[1])), timeout=READ_TIMEOUT)
        idle.sendall(b"GET / HTTP/1.1\r\n")  # a request begun and never finished
    assert set(threading.enumerate()) - threads_before == set()
    assert read_all(idle) == b""
    idle.close()


def test_put_without_content_length_is_411_as_s3_answers():
    """S3-PUT-REFERENCE.md: Content-Length is required unless chunked; both missing is 411."""
    with served() as (fake, address, _), socket.create_connection(address, timeout=READ_TIMEOUT) as sock:
        sock.sendall(b"PUT /hostile/unframed HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        answer = read_all(sock)
    assert answer.startswith(b"HTTP/1.1 411 Length Required\r\n")
    assert b"<Code>MissingContentLength</Code>" in answer
    assert "unframed" not in fake.buckets["hostile"]


def test_a_chunk_size_with_a_0x_prefix_is_not_a_chunk_size():
    with served() as (fake, address, _), socket.create_connection(address, timeout=READ_TIMEOUT) as sock:
        sock.sendall(
            b"PUT /hostile/hex HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n"
        )
        sock.shutdown(socket.SHUT_WR)
        answer = read_all(sock)
    assert not answer.startswith(b"HTTP/1.1 200")
    assert "hex" not in fake.buckets["hostile"]
