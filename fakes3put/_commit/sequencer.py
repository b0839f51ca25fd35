"""The single commit point: every mutation of the store goes through ``Sequencer``.

An operation builds a ``Mutation`` (a new version, or a delete) and ``submit``s it. The
sequencer decides *when* it is received: at once (the default), when a simultaneous window
closes, or in the chosen order once a hold has gathered its writes. Conditions that must be
atomic with the write (If-Match, If-None-Match) are checked at that moment, under the store
lock, and the write log records every outcome.
"""

from __future__ import annotations

import hashlib
import itertools
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, TypeVar

from fakes3put._commit.store import Bucket, Store, StoredObject
from fakes3put.errors import S3Error

if TYPE_CHECKING:
    from fakes3put._commit.policies import Policy

T = TypeVar("T")

STRONG = "strong"
EVENTUAL = "eventual"
LEGACY = "legacy"  # before Dec 2020: new keys at once, overwrites and deletes eventually


@dataclass(slots=True)
class WriteRecord:
    """One mutating request in the write log.

    ``sent`` numbers writes in the order clients handed them to the fake, ``received`` in the
    order the simulated S3 received (committed) them. ``outcome`` is one of:
    ``"pending"`` (acknowledged inside a window, not received yet), ``"stored"``,
    ``"superseded"`` (a later received write replaced it), ``"deleted"`` (a later delete
    removed it), ``"rejected"`` (``error_code`` says why) or ``"lost-ack"`` (stored, but
    the client saw the connection reset). ``time`` is the fake's clock when it was received
    (when sent, for a rejection).
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
    version_id: str | None = None
    conditional: bool = False
    notes: tuple[str, ...] = ()  # what else happened to the write (e.g. its version id changed in flight)

    def describe(self) -> str:
        etag = f" etag {self.etag}" if self.etag else ""
        who = self.principal or "anonymous"
        received = f"received #{self.received}" if self.received is not None else "not received"
        code = f" {self.error_code}" if self.error_code else ""
        what = f"{self.operation} {self.bucket}/{self.key}{etag} by {who}"
        return f"{what}: sent #{self.sent}, {received}, {self.outcome}{code}"


@dataclass(frozen=True, slots=True)
class Condition:
    """Write preconditions, decided at receipt: ``if_match`` (an ETag or ``*``), ``if_none_match`` (``*``)."""

    if_match: str | None = None
    if_none_match: bool = False
    # CompleteMultipartUpload: the receipt count when its upload began. An If-None-Match: *
    # Complete whose key was changed since then and is now absent is S3's 409.
    upload_began: int | None = None


@dataclass(slots=True)
class Mutation:
    """A write waiting to be received: a new version (``obj``) or a delete (``obj is None``).

    ``delete_version`` names the version a DELETE removes permanently (None: the current one,
    which in a versioned bucket means adding a delete marker).
    """

    bucket: Bucket
    key: str
    operation: str
    principal: str | None
    sent: int
    sent_at: datetime
    obj: StoredObject | None = None
    condition: Condition | None = None
    delete_version: str | None = None
    seen_received: int = 0  # the sequencer's receipt count when this write was sent
    version_id: str | None = None  # assigned when sent, so an acknowledgement can name it
    record: WriteRecord | None = None
    result: StoredObject | None = None  # what the receipt installed (the version, or a delete marker)
    refusal: S3Error | None = None  # why the receipt refused it, for writes submitted together

    @property
    def is_delete(self) -> bool:
        return self.obj is None


def _upload_conflict(header: str, key: str) -> S3Error:
    return S3Error(
        "ConditionalRequestConflict",
        "The conditional request cannot succeed due to a conflicting operation against this resource.",
        extra={"Condition": header, "Key": key},
        hint="the key was written or deleted while the upload was open; start a new upload",
    )


def _strip_quotes(etag: str) -> str:
    return etag.strip().strip('"')


class Sequencer:
    def __init__(self, store: Store, clock: Callable[[], datetime]) -> None:
        self._store = store
        self._clock = clock
        self._counter_lock = threading.Lock()
        self._sent = itertools.count(1)
        self.received_total = 0  # receipts so far; a write notes it when sent to detect races
        self._version_numbers = itertools.count(1)
        self._log_lock = threading.Lock()
        self.writes: list[WriteRecord] = []
        self._current: dict[tuple[str, str], WriteRecord] = {}
        self._recorded: dict[int, WriteRecord] = {}  # by sent number
        self.policy: Policy | None = None
        self.consistency = STRONG
        self.lag = timedelta(0)

    def reset(self) -> None:
        with self._store.lock, self._log_lock, self._counter_lock:
            self._sent = itertools.count(1)
            self.received_total = 0
            self._version_numbers = itertools.count(1)
            self.writes.clear()
            self._current.clear()
            self._recorded.clear()
            self.policy = None

    def next_sent(self) -> int:
        with self._counter_lock:
            return next(self._sent)

    # ------------------------------------------------------------------ entry point

    def submit(self, mutation: Mutation) -> WriteRecord:
        """Hand a write to the simulated S3; returns its log record (raises S3Error if refused)."""
        record = self.announce(mutation)
        policy = self.policy
        # A window defers the write; a hold blocks until its turn and receives it.
        if policy is None or not policy.take(mutation):
            self.receive(mutation)
        return record

    def submit_all(self, mutations: Sequence[Mutation]) -> None:
        """Hand the writes of one request (DeleteObjects' keys) to the simulated S3; a write refused
        at receipt gets ``refusal`` and the rest go on.

        A hold counts each as its own arrival, so they arrive together and are received in their
        turns among the other writers'. Otherwise they go one by one, as single writes would, so
        each sees the ones before it received.
        """
        policy = self.policy
        taken = policy.take_all(mutations) if policy is not None else None
        for index, mutation in enumerate(mutations):
            if taken is not None and taken[index]:
                continue
            try:
                if taken is None:
                    self.submit(mutation)
                else:
                    self.receive(mutation)  # announced with the others, beyond what the hold takes
            except S3Error as error:
                mutation.refusal = error

    def announce(self, mutation: Mutation) -> WriteRecord:
        """Log a write as sent (pending) and give it the version id it will be acknowledged with."""
        record = WriteRecord(
            sent=mutation.sent,
            bucket=mutation.bucket.name,
            key=mutation.key,
            operation=mutation.operation,
            principal=mutation.principal,
            time=mutation.sent_at,
            outcome="pending",
            etag=mutation.obj.etag if mutation.obj is not None else None,
            conditional=mutation.condition is not None,
        )
        mutation.record = record
        mutation.seen_received = self.received_total
        if mutation.delete_version is None and mutation.bucket.versioning is not None:
            with self._counter_lock:
                mutation.version_id = self._new_version_id(mutation.bucket, next(self._version_numbers))
            record.version_id = mutation.version_id
        with self._log_lock:
            self.writes.append(record)
            self._recorded[record.sent] = record
        return record

    def receive(self, mutation: Mutation) -> None:
        """The moment S3 receives the write: check conditions, version, install, log."""
        record = mutation.record
        assert record is not None
        try:
            with self._store.lock:
                now = self._clock()
                if self._store.bucket(mutation.bucket.name) is not mutation.bucket:
                    raise S3Error("NoSuchBucket", extra={"BucketName": mutation.bucket.name})
                self._check(mutation)
                self._settle_version_id(mutation, record)
                self.received_total += 1
                received = self.received_total
                mutation.result = self._apply(mutation, now)
                record.received = received
                record.time = now
                record.outcome = "stored"
                record.error_code = None  # a hold that gave up while this write was being received
                if mutation.result is not None:
                    record.version_id = mutation.result.version_id
                    record.etag = None if mutation.result.delete_marker else record.etag
                previous = self._current.get((record.bucket, record.key))
                # Only a stored version can be superseded or deleted; a delete record stays as it was.
                if previous is not None and previous.etag is not None and previous.outcome in ("stored", "lost-ack"):
                    previous.outcome = "deleted" if mutation.is_delete else "superseded"
                self._current[(record.bucket, record.key)] = record
        except S3Error as error:
            self.reject(record, error.code)
            raise

    def _settle_version_id(self, mutation: Mutation, record: WriteRecord) -> None:
        """S3 versions a write by the bucket's state at receipt. A write in flight while versioning
        changed gets the id it would have had then; its record notes the id it was told."""
        if mutation.delete_version is not None:
            return
        state, told = mutation.bucket.versioning, mutation.version_id
        if state == "Enabled":
            if told not in (None, "null"):
                return
            with self._counter_lock:
                settled = self._new_version_id(mutation.bucket, next(self._version_numbers))
        else:
            settled = "null" if state == "Suspended" else None
            if told == settled:
                return
        mutation.version_id = record.version_id = settled
        record.notes += (f"versioning changed in flight: acknowledged version {told}, stored {settled}",)

    def record_for(self, sent: int) -> WriteRecord | None:
        with self._log_lock:
            return self._recorded.get(sent)

    def reject(self, record: WriteRecord, code: str) -> None:
        record.outcome = "rejected"
        record.error_code = code

    def record_rejection(
        self, *, sent: int, bucket: str, key: str, operation: str, principal: str | None, error_code: str
    ) -> WriteRecord:
        """Log a mutating request refused before it became a Mutation (auth, validation, ...)."""
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
            self._recorded[sent] = record
        return record

    def change_buckets(self, apply: Callable[[Store], T]) -> T:
        """Run a bucket-level mutation (create, ACL, versioning, delete) atomically at the commit point."""
        with self._store.lock:
            return apply(self._store)

    # ------------------------------------------------------------------ receipt internals

    def _check(self, mutation: Mutation) -> None:
        condition = mutation.condition
        if condition is None:
            return
        current = mutation.bucket.latest(mutation.key)
        if current is not None and current.delete_marker:
            current = None
        if condition.upload_began is not None:
            self._check_upload(mutation, condition.upload_began, current)
            return
        raced = self._received_since_sent(mutation)
        if condition.if_none_match and current is not None:
            raise self._precondition_error("If-None-Match", raced)
        if condition.if_match is not None:
            if current is None:
                raise S3Error(
                    "NoSuchKey", extra={"Key": mutation.key}, hint="If-Match names an object that does not exist"
                )
            wanted = _strip_quotes(condition.if_match)
            if wanted != "*" and wanted != _strip_quotes(current.etag):
                raise self._precondition_error("If-Match", raced)

    def _check_upload(self, mutation: Mutation, began: int, current: StoredObject | None) -> None:
        """Complete's conditions, as S3 decides them (LocalStack's AWS snapshots of
        test_multipart_if_none_match* and test_multipart_if_match*): a key present fails
        If-None-Match with 412, even if written while the upload was open, and one deleted
        meanwhile is a 409 conflict; If-Match fails on another ETag with 412, and on the
        matching ETag of a write made while the upload was open with 409."""
        condition = mutation.condition
        assert condition is not None
        latest = self._current.get((mutation.bucket.name, mutation.key))
        changed = latest is not None and (latest.received or 0) > began
        if condition.if_none_match:
            if current is not None:
                raise S3Error("PreconditionFailed", extra={"Condition": "If-None-Match"})
            if changed:
                raise _upload_conflict("If-None-Match", mutation.key)
        if condition.if_match is not None:
            if current is None:
                raise S3Error(
                    "NoSuchKey", extra={"Key": mutation.key}, hint="If-Match names an object that does not exist"
                )
            if _strip_quotes(condition.if_match) != _strip_quotes(current.etag):
                raise S3Error("PreconditionFailed", extra={"Condition": "If-Match"})
            if changed:
                raise _upload_conflict("If-Match", mutation.key)

    def _received_since_sent(self, mutation: Mutation) -> bool:
        """Another write to the same key was received while this one was in flight."""
        latest = self._current.get((mutation.bucket.name, mutation.key))
        return latest is not None and (latest.received or 0) > mutation.seen_received

    @staticmethod
    def _precondition_error(header: str, raced: bool) -> S3Error:
        if raced:
            return S3Error(
                "ConditionalRequestConflict",
                hint=f"another write to this key was received while this {header} write was in flight",
            )
        return S3Error("PreconditionFailed", extra={"Condition": header})

    def _visible_at(self, mutation: Mutation, now: datetime) -> datetime | None:
        if self.consistency == STRONG or self.lag <= timedelta(0):
            return None
        if self.consistency == LEGACY and not mutation.is_delete and mutation.bucket.latest(mutation.key) is None:
            return None  # the old model: a brand-new key was readable at once
        return now + self.lag

    def _new_version_id(self, bucket: Bucket, number: int) -> str | None:
        if bucket.versioning == "Enabled":
            digest = hashlib.sha256(f"{bucket.name}:{number}".encode()).hexdigest()
            return f"{digest[:32]}"
        if bucket.versioning == "Suspended":
            return "null"
        return None

    def _apply(self, mutation: Mutation, now: datetime) -> StoredObject | None:
        bucket = mutation.bucket
        visible_at = self._visible_at(mutation, now)
        version_id = mutation.version_id
        if mutation.obj is not None:
            obj = mutation.obj.as_received(now, version_id, visible_at)
            bucket._install(obj, now)
            return obj
        if mutation.delete_version is not None:
            return bucket._remove_version(mutation.key, mutation.delete_version)
        if bucket.versioning is None and visible_at is None:
            bucket._forget(mutation.key)
            return None
        marker = StoredObject(
            bucket=bucket.name,
            key=mutation.key,
            body=b"",
            etag="",
            last_modified=now,
            owner=mutation.principal,
            version_id=version_id,
            delete_marker=True,
            visible_at=visible_at,
        )
        bucket._install(marker, now)
        return marker
