"""The in-memory store: ordered buckets of ordered keys. Only the sequencer writes to it.

Each key keeps its versions in receipt order. What a bucket *is* (``bucket[key]``) is the
latest received version; what a reader *sees* (``bucket.visible(key, now)``) also depends
on each version's ``visible_at``, which is later than its receipt only under visibility lag.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType
from typing import Any, Literal, TypeGuard, get_args

from sortedcontainers import SortedList  # type: ignore[import-untyped]

from fakes3put._commit.frozenmap import FrozenMap

# One shared empty mapping for the many objects without metadata, grants or checksums:
# an empty dict per field per object would cost more than the rest of a small object.
EMPTY: Mapping[str, Any] = FrozenMap()
_MAPPING_FIELDS = ("metadata", "headers", "grants", "checksums")


def _empty() -> Mapping[str, Any]:
    return EMPTY


ObjectOwnership = Literal["ObjectWriter", "BucketOwnerPreferred", "BucketOwnerEnforced"]
"""S3 Object Ownership: ``"ObjectWriter"`` (ACLs apply), ``"BucketOwnerPreferred"``,
``"BucketOwnerEnforced"`` (ACLs disabled, the bucket owner owns every object)."""

VersioningStatus = Literal["Enabled", "Suspended"]
"""A bucket's versioning once PutBucketVersioning set it (``None`` on ``Bucket`` before that)."""

OBJECT_OWNERSHIPS: tuple[ObjectOwnership, ...] = get_args(ObjectOwnership)
# The canned ACLs S3 accepts in x-amz-acl (a bucket's or an object's ``acl``).
CANNED_ACLS = (
    "private",
    "public-read",
    "public-read-write",
    "authenticated-read",
    "aws-exec-read",
    "bucket-owner-read",
    "bucket-owner-full-control",
    "log-delivery-write",
)
VERSIONING_STATES: tuple[VersioningStatus, ...] = get_args(VersioningStatus)


def is_object_ownership(value: str) -> TypeGuard[ObjectOwnership]:
    return value in OBJECT_OWNERSHIPS


def is_versioning_status(value: str) -> TypeGuard[VersioningStatus]:
    return value in VERSIONING_STATES


@dataclass(frozen=True, slots=True)
class StoredObject:
    """One stored object version (or delete marker), immutable: its mappings are read-only copies.

    ``etag`` is quoted, as S3 sends it. ``checksums`` maps an algorithm name (``"CRC32"``)
    to the base64 value S3 would return. ``headers`` are the stored representation headers
    (``cache-control``, ``content-disposition``, ...) with lower-case names.
    ``version_id`` is None in a bucket that never had versioning, ``"null"`` when written
    while versioning was suspended. ``parts`` holds part sizes for multipart objects.
    """

    bucket: str
    key: str
    body: bytes
    etag: str
    last_modified: datetime
    content_type: str = "binary/octet-stream"
    metadata: Mapping[str, str] = field(default_factory=_empty)
    headers: Mapping[str, str] = field(default_factory=_empty)
    storage_class: str = "STANDARD"
    tagging: str | None = None
    acl: str | None = None
    grants: Mapping[str, frozenset[str]] = field(default_factory=_empty)  # x-amz-grant-* on the object
    checksums: Mapping[str, str] = field(default_factory=_empty)
    owner: str | None = None
    version_id: str | None = None
    delete_marker: bool = False
    parts: tuple[int, ...] = ()
    # A composite upload's part checksums (algorithm -> value per part), for GET ?partNumber=N.
    visible_at: datetime | None = None  # None: visible from its receipt
    part_checksums: tuple[Mapping[str, str], ...] = ()  # per part of a multipart object, when it had checksums

    def __post_init__(self) -> None:
        # A committed version is shared (CopyObject, listings, fake.buckets) and may be pickled:
        # its mappings are read-only copies, so neither the writer's dict nor a reader can change it.
        for name in _MAPPING_FIELDS:
            value = getattr(self, name)
            if type(value) is not FrozenMap:
                object.__setattr__(self, name, FrozenMap(value) if value else EMPTY)

    @property
    def size(self) -> int:
        """The body's length in bytes (what Content-Length and listings report)."""
        return len(self.body)

    def as_received(self, last_modified: datetime, version_id: str | None, visible_at: datetime | None) -> StoredObject:
        """This version as the sequencer commits it: receipt time, version id and visibility set.

        Spelled out rather than ``dataclasses.replace``, which inspects every field on each
        call and was a visible share of a small put; a test checks the two agree.
        """
        return StoredObject(
            bucket=self.bucket,
            key=self.key,
            body=self.body,
            etag=self.etag,
            last_modified=last_modified,
            content_type=self.content_type,
            metadata=self.metadata,
            headers=self.headers,
            storage_class=self.storage_class,
            tagging=self.tagging,
            acl=self.acl,
            grants=self.grants,
            checksums=self.checksums,
            owner=self.owner,
            version_id=version_id,
            delete_marker=self.delete_marker,
            parts=self.parts,
            part_checksums=self.part_checksums,
            visible_at=visible_at,
        )

    @property
    def content_encoding(self) -> str | None:
        """The stored Content-Encoding header, if the writer sent one."""
        return self.headers.get("content-encoding")

    @property
    def content_disposition(self) -> str | None:
        """The stored Content-Disposition header, if the writer sent one."""
        return self.headers.get("content-disposition")

    @property
    def content_language(self) -> str | None:
        """The stored Content-Language header, if the writer sent one."""
        return self.headers.get("content-language")

    @property
    def cache_control(self) -> str | None:
        """The stored Cache-Control header, if the writer sent one."""
        return self.headers.get("cache-control")

    @property
    def expires(self) -> str | None:
        """The stored Expires header (as sent), if the writer sent one."""
        return self.headers.get("expires")

    def visible(self, now: datetime) -> bool:
        """Whether a reader at ``now`` (the fake's clock) sees this version; always, without visibility lag."""
        return self.visible_at is None or self.visible_at <= now

    def __repr__(self) -> str:
        kind = "DeleteMarker" if self.delete_marker else "StoredObject"
        return (
            f"{kind}(bucket={self.bucket!r}, key={self.key!r}, size={self.size}, "
            f"etag={self.etag!r}, version_id={self.version_id!r})"
        )


_HOW_TO_CHANGE = {
    "acl": "send PutBucketAcl (or give BucketSpec(acl=...) up front)",
    "grants": "send PutBucketAcl with x-amz-grant-* headers",
    "versioning": "send PutBucketVersioning",
}


class Bucket(Mapping[str, StoredObject]):
    """A bucket as a read-only ordered mapping of key -> current object.

    Keys are in receipt order of their current version: an overwrite moves the key to the end.
    A key whose latest version is a delete marker is not in the mapping (see ``versions``).
    Its attributes are read-only too: ``acl`` and ``grants`` change through PutBucketAcl and
    ``versioning`` through PutBucketVersioning, at the commit point; the rest are set when the
    bucket is created (CreateBucket, or ``BucketSpec`` up front).
    """

    name: str
    region: str
    owner: str | None
    created: datetime
    acl: str
    versioning: VersioningStatus | None  # None (never enabled), "Enabled" or "Suspended"
    object_ownership: ObjectOwnership
    _grants: dict[str, frozenset[str]]  # permission ("WRITE", ...) -> grantee ids (access keys or canonical ids)
    _current: dict[str, StoredObject]  # key -> current version (not a delete marker), in receipt order
    _versions: dict[str, list[StoredObject]]  # key -> every kept version, oldest received first
    # The keys of _versions, sorted: a listing page starts with a bisection instead of a sort of the
    # bucket. Python orders str by code point, which is UTF-8 byte order (S3's listing order).
    _keys: SortedList
    _keys_lock: threading.Lock  # writers change _keys under the store lock; readers hold no lock

    def __init__(
        self,
        name: str,
        *,
        region: str,
        owner: str | None,
        created: datetime,
        acl: str = "private",
        object_ownership: ObjectOwnership = "ObjectWriter",
        grants: Mapping[str, frozenset[str]] | None = None,
    ) -> None:
        settle = object.__setattr__
        settle(self, "name", name)
        settle(self, "region", region)
        settle(self, "owner", owner)
        settle(self, "created", created)
        settle(self, "versioning", None)
        settle(self, "object_ownership", object_ownership)
        self._set_acl(acl, grants or {})
        settle(self, "_current", {})
        settle(self, "_versions", {})
        settle(self, "_keys", SortedList())
        settle(self, "_keys_lock", threading.Lock())

    @property
    def grants(self) -> Mapping[str, frozenset[str]]:
        """Explicit grants: permission (``"WRITE"``, ``"FULL_CONTROL"``, ...) -> grantee ids."""
        return MappingProxyType(self._grants)

    def __setattr__(self, name: str, value: Any) -> None:
        how = _HOW_TO_CHANGE.get(name, "it is set when the bucket is created (CreateBucket, or BucketSpec up front)")
        raise AttributeError(f"Bucket.{name} is read-only: {how}")

    # ------------------------------------------------------------ the committed truth

    def __getitem__(self, key: str) -> StoredObject:
        return self._current[key]

    def get(self, key: str, default: StoredObject | None = None) -> StoredObject | None:  # type: ignore[override]
        """The current object at ``key`` (not a delete marker), or ``default``."""
        return self._current.get(key, default)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._current))

    def __len__(self) -> int:
        return len(self._current)

    def versions(self, key: str) -> list[StoredObject]:
        """Every version of ``key`` still kept, oldest received first (delete markers included)."""
        return list(self._versions.get(key, ()))

    def latest(self, key: str) -> StoredObject | None:
        """The latest received version of ``key``, delete marker included."""
        history = self._versions.get(key)
        return history[-1] if history else None

    # ------------------------------------------------------------ what readers see

    def visible(self, key: str, now: datetime) -> StoredObject | None:
        """The version a reader at ``now`` sees (a delete marker if that is what it sees)."""
        for version in reversed(self._versions.get(key, ())):
            if version.visible(now):
                return version
        return None

    def keys_from(self, start: str, *, after: bool = False) -> Iterator[str]:
        """Every key with a kept version (a delete marker counts), in UTF-8 byte order, from ``start``
        on (or just after it, with ``after``).

        Finding ``start`` costs O(log n); keys then come a batch at a time, each batch read under
        a short lock, so a listing never blocks writers for long and sees the writes between batches.
        """
        batch = 32
        while True:
            with self._keys_lock:
                index = self._keys.bisect_right(start) if after else self._keys.bisect_left(start)
                keys: list[str] = list(self._keys.islice(index, index + batch))
            yield from keys
            if len(keys) < batch:
                return
            start, after, batch = keys[-1], True, min(batch * 4, 1024)

    def visible_objects(self, now: datetime) -> list[StoredObject]:
        """Every key's visible, non-deleted version (for listings), in no particular order."""
        seen = []
        for key in list(self._versions):
            version = self.visible(key, now)
            if version is not None and not version.delete_marker:
                seen.append(version)
        return seen

    def all_versions(self) -> list[StoredObject]:
        """Every kept version of every key, delete markers included, grouped by key."""
        return [v for history in list(self._versions.values()) for v in history]

    def __repr__(self) -> str:
        return f"Bucket({self.name!r}, region={self.region!r}, keys={list(self._current)!r})"

    # ------------------------------------------------------------ mutation (sequencer only)

    def _set_acl(self, acl: str, grants: Mapping[str, frozenset[str]]) -> None:
        object.__setattr__(self, "acl", acl)
        object.__setattr__(self, "_grants", dict(grants))

    def _set_versioning(self, status: VersioningStatus) -> None:
        object.__setattr__(self, "versioning", status)

    def _install(self, obj: StoredObject, now: datetime) -> None:
        history = self._versions.get(obj.key)
        if history is None:
            history = self._versions[obj.key] = []
            with self._keys_lock:
                self._keys.add(obj.key)
        history.append(obj)
        if self.versioning != "Enabled":
            # A null version replaces the previous null version, unless a lagging reader can
            # still see that one because nothing newer is visible yet.
            if obj.visible(now):  # the usual case: the new version is the newest visible one
                newest_visible = len(history) - 1
            else:
                newest_visible = max((i for i, v in enumerate(history) if v.visible(now)), default=-1)
            history[:] = [
                v
                for i, v in enumerate(history)
                if v is obj or v.version_id not in (None, "null") or i >= newest_visible
            ]
        self._current.pop(obj.key, None)
        if not obj.delete_marker:
            self._current[obj.key] = obj

    def _replace_version(self, old: StoredObject, new: StoredObject) -> None:
        """Swap one kept version for an edited copy (new tags or ACL), in place in its history."""
        history = self._versions[old.key]
        history[next(i for i, v in enumerate(history) if v is old)] = new
        if self._current.get(old.key) is old:
            self._current[old.key] = new

    def _remove_version(self, key: str, version_id: str | None) -> StoredObject | None:
        history = self._versions.get(key, [])
        for index, version in enumerate(history):
            # A version written before versioning was enabled has no id; S3 calls it "null".
            if (version.version_id or "null") == version_id:
                del history[index]
                if not history:
                    del self._versions[key]
                    self._unindex(key)
                latest = history[-1] if history else None
                self._current.pop(key, None)
                if latest is not None and not latest.delete_marker:
                    self._current[key] = latest
                return version
        return None

    def _forget(self, key: str) -> None:
        """Unversioned delete: the key is gone for readers too."""
        self._current.pop(key, None)
        if self._versions.pop(key, None) is not None:
            self._unindex(key)

    def _unindex(self, key: str) -> None:
        with self._keys_lock:
            self._keys.remove(key)


class _BucketsView(Mapping[str, Bucket]):
    """``fake.buckets``: read-only, and safe to iterate while other threads create buckets."""

    def __init__(self, buckets: dict[str, Bucket]) -> None:
        self._buckets = buckets

    def __getitem__(self, name: str) -> Bucket:
        return self._buckets[name]

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._buckets))

    def __len__(self) -> int:
        return len(self._buckets)

    def __repr__(self) -> str:
        return f"{{{', '.join(f'{name!r}: {bucket!r}' for name, bucket in list(self._buckets.items()))}}}"


class Store:
    """Buckets by name, in creation order. Mutated only under ``lock``, by the sequencer."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._buckets: dict[str, Bucket] = {}
        self.view: Mapping[str, Bucket] = _BucketsView(self._buckets)

    def bucket(self, name: str) -> Bucket | None:
        return self._buckets.get(name)

    def buckets(self) -> list[Bucket]:
        return list(self._buckets.values())

    def add_bucket(self, bucket: Bucket) -> None:
        assert self.lock.locked(), "buckets change only at the commit point"
        self._buckets[bucket.name] = bucket

    def remove_bucket(self, name: str) -> None:
        assert self.lock.locked(), "buckets change only at the commit point"
        self._buckets.pop(name, None)

    def clear(self) -> None:
        assert self.lock.locked(), "buckets change only at the commit point"
        self._buckets.clear()


@dataclass(frozen=True, slots=True)
class ObjectAttributes:
    content_type: str = "binary/octet-stream"
    metadata: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)  # cache-control, content-disposition, ...
    storage_class: str = "STANDARD"
    tagging: str | None = None
    acl: str | None = None
    grants: Mapping[str, frozenset[str]] = field(default_factory=dict)
