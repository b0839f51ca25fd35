"""Which hosts the fake answers for, and how a URL splits into bucket and key."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from fakes3put.errors import FakeS3Error

# Every AWS S3 REST host shape: global, regional (dot and legacy dash), dualstack, FIPS,
# accelerate, external-1, and the China partition. Group "region" is None for global hosts.
_AWS_SERVICE = re.compile(
    r"s3(?:-fips|-accelerate|-external-1)?"
    r"(?:\.dualstack)?"
    r"(?:[.-](?P<region>[a-z]{2,5}(?:-[a-z]+)?-[a-z]+-\d+))?"
    r"\.amazonaws\.com(?:\.cn)?"
)
_AWS_HOST = re.compile(rf"(?:(?P<bucket>.+)\.)?(?P<service>{_AWS_SERVICE.pattern})")


@dataclass(frozen=True, slots=True)
class Route:
    """Where a request goes: bucket and raw (still encoded) key path, plus how it was addressed."""

    bucket: str
    raw_key: str
    addressing: str
    region: str | None


@dataclass(frozen=True, slots=True)
class Endpoint:
    """A user-named endpoint such as ``http://localhost:9000`` (optionally with a path prefix)."""

    scheme: str
    host: str
    port: int
    prefix: str

    @classmethod
    def parse(cls, url: str) -> Endpoint:
        parts = urlsplit(url if "://" in url else f"http://{url}")
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FakeS3Error(f"endpoint {url!r} must look like 'http://host[:port][/prefix]'")
        port = parts.port or (443 if parts.scheme == "https" else 80)
        return cls(parts.scheme, parts.hostname.lower(), port, parts.path.rstrip("/"))

    def __str__(self) -> str:
        default = 443 if self.scheme == "https" else 80
        port = "" if self.port == default else f":{self.port}"
        return f"{self.scheme}://{self.host}{port}{self.prefix}"


def _split_path(path: str) -> tuple[str, str]:
    """``/bucket/raw/key`` -> (bucket decoded once, raw key); ``/`` -> ("", "")."""
    segment, _, rest = path[1:].partition("/")
    return unquote(segment), rest


def route_aws(host: str, path: str) -> Route | None:
    match = _AWS_HOST.fullmatch(host)
    if match is None:
        return None
    region = match.group("region")
    bucket = match.group("bucket")
    if bucket is not None:
        return Route(bucket, path[1:], "virtual", region)
    name, raw_key = _split_path(path)
    return Route(name, raw_key, "path", region)


def route_endpoint(endpoint: Endpoint, scheme: str, host: str, port: int, path: str) -> Route | None:
    if scheme != endpoint.scheme or port != endpoint.port:
        return None
    prefix = endpoint.prefix
    if prefix:
        if path != prefix and not path.startswith(prefix + "/"):
            return None
        path = path[len(prefix) :] or "/"
    if host == endpoint.host:
        name, raw_key = _split_path(path)
        return Route(name, raw_key, "path", None)
    if host.endswith("." + endpoint.host):
        return Route(host[: -len(endpoint.host) - 1], path[1:], "virtual", None)
    return None
