"""The request as the fake sees it: addressing resolved, headers normalised, body read once."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal
from urllib.parse import urlsplit

Addressing = Literal["path", "virtual"]  # bucket in the path, or in the host name


def _text(value: Any) -> str:
    """A header name or value as text: bytes as latin-1 (every wire byte survives), else str()."""
    return value.decode("latin-1") if isinstance(value, bytes) else str(value)


def _pairs(raw: Mapping[Any, Any] | None) -> Iterable[tuple[Any, Any]]:
    """(name, value) pairs of the headers a client handed urllib3, by the cheapest route.

    The generic ``items()`` of the clients' case-insensitive maps does a lookup per header,
    which is a noticeable share of a small request: requests' map offers its lower-cased
    pairs publicly; for botocore's HeadersDict the stored keys are read, falling back to
    ``items()`` if its internals ever change shape.
    """
    if raw is None:
        return ()
    if type(raw) is dict:
        return raw.items()
    lower_items = getattr(raw, "lower_items", None)  # requests.structures.CaseInsensitiveDict
    if lower_items is not None:
        return list(lower_items())
    if type(raw).__module__ == "botocore.awsrequest":
        try:
            return [(key._lower, value) for key, value in raw._dict.items()]  # type: ignore[attr-defined]
        except AttributeError:
            pass
    return raw.items()


class Headers(dict[str, str]):
    """Request headers with lower-cased names; look them up lower-cased.

    A plain dict underneath, so the fake's many lookups per request cost what a dict lookup
    costs (a mixed-case ``headers["Content-Type"]`` still works, through ``__missing__``).
    Values are ``str``; ``bytes`` values are decoded as latin-1 so every byte on the wire
    survives (that is also how http.client puts a ``str`` header on the wire).
    A name given twice in different spellings is joined with ``,`` as HTTP folding would.
    The service builds it once per request and nothing changes it afterwards.
    """

    __slots__ = ()

    def __init__(self, raw: Mapping[Any, Any] | None = None) -> None:
        super().__init__()
        # Clients hand urllib3 names and values as str or bytes; both are accepted.
        for name, value in _pairs(raw):
            lname = (name if type(name) is str else _text(name)).lower()
            # _text inlined for the two usual types: this runs once per header of every request
            text = value if type(value) is str else value.decode("latin-1") if type(value) is bytes else _text(value)
            self[lname] = f"{self[lname]},{text}" if lname in self else text

    def _default(self, name: str, value: str) -> None:
        """Add a header the transport would add (urllib3's framing headers); only at construction."""
        self.setdefault(name, value)

    def __missing__(self, name: object) -> str:
        lname = name.lower() if isinstance(name, str) else None
        if lname is None or lname == name or lname not in self:
            raise KeyError(name)
        return dict.__getitem__(self, lname)

    def __repr__(self) -> str:
        return f"Headers({dict.__repr__(self)})"


def default_port(scheme: str) -> int:
    """The port a URL of this scheme means when it names none: the one rule, used everywhere."""
    return 443 if scheme == "https" else 80


@dataclass(frozen=True, slots=True)
class Address:
    """Where a request was sent: scheme, lower-cased host and port, computed once per request."""

    scheme: str
    host: str
    port: int

    @classmethod
    def of(cls, scheme: str | None, host: str | None, port: int | None) -> Address:
        scheme = scheme or "http"
        return cls(scheme, (host or "").lower(), port or default_port(scheme))

    @classmethod
    def of_url(cls, url: str) -> Address:
        parts = urlsplit(url)
        try:
            port = parts.port
        except ValueError:
            port = None
        return cls.of(parts.scheme, parts.hostname, port)

    @property
    def netloc(self) -> str:
        """``host[:port]`` as a client writes it in Host: the default port left out, IPv6 in brackets."""
        host = f"[{self.host}]" if ":" in self.host and not self.host.startswith("[") else self.host
        return host if self.port == default_port(self.scheme) else f"{host}:{self.port}"

    def __str__(self) -> str:
        return f"{self.scheme}://{self.netloc}"


@dataclass(frozen=True, slots=True)
class Route:
    """Where a request goes: bucket and raw (still encoded) key path, plus how it was addressed."""

    bucket: str
    raw_key: str
    addressing: Addressing
    region: str | None


@dataclass(frozen=True, slots=True)
class S3Request:
    """One HTTP request addressed to an S3 endpoint the fake owns.

    ``raw_path`` and ``raw_query`` are exactly as on the wire (still percent-encoded);
    ``query`` holds the decoded pairs in wire order, with ``None`` for a name sent
    without ``=`` (``?uploads``) and ``""`` for one sent with an empty value (``?uploads=``).
    ``bucket``/``key`` are decoded exactly once; ``key`` is ``""`` for a bucket-level request
    and ``bucket`` is ``""`` for a service-level request (``GET /``).
    Built once from the request line and headers; the body is read later into a ``Payload``.
    """

    method: str
    scheme: str
    host: str
    raw_path: str
    raw_query: str
    query: tuple[tuple[str, str | None], ...]
    headers: Headers
    bucket: str
    key: str
    addressing: Addressing
    endpoint_region: str | None = None
    query_map: Mapping[str, str | None] = field(default_factory=dict)

    @property
    def url(self) -> str:
        query = f"?{self.raw_query}" if self.raw_query else ""
        return f"{self.scheme}://{self.host}{self.raw_path}{query}"

    def has_query(self, name: str) -> bool:
        return name in self.query_map

    def query_value(self, name: str) -> str | None:
        return self.query_map.get(name)
