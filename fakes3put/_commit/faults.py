"""Deterministic fault injection: which request fails, how, and a log of what fired."""

from __future__ import annotations

import difflib
import math
import threading
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Final, Literal, get_args

from fakes3put.errors import FakeS3Error

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
# Answered as these S3 errors (status and message come from the error table).
ERROR_KINDS = frozenset({"InternalError", "SlowDown", "ServiceUnavailable", "RequestTimeout"})
RESET_BEFORE_COMMIT: Final = "reset-before-commit"
RESET_AFTER_COMMIT: Final = "reset-after-commit"
LATENCY: Final = "latency"
KINDS: frozenset[str] = frozenset(get_args(FaultKind))


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

    def __init__(self, operation_names: Callable[[], Collection[str]] = frozenset) -> None:
        """``operation_names`` gives the operation names a rule may match (read at the first ``add``,
        so the request-handling modules load only when a rule is added); empty means any."""
        self._lock = threading.Lock()
        self._operation_names = operation_names
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
        latency: float | timedelta | None = None,
    ) -> Fault:
        """Add a rule and return it (its ``seen``/``fired`` counters show what happened).

        ``kind`` is an S3 error to answer (``"InternalError"``, ``"SlowDown"``,
        ``"ServiceUnavailable"``, ``"RequestTimeout"``), a connection reset before the write is
        stored (``"reset-before-commit"``) or after (``"reset-after-commit"``: stored, but the
        client sees an error), or ``"latency"`` (answer after ``latency`` seconds).
        ``operation`` (``"PutObject"``, ...), ``bucket`` and ``key`` narrow the requests the rule
        counts (None: any). Among them it fires from the ``nth`` (1-based) on, ``times`` times
        (None: every time). Each request takes at most one fault: the first due rule, in the
        order added. A rule that could never fire as written raises ``FakeS3Error`` saying why.
        """
        _check_name("fault kind", kind, KINDS)
        if operation is not None:
            _check_name("operation", operation, self._operation_names())
        for name, value in (("bucket", bucket), ("key", key)):
            if value is not None and not isinstance(value, str):
                raise FakeS3Error(f"{name} must be a str or None, not {value!r}")
        _check_count("nth", nth)
        if times is not None:
            _check_count("times", times)
        delay = _delay(kind, latency)
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


def _check_name(what: str, value: object, known: Collection[str]) -> None:
    if not isinstance(value, str):
        raise FakeS3Error(f"{what} must be a str, not {value!r}")
    if not known or value in known:
        return
    by_case = {name.lower(): name for name in known}
    close = [by_case[value.lower()]] if value.lower() in by_case else difflib.get_close_matches(value, known, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise FakeS3Error(f"unknown {what} {value!r}; {hint}known: {', '.join(sorted(known))}")


def _check_count(name: str, value: object) -> None:
    # bool is an int to Python, but nth=True is a mistake, not "the first".
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise FakeS3Error(f"{name} counts matching requests from 1: give an int >= 1, not {value!r}")


def _delay(kind: str, latency: float | timedelta | None) -> timedelta:
    if latency is None:
        if kind == LATENCY:
            raise FakeS3Error("a latency fault needs latency= (seconds or a timedelta) > 0")
        return timedelta(0)
    if kind != LATENCY:
        raise FakeS3Error(f"latency= applies only to kind 'latency'; a {kind!r} fault would ignore it")
    if isinstance(latency, timedelta):
        delay = latency
    elif isinstance(latency, int | float) and not isinstance(latency, bool) and math.isfinite(latency):
        try:
            delay = timedelta(seconds=latency)
        except OverflowError:
            raise FakeS3Error(f"latency {latency!r} is out of range") from None
    else:
        raise FakeS3Error(f"latency must be finite seconds (int or float) or a timedelta, not {latency!r}")
    if delay <= timedelta(0):
        raise FakeS3Error(f"a latency fault needs latency > 0, not {latency!r}")
    return delay
