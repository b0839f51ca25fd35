"""Which hosts the fake answers for, and how a URL splits into bucket and key."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from fakes3put._wire.parse import split_target
from fakes3put._wire.request import Address, Route, default_port
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
        port = parts.port or default_port(parts.scheme)
        return cls(parts.scheme, parts.hostname.lower(), port, parts.path.rstrip("/"))

    def __str__(self) -> str:
        return f"{Address(self.scheme, self.host, self.port)}{self.prefix}"


def _split_path(path: str) -> tuple[str, str]:
    """``/bucket/raw/key`` -> (bucket decoded once, raw key); ``/`` -> ("", "")."""
    segment, _, rest = path[1:].partition("/")
    return unquote(segment), rest


def aws_host(host: str) -> tuple[str | None, str | None] | None:
    """(bucket for a virtual-hosted name, region) of an AWS S3 host; None for any other host."""
    match = _AWS_HOST.fullmatch(host.removesuffix("."))  # a fully qualified name is the same host
    if match is None:
        return None
    return match.group("bucket"), match.group("region")


def route_aws(host: str, path: str) -> Route | None:
    return _route_shape(aws_host(host), path)


def _route_shape(shape: tuple[str | None, str | None] | None, path: str) -> Route | None:
    if shape is None:
        return None
    bucket, region = shape
    if bucket is not None:
        return Route(bucket, path[1:], "virtual", region)
    name, raw_key = _split_path(path)
    return Route(name, raw_key, "path", region)


_UNSEEN = ("", "")  # a marker, compared by identity: not yet matched
_HOSTS_REMEMBERED = 256  # made-up host names cannot grow a router's memory without bound


def route_endpoint(endpoint: Endpoint, address: Address, path: str) -> Route | None:
    if address.scheme != endpoint.scheme or address.port != endpoint.port:
        return None
    host = address.host
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


class Router:
    """One fake's answer to "is this request mine?": its endpoints, and AWS's hosts unless ``aws=False``."""

    def __init__(self, endpoints: tuple[Endpoint, ...], *, aws: bool) -> None:
        self.endpoints = endpoints
        self.aws = aws
        # What each host name seen says (a request's host is matched against AWS's host shapes
        # once, not on every request); per router, so it goes when the fake goes.
        self._aws_hosts: dict[str, tuple[str | None, str | None] | None] = {}

    def route(self, address: Address, target: str) -> Route | None:
        path, _ = split_target(target)
        for endpoint in self.endpoints:
            route = route_endpoint(endpoint, address, path)
            if route is not None:
                return route
        if self.aws:
            host = address.host
            shape = self._aws_hosts.get(host, _UNSEEN)  # one get: another thread may clear the map
            if shape is _UNSEEN:
                if len(self._aws_hosts) >= _HOSTS_REMEMBERED:
                    self._aws_hosts.clear()
                shape = self._aws_hosts[host] = aws_host(host)
            return _route_shape(shape, path)
        return None

    def describe(self) -> list[str]:
        names = [str(e) for e in self.endpoints]
        if self.aws:
            names.append("AWS S3 hosts (*.amazonaws.com)")
        return names
