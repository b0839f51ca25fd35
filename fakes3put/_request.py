"""The request as the fake sees it: addressing resolved, headers normalised, body read once."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._digests import DigestResult


class Headers(Mapping[str, str]):
    """Case-insensitive, read-only request headers; names are stored lower-cased.

    Values are ``str``; ``bytes`` values are decoded as latin-1 so every byte on the wire
    survives (that is also how http.client puts a ``str`` header on the wire).
    A name given twice in different spellings is joined with ``,`` as HTTP folding would.
    """

    __slots__ = ("_items",)

    def __init__(self, raw: Mapping[Any, Any] | None = None) -> None:
        # Clients hand urllib3 names and values as str or bytes; both are accepted.
        items: dict[str, str] = {}
        for name, value in (raw or {}).items():
            lname = name.lower() if isinstance(name, str) else name.decode("latin-1").lower()
            text = (
                value if isinstance(value, str) else value.decode("latin-1") if isinstance(value, bytes) else str(value)
            )
            items[lname] = f"{items[lname]},{text}" if lname in items else text
        self._items = items

    def _default(self, name: str, value: str) -> None:
        """Add a header the transport would add (urllib3's framing headers); only at construction."""
        self._items.setdefault(name, value)

    def __getitem__(self, name: str) -> str:
        return self._items[name.lower()]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name.lower() in self._items

    def get(self, name: str, default: str | None = None) -> str | None:  # type: ignore[override]
        return self._items.get(name.lower(), default)

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"Headers({self._items!r})"


@dataclass(slots=True)
class S3Request:
    """One HTTP request addressed to an S3 endpoint the fake owns.

    ``raw_path`` and ``raw_query`` are exactly as on the wire (still percent-encoded);
    ``query`` holds the decoded pairs in wire order, with ``None`` for a name sent
    without ``=`` (``?uploads``) and ``""`` for one sent with an empty value (``?uploads=``).
    ``body`` is the payload: for an aws-chunked request, the decoded object bytes.
    ``bucket``/``key`` are decoded exactly once; ``key`` is ``""`` for a bucket-level request
    and ``bucket`` is ``""`` for a service-level request (``GET /``).
    Treat it as read-only: only the service sets ``body``, once it has read it.
    """

    method: str
    scheme: str
    host: str
    raw_path: str
    raw_query: str
    query: tuple[tuple[str, str | None], ...]
    headers: Headers
    body: bytes
    bucket: str
    key: str
    addressing: str  # "path" | "virtual"
    endpoint_region: str | None = None
    query_map: Mapping[str, str | None] = field(default_factory=dict)
    wire_length: int = 0  # bytes of body on the wire (aws-chunked framing included)
    digests: DigestResult | None = None  # MD5, claimed checksum and SHA-256 of ``body``, from one pass

    @property
    def url(self) -> str:
        query = f"?{self.raw_query}" if self.raw_query else ""
        return f"{self.scheme}://{self.host}{self.raw_path}{query}"

    def has_query(self, name: str) -> bool:
        return name in self.query_map

    def query_value(self, name: str) -> str | None:
        return self.query_map.get(name)
