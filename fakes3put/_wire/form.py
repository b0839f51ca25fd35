"""A browser-form upload body (POST Object): ``multipart/form-data`` into its fields and file.

Parsed with the standard library's MIME parser (``email.parser.BytesParser`` with the HTTP
policy): it is the established, maintained multipart parser that ships with Python, it keeps
the file's bytes exactly (lines and line endings as sent, the delimiter's CRLF removed), and it
adds no dependency. S3's rules on top of it: the ``file`` field is the last one read (fields
after it are ignored), the fields before it may hold at most 20 KB, and field names are
matched without regard to case.
"""

from __future__ import annotations

import email.parser
import email.policy
import re
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import Message

from fakes3put.errors import S3Error

MAX_FIELDS_BYTES = 20 * 1024  # S3's MaxPostPreDataLengthExceededError threshold
_QUOTED_FILENAME = re.compile(r';\s*filename="([^"]*)"', re.IGNORECASE)
_BOUNDARY_DEFECTS = ("NoBoundaryInMultipartDefect", "StartBoundaryNotFoundDefect", "CloseBoundaryNotFoundDefect")


@dataclass(frozen=True, slots=True)
class FormFile:
    filename: str
    content_type: str | None
    data: bytes


@dataclass(frozen=True, slots=True)
class Form:
    """The fields before the file (name as sent -> value), and the file."""

    fields: tuple[tuple[str, str], ...]
    file: FormFile | None

    def get(self, name: str) -> str | None:
        wanted = name.lower()
        return next((value for field, value in self.fields if field.lower() == wanted), None)

    def lowered(self) -> Mapping[str, str]:
        return {name.lower(): value for name, value in self.fields}


def parse_form(content_type: str | None, body: bytes) -> Form:
    """The form, or S3's RequestIsNotMultiPartContent / MalformedPOSTRequest / MaxPostPreDataLengthExceededError."""
    if content_type is None or content_type.split(";")[0].strip().lower() != "multipart/form-data":
        raise S3Error(
            "RequestIsNotMultiPartContent",
            "Bucket POST must be of the enclosure-type multipart/form-data",
            hint=f"the Content-Type is {content_type!r}",
        )
    head = b"Content-Type: " + content_type.encode("latin-1", "replace") + b"\r\n\r\n"
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    if not message.is_multipart() or any(type(d).__name__ in _BOUNDARY_DEFECTS for d in message.defects):
        raise _malformed("the body is not multipart/form-data with the boundary its Content-Type names")
    fields: list[tuple[str, str]] = []
    size = 0
    for part in message.get_payload():
        assert isinstance(part, Message)
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            raise _malformed("a part has no Content-Disposition: form-data; name=...")
        data = part.get_payload(decode=True)
        value = data if isinstance(data, bytes) else b""
        if name.lower() == "file":
            return Form(tuple(fields), FormFile(_filename(part), part.get("content-type"), value))
        size += len(name) + len(value)
        if size > MAX_FIELDS_BYTES:
            raise S3Error(
                "MaxPostPreDataLengthExceededError",
                "Your POST request fields preceding the upload file were too large.",
                hint=f"the fields before 'file' hold more than {MAX_FIELDS_BYTES} bytes",
            )
        fields.append((name, value.decode("utf-8", "surrogateescape")))
    return Form(tuple(fields), None)


def _filename(part: Message) -> str:
    """The file's name as the browser sent it. HTML5 forms quote it without backslash escapes (a
    Windows path keeps its backslashes; a quote is sent as %22), so it is read from the raw
    header rather than unquoted as MIME would (which drops the backslashes)."""
    for name, raw in part.raw_items():
        if name.lower() == "content-disposition":
            match = _QUOTED_FILENAME.search(str(raw))
            if match is not None:
                return match.group(1).replace("%22", '"')
    return part.get_filename() or ""  # unquoted or RFC 2231 (filename*=) forms


def _malformed(why: str) -> S3Error:
    return S3Error(
        "MalformedPOSTRequest", "The body of your POST request is not well-formed multipart/form-data.", hint=why
    )
