"""A loopback HTTP server in front of one fake: for clients with their own HTTP stack, and subprocesses.

Built on the standard library's ``ThreadingHTTPServer`` (a thread per connection, HTTP/1.1
keep-alive), so the server needs nothing beyond the base install. What http.server leaves to
the handler is done here: decoding a chunked request body, and answering ``Expect:
100-continue`` only once the pipeline asks for the body (S3 refuses a bad upload before
reading it). Every request goes through the same ``_service.handle`` as the in-process
transport, with the Host header the client signed.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import socket
import struct
import sys
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast

from fakes3put import _service
from fakes3put._state import FakeState
from fakes3put._transport import registry
from fakes3put._transport.routing import Endpoint, Router, route_endpoint
from fakes3put._wire.request import Address
from fakes3put._wire.response import ConnectionReset, Response, reason_phrase
from fakes3put.errors import FakeS3Error

_LOOPBACK_NAMES = ("127.0.0.1", "localhost")
_IDLE_TIMEOUT = 60.0  # seconds a connection may sit silent (between requests or mid-body) before it is closed
_MAX_CHUNK_LINE = 4096  # a chunk-size line (with extensions) or trailer line longer than this is refused
_MAX_TRAILERS = 100
_NO_BODY_STATUSES = frozenset({204, 304})
_METHODS = ("GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS", "PATCH")


class ClientGone(Exception):
    """The client stopped sending before its body ended (or framed it wrongly): nobody to answer."""


class _Body:
    """A request body read from the socket as the pipeline asks for it.

    Reading is what sends ``100 Continue`` to a client that waits for it. ``finished`` says
    whether the whole body was read, so the connection can be reused.
    """

    def __init__(self, rfile: io.BufferedIOBase, announce: Callable[[], None]) -> None:
        self._rfile = rfile
        self._announce = announce
        self.finished = False

    def read(self, size: int = -1) -> bytes:
        self._announce()
        if self.finished:
            return b""
        return self._read(size if size is not None and size >= 0 else 1 << 62)

    def _read(self, size: int) -> bytes:
        raise NotImplementedError


class _LengthBody(_Body):
    """A body of ``Content-Length`` bytes; one that ends early is a client gone, not a short object."""

    def __init__(self, rfile: io.BufferedIOBase, announce: Callable[[], None], length: int) -> None:
        super().__init__(rfile, announce)
        self._remaining = length
        self.finished = length == 0

    def _read(self, size: int) -> bytes:
        data = self._rfile.read(min(size, self._remaining))
        if not data:
            raise ClientGone(f"the connection closed with {self._remaining} byte(s) of the body still due")
        self._remaining -= len(data)
        self.finished = self._remaining == 0
        return data


class _ChunkedBody(_Body):
    """A ``Transfer-Encoding: chunked`` body, decoded (RFC 9112 section 7.1); trailers are read and dropped."""

    def __init__(self, rfile: io.BufferedIOBase, announce: Callable[[], None]) -> None:
        super().__init__(rfile, announce)
        self._left_in_chunk = 0

    def _line(self) -> bytes:
        line = self._rfile.readline(_MAX_CHUNK_LINE + 1)
        if not line.endswith(b"\n"):
            raise ClientGone("the chunked body ended mid-line or sent an overlong line")
        return line.rstrip(b"\r\n")

    def _read(self, size: int) -> bytes:
        if self._left_in_chunk == 0:
            size_field = self._line().partition(b";")[0].strip()
            try:
                hex_digits = size_field and all(digit in b"0123456789abcdefABCDEF" for digit in size_field)
                self._left_in_chunk = int(size_field, 16) if hex_digits else -1
            except ValueError:
                self._left_in_chunk = -1
            if self._left_in_chunk < 0:
                raise ClientGone(f"bad chunk size {size_field[:40]!r}")
            if self._left_in_chunk == 0:
                for _ in range(_MAX_TRAILERS):
                    if not self._line():
                        self.finished = True
                        return b""
                raise ClientGone("too many trailer lines")
        data = self._rfile.read(min(size, self._left_in_chunk))
        if not data:
            raise ClientGone("the connection closed inside a chunk")
        self._left_in_chunk -= len(data)
        if self._left_in_chunk == 0 and self._line():
            raise ClientGone("a chunk is longer than its size says")
        return data


class _LinesUntilEnd:
    """The connection's reader, as the header parser uses it, noting whether the stream ended."""

    def __init__(self, rfile: io.BufferedIOBase) -> None:
        self._rfile = rfile
        self.ended = False

    def readline(self, limit: int = -1) -> bytes:
        line = self._rfile.readline(limit)
        self.ended = self.ended or not line
        return line


def _joined_headers(handler: BaseHTTPRequestHandler) -> dict[str, str]:
    """The request's headers, a repeated name joined with ',' as HTTP folding does."""
    joined: dict[str, str] = {}
    for name, value in handler.headers.items():
        key = name.lower()
        joined[key] = f"{joined[key]},{value}" if key in joined else value
    return joined


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive
    disable_nagle_algorithm = True  # headers and body go out as written, not 40 ms later
    timeout = _IDLE_TIMEOUT
    server: _Server
    _continue_due = False  # "100 Continue" is owed to this request's client once its body is read

    def parse_request(self) -> bool:
        # http.server takes end-of-stream as the end of the header block; a request cut off there
        # was never finished, and answering it would act on half a request.
        self._continue_due = False  # set again by handle_expect_100 if this request asks for it
        real = self.rfile
        watched = _LinesUntilEnd(real)
        self.rfile = cast(io.BufferedIOBase, watched)
        try:
            parsed = super().parse_request()
        finally:
            self.rfile = real
        if parsed and watched.ended:
            self.close_connection = True
            return False
        return parsed

    def handle_expect_100(self) -> bool:
        # Deferred: "100 Continue" goes out when the pipeline first reads the body, so a request
        # refused from its headers is answered without the client ever sending the body.
        self._continue_due = True
        return True

    def _announce(self) -> None:
        if self._continue_due:
            self._continue_due = False
            self.wfile.write(b"HTTP/1.1 100 Continue\r\n\r\n")

    def _body(self, headers: dict[str, str]) -> _Body | None:
        if "chunked" in headers.get("transfer-encoding", "").lower():
            return _ChunkedBody(self.rfile, self._announce)
        declared = headers.get("content-length")
        if declared is None:
            return None
        text = declared.strip()
        if not (text.isascii() and text.isdigit()):
            raise ClientGone(f"Content-Length {declared[:40]!r} is not a length: the body cannot be framed")
        return _LengthBody(self.rfile, self._announce, int(text))

    def _serve(self) -> None:
        headers = _joined_headers(self)
        front = self.server.front
        try:
            address = Address.of_url(f"http://{headers.get('host') or front.endpoint.netloc}")
        except ValueError:  # a Host no URL can hold: answered as the server's own address
            address = front.endpoint
        route = front.router.route(address, self.path) or route_endpoint(front.endpoint_rule, front.endpoint, self.path)
        assert route is not None  # the server's own address always routes, path-style
        try:
            body = self._body(headers)
        except ClientGone as unframed:
            self.send_error(400, "Bad Request", str(unframed))  # closes the connection: the body cannot be skipped
            return
        try:
            response = _service.handle(
                front.state,
                method=self.command,
                address=address,
                url=self.path,
                raw_headers=headers,
                body=body,
                chunked_transfer=False,  # the framing header is passed as the client sent it
                route=route,
                headers_as_sent=True,  # a PUT without Content-Length is S3's 411, not an empty object
            )
        except ConnectionReset:
            self._reset()
            return
        except (ClientGone, OSError):
            self.close_connection = True  # the client left, or framed its body so it cannot be found
            return
        self._continue_due = False
        if body is not None and not body.finished:
            # The rest of the body is still on the wire (or was never sent): this connection is done.
            self.close_connection = True
            response.headers["Connection"] = "close"
        self._respond(response)

    def _respond(self, response: Response) -> None:
        self.send_response_only(response.status, reason_phrase(response.status))
        # A later spelling of a name replaces an earlier one, as in the in-process transport.
        latest = {name.lower(): (name, value) for name, value in response.headers.items()}
        for name, value in latest.values():
            self.send_header(name, value)
        if "content-length" not in latest and response.status not in _NO_BODY_STATUSES:
            self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD" and response.status not in _NO_BODY_STATUSES and response.body:
            self.wfile.write(response.body)

    def _reset(self) -> None:
        """What a reset peer looks like to the client: the socket closes with RST and no answer."""
        self.close_connection = True
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.server.reset_sockets.add(self.connection)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: ARG002 - http.server's signature
        return None  # the fake's call log is the record; nothing goes to stderr


for _method in _METHODS:
    setattr(_Handler, f"do_{_method}", _Handler._serve)


class _Front:
    """What the handlers need: the fake's state and how the server's own address routes."""

    def __init__(self, state: FakeState, endpoint: Address, router: Router) -> None:
        self.state = state
        self.endpoint = endpoint
        self.endpoint_rule = Endpoint(endpoint.scheme, endpoint.host, endpoint.port, "")
        self.router = router


class _Server(ThreadingHTTPServer):
    daemon_threads = False  # handler threads are joined on close: none outlives stop()
    block_on_close = True
    request_queue_size = 128  # at least 64 clients connecting at once are all accepted

    def __init__(self, address: tuple[str, int], front: _Front) -> None:
        self.front = front
        self.open_sockets: set[socket.socket] = set()
        self.reset_sockets: set[socket.socket] = set()
        self._sockets_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._sockets_lock:
            self.open_sockets.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._sockets_lock:
            self.open_sockets.discard(request)
            reset = request in self.reset_sockets
            self.reset_sockets.discard(request)
        if reset:
            request.close()  # no FIN first: SO_LINGER 0 makes close() send RST
            return
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:  # noqa: ARG002 - socketserver's signature
        # A broken connection is the client's business; anything else is the fake's own bug, kept so
        # that stop() fails the test, as for a request answered in process.
        error = sys.exc_info()[1]
        if error is not None and not isinstance(error, OSError | ClientGone):
            self.front.state.internal_errors.append(error)

    def wake_handlers(self) -> None:
        """End every open connection, so a handler waiting for its client's next request returns."""
        with self._sockets_lock:
            sockets = list(self.open_sockets)
        for sock in sockets:
            with contextlib.suppress(OSError):  # already closed by its handler
                sock.shutdown(socket.SHUT_RDWR)


class LoopbackServer:
    """One fake served over HTTP on a local port, from ``start()`` (or ``with``) to ``stop()``.

    ``on_start``/``on_stop`` start and stop the fake itself, so its credentials are in the
    environment and in-process clients see the same store while the server runs.
    """

    def __init__(
        self,
        state: FakeState,
        *,
        host: str,
        port: int,
        env: bool,
        credentials: tuple[str, str, str],
        on_start: Callable[[], object],
        on_stop: Callable[[], None],
    ) -> None:
        self._state = state
        self._host = host
        self._port = port
        self._env = env
        self._credentials = credentials
        self._on_start = on_start
        self._on_stop = on_stop
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._router: Router | None = None
        self._saved_environment: dict[str, str | None] = {}

    @property
    def endpoint(self) -> str:
        """``http://127.0.0.1:PORT``: the URL to hand a client (available once started)."""
        return str(self._address())

    @property
    def host(self) -> str:
        return self._address().host

    @property
    def port(self) -> int:
        return self._address().port

    @property
    def environment(self) -> dict[str, str]:
        """The variables that point an SDK in another process at this server, credentials included."""
        access_key, secret_key, region = self._credentials
        return {
            "AWS_ENDPOINT_URL_S3": self.endpoint,
            "AWS_ENDPOINT_URL": self.endpoint,
            "AWS_ALLOW_HTTP": "true",  # object_store (obstore, polars) refuses plain http without it
            "AWS_ACCESS_KEY_ID": access_key,
            "AWS_SECRET_ACCESS_KEY": secret_key,
            "AWS_DEFAULT_REGION": region,
            "AWS_REGION": region,
        }

    def _address(self) -> Address:
        if self._server is None:
            raise FakeS3Error("the server is not running: start() it (or use it as a context manager) first")
        bound_port = self._server.server_address[1]
        shown = "127.0.0.1" if self._host in ("", "0.0.0.0") else self._host  # a wildcard bind
        return Address("http", shown, int(bound_port))

    def start(self) -> str:
        """Listen and serve; returns the endpoint URL."""
        if self._server is not None:
            raise FakeS3Error(f"the server is already running at {self.endpoint}")
        self._on_start()
        try:
            self._listen()
        except BaseException:
            self._on_stop()
            raise
        self._export_environment()
        return self.endpoint

    def _listen(self) -> None:
        try:
            server = _Server((self._host, self._port), _Front(self._state, Address("http", "127.0.0.1", 0), _NOWHERE))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise FakeS3Error(
                    f"port {self._port} on {self._host} is already in use: pick another port, or port=0 for a free one"
                ) from None
            raise FakeS3Error(f"cannot listen on {self._host}:{self._port}: {exc}") from None
        self._server = server
        address = self._address()
        names = {address.host, *_LOOPBACK_NAMES}
        self._router = Router(tuple(Endpoint("http", name, address.port, "") for name in sorted(names)), aws=True)
        server.front = _Front(self._state, address, self._router)
        with registry.lock:
            registry.served.append(self._router)
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name=f"fakes3put-server-{address.port}"
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop listening, end open connections and wait for every handler thread; stops the fake too."""
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        self._restore_environment()
        with registry.lock:
            if self._router in registry.served:
                registry.served.remove(self._router)
        server.shutdown()
        thread.join()
        server.wake_handlers()
        server.server_close()  # joins the handler threads
        self._server = self._thread = None
        self._on_stop()

    def _export_environment(self) -> None:
        if not self._env:
            return
        names = ("AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL", "AWS_ALLOW_HTTP")
        self._saved_environment = {name: os.environ.get(name) for name in names}
        for name in names:
            os.environ[name] = self.environment[name]

    def _restore_environment(self) -> None:
        for name, value in self._saved_environment.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        self._saved_environment = {}

    def __enter__(self) -> str:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def __repr__(self) -> str:
        where = self.endpoint if self._server is not None else "stopped"
        return f"<fakes3put server {where}>"


_NOWHERE = Router((), aws=False)  # placeholder until the bound port is known
