"""The fake S3 service: one request in, one response out, along the path of DESIGN.md.

wire -> auth -> operation -> sequencer -> store; every failure becomes S3's XML error.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import itertools
import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

from . import _chunked, _dispatch, _integrity, _ops_bucket, _wire
from ._auth import Principal, authenticate
from ._calls import Call
from ._context import OperationContext, Settings
from ._endpoints import Route
from ._request import Headers, S3Request
from ._response import Response, error_response
from ._sequencer import Sequencer
from ._store import Store
from ._uploads import Uploads
from ._races import SimultaneousTimeoutError
from .errors import S3Error

# Operations whose request body is an object (or part) and so gets the size checks up front.
_OBJECT_BODY_OPERATIONS = frozenset({"PutObject", "UploadPart"})
_ANONYMOUS = Principal(None, "anonymous")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class _ClientBodyError(Exception):
    """Reading the client's body raised: that exception belongs to the client, not to S3."""

    def __init__(self, original: Exception) -> None:
        super().__init__(str(original))
        self.original = original


def system_clock() -> datetime:
    # time.time is looked up at every call so freezegun and time-machine are honoured.
    return datetime.fromtimestamp(time.time(), UTC)


class Service:
    def __init__(
        self,
        *,
        credentials: Mapping[str, str],
        settings: Settings,
        clock: Callable[[], datetime],
        verify_signatures: bool,
    ) -> None:
        self.credentials = dict(credentials)
        self.settings = settings
        self._base_clock = clock
        self.verify_signatures = verify_signatures
        self.store = Store()
        self.sequencer = Sequencer(self.store, self.now)
        self.uploads = Uploads()
        self.clock_offset = timedelta(0)  # added by latency faults: time the simulated S3 spent
        self.calls: list[Call] = []
        self.internal_errors: list[BaseException] = []
        self._ids = itertools.count(1)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        """The fake's clock: the configured clock, read now, plus any injected latency."""
        return self._base_clock() + self.clock_offset

    def reset(self) -> None:
        with self._lock:
            self.store.clear()
            self.sequencer.reset()
            self.uploads.reset()
            self.clock_offset = timedelta(0)
            self.calls.clear()
            self.internal_errors.clear()
            self._ids = itertools.count(1)

    def _request_ids(self) -> tuple[str, str]:
        with self._lock:
            number = next(self._ids)
        request_id = f"FAKES3{number:010X}"
        host_id = base64.b64encode(hashlib.sha256(request_id.encode()).digest()).decode()
        return request_id, host_id

    def handle(
        self,
        *,
        method: str,
        scheme: str,
        host: str,
        url: str,
        raw_headers: Mapping[str, Any] | None,
        body: Any,
        chunked_transfer: bool,
        route: Route,
    ) -> Response:
        request_id, host_id = self._request_ids()
        raw_path, raw_query = _wire.split_target(url)
        operation = "Unknown"
        request: S3Request | None = None
        principal = _ANONYMOUS
        sent = 0
        now = _EPOCH
        try:
            now = self.now()
            headers = _wire.effective_headers(raw_headers, body, method, chunked_transfer)
            request = _wire.build_request(
                method=method,
                scheme=scheme,
                host=host,
                raw_path=raw_path,
                raw_query=raw_query,
                headers=headers,
                body=b"",
                route=route,
                plus_as_space=self.settings.plus_as_space,
            )
            operation = _dispatch.operation_name(request)
            if operation in _dispatch.MUTATING:
                sent = self.sequencer.next_sent()
            if operation in _OBJECT_BODY_OPERATIONS:
                _integrity.declared_length(headers)  # refuse oversize before reading a byte
            # The body is read here, with no lock held: a client callback may re-enter the fake.
            try:
                data = _wire.read_body(body)
            except Exception as exc:
                raise _ClientBodyError(exc) from exc
            request = dataclasses.replace(request, body=data)
            chunked = _chunked.decode(request.body) if _is_aws_chunked(headers) else None
            principal = authenticate(
                request,
                chunked,
                credentials=self.credentials,
                now=now,
                expected_region=self._expected_region(request, operation, chunked),
                verify=self.verify_signatures,
            )
            handler = _dispatch.handler_for(operation)
            ctx = OperationContext(
                request=request,
                chunked=chunked,
                principal=principal,
                store=self.store,
                sequencer=self.sequencer,
                settings=self.settings,
                now=now,
                sent=sent,
                clock=self.now,
                uploads=self.uploads,
            )
            response = handler(ctx)
            error: S3Error | None = None
        except S3Error as exc:
            error = exc
        except _ClientBodyError as exc:
            raise exc.original from None  # the client's own body failed, as it would on a socket
        except SimultaneousTimeoutError:
            raise  # a hold gave up: the writer is told, and so is the test when the hold closes
        except Exception as exc:  # the fake's own bug: answer like S3, fail the test at stop()
            self.internal_errors.append(exc)
            error = S3Error("InternalError", hint=f"fakes3put raised {type(exc).__name__}: {exc}")
        if error is not None:
            response = error_response(error, request_id=request_id, host_id=host_id, method=method)
            if operation in _dispatch.MUTATING and request is not None and not self.sequencer.has_record(sent):
                self.sequencer.record_rejection(
                    sent=sent,
                    bucket=request.bucket,
                    key=request.key,
                    operation=operation,
                    principal=principal.access_key,
                    error_code=error.code,
                )
        response.headers.update(
            {
                "x-amz-request-id": request_id,
                "x-amz-id-2": host_id,
                "Date": format_datetime(now.replace(microsecond=0), usegmt=True),
                "Server": "AmazonS3",
            }
        )
        self.calls.append(
            Call(
                operation=operation,
                method=method,
                url=f"{scheme}://{host}{raw_path}" + (f"?{raw_query}" if raw_query else ""),
                bucket=route.bucket,
                key=request.key if request is not None else route.raw_key,
                status=response.status,
                error_code=error.code if error is not None else None,
                principal=principal.access_key,
                request_id=request_id,
                hint=error.hint if error is not None else None,
                diagnostics=dict(error.extra) if error is not None else {},
            )
        )
        return response

    def _expected_region(self, request: S3Request, operation: str, chunked: _chunked.ChunkedBody | None) -> str:
        """The region a SigV4 scope must name: the bucket's, else the endpoint's, else the fake's."""
        bucket = self.store.bucket(request.bucket) if request.bucket else None
        if bucket is not None:
            return bucket.region
        if request.endpoint_region is not None:
            return request.endpoint_region
        if operation == "CreateBucket":
            try:
                constraint = _ops_bucket._location_constraint(chunked.data if chunked else request.body)
            except S3Error:
                constraint = None
            return constraint or "us-east-1"
        return self.settings.region


def _is_aws_chunked(headers: Headers) -> bool:
    encoding = (headers.get("content-encoding") or "").lower()
    return "aws-chunked" in encoding or (headers.get("x-amz-content-sha256") or "").startswith("STREAMING-")

