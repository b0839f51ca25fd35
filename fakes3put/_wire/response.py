"""Responses as S3 writes them (status, headers, XML errors), before a transport hands them back."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from functools import cache, lru_cache
from http import HTTPStatus
from xml.sax.saxutils import escape

from fakes3put.errors import S3Error

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
S3_NAMESPACE = "http://s3.amazonaws.com/doc/2006-03-01/"
XML_CONTENT_TYPE = "application/xml"


@dataclass(slots=True)
class Response:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


class ConnectionReset(Exception):
    """The simulated S3 dropped the connection (an injected fault): each transport raises what its
    client stack raises for a reset peer."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


@cache
def reason_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SECOND = timedelta(seconds=1)


def http_time(moment: datetime) -> str:
    """An HTTP date (``Wed, 25 Nov 2026 15:00:00 GMT``) for an aware time, to the second."""
    return _http_time_of_second((moment - _EPOCH) // _SECOND)  # exact integer seconds, any year


@lru_cache(maxsize=16)  # formatting is a visible share of a small request; answers share seconds
def _http_time_of_second(second: int) -> str:
    return format_datetime(_EPOCH + second * _SECOND, usegmt=True)


def xml_element(name: str, value: str) -> str:
    return f"<{name}>{escape(value)}</{name}>"


def xml_document(root: str, inner: str, *, namespace: bool = True) -> bytes:
    ns = f' xmlns="{S3_NAMESPACE}"' if namespace else ""
    return f"{XML_DECLARATION}<{root}{ns}>{inner}</{root}>".encode()


def error_response(error: S3Error, *, request_id: str, host_id: str, method: str) -> Response:
    """S3's error shape; HEAD answers carry no body, exactly as S3 does."""
    headers = {"Content-Type": XML_CONTENT_TYPE, **error.headers}
    if method == "HEAD":
        return Response(error.status, headers, b"")
    inner = (
        xml_element("Code", error.code)
        + xml_element("Message", error.message)
        + "".join(xml_element(name, value) for name, value in error.extra.items())
        + xml_element("RequestId", request_id)
        + xml_element("HostId", host_id)
    )
    return Response(error.status, headers, xml_document("Error", inner, namespace=False))
