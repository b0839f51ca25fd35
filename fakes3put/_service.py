"""The fake S3 service: one request in, one response out, along the path of DESIGN.md.

wire -> auth -> operation -> sequencer -> store; every failure becomes S3's XML error.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from urllib3.exceptions import ProtocolError

from fakes3put._auth import Principal, authenticate
from fakes3put._calls import Call
from fakes3put._commit import faults
from fakes3put._commit.faults import Fault
from fakes3put._commit.policies import HOLD_TIMEOUT, SimultaneousTimeoutError
from fakes3put._commit.sequencer import WriteRecord
from fakes3put._ops import buckets as _ops_bucket
from fakes3put._ops import dispatch, integrity
from fakes3put._ops.context import OperationContext
from fakes3put._state import FakeState
from fakes3put._transport.routing import Route
from fakes3put._wire import chunked as _chunked
from fakes3put._wire import parse as _wire
from fakes3put._wire.bodybuffer import BodyBuffer
from fakes3put._wire.digests import Digests
from fakes3put._wire.request import S3Request
from fakes3put._wire.response import Response, error_response, http_time
from fakes3put.errors import S3Error

# Operations whose request body is an object (or part) and so gets the size checks up front.
_OBJECT_BODY_OPERATIONS = frozenset({"PutObject", "UploadPart"})
_ANONYMOUS = Principal(None, "anonymous")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(slots=True)
class _Exchange:
    """What the fake has learnt so far about one request, for the response and the logs."""

    request_id: str
    url: str
    now: datetime = _EPOCH
    request: S3Request | None = None
    operation: str = "Unknown"
    principal: Principal = _ANONYMOUS
    sent: int = 0
    fault: Fault | None = None
    record: WriteRecord | None = None


class _ConnectionReset(Exception):
    """An injected connection reset; becomes the exception urllib3 raises for a reset peer."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind

    def error(self) -> ProtocolError:
        return ProtocolError(
            "Connection aborted.", ConnectionResetError(104, f"Connection reset by peer (fakes3put {self.kind})")
        )


def handle(
    state: FakeState,
    *,
    method: str,
    scheme: str,
    host: str,  # host[:port] as urllib3 would send it, unless the headers carry a Host
    url: str,
    raw_headers: Mapping[str, Any] | None,
    body: Any,
    chunked_transfer: bool,
    route: Route,
) -> Response:
    request_id, host_id = state.request_ids()
    raw_path, raw_query = _wire.split_target(url)
    target = raw_path + (f"?{raw_query}" if raw_query else "")
    exchange = _Exchange(request_id, f"{scheme}://{host}{target}")
    error: S3Error | None = None
    try:
        exchange.now = state.now()
        headers = _wire.effective_headers(raw_headers, body, method, chunked_transfer)
        given = headers.get("host")  # what the client signed, when it set Host itself
        if given:
            host = given.lower()
            exchange.url = f"{scheme}://{host}{target}"
        exchange.request = _wire.build_request(
            method=method,
            scheme=scheme,
            host=host,
            raw_path=raw_path,
            raw_query=raw_query,
            headers=headers,
            route=route,
            plus_as_space=state.settings.plus_as_space,
        )
        response = _process(state, exchange, body)
    except S3Error as exc:
        error = exc
    except _wire.ClientSideError as exc:
        raise exc.original from None  # the client's own failure, raised where a socket would raise it
    except SimultaneousTimeoutError as exc:
        # A hold gave up. The writer gets a client error no SDK retries (S3 never sends this
        # code); the test is told too, when the hold's block exits.
        error = S3Error(HOLD_TIMEOUT, str(exc), status=400, hint=str(exc))
    except _ConnectionReset as reset:
        _log(state, exchange, route, method, 0, None, fault=reset.kind)
        raise reset.error() from None
    except Exception as exc:  # the fake's own bug: answer like S3, fail the test at stop()
        state.internal_errors.append(exc)
        error = S3Error("InternalError", hint=f"fakes3put raised {type(exc).__name__}: {exc}")
    if error is not None:
        response = error_response(error, request_id=request_id, host_id=host_id, method=method)
        _log_rejected_write(state, exchange, error.code)
    response.headers.update(
        {
            "x-amz-request-id": request_id,
            "x-amz-id-2": host_id,
            "Date": http_time(exchange.now),
            "Server": "AmazonS3",
        }
    )
    fault = exchange.fault.kind if exchange.fault is not None else None
    if fault == faults.RESET_AFTER_COMMIT and error is None:
        # Stored, but the client never hears it: it sees a reset and (botocore) retries.
        if exchange.record is not None:
            exchange.record.outcome = "lost-ack"
        _log(state, exchange, route, method, response.status, None, fault=fault)
        raise _ConnectionReset(fault).error()
    _log(state, exchange, route, method, response.status, error, fault=fault)
    return response


def _process(state: FakeState, exchange: _Exchange, body: Any) -> Response:
    """Everything between a parsed request line and a response; raises S3Error to refuse."""
    request = exchange.request
    assert request is not None
    operation = exchange.operation = dispatch.operation_name(request)
    if operation in dispatch.MUTATING:
        exchange.sent = state.sequencer.next_sent()
    if operation in _OBJECT_BODY_OPERATIONS:
        # Refuse a missing, garbage or oversize length before reading a byte of the body.
        integrity.declared_length(request.headers, accept_chunked_transfer=state.settings.accept_chunked_transfer)
    # The body is read here, with no lock held: a client callback may re-enter the fake.
    chunked = _take_payload(state, request, _wire.iter_blocks(body))
    _inject_fault(state, exchange)  # after the read: a client whose own body fails never reached S3
    exchange.principal = authenticate(
        request,
        chunked,
        credentials=state.credentials,
        now=exchange.now,
        expected_region=_expected_region(state, request, operation),
        verify=state.verify_signatures,
        signing_keys=state.signing_keys,
    )
    handler = dispatch.handler_for(operation)
    ctx = OperationContext(
        request=request,
        chunked=chunked,
        principal=exchange.principal,
        store=state.store,
        sequencer=state.sequencer,
        settings=state.settings,
        now=exchange.now,
        sent=exchange.sent,
        clock=state.now,
        uploads=state.uploads,
    )
    response = handler(ctx)
    exchange.record = state.sequencer.record_for(exchange.sent) if exchange.sent else None
    return response


def _take_payload(state: FakeState, request: S3Request, blocks: Iterator[bytes]) -> _chunked.ChunkedBody | None:
    """Decode the body (if aws-chunked) and take every digest it needs, in one pass over its bytes."""
    headers = request.headers
    # A literal x-amz-content-sha256 promises the hash of the bytes as sent: for an aws-chunked
    # body that is the encoded stream, not the object.
    literal_hash = state.verify_signatures and len(headers.get("x-amz-content-sha256") or "") == 64
    aws_chunked = integrity.is_aws_chunked(headers)
    digests = Digests(checksum_algorithm=integrity.claimed_algorithm(headers), sha256=literal_hash and not aws_chunked)
    wire_hash = hashlib.sha256() if literal_hash and aws_chunked else None
    try:
        if aws_chunked:
            source = _hashing(blocks, wire_hash) if wire_hash is not None else blocks
            chunked: _chunked.ChunkedBody | None = _chunked.decode_blocks(source, digests.update)
            request.body, request.wire_length = chunked.data, chunked.wire_length  # type: ignore[union-attr]
        else:
            chunked = None
            data = BodyBuffer()
            for block in blocks:
                digests.update(block)
                data.append(block)
            request.body = data.value()
            request.wire_length = len(request.body)
    except BaseException:
        digests.abandon()  # the read or the decoding failed: that error is the answer
        raise
    result = digests.finish()
    if wire_hash is not None:
        result = dataclasses.replace(result, sha256_hex=wire_hash.hexdigest())
    request.digests = result
    return chunked


def _hashing(blocks: Iterator[bytes], into: hashlib._Hash) -> Iterator[bytes]:
    for block in blocks:
        into.update(block)
        yield block


def _inject_fault(state: FakeState, exchange: _Exchange) -> None:
    request = exchange.request
    assert request is not None
    fault = state.faults.take(exchange.operation, request.bucket, request.key, exchange.request_id)
    exchange.fault = fault
    if fault is None:
        return
    if fault.kind == faults.LATENCY:
        with state.lock:
            state.clock_offset += fault.latency
        exchange.now = state.now()
    elif fault.kind in faults.ERROR_KINDS:
        raise S3Error(fault.kind, hint=f"injected by {fault.describe()}")
    elif fault.kind == faults.RESET_BEFORE_COMMIT:
        raise _ConnectionReset(fault.kind)


def _log_rejected_write(state: FakeState, exchange: _Exchange, code: str) -> None:
    request = exchange.request
    if exchange.operation not in dispatch.MUTATING or request is None:
        return
    if state.sequencer.record_for(exchange.sent) is not None:
        return  # it reached the sequencer, which logged it already
    state.sequencer.record_rejection(
        sent=exchange.sent,
        bucket=request.bucket,
        key=request.key,
        operation=exchange.operation,
        principal=exchange.principal.access_key,
        error_code=code,
    )


def _log(
    state: FakeState,
    exchange: _Exchange,
    route: Route,
    method: str,
    status: int,
    error: S3Error | None,
    *,
    fault: str | None,
) -> None:
    if fault == faults.RESET_BEFORE_COMMIT:
        _log_rejected_write(state, exchange, "ConnectionReset")
    request = exchange.request
    state.calls.append(
        Call(
            operation=exchange.operation,
            method=method,
            url=exchange.url,
            bucket=route.bucket,
            key=request.key if request is not None else route.raw_key,
            status=status,
            error_code=error.code if error is not None else None,
            principal=exchange.principal.access_key,
            request_id=exchange.request_id,
            hint=error.hint if error is not None else None,
            diagnostics=dict(error.extra) if error is not None else {},
            fault=fault,
        )
    )


def _expected_region(state: FakeState, request: S3Request, operation: str) -> str:
    """The region a SigV4 scope must name: the bucket's, else the endpoint's, else the fake's."""
    bucket = state.store.bucket(request.bucket) if request.bucket else None
    if bucket is not None:
        return bucket.region
    if request.endpoint_region is not None:
        return request.endpoint_region
    if operation == "CreateBucket":
        try:
            constraint = _ops_bucket.location_constraint(request.body)
        except S3Error:
            constraint = None
        return constraint or "us-east-1"
    return state.settings.region
