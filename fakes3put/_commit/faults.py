"""Deterministic fault injection: which request fails, how, and a log of what fired."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Final, Literal

from fakes3put.errors import FakeS3Error

ERROR_KINDS = {
    "InternalError": 500,
    "SlowDown": 503,
    "ServiceUnavailable": 503,
    "RequestTimeout": 400,
}
RESET_BEFORE_COMMIT: Final = "reset-before-commit"
RESET_AFTER_COMMIT: Final = "reset-after-commit"
LATENCY: Final = "latency"

FaultKind = Literal[
    "InternalError",
    "SlowDown",
    "ServiceUnavailable",
    "RequestTimeout",
    "reset-before-commit",
    "reset-after-commit",
    "latency",
]
"""What an injected fault does: answer one of S3's 5xx/RequestTimeout errors, reset the connection
before or after the write is stored, or delay the answer."""
KINDS = frozenset({*ERROR_KINDS, RESET_BEFORE_COMMIT, RESET_AFTER_COMMIT, LATENCY})


@dataclass(slots=True)
class Fault:
    """One injection rule. It matches requests by operation, bucket and key (None = any);
    among matching requests it fires from the ``nth`` (1-based) on, ``times`` times
    (None = every time). ``seen`` and ``fired`` count what happened.
    """

    kind: FaultKind
    operation: str | None = None
    bucket: str | None = None
    key: str | None = None
    nth: int = 1
    times: int | None = 1
    latency: timedelta = field(default_factory=timedelta)
    seen: int = 0
    fired: int = 0

    def matches(self, operation: str, bucket: str, key: str) -> bool:
        """Whether a request for ``operation`` (``"PutObject"``, ...) on ``bucket``/``key`` is one this rule counts."""
        return (
            (self.operation is None or self.operation == operation)
            and (self.bucket is None or self.bucket == bucket)
            and (self.key is None or self.key == key)
        )

    def describe(self) -> str:
        """The rule in one line: ``SlowDown(operation=PutObject, nth=2, times=1)``."""
        where = " ".join(
            f"{name}={value}"
            for name, value in (("operation", self.operation), ("bucket", self.bucket), ("key", self.key))
            if value is not None
        )
        return f"{self.kind}({where or 'any request'}, nth={self.nth}, times={self.times})"


@dataclass(frozen=True, slots=True)
class FiredFault:
    """A fault that fired: its kind and the request it hit (``request_id`` matches ``Call.request_id``)."""

    kind: FaultKind
    operation: str
    bucket: str
    key: str
    request_id: str


class Faults:
    """``fake.faults``: add rules; each request takes at most one firing fault, in rule order."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.rules: list[Fault] = []
        self.fired: list[FiredFault] = []

    def add(
        self,
        kind: FaultKind,
        *,
        operation: str | None = None,
        bucket: str | None = None,
        key: str | None = None,
        nth: int = 1,
        times: int | None = 1,
        latency: float | timedelta = 0.0,
    ) -> Fault:
        """Add a rule and return it (its ``seen``/``fired`` counters show what happened).

        ``kind`` is an S3 error to answer (``"InternalError"``, ``"SlowDown"``,
        ``"ServiceUnavailable"``, ``"RequestTimeout"``), a connection reset before the write is
        stored (``"reset-before-commit"``) or after (``"reset-after-commit"``: stored, but the
        client sees an error), or ``"latency"`` (answer after ``latency`` seconds).
        ``operation`` (``"PutObject"``, ...), ``bucket`` and ``key`` narrow the requests the rule
        counts (None: any). Among them it fires from the ``nth`` (1-based) on, ``times`` times
        (None: every time). Each request takes at most one fault: the first due rule, in the
        order added.
        """
        if kind not in KINDS:
            raise FakeS3Error(f"unknown fault kind {kind!r}; known: {', '.join(sorted(KINDS))}")
        if nth < 1 or (times is not None and times < 1):
            raise FakeS3Error("nth and times count from 1")
        delay = latency if isinstance(latency, timedelta) else timedelta(seconds=latency)
        if kind == LATENCY and delay <= timedelta(0):
            raise FakeS3Error("a latency fault needs latency > 0")
        fault = Fault(kind, operation, bucket, key, nth, times, delay)
        with self._lock:
            self.rules.append(fault)
        return fault

    def clear(self) -> None:
        """Remove every rule and forget what fired."""
        with self._lock:
            self.rules.clear()
            self.fired.clear()

    def take(self, operation: str, bucket: str, key: str, request_id: str) -> Fault | None:
        """The fault that fires for this request, if any (counts are updated atomically)."""
        with self._lock:
            chosen = None
            for fault in self.rules:
                if not fault.matches(operation, bucket, key):
                    continue
                fault.seen += 1
                due = fault.seen >= fault.nth and (fault.times is None or fault.fired < fault.times)
                if due and chosen is None:
                    fault.fired += 1
                    chosen = fault
            if chosen is not None:
                self.fired.append(FiredFault(chosen.kind, operation, bucket, key, request_id))
            return chosen
