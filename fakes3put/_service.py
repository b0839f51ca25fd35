"""The fake S3 service: one request in, one response out, along the path of DESIGN.md.

route (done by the transport) -> wire -> auth -> body -> operation -> sequencer -> store;
every refusal becomes S3's XML error. ``handle`` is the pipeline and nothing else; each stage
lives in its own subpackage.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fakes3put._auth import Authentication, Principal, authenticate, check_payload, post_policy
from fakes3put._commit import faults
from fakes3put._commit.faults import Fault
from fakes3put._commit.writes import WriteRecord
from fakes3put._ops import dispatch, integrity
from fakes3put._ops.context import OperationContext, RequestContext
from fakes3put._state import Call, FakeState
from fakes3put._wire import parse
from fakes3put._wire.form import Form
from fakes3put._wire.payload import Limit, Payload, read_payload
from fakes3put._wire.request import Address, Route, S3Request
from fakes3put._wire.response import ConnectionReset, Response, error_response, http_time
from fakes3put.errors import HOLD_TIMEOUT_CODE, S3Error, SimultaneousTimeoutError

_ANONYMOUS = Principal(None, "anonymous")
_FRAMING_ALLOWANCE = 64 * 1024
_SKIPPED_HEADER = "@@@SKIP_HEADER@@@"  # urllib3.util.SKIP_HEADER: "do not send this header"
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
    written: list[WriteRecord] = field(default_factory=list)  # the records of the writes it submitted


def handle(
    state: FakeState,
    *,
    method: str,
    address: Address,
    url: str,
    raw_headers: Mapping[str, Any] | None,
    body: Any,
    chunked_transfer: bool,
    route: Route,
    headers_as_sent: bool = False,
) -> Response:
    """Answer one request a transport routed to this fake. Raises ``ConnectionReset`` for an
    injected reset and the client's own exception where a socket would have raised it.
    ``headers_as_sent``: the headers came off the wire, framing included (nothing is added)."""
    request_id, host_id = state.request_ids()
    raw_path, raw_query = parse.split_target(url)
    target = raw_path + (f"?{raw_query}" if raw_query else "")
    scheme, host = address.scheme, address.netloc
    exchange = _Exchange(request_id, f"{scheme}://{host}{target}")
    error: S3Error | None = None
    try:
        exchange.now = state.now()
        headers = parse.effective_headers(raw_headers, body, method, chunked_transfer, as_sent=headers_as_sent)
        given = headers.get("host")  # what the client signed, when it set Host itself
        if given == _SKIPPED_HEADER:
            # urllib3 sends no Host at all for this marker; HTTP/1.1 servers refuse such a request
            # with 400 (RFC 9112, section 3.2). The code is the fake's choice: S3's is not recorded.
            raise S3Error("InvalidRequest", "Missing required header for this request: Host", status=400)
        if given:
            host = given.lower()
            exchange.url = f"{scheme}://{host}{target}"
        exchange.request = parse.build_request(
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
    except parse.ClientSideError as exc:
        raise exc.original from None  # the client's own failure, raised where a socket would raise it
    except SimultaneousTimeoutError as exc:
        # A hold gave up. The writer gets a client error no SDK retries (S3 never sends this
        # code); the test is told too, when the hold's block exits.
        error = S3Error(HOLD_TIMEOUT_CODE, str(exc), status=400, hint=str(exc))
    except ConnectionReset as reset:
        _log(state, exchange, route, method, 0, None, fault=reset.kind)
        raise
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
        for record in exchange.written:
            state.sequencer.lose_acknowledgement(record)
        _log(state, exchange, route, method, response.status, None, fault=fault)
        raise ConnectionReset(fault)
    _log(state, exchange, route, method, response.status, error, fault=fault)
    return response


def _process(state: FakeState, exchange: _Exchange, body: Any) -> Response:
    """Everything between a parsed request line and a response; raises S3Error to refuse.

    A small document body is read first (bounded); an object body only once the headers have
    been authenticated and the write admitted, as S3 does, so a refused upload is never read.
    """
    request = exchange.request
    assert request is not None
    operation_name = exchange.operation = dispatch.operation_name(request)
    operation = dispatch.OPERATIONS.get(operation_name)
    if operation is not None and operation.mutating:
        exchange.sent = state.sequencer.next_sent()
    object_body = operation is not None and operation.body == dispatch.OBJECT_BODY
    integrity.check_content_length(request.headers)
    payload: Payload | None = None
    if not object_body:
        limit = operation.document_limit if operation is not None else dispatch.DOCUMENT_LIMIT
        payload = _read(state, request, body, _document_limit(request, limit))
    authentication = _authenticate(state, exchange, request, payload)
    if payload is not None and operation_name == "PostObject" and not request.key:
        # A browser-form upload carries its signature in the form (an anonymous request at header
        # level). Parsed once here; the signature check and the write both read it.
        payload = payload.with_form(request.headers.get("content-type"))
        if authentication.principal.access_key is None:
            authentication = _authenticate_form(state, exchange, request, payload.form)
    if object_body:
        # After the signature's header checks (S3 answers unsigned headers first: LocalStack's AWS
        # snapshot "with-decoded-content-length"), before reading a byte of the body: refuse a
        # missing, garbage or oversize length.
        integrity.declared_length(request.headers, accept_chunked_transfer=state.settings.accept_chunked_transfer)
    if operation is None:
        raise dispatch.not_implemented(operation_name)
    admission = RequestContext(
        request=request,
        principal=authentication.principal,
        store=state.store,
        sequencer=state.sequencer,
        settings=state.settings,
        now=exchange.now,
        sent=exchange.sent,
        clock=state.now,
        uploads=state.uploads,
    )
    if payload is None:
        if operation.admit is not None:
            operation.admit(admission)
        payload = _read(state, request, body, _object_limit(request))
    _inject_fault(state, exchange)  # after the read: a client whose own body fails never reached S3
    check_payload(authentication, payload)
    context = OperationContext(
        request=request,
        principal=admission.principal,
        store=admission.store,
        sequencer=admission.sequencer,
        settings=admission.settings,
        now=exchange.now,
        sent=exchange.sent,
        clock=admission.clock,
        uploads=admission.uploads,
        payload=payload,
    )
    exchange.written = context.written
    return operation.handler(context)


def _authenticate(state: FakeState, exchange: _Exchange, request: S3Request, payload: Payload | None) -> Authentication:
    region = dispatch.signing_region(exchange.operation, request, payload, state.store, state.settings.region)
    authentication = authenticate(
        request,
        credentials=state.credentials,
        now=exchange.now,
        expected_region=region,
        verify=state.verify_signatures,
        signing_keys=state.signing_keys,
    )
    exchange.principal = authentication.principal
    return authentication


def _authenticate_form(state: FakeState, exchange: _Exchange, request: S3Request, form: Form | None) -> Authentication:
    """POST Object: who signed the form's policy, once the policy's conditions hold."""
    assert form is not None
    region = dispatch.signing_region(exchange.operation, request, None, state.store, state.settings.region)
    who, scheme = post_policy.authenticate_form(
        form,
        bucket=request.bucket,
        credentials=state.credentials,
        now=exchange.now,
        expected_region=region,
        verify=state.verify_signatures,
        signing_keys=state.signing_keys,
    )
    exchange.principal = Principal(who, scheme)
    return Authentication(exchange.principal)


def _read(state: FakeState, request: S3Request, body: Any, limit: Limit | None) -> Payload:
    """The body, read with no lock held: a client callback may re-enter the fake."""
    # A literal x-amz-content-sha256 promises the hash of the bytes as sent.
    wire_sha256 = state.verify_signatures and len(request.headers.get("x-amz-content-sha256") or "") == 64
    return read_payload(request.headers, body, wire_sha256=wire_sha256, limit=limit)


def _document_limit(request: S3Request, limit: int) -> Limit:
    declared = parse.parse_uint(request.headers.get("content-length") or "")
    if declared is not None and declared > limit:
        raise dispatch.too_big(limit)  # refused from the header, without reading the body
    return Limit(limit, lambda: dispatch.too_big(limit))


def _object_limit(request: S3Request) -> Limit:
    """What bounds an object body's read: its Content-Length (one byte more shows the body is
    longer than declared); without one, the decoded length plus room for aws-chunked framing, or
    S3's largest object for an accepted plain chunked upload."""
    declared = parse.parse_uint(request.headers.get("content-length") or "")
    if declared is not None:
        return Limit(
            declared,
            lambda: S3Error(
                "InvalidRequest",
                f"The body is longer than the Content-Length header says (more than {declared} bytes).",
            ),
        )
    decoded = parse.parse_uint(request.headers.get("x-amz-decoded-content-length") or "")
    if decoded is not None:
        # Chunk headers, signatures and trailers: an eighth of the data covers chunks down to 1 KiB.
        framing = decoded // 8 + _FRAMING_ALLOWANCE
        return Limit(
            decoded + framing,
            lambda: S3Error(
                "IncompleteBody",
                f"The aws-chunked body is longer than x-amz-decoded-content-length ({decoded} bytes) "
                "and its framing allow.",
            ),
        )
    return Limit(integrity.MAX_PUT_SIZE, lambda: S3Error("EntityTooLarge"))


def _inject_fault(state: FakeState, exchange: _Exchange) -> None:
    request = exchange.request
    assert request is not None
    fault = state.faults.take(exchange.operation, request.bucket, request.key, exchange.request_id)
    exchange.fault = fault
    if fault is None:
        return
    if fault.kind == faults.LATENCY:
        # The simulated S3 takes this long: the answer (and the write's receipt) comes later, on
        # this request's thread only; the clock is read again, never shifted for later requests.
        time.sleep(fault.latency.total_seconds())
        exchange.now = state.now()
    elif fault.kind in faults.ERROR_KINDS:
        raise S3Error(fault.kind, hint=f"injected by {fault.describe()}")
    elif fault.kind == faults.RESET_BEFORE_COMMIT:
        raise ConnectionReset(fault.kind)


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


# The request path stage by stage, for profiling (benchmarks/stages.py wraps each in a timer):
# (label, module the function is looked up in when it is called, class or "", function name).
PROFILED_STAGES: tuple[tuple[str, str, str, str], ...] = (
    ("transport: urlopen", "fakes3put._transport.urllib3", "", "_intercept"),
    ("pipeline: handle", "fakes3put._transport.urllib3", "", "handle"),
    ("pipeline: after the request line", "fakes3put._service", "", "_process"),
    ("wire: headers", "fakes3put._wire.parse", "", "effective_headers"),
    ("wire: request", "fakes3put._wire.parse", "", "build_request"),
    ("wire: length check", "fakes3put._ops.integrity", "", "declared_length"),
    ("auth: signature", "fakes3put._service", "", "_authenticate"),
    ("body: read, decode, digests", "fakes3put._service", "", "_read"),
    ("auth: payload promise", "fakes3put._service", "", "check_payload"),
    ("put: bucket and permission", "fakes3put._ops.put", "", "writable_bucket"),
    ("put: integrity", "fakes3put._ops.integrity", "", "verify"),
    ("put: attributes", "fakes3put._ops.put", "", "requested_attributes"),
    ("put: new version", "fakes3put._ops.put", "", "new_version"),
    ("commit: submit", "fakes3put._commit.sequencer", "Sequencer", "submit"),
    ("commit: receipt", "fakes3put._commit.sequencer", "Sequencer", "_receive"),
    ("logs: call log", "fakes3put._service", "", "_log"),
    ("logs: request ids", "fakes3put._state", "FakeState", "request_ids"),
    ("transport: answer", "fakes3put._transport.urllib3", "", "_as_urllib3"),
)
