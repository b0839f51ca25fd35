"""Multipart uploads in progress: invisible to readers until CompleteMultipartUpload.

The registry is the only state outside the store. Parts arrive from many threads at once
(s3transfer), so every access goes through ``Uploads`` under its lock; an ``Upload`` handed
out is a snapshot, never the registry's own object.
"""

from __future__ import annotations

import base64
import dataclasses
import secrets
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from fakes3put._commit.store import ObjectAttributes
from fakes3put._wire import checksums as _checksums


@dataclass(frozen=True, slots=True)
class Part:
    number: int
    data: bytes
    md5: bytes
    etag: str  # quoted, as S3 sends it
    last_modified: datetime
    checksums: Mapping[str, str] = field(default_factory=dict)  # algorithm -> base64 value

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(slots=True)
class Upload:
    upload_id: str
    bucket: str
    key: str
    initiated: datetime
    initiator: str | None
    attributes: ObjectAttributes = field(default_factory=ObjectAttributes)
    checksum_algorithm: str | None = None  # chosen at CreateMultipartUpload
    checksum_type: str | None = None  # "COMPOSITE" or "FULL_OBJECT" when an algorithm was chosen
    parts: dict[int, Part] = field(default_factory=dict)
    began_at_receipt: int = 0  # the sequencer's receipt count at CreateMultipartUpload


@dataclass(frozen=True, slots=True)
class Completed:
    """A completed upload's answer, replayed to a Complete that repeats it exactly."""

    bucket: str
    key: str
    parts: tuple[tuple[int, str], ...]  # (number, unquoted ETag) as the Complete listed them
    headers: Mapping[str, str]
    body: bytes


def composite_checksum(algorithm: str, part_values: Sequence[str]) -> str:
    """S3's checksum of checksums: the digest of the parts' binary digests, then ``-<count>``."""
    joined = b"".join(base64.b64decode(value) for value in part_values)
    return f"{_checksums.checksum(algorithm, joined)}-{len(part_values)}"


def multipart_etag(parts: Sequence[Part]) -> str:
    """``"<md5 of the concatenated binary part MD5s>-<part count>"`` (reference section 3.3)."""
    digest = _checksums.md5_digest(b"".join(part.md5 for part in parts))
    return f'"{digest.hex()}-{len(parts)}"'


def new_upload_id() -> str:
    # Opaque and URL-safe, about as long as S3's own upload ids.
    return secrets.token_urlsafe(48)


class Uploads:
    """Uploads by id, under their own lock (parts arrive from many threads)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.by_id: dict[str, Upload] = {}
        # S3 answers a repeated Complete (a retry after a lost acknowledgement) with the same
        # result; kept for the fake's lifetime, since S3 documents no fixed window.
        self.completed: dict[str, Completed] = {}

    def reset(self) -> None:
        with self.lock:
            self.by_id.clear()
            self.completed.clear()

    def remember_completed(self, upload_id: str, completed: Completed) -> None:
        with self.lock:
            self.completed[upload_id] = completed

    def completed_as(self, upload_id: str, bucket: str, key: str) -> Completed | None:
        with self.lock:
            done = self.completed.get(upload_id)
            return done if done is not None and (done.bucket, done.key) == (bucket, key) else None

    def start(self, upload: Upload) -> None:
        with self.lock:
            self.by_id[upload.upload_id] = upload

    def get(self, upload_id: str, bucket: str, key: str) -> Upload | None:
        """A snapshot of the upload, if it exists for this bucket and key."""
        with self.lock:
            upload = self.by_id.get(upload_id)
            if upload is None or upload.bucket != bucket or upload.key != key:
                return None
            return dataclasses.replace(upload, parts=dict(upload.parts))

    def add_part(self, upload_id: str, part: Part) -> bool:
        """Store (or replace) a part; False if the upload was completed or aborted meanwhile."""
        with self.lock:
            upload = self.by_id.get(upload_id)
            if upload is None:
                return False
            upload.parts[part.number] = part
            return True

    def take(self, upload_id: str) -> Upload | None:
        """Remove the upload and return it (None if another request took it first)."""
        with self.lock:
            return self.by_id.pop(upload_id, None)

    def put_back(self, upload: Upload) -> None:
        """Undo ``take`` after a Complete that S3 lets the client retry (a failed precondition)."""
        with self.lock:
            self.by_id.setdefault(upload.upload_id, upload)

    def in_bucket(self, bucket: str) -> list[Upload]:
        with self.lock:
            return [dataclasses.replace(u, parts=dict(u.parts)) for u in self.by_id.values() if u.bucket == bucket]

    def drop_bucket(self, bucket: str) -> None:
        with self.lock:
            for upload_id in [i for i, u in self.by_id.items() if u.bucket == bucket]:
                del self.by_id[upload_id]
            for upload_id in [i for i, c in self.completed.items() if c.bucket == bucket]:
                del self.completed[upload_id]
