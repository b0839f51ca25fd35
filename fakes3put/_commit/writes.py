"""The write log's records and the shapes of a write on its way to the store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from fakes3put._commit.store import Bucket, StoredObject
from fakes3put.errors import S3Error

Outcome = Literal["pending", "stored", "superseded", "deleted", "rejected", "lost-ack"]
"""What became of a write (``WriteRecord.outcome``)."""

Consistency = Literal["strong", "eventual", "legacy"]
"""``FakeS3(consistency=...)``: ``"legacy"`` is S3 before Dec 2020 (new keys at once, overwrites and
deletes eventually); ``"eventual"`` and ``"legacy"`` need a ``visibility_lag``."""


@dataclass(slots=True, weakref_slot=True)
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
    outcome: Outcome
    etag: str | None = None
    received: int | None = None
    error_code: str | None = None
    version_id: str | None = None
    conditional: bool = False
    notes: tuple[str, ...] = ()  # what else happened to the write (e.g. its version id changed in flight)

    def describe(self) -> str:
        """One line: operation, bucket/key, etag, writer, sent and received numbers, outcome."""
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


@dataclass(frozen=True, slots=True)
class Mutation:
    """A write an operation asks for: a new version (``obj``) or a delete (``obj is None``).

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

    @property
    def is_delete(self) -> bool:
        return self.obj is None


@dataclass(eq=False, slots=True)
class Write:
    """A write the sequencer has announced: the operation's mutation and the sequencer's own
    bookkeeping, which only the sequencer changes."""

    mutation: Mutation
    record: WriteRecord
    seen_received: int  # the sequencer's receipt count when it was sent, to detect races
    version_id: str | None  # assigned when sent, so an acknowledgement can name it
    installed: StoredObject | None = None  # what the receipt installed (the version, or a delete marker)

    @property
    def sent(self) -> int:
        return self.mutation.sent


@dataclass(frozen=True, slots=True)
class Submitted:
    """What ``Sequencer.submit`` tells the operation about one write.

    ``installed`` is None while a window still holds the write back (or for a plain delete);
    ``refusal`` is set for a write of a multi-write request that was refused on its own.
    """

    record: WriteRecord
    version_id: str | None
    installed: StoredObject | None
    refusal: S3Error | None = None
