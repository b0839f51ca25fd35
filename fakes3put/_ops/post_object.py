"""POST Object: the browser-form upload (``POST /bucket`` with ``multipart/form-data``).

The auth stage has checked the form's signature and policy (``_auth/post_policy.py``); this
is the write. It is a PUT by other means: the same attributes (Content-Type, Cache-Control,
Content-Disposition, Content-Encoding, Expires, ``x-amz-meta-*``, ``x-amz-storage-class``,
``acl``), the same WRITE permission, key length and checksum checks, and the new version goes
through the same commit point (``submit_version``), so races and holds treat it as any write.
The object's Content-Type is the form's ``Content-Type`` field; the file part's own
Content-Type is not used (AWS docs, "POST Object": "Content-Type ... A standard MIME type
describing the format of the contents").

Answer (AWS docs): with ``success_action_redirect`` (or the older ``redirect``), 303 to that
URL with ``bucket``, ``key`` and ``etag`` added to its query; else ``success_action_status``
200, 201 (a ``PostResponse`` document) or 204, the default for any other value.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode, urlsplit

from fakes3put._ops import access
from fakes3put._ops._common import MAX_KEY_BYTES, existing_bucket, submit_version, version_headers
from fakes3put._ops.attributes import STORED_HEADERS, new_version, requested_attributes
from fakes3put._ops.context import OperationContext
from fakes3put._wire import checksums as _checksums
from fakes3put._wire.form import Form, parse_form
from fakes3put._wire.request import Headers
from fakes3put._wire.response import Response, xml_document, xml_element
from fakes3put.errors import S3Error

_OBJECT_FIELDS = frozenset({"content-type", "content-encoding", "x-amz-storage-class", *STORED_HEADERS})


def object_key(form: Form) -> str:
    """The ``key`` field, with ``${filename}`` replaced by the uploaded file's name (without its path)."""
    key = form.get("key") or ""
    filename = form.file.filename if form.file is not None else ""
    return key.replace("${filename}", filename.replace("\\", "/").rsplit("/", 1)[-1])


def _as_headers(form: Form) -> Headers:
    """The form's object fields as the request headers a PUT would have sent (UTF-8 on the wire)."""
    pairs: dict[str, bytes] = {}
    for name, value in form.fields:
        lowered = name.lower()
        if lowered == "acl":
            lowered = "x-amz-acl"
        if lowered in _OBJECT_FIELDS or lowered.startswith(("x-amz-meta-", "x-amz-grant-")) or lowered == "x-amz-acl":
            pairs[lowered] = value.encode("utf-8", "surrogateescape")
    return Headers(pairs)


def _checksums_of(form: Form, data: bytes) -> dict[str, str]:
    """A checksum field is verified like the PUT header; ``x-amz-checksum-algorithm`` alone asks for one."""
    claims = [
        (algorithm, value.strip())
        for name, value in form.fields
        if (algorithm := _checksums.algorithm_of_header(name.lower())) is not None
    ]
    if len(claims) > 1:
        raise S3Error(
            "InvalidRequest", "Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed."
        )
    if claims:
        algorithm, value = claims[0]
        computed = _checksums.checksum(algorithm, data)
        if computed != value:
            raise S3Error(
                "BadDigest",
                f"The {algorithm} you specified did not match the calculated checksum.",
                hint=f"the form's x-amz-checksum-{algorithm.lower()} is {value!r}, the file's is {computed!r}",
            )
        return {algorithm: value}
    wanted = (form.get("x-amz-checksum-algorithm") or "").strip().upper()
    if not wanted:
        return {}
    if wanted not in _checksums.ALGORITHMS:
        raise S3Error("InvalidRequest", "Checksum algorithm provided is unsupported.")
    return {wanted: _checksums.checksum(wanted, data)}


def post_object(ctx: OperationContext) -> Response:
    if ctx.request.key:
        # Form uploads go to the bucket (POST /bucket); S3 has no POST on an object without a sub-resource.
        raise S3Error("MethodNotAllowed", extra={"Method": "POST", "ResourceType": "OBJECT"})
    bucket = existing_bucket(ctx)
    form = ctx.payload.form or parse_form(ctx.request.headers.get("content-type"), ctx.payload.data)
    if form.file is None:  # the auth stage refuses this first; kept for a payload built elsewhere
        raise S3Error("IncorrectNumberOfFilesInPostRequest", "POST requires exactly one file upload per request.")
    if not access.can_write(bucket, ctx.who):
        raise S3Error(
            "AccessDenied",
            hint=f"{ctx.who or 'an anonymous form'} has no WRITE permission on bucket {bucket.name!r}",
        )
    key = object_key(form)
    size = len(key.encode("utf-8", "surrogatepass"))
    if size > MAX_KEY_BYTES:
        raise S3Error("KeyTooLongError", extra={"Size": str(size), "MaxSizeAllowed": str(MAX_KEY_BYTES)})
    attributes = requested_attributes(_as_headers(form), bucket)
    data = form.file.data
    checksums = _checksums_of(form, data)
    obj = new_version(
        attributes,
        bucket=bucket.name,
        key=key,
        body=data,
        etag=_checksums.etag_of(_checksums.md5_digest(data)),
        now=ctx.now,
        owner=access.object_owner(bucket, ctx.who, attributes.acl),
        checksums=checksums,
    )
    record = submit_version(ctx, bucket, obj, "PostObject", None)
    location = _object_url(ctx, key)
    headers = {
        "ETag": obj.etag,
        "Location": location,
        "x-amz-server-side-encryption": "AES256",
        **version_headers(record, bucket),
    }
    for algorithm, value in checksums.items():
        headers[_checksums.header_name(algorithm)] = value
    redirect = _redirect(form, bucket.name, key, obj.etag)
    if redirect is not None:
        return Response(303, {**headers, "Location": redirect})
    status = (form.get("success_action_status") or "").strip()
    if status == "201":
        inner = (
            xml_element("Location", location)
            + xml_element("Bucket", bucket.name)
            + xml_element("Key", key)
            + xml_element("ETag", obj.etag)
        )
        body = xml_document("PostResponse", inner, namespace=False)
        return Response(201, {**headers, "Content-Type": "application/xml"}, body)
    return Response(200 if status == "200" else 204, headers)


def _object_url(ctx: OperationContext, key: str) -> str:
    request = ctx.request
    return f"{request.scheme}://{request.host}{request.raw_path.rstrip('/')}/{quote(key, safe='/~')}"


def _redirect(form: Form, bucket: str, key: str, etag: str) -> str | None:
    target = form.get("success_action_redirect") or form.get("redirect")
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None  # S3 ignores a redirect that is not a URL and answers with the status
    query = urlencode([("bucket", bucket), ("key", key), ("etag", etag)])
    return f"{target}{'&' if parts.query else '?'}{query}"
