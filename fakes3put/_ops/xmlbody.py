"""Request bodies in XML (CompleteMultipartUpload, Delete, VersioningConfiguration), parsed defensively.

Built on expat directly so a DOCTYPE or an entity declaration is refused before it can
expand: any hostile or broken document becomes S3's MalformedXML, never an exception.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from xml.parsers import expat

from fakes3put.errors import S3Error

_MAX_DEPTH = 32  # S3's request documents are three levels deep; anything deeper is not one of them


@dataclass(slots=True)
class Element:
    """An element by local name (namespace dropped), its text and its child elements."""

    name: str
    text: str = ""
    children: list[Element] = field(default_factory=list)

    def all(self, name: str) -> list[Element]:
        return [child for child in self.children if child.name == name]

    def first(self, name: str) -> Element | None:
        return next((child for child in self.children if child.name == name), None)

    def text_of(self, name: str) -> str | None:
        """The child's text exactly as sent."""
        child = self.first(name)
        return child.text if child is not None else None

    def token_of(self, name: str) -> str | None:
        """The child's text without surrounding whitespace: for numbers, enums and ETags."""
        text = self.text_of(name)
        return text.strip() if text is not None else None


class _Refused(Exception):
    """Raised from an expat callback to stop the parse at once."""


def parse(body: bytes, root: str) -> Element:
    """The document's root element, which must be named ``root``; MalformedXML otherwise."""
    if not body.strip():
        raise S3Error("MalformedXML", hint="the request body is empty; S3 expects an XML document")
    try:
        element = _build(body)
    except (_Refused, expat.ExpatError, ValueError, LookupError) as error:
        raise S3Error("MalformedXML", hint=f"the XML body could not be parsed: {error}") from None
    if element.name != root:
        raise S3Error("MalformedXML", hint=f"the XML root element is <{element.name}>, expected <{root}>")
    return element


def _build(body: bytes) -> Element:
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    stack: list[Element] = []
    pieces: list[list[str]] = []  # text fragments of each open element, joined once at its end
    roots: list[Element] = []

    def refuse(*_: object) -> int:
        raise _Refused("DOCTYPE and entity declarations are not accepted")

    def start(name: str, _attributes: object) -> None:
        if len(stack) >= _MAX_DEPTH:
            raise _Refused(f"elements nested deeper than {_MAX_DEPTH} levels")
        element = Element(name.rpartition(" ")[2])
        (stack[-1].children if stack else roots).append(element)
        stack.append(element)
        pieces.append([])

    def end(_name: str) -> None:
        # Verbatim: S3 deletes the key " " or "a\n" exactly as written (an object key may be
        # any UTF-8, whitespace included); callers strip only where S3 ignores layout.
        stack.pop().text = "".join(pieces.pop())

    def text(data: str) -> None:
        if pieces:
            pieces[-1].append(data)

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = text
    parser.Parse(body, True)
    if len(roots) != 1:
        raise _Refused("the document has no root element")
    return roots[0]
