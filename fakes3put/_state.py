"""A fake's state: store, sequencer, logs, credentials, settings and clock.

Kept apart from the request path (``_service``) so that importing fakes3put and constructing a
``FakeS3`` do not load the signing and operation modules; they load when the first fake starts.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from fakes3put._commit.faults import Faults
from fakes3put._commit.sequencer import Sequencer
from fakes3put._commit.store import Store
from fakes3put._commit.uploads import Uploads
from fakes3put._logs import DEFAULT_LOG_LIMIT, BoundedLog
from fakes3put._settings import Settings


@dataclass(frozen=True, slots=True)
class Call:
    """What a request was and how the fake answered it.

    ``diagnostics`` carries the code-specific details of an error (``StringToSign``,
    ``CanonicalRequest``, ``ExpectedDigest``, ...) and ``hint`` a plain-words explanation,
    so a test can print why a request was refused without parsing XML.
    """

    operation: str
    method: str
    url: str
    bucket: str
    key: str
    status: int
    error_code: str | None = None
    principal: str | None = None
    request_id: str = ""
    hint: str | None = None
    diagnostics: dict[str, str] = field(default_factory=dict)
    fault: str | None = None  # the injected fault that fired on this request, if any

    @property
    def ok(self) -> bool:
        """True when the fake answered without an S3 error (``error_code`` is None)."""
        return self.error_code is None

    def describe(self) -> str:
        """One line, plus the diagnosis when the request was refused."""
        line = f"{self.method} {self.url} -> {self.status} {self.operation}"
        if self.fault:
            line += f" [fault: {self.fault}]"
        if self.error_code is None:
            return line
        parts = [f"{line} {self.error_code}"]
        if self.hint:
            parts.append(f"  why: {self.hint}")
        # Multi-line values (StringToSign, CanonicalRequest) are shown with visible \n.
        parts.extend(
            f"  {name}: {value!r}" if "\n" in value else f"  {name}: {value}"
            for name, value in self.diagnostics.items()
        )
        return "\n".join(parts)


def system_clock() -> datetime:
    # time.time is looked up at every call so freezegun and time-machine are honoured.
    return datetime.fromtimestamp(time.time(), UTC)


def _operation_names() -> frozenset[str]:
    from fakes3put._ops.dispatch import known_operations  # loads the operations: only when a fault is added

    return known_operations()


class FakeState:
    def __init__(
        self,
        *,
        credentials: Mapping[str, str],
        settings: Settings,
        clock: Callable[[], datetime],
        verify_signatures: bool,
        log_limit: int | None = DEFAULT_LOG_LIMIT,
    ) -> None:
        self.credentials = dict(credentials)
        self.settings = settings
        self._base_clock = clock
        self.verify_signatures = verify_signatures
        self.store = Store()
        self.sequencer = Sequencer(self.store, self.now, log_limit)
        self.uploads = Uploads()
        self.faults = Faults(operation_names=_operation_names)
        self.calls: BoundedLog[Call] = BoundedLog(log_limit)
        self.internal_errors: list[BaseException] = []
        self._ids = itertools.count(1)
        self.lock = threading.Lock()
        # Derived SigV4 signing keys, memoised for this fake only (they stand for its secrets).
        self.signing_keys: dict[tuple[str, str, str, str], bytes] = {}

    def now(self) -> datetime:
        """The fake's clock: the configured clock, read now, in UTC."""
        moment = self._base_clock()
        # A user clock may be naive (taken as UTC) or in another zone; S3 speaks UTC.
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)

    def reset(self) -> None:
        with self.lock:
            self.sequencer.change_buckets(lambda store: store.clear())
            self.sequencer.reset()
            self.uploads.reset()
            self.faults.clear()
            self.calls.clear()
            self.internal_errors.clear()
            self._ids = itertools.count(1)

    def request_ids(self) -> tuple[str, str]:
        """S3's x-amz-request-id and x-amz-id-2, numbered so a run's log is the same every time."""
        with self.lock:
            number = next(self._ids)
        request_id = f"FAKES3{number:010X}"
        host_id = base64.b64encode(hashlib.sha256(request_id.encode()).digest()).decode()
        return request_id, host_id
