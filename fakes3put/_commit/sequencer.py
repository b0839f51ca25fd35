"""The single commit point: every mutation of the store goes through ``Sequencer``.

An operation builds a ``Mutation`` (a new version, or a delete) and ``submit``s it. The
sequencer asks the open policy (a simultaneous window or hold, if any) *when* it is received:
at once (the default), when the window closes, or in its turn once a hold has gathered its
writes. The sequencer alone receives writes and alone sets their outcome in the write log.
Conditions that must be atomic with the write (If-Match, If-None-Match) are checked at
receipt, under the store lock.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import threading
import weakref
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import TypeVar

from fakes3put._commit.policies import Decision, Hold, Window
from fakes3put._commit.store import Bucket, Store, StoredObject
from fakes3put._commit.writes import Consistency, Mutation, Submitted, Write, WriteRecord
from fakes3put._logs import DEFAULT_LOG_LIMIT, BoundedLog
from fakes3put.errors import HOLD_TIMEOUT_CODE, S3Error, SimultaneousTimeoutError

T = TypeVar("T")

STRONG: Consistency = "strong"
EVENTUAL: Consistency = "eventual"
LEGACY: Consistency = "legacy"  # before Dec 2020: new keys at once, overwrites and deletes eventually
ORDER_FAILED = "FakeS3OrderFailed"  # write-log code of acknowledged writes whose window order was unusable


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
    def __init__(self, store: Store, clock: Callable[[], datetime], log_limit: int | None = DEFAULT_LOG_LIMIT) -> None:
        self._store = store
        self._clock = clock
        self._counter_lock = threading.Lock()
        self._sent = itertools.count(1)
        self.received_total = 0  # receipts so far; a write notes it when sent to detect races
        self._version_numbers = itertools.count(1)
        self._log_lock = threading.Lock()
        self.writes: BoundedLog[WriteRecord] = BoundedLog(log_limit)
        self._current: dict[tuple[str, str], WriteRecord] = {}  # the latest received write per key
        # By sent number, every record something still holds: the log, a write in flight, _current,
        # a window. A record the log let go of leaves once nothing holds it.
        self._recorded: weakref.WeakValueDictionary[int, WriteRecord] = weakref.WeakValueDictionary()
        self.policy: Window | Hold | None = None  # the open simultaneous block, if any
        self._unacknowledged: set[int] = set()  # sent numbers of held-back writes whose client saw a reset
        self.consistency: Consistency = STRONG
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
            self._unacknowledged.clear()

    def next_sent(self) -> int:
        with self._counter_lock:
            return next(self._sent)

    # ------------------------------------------------------------------ entry point

    def submit(self, mutation: Mutation) -> Submitted:
        """Hand one write to the simulated S3; raises S3Error if it is refused."""
        policy = self.policy
        if isinstance(policy, Hold) and policy.gathering:
            [submitted] = self.submit_many([mutation])
        else:  # what submit_many does for one write outside a gathering hold, without its lists
            submitted = self._submit_alone(mutation)
        if submitted.refusal is not None:
            raise submitted.refusal
        return submitted

    def submit_many(self, mutations: Sequence[Mutation]) -> list[Submitted]:
        """Hand the writes of one request (DeleteObjects' keys) to the simulated S3 together; a
        write refused at receipt is reported in its ``refusal`` and the rest go on.

        A hold counts each as its own arrival, so they arrive together and are received in their
        turns among the other writers'. Otherwise they go one by one, as single writes would, so
        each sees the ones before it received. If a hold gives up before any of them was received
        the request fails (SimultaneousTimeoutError) as a single write would; if it gives up part
        way, the ones not received are refused.
        """
        policy = self.policy
        if not (isinstance(policy, Hold) and policy.gathering):
            return [self._submit_alone(mutation) for mutation in mutations]
        writes = [self._announce(mutation) for mutation in mutations]
        decisions = policy.arrive(writes)
        refusals: dict[int, S3Error] = {}
        turns = [w for w, decision in zip(writes, decisions, strict=True) if decision is Decision.TURN]
        others = [w for w, decision in zip(writes, decisions, strict=True) if decision is Decision.NOW]
        if turns:
            assert isinstance(policy, Hold)  # only a hold hands out turns
            pending = list(turns)  # emptied as their turns come
            try:
                self._receive_in_turns(policy, pending, refusals)
            except SimultaneousTimeoutError as failure:
                unreceived = pending + others
                for write in unreceived:
                    self.reject(write.record, HOLD_TIMEOUT_CODE)
                if len(unreceived) == len(writes):
                    raise
                for write in unreceived:
                    refusals[id(write)] = S3Error(HOLD_TIMEOUT_CODE, str(failure), status=400, hint=str(failure))
                others = []
        for write in others:
            try:
                self._receive(write)
            except S3Error as error:
                refusals[id(write)] = error
        return [Submitted(w.record, w.version_id, w.installed, refusals.get(id(w))) for w in writes]

    def _submit_alone(self, mutation: Mutation) -> Submitted:
        """One write, sent now and (unless a window defers it, or a hold takes it) received now."""
        write = self._announce(mutation)
        policy = self.policy
        [decision] = policy.arrive([write]) if policy is not None else [Decision.NOW]
        refusals: dict[int, S3Error] = {}
        try:
            if decision is Decision.TURN:
                assert isinstance(policy, Hold)
                try:
                    self._receive_in_turns(policy, [write], refusals)
                except SimultaneousTimeoutError:
                    self.reject(write.record, HOLD_TIMEOUT_CODE)
                    raise
            elif decision is Decision.NOW:
                self._receive(write)
        except S3Error as error:
            refusals[id(write)] = error
        return Submitted(write.record, write.version_id, write.installed, refusals.get(id(write)))

    def _receive_in_turns(self, policy: Hold, pending: list[Write], refusals: dict[int, S3Error]) -> None:
        waited = 0.0  # one timeout for the request's whole wait, not one per write
        while pending:
            write, waited = policy.wait_turn(pending, waited)
            pending.remove(write)
            try:
                self._receive(write)
            except S3Error as error:
                refusals[id(write)] = error
            finally:
                policy.turn_done()

    def receive_window(self, window: Window) -> None:
        """A window closes: its deferred writes are received in the order it chose."""
        try:
            ordered = window.close()
        except Exception:
            for write in window.deferred:  # acknowledged, but never received: the log must not say pending
                self.reject(write.record, ORDER_FAILED)
            raise
        for write in ordered:
            with contextlib.suppress(S3Error):  # refused at receipt (its bucket is gone): the log says so
                self._receive(write)

    def lose_acknowledgement(self, record: WriteRecord) -> None:
        """The client saw the connection reset after the write was acknowledged: it is ``lost-ack``
        once stored (now, or when the window holding it back closes)."""
        with self._store.lock:
            if record.outcome == "stored":
                record.outcome = "lost-ack"
            elif record.outcome == "pending":
                self._unacknowledged.add(record.sent)

    def _announce(self, mutation: Mutation) -> Write:
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
        version_id = None
        if mutation.delete_version is None and mutation.bucket.versioning is not None:
            with self._counter_lock:
                version_id = self._new_version_id(mutation.bucket, next(self._version_numbers))
            record.version_id = version_id
        with self._log_lock:
            self.writes.append(record)
            self._recorded[record.sent] = record
        return Write(mutation, record, self.received_total, version_id)

    def _receive(self, write: Write) -> None:
        """The moment S3 receives the write: check conditions, version, install, log."""
        mutation, record = write.mutation, write.record
        try:
            with self._store.lock:
                now = self._clock()
                if self._store.bucket(mutation.bucket.name) is not mutation.bucket:
                    raise S3Error("NoSuchBucket", extra={"BucketName": mutation.bucket.name})
                self._check(write)
                self._settle_version_id(write)
                self.received_total += 1
                received = self.received_total
                write.installed = self._apply(write, now)
                record.received = received
                record.time = now
                record.outcome = "lost-ack" if record.sent in self._unacknowledged else "stored"
                self._unacknowledged.discard(record.sent)
                record.error_code = None  # a hold that gave up while this write was being received
                if write.installed is not None:
                    record.version_id = write.installed.version_id
                    record.etag = None if write.installed.delete_marker else record.etag
                previous = self._current.get((record.bucket, record.key))
                # Only a stored version can be superseded or deleted; a delete record stays as it was.
                if previous is not None and previous.etag is not None and previous.outcome in ("stored", "lost-ack"):
                    previous.outcome = "deleted" if mutation.is_delete else "superseded"
                self._current[(record.bucket, record.key)] = record
        except S3Error as error:
            self.reject(record, error.code)
            raise

    def _settle_version_id(self, write: Write) -> None:
        """S3 versions a write by the bucket's state at receipt. A write in flight while versioning
        changed gets the id it would have had then; its record notes the id it was told."""
        mutation, record = write.mutation, write.record
        if mutation.delete_version is not None:
            return
        state, told = mutation.bucket.versioning, write.version_id
        if state == "Enabled":
            if told not in (None, "null"):
                return
            with self._counter_lock:
                settled = self._new_version_id(mutation.bucket, next(self._version_numbers))
        else:
            settled = "null" if state == "Suspended" else None
            if told == settled:
                return
        write.version_id = record.version_id = settled
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

    def change_object(
        self, bucket: Bucket, find: Callable[[Bucket], StoredObject], edit: Callable[[StoredObject], StoredObject]
    ) -> StoredObject:
        """Replace one object version by an edited copy (tags, ACL) atomically with writes.

        ``find`` picks the version under the store lock (raising S3Error if there is none), ``edit``
        returns its replacement (or raises); the version keeps its place, id and receipt time.
        """
        with self._store.lock:
            if self._store.bucket(bucket.name) is not bucket:
                raise S3Error("NoSuchBucket", extra={"BucketName": bucket.name})
            old = find(bucket)
            new = edit(old)
            if new is not old:
                bucket._replace_version(old, new)
            return new

    # ------------------------------------------------------------------ receipt internals

    def _check(self, write: Write) -> None:
        mutation = write.mutation
        condition = mutation.condition
        if condition is None:
            return
        current = mutation.bucket.latest(mutation.key)
        if current is not None and current.delete_marker:
            current = None
        if condition.upload_began is not None:
            self._check_upload(mutation, condition.upload_began, current)
            return
        raced = self._received_since_sent(write)
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

    def _received_since_sent(self, write: Write) -> bool:
        """Another write to the same key was received while this one was in flight."""
        latest = self._current.get((write.mutation.bucket.name, write.mutation.key))
        return latest is not None and (latest.received or 0) > write.seen_received

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

    def _apply(self, write: Write, now: datetime) -> StoredObject | None:
        mutation = write.mutation
        bucket = mutation.bucket
        visible_at = self._visible_at(mutation, now)
        version_id = write.version_id
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
