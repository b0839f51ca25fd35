"""The single commit point: every mutation of the store goes through ``Sequencer``.

Receipt order is decided here (today: the order in which commits reach the lock), the write
log is kept here, and conditions that must be atomic with the write are checked here.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from ._store import Bucket, Store, StoredObject

T = TypeVar("T")


@dataclass(slots=True)
class WriteRecord:
    """One mutating request in the write log.

    ``sent`` numbers writes in the order clients handed them to the fake, ``received`` in the
    order the simulated S3 received (committed) them; ``outcome`` is ``"stored"``,
    ``"superseded"`` (a later received write replaced it) or ``"rejected"`` (``error_code`` says why).
    """

    sent: int
    bucket: str
    key: str
    operation: str
    principal: str | None
    time: datetime
    outcome: str
    etag: str | None = None
    received: int | None = None
    error_code: str | None = None
    notes: list[str] = field(default_factory=list)


class Sequencer:
    def __init__(self, store: Store, clock: Callable[[], datetime]) -> None:
        self._store = store
        self._clock = clock
        self._sent = itertools.count(1)
        self._received = itertools.count(1)
        self._log_lock = threading.Lock()
        self.writes: list[WriteRecord] = []
        self._current: dict[tuple[str, str], WriteRecord] = {}

    def reset(self) -> None:
        with self._store.lock, self._log_lock:
            self._sent = itertools.count(1)
            self._received = itertools.count(1)
            self.writes.clear()
            self._current.clear()

    def next_sent(self) -> int:
        return next(self._sent)

    def commit_object(
        self,
        bucket: Bucket,
        obj: StoredObject,
        *,
        sent: int,
        operation: str,
        principal: str | None,
        check: Callable[[StoredObject | None], None] | None = None,
    ) -> WriteRecord:
        """Install ``obj`` as the current version of its key; ``check`` may raise S3Error to refuse."""
        with self._store.lock:
            if check is not None:
                check(bucket.get(obj.key))
            bucket._install(obj)
            record = WriteRecord(
                sent=sent,
                bucket=bucket.name,
                key=obj.key,
                operation=operation,
                principal=principal,
                time=obj.last_modified,
                outcome="stored",
                etag=obj.etag,
                received=next(self._received),
            )
            previous = self._current.get((bucket.name, obj.key))
            if previous is not None:
                previous.outcome = "superseded"
            self._current[(bucket.name, obj.key)] = record
            with self._log_lock:
                self.writes.append(record)
        return record

    def record_rejection(
        self, *, sent: int, bucket: str, key: str, operation: str, principal: str | None, error_code: str
    ) -> WriteRecord:
        record = WriteRecord(
            sent=sent,
            bucket=bucket,
            key=key,
            operation=operation,
            principal=principal,
            time=self._clock(),
            outcome="rejected",
            error_code=error_code,
        )
        with self._log_lock:
            self.writes.append(record)
        return record

    def change_buckets(self, apply: Callable[[Store], T]) -> T:
        """Run a bucket-level mutation (create, ACL change, ...) atomically at the commit point."""
        with self._store.lock:
            return apply(self._store)
