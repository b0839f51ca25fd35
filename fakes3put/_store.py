"""The in-memory store: ordered buckets of ordered keys. Only the sequencer writes to it."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from types import MappingProxyType


@dataclass(frozen=True, slots=True)
class StoredObject:
    """One stored object version, immutable once committed.

    ``etag`` is quoted, as S3 sends it. ``checksums`` maps an algorithm name (``"CRC32"``)
    to the base64 value S3 would return. ``headers`` are the stored representation headers
    (``cache-control``, ``content-disposition``, ...) with lower-case names.
    """

    bucket: str
    key: str
    body: bytes
    etag: str
    last_modified: datetime
    content_type: str = "binary/octet-stream"
    metadata: Mapping[str, str] = field(default_factory=dict)
    headers: Mapping[str, str] = field(default_factory=dict)
    storage_class: str = "STANDARD"
    tagging: str | None = None
    acl: str | None = None
    checksums: Mapping[str, str] = field(default_factory=dict)
    owner: str | None = None
    version_id: str | None = None

    @property
    def size(self) -> int:
        return len(self.body)

    @property
    def content_encoding(self) -> str | None:
        return self.headers.get("content-encoding")

    @property
    def content_disposition(self) -> str | None:
        return self.headers.get("content-disposition")

    @property
    def content_language(self) -> str | None:
        return self.headers.get("content-language")

    @property
    def cache_control(self) -> str | None:
        return self.headers.get("cache-control")

    @property
    def expires(self) -> str | None:
        return self.headers.get("expires")

    def __repr__(self) -> str:
        return (
            f"StoredObject(bucket={self.bucket!r}, key={self.key!r}, size={self.size}, "
            f"etag={self.etag!r}, content_type={self.content_type!r})"
        )


class Bucket(Mapping[str, StoredObject]):
    """A bucket as a read-only ordered mapping of key -> current object.

    Keys are in receipt order of their current version: an overwrite moves the key to the end.
    """

    def __init__(
        self,
        name: str,
        *,
        region: str,
        owner: str | None,
        created: datetime,
        acl: str = "private",
    ) -> None:
        self.name = name
        self.region = region
        self.owner = owner
        self.created = created
        self.acl = acl
        # permission ("WRITE", "FULL_CONTROL", ...) -> grantee ids (access keys or canonical ids)
        self.grants: dict[str, frozenset[str]] = {}
        self._objects: dict[str, StoredObject] = {}

    def __getitem__(self, key: str) -> StoredObject:
        return self._objects[key]

    def get(self, key: str, default: StoredObject | None = None) -> StoredObject | None:  # type: ignore[override]
        return self._objects.get(key, default)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._objects))

    def __len__(self) -> int:
        return len(self._objects)

    def __repr__(self) -> str:
        return f"Bucket({self.name!r}, region={self.region!r}, keys={list(self._objects)!r})"

    def _install(self, obj: StoredObject) -> None:
        self._objects.pop(obj.key, None)
        self._objects[obj.key] = obj


class Store:
    """Buckets by name, in creation order. Mutated only under ``lock`` by the sequencer."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._buckets: dict[str, Bucket] = {}
        self.view: Mapping[str, Bucket] = MappingProxyType(self._buckets)

    def bucket(self, name: str) -> Bucket | None:
        return self._buckets.get(name)

    def add_bucket(self, bucket: Bucket) -> None:
        self._buckets[bucket.name] = bucket

    def clear(self) -> None:
        self._buckets.clear()
