"""GetObjectAttributes: ``GET /bucket/key?attributes`` with ``x-amz-object-attributes``.

The answer holds only the attributes asked for: ETag (unquoted, reference section 3.3),
Checksum (with its type), ObjectParts (paged by ``x-amz-max-parts`` and
``x-amz-part-number-marker``, with each part's checksums), StorageClass and ObjectSize.
A single-PUT object has no parts, so S3 leaves ObjectParts out (AWS API reference:
"ObjectParts: A collection of parts associated with a multipart upload").
"""

from __future__ import annotations

from collections.abc import Mapping

from fakes3put._commit.store import StoredObject
from fakes3put._ops._common import checksum_type
from fakes3put._ops.context import OperationContext
from fakes3put._ops.target import readable_object
from fakes3put._wire import checksums as _checksums
from fakes3put._wire.response import Response, http_time, xml_document, xml_element
from fakes3put.errors import S3Error

ATTRIBUTES = ("ETag", "Checksum", "ObjectParts", "StorageClass", "ObjectSize")
MAX_PARTS = 1000


def requested_attributes(header: str | None) -> frozenset[str]:
    names = frozenset(name.strip() for name in (header or "").split(",") if name.strip())
    if not names:
        raise S3Error(
            "InvalidArgument",
            "The x-amz-object-attributes header specifying the attributes to be retrieved is either missing or empty",
            extra={"ArgumentName": "x-amz-object-attributes", "ArgumentValue": header or ""},
        )
    unknown = sorted(names - set(ATTRIBUTES))
    if unknown:
        raise S3Error(
            "InvalidArgument",
            "Invalid attribute name specified.",
            extra={"ArgumentName": "x-amz-object-attributes", "ArgumentValue": unknown[0]},
        )
    return names


def get_object_attributes(ctx: OperationContext) -> Response:
    wanted = requested_attributes(ctx.request.headers.get("x-amz-object-attributes"))
    _, obj = readable_object(ctx)
    inner = ""
    if "ETag" in wanted:
        inner += xml_element("ETag", obj.etag.strip('"'))
    if "Checksum" in wanted and obj.checksums:
        inner += f"<Checksum>{_checksum_elements(obj.checksums)}</Checksum>"
    if "ObjectParts" in wanted and obj.parts:
        inner += _object_parts(ctx, obj)
    if "StorageClass" in wanted:
        inner += xml_element("StorageClass", obj.storage_class)
    if "ObjectSize" in wanted:
        inner += xml_element("ObjectSize", str(obj.size))
    headers = {"Content-Type": "application/xml", "Last-Modified": http_time(obj.last_modified)}
    if obj.version_id is not None:
        headers["x-amz-version-id"] = obj.version_id
    return Response(200, headers, xml_document("GetObjectAttributesResponse", inner))


def _checksum_elements(checksums: Mapping[str, str]) -> str:
    text = ""
    kind = None
    for algorithm, value in checksums.items():
        text += xml_element(f"Checksum{algorithm}", value)
        kind = checksum_type(value)
    return text + (xml_element("ChecksumType", kind) if kind else "")


def _header_number(text: str | None, name: str, default: int) -> int:
    """``x-amz-max-parts`` / ``x-amz-part-number-marker``: a non-negative 32-bit integer."""
    if text is None:
        return default
    value = text.strip()
    if not (value.isascii() and value.isdigit() and len(value) <= 10 and int(value) < 2**31):
        raise S3Error(
            "InvalidArgument",
            f"Provided {name} not an integer or within integer range",
            extra={"ArgumentName": name, "ArgumentValue": text},
        )
    return min(int(value), MAX_PARTS) if name == "max-parts" else int(value)


def _object_parts(ctx: OperationContext, obj: StoredObject) -> str:
    max_parts = _header_number(ctx.request.headers.get("x-amz-max-parts"), "max-parts", MAX_PARTS)
    marker = _header_number(ctx.request.headers.get("x-amz-part-number-marker"), "part-number-marker", 0)
    numbers = [n for n in range(1, len(obj.parts) + 1) if n > marker]
    page, truncated = numbers[:max_parts], len(numbers) > max_parts
    entries = ""
    for number in page:
        checksums = obj.part_checksums[number - 1] if number <= len(obj.part_checksums) else {}
        entries += (
            "<Part>"
            + xml_element("PartNumber", str(number))
            + xml_element("Size", str(obj.parts[number - 1]))
            + "".join(
                xml_element(f"Checksum{algorithm}", value)
                for algorithm, value in checksums.items()
                if algorithm in _checksums.ALGORITHMS
            )
            + "</Part>"
        )
    return (
        "<ObjectParts>"
        # The wire name is PartsCount (botocore maps it to TotalPartsCount).
        + xml_element("PartsCount", str(len(obj.parts)))
        + xml_element("PartNumberMarker", str(marker))
        + xml_element("NextPartNumberMarker", str(page[-1] if page else marker))
        + xml_element("MaxParts", str(max_parts))
        + xml_element("IsTruncated", "true" if truncated else "false")
        + entries
        + "</ObjectParts>"
    )
