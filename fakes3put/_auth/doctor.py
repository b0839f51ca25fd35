"""The signature doctor: after a SignatureDoesNotMatch, name the client mistake that produced it.

S3 answers a mismatch with its StringToSign and CanonicalRequest and leaves the diff to the
reader. The fake holds the secret, so it re-signs the request as a client would have under each
usual mistake (a header changed or added after signing, the key or query encoded differently,
another host, method or scope, SigV2/SigV4 confusion) and reports the one whose signature equals
the one provided. It runs only after a mismatch, tries a bounded list (``MAX_CANDIDATES``), and
only ever adds a sentence to the hint: status, code and XML stay S3's.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from urllib.parse import quote, unquote

from fakes3put._auth import sigv2, sigv4, streaming
from fakes3put._auth._common import Evidence, same_text, sha256_hex, utf8, wire_text
from fakes3put._commit.store import CANNED_ACLS
from fakes3put._wire.chunked import ChunkedBody
from fakes3put._wire.request import S3Request

__all__ = ["MAX_CANDIDATES", "SigV4Claim", "diagnose_chunk", "diagnose_sigv2", "diagnose_sigv4", "diagnose_trailer"]

MAX_CANDIDATES = 64  # a guard: the families below together try at most about 45
_SHOWN = 96  # characters of a value quoted in a sentence
_MAX_DROPPED = 6  # query parameters tried one at a time as "added after signing"

# Media types clients commonly sign or send: library defaults (botocore's binary/octet-stream,
# requests' form encoding) and what browsers derive from a file name.
_CONTENT_TYPES = (
    "application/octet-stream",
    "binary/octet-stream",
    "application/x-www-form-urlencoded",
    "text/plain",
    "text/plain;charset=UTF-8",
    "application/json",
    "image/jpeg",
    "image/png",
)
# What browsers and upload libraries derive from a file name (a small table: the system's
# mimetypes database costs milliseconds to load, and these are the usual uploads).
_TYPE_BY_EXTENSION = {
    ".txt": "text/plain",
    ".csv": "text/csv",
    ".html": "text/html",
    ".json": "application/json",
    ".xml": "application/xml",
    ".pdf": "application/pdf",
    ".zip": "application/zip",
    ".gz": "application/gzip",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".svg": "image/svg+xml",
    ".mp4": "video/mp4",
    ".parquet": "application/vnd.apache.parquet",
}
_METHODS = ("GET", "PUT", "HEAD", "POST", "DELETE")
# Regions a misconfigured client most often signs for: SDK defaults and the busiest regions.
_REGIONS = ("us-east-1", "us-east-2", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2")
_SERVICES = ("S3", "s3-object-lambda", "s3express", "execute-api")
_HEX64 = re.compile(r"[0-9a-f]{64}")
_BASE64_SHA1 = re.compile(r"[A-Za-z0-9+/]{27}=")
# Headers botocore leaves unsigned; everything else on the request it signs.
_UNSIGNED_BY_BOTOCORE = frozenset(
    {
        "authorization",
        "user-agent",
        "expect",
        "x-amzn-trace-id",
        "content-length",
        "accept",
        "accept-encoding",
        "connection",
    }
)
# What S3 requires signed (host, x-amz-*) plus the Content-* headers most signers include.
_S3_SIGNED = frozenset({"host", "content-type", "content-md5"})
# Signed headers whose value the doctor re-tries, or that the fake checks by other means (the date
# against the clock and the scope, the payload hash against the body).
_GUESSED_OR_CHECKED = frozenset({"host", "content-type", "x-amz-acl", "x-amz-date", "x-amz-content-sha256"})


def _show(value: str) -> str:
    text = value if len(value) <= _SHOWN else value[: _SHOWN - 3] + "..."
    return repr(text)


def _header_title(name: str) -> str:
    """``content-type`` -> ``Content-Type``, ``content-md5`` -> ``Content-MD5``; x-amz-* stay lower case."""
    if name.startswith("x-amz-"):
        return name
    return "-".join("MD5" if part == "md5" else part.capitalize() for part in name.split("-"))


def _sent(value: str | None) -> str:
    return "none" if value is None else _show(value)


def _content_type_guesses(key: str, sent: str | None) -> list[str]:
    guessed = _TYPE_BY_EXTENSION.get(posixpath.splitext(key)[1].lower())
    guesses = [guessed] if guessed else []
    if sent and ";" in sent:
        guesses.append(sent.split(";", 1)[0].strip())  # the parameters were added after signing
    guesses.extend(_CONTENT_TYPES)
    return list(dict.fromkeys(value for value in guesses if value != sent))


def _search(provided: str, candidates: Iterable[tuple[str, Callable[[], str]]]) -> tuple[str | None, int]:
    """The first cause whose signature equals ``provided``, and how many candidates were tried."""
    tried = 0
    for cause, sign in candidates:
        if tried >= MAX_CANDIDATES:
            break
        tried += 1
        if same_text(provided, sign()):
            return cause, tried
    return None, tried


def _verdict(found: str | None, tried: int, access_key: str, families: str, unguessable: list[str]) -> str:
    if found is not None:
        return f"Cause found by re-signing: {found}."
    tried_all = (
        f"None of the {tried} usual client mistakes the fake re-signed with ({families}) reproduces the signature sent"
    )
    if unguessable:
        # A signed value the fake never saw cannot be re-tried: say so rather than blame the secret outright.
        return (
            f"{tried_all}. The values signed for {', '.join(unguessable)} cannot be guessed: if the request sends "
            f"other values than were signed, that is the cause; otherwise a wrong secret for access key "
            f"{access_key!r} is the likelier cause."
        )
    return f"{tried_all}, so a wrong secret for access key {access_key!r} is the likelier cause."


# --- shared variants of the resource: key encoding, method ---------------------------------


def _path_variants(path: str) -> Iterator[tuple[str, str]]:
    """(signed path, why) pairs a client could have signed instead of the ``path`` it sent."""
    seen = {path}
    decoded = unquote(path)
    options = [
        (
            sigv4.uri_encode(decoded, safe="/"),
            "the key was signed encoded per RFC 3986 but sent with characters encoded otherwise or left as they are",
        ),
        (decoded, "the key was signed without percent-encoding"),
        (path.replace("%20", "+"), "a space in the key was signed as '+'"),
        (path.replace("+", "%20"), "a '+' in the key was signed as '%20'"),
        (quote(utf8(decoded), safe="/+"), "the key was signed with Python's quote() defaults"),
    ]
    if "%" in path:
        options.insert(
            0,
            (
                sigv4.uri_encode(path, safe="/"),
                "the key was percent-encoded twice when signing (the rule of other AWS services, not S3's)",
            ),
        )
    for signed, why in options:
        if signed not in seen:
            seen.add(signed)
            yield signed, why


def _method_variants(method: str) -> Iterator[str]:
    return (other for other in _METHODS if other != method)


# --- SigV4 -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _V4:
    """One way the client could have signed: the canonical request's parts, the scope and key."""

    method: str
    path: str
    query: str
    headers: tuple[tuple[str, str], ...]
    payload_hash: str
    amz_date: str
    scope: str
    key: bytes

    def signature(self) -> str:
        block, signed = sigv4.canonical_headers(self.headers)
        canonical = "\n".join((self.method, self.path, self.query, block, signed, self.payload_hash))
        return sigv4.signature(self.key, sigv4.string_to_sign(self.amz_date, self.scope, canonical))

    def header(self, name: str, value: str) -> _V4:
        return replace(self, headers=tuple((n, value if n == name else v) for n, v in self.headers))


@dataclass(frozen=True, slots=True)
class SigV4Claim:
    """What the client claimed: the parsed credential and the values the fake signed with."""

    credential: sigv4.Credential
    signed_headers: tuple[tuple[str, str], ...]  # (name, value) as the fake signed them
    amz_date: str
    payload_hash: str
    provided: str
    presigned: bool


def diagnose_sigv4(request: S3Request, claim: SigV4Claim, *, secret: str, key: bytes) -> str:
    """One sentence naming the mistake that reproduces ``claim.provided``, or pointing at the secret."""
    base = _V4(
        method=request.method,
        path=request.raw_path or "/",
        query=sigv4.canonical_query(request.query),
        headers=claim.signed_headers,
        payload_hash=claim.payload_hash,
        amz_date=claim.amz_date,
        scope=claim.credential.scope,
        key=key,
    )
    families: list[Iterator[tuple[str, _V4]]] = [
        _v4_headers(request, claim, base),
        _v4_method(request, claim, base),
        _v4_path(base),
        _v4_query(request, claim, base),
        _v4_host(request, base),
        _v4_scope(claim, base, secret),
    ]
    candidates: list[Iterable[tuple[str, Callable[[], str]]]] = [
        ((cause, variant.signature) for cause, variant in family) for family in families
    ]
    candidates.append(_v4_carrying_v2(request, claim, secret))
    found, tried = _search(claim.provided, _chain(candidates))
    return _verdict(
        found,
        tried,
        claim.credential.access_key,
        "signed header values, key and query encoding, host, method, credential scope, SigV2/SigV4",
        [name for name, _ in claim.signed_headers if name not in _GUESSED_OR_CHECKED],
    )


def _chain(families: Iterable[Iterable[tuple[str, Callable[[], str]]]]) -> Iterator[tuple[str, Callable[[], str]]]:
    for family in families:
        yield from family


def _what(presigned: bool) -> str:
    return "the URL" if presigned else "the request"


def _v4_headers(request: S3Request, claim: SigV4Claim, base: _V4) -> Iterator[tuple[str, _V4]]:
    what = _what(claim.presigned)
    for name, _ in claim.signed_headers:
        if name == "host":
            continue
        sent = request.headers.get(name)
        title = _header_title(name)
        if name == "content-type":
            guesses = _content_type_guesses(request.key, sent)
        elif name == "x-amz-acl":
            guesses = [acl for acl in CANNED_ACLS if acl != sent]
        else:
            guesses = []
        for guess in guesses:
            yield (
                f"{what} was signed with {title} {_show(guess)} but the request sends {_sent(sent)}",
                base.header(name, guess),
            )


def _v4_method(request: S3Request, claim: SigV4Claim, base: _V4) -> Iterator[tuple[str, _V4]]:
    what = _what(claim.presigned)
    for method in _method_variants(request.method):
        yield f"{what} was signed for {method} but sent as {request.method}", replace(base, method=method)


def _v4_path(base: _V4) -> Iterator[tuple[str, _V4]]:
    for signed, why in _path_variants(base.path):
        yield f"{why}: signed {_show(signed)}, sent {_show(base.path)}", replace(base, path=signed)


def _v4_query(request: S3Request, claim: SigV4Claim, base: _V4) -> Iterator[tuple[str, _V4]]:
    pairs = [(name, value) for name, value in request.query if name != "X-Amz-Signature"]
    if not pairs:
        return
    wire_order = "&".join(f"{sigv4.uri_encode(n)}={sigv4.uri_encode(v or '')}" for n, v in pairs)
    if wire_order != base.query:
        yield (
            f"the canonical query was signed in the order sent ({_show(wire_order)}) "
            f"instead of sorted by name ({_show(base.query)})",
            replace(base, query=wire_order),
        )
    raw_pairs = [item.partition("=") for item in request.raw_query.split("&") if item]
    raw = [(name, value) for name, _, value in raw_pairs if name != "X-Amz-Signature"]
    twice = sigv4.canonical_query(raw)
    if twice != base.query:
        yield (
            f"the query was percent-encoded twice when signing ({_show(twice)} instead of {_show(base.query)})",
            replace(base, query=twice),
        )
    if "+" in request.raw_query:
        literal = sigv4.canonical_query((unquote(n), unquote(v)) for n, _, v in raw_pairs if n != "X-Amz-Signature")
        yield (
            f"the query sends '+', which S3 reads as a space, but the client signed a literal '+' "
            f"({_show(literal)} instead of {_show(base.query)})",
            replace(base, query=literal),
        )
    if " " in "".join(f"{n}{v or ''}" for n, v in pairs):
        plus = base.query.replace("%20", "+")
        yield (
            f"a space in the query was signed as '+' ({_show(plus)}) where S3 signs '%20' ({_show(base.query)})",
            replace(base, query=plus),
        )
    auth = set(sigv4.QUERY_PARAMETERS) if claim.presigned else set()
    droppable = [index for index, (name, _) in enumerate(pairs) if name not in auth]
    for index in droppable[-_MAX_DROPPED:]:  # parameters added after signing usually go at the end
        name, value = pairs[index]
        rest = pairs[:index] + pairs[index + 1 :]
        shown = name if value is None else f"{name}={value}"
        yield (
            f"the query parameter {_show(shown)} was added after signing (the signature matches the URL without it)",
            replace(base, query=sigv4.canonical_query(rest)),
        )


def _host_variants(request: S3Request, region: str) -> Iterator[tuple[str, str, str]]:
    """(signed host, signed path, why) for hosts a client could have signed instead of the one sent."""
    host, path = request.host, request.raw_path or "/"
    name, colon, port = host.rpartition(":")
    default_port = "443" if request.scheme == "https" else "80"
    if colon and port.isdigit():
        yield name, path, "the Host was signed without its port"
    else:
        yield f"{host}:{default_port}", path, f"the Host was signed with the default port :{default_port} written out"
    bucket = request.bucket
    if bucket and request.addressing == "virtual" and host.startswith(f"{bucket}."):
        yield host[len(bucket) + 1 :], f"/{bucket}{path}", "the request was signed path-style but sent virtual-hosted"
    elif bucket and request.addressing == "path" and path.startswith(f"/{bucket}"):
        rest = path[len(bucket) + 1 :] or "/"
        yield f"{bucket}.{host}", rest, "the request was signed virtual-hosted but sent path-style"
    for global_name in ("s3.amazonaws.com", "s3-external-1.amazonaws.com"):
        regional = f"s3.{region}.amazonaws.com"
        if host.endswith(global_name):
            yield host[: -len(global_name)] + regional, path, "the request was signed for the regional endpoint"
        elif host.endswith(regional):
            yield host[: -len(regional)] + global_name, path, "the request was signed for the global endpoint"
    forwarded = request.headers.get("x-forwarded-host")
    if forwarded and forwarded != host:
        yield forwarded, path, "a proxy changed the Host (the client signed the one in X-Forwarded-Host)"


def _v4_host(request: S3Request, base: _V4) -> Iterator[tuple[str, _V4]]:
    if not any(name == "host" for name, _ in base.headers):
        return
    region = base.scope.split("/")[1] if base.scope.count("/") >= 3 else "us-east-1"
    for host, path, why in _host_variants(request, region):
        sent = f"host {_show(request.host)}" + (f", path {_show(base.path)}" if path != base.path else "")
        signed = f"host {_show(host)}" + (f", path {_show(path)}" if path != base.path else "")
        yield f"{why}: signed {signed}, sent {sent}", replace(base.header("host", host), path=path)


def _shift(day: str, days: int) -> str | None:
    try:
        moved = date(int(day[0:4]), int(day[4:6]), int(day[6:8])) + timedelta(days=days)
    except ValueError:
        return None
    return moved.strftime("%Y%m%d")


def _v4_scope(claim: SigV4Claim, base: _V4, secret: str) -> Iterator[tuple[str, _V4]]:
    cred = claim.credential

    def both(day: str, region: str, service: str) -> _V4:
        return replace(
            base,
            scope=sigv4.credential_scope(day, region, service),
            key=sigv4.signing_key(secret, day, region, service),
        )

    def key_only(day: str, region: str, service: str) -> _V4:
        return replace(base, key=sigv4.signing_key(secret, day, region, service))

    for region in _REGIONS:
        if region != cred.region:
            yield (
                f"the signature was made for region {region!r} but the Credential names {cred.region!r} "
                "(the scope was rewritten after signing)",
                both(cred.date, region, cred.service),
            )
            yield (
                f"the signing key was derived for region {region!r} while the Credential and StringToSign "
                f"name {cred.region!r}",
                key_only(cred.date, region, cred.service),
            )
    for service in _SERVICES:
        if service != cred.service:
            yield (
                f"the signing key was derived for service {service!r} while the Credential names {cred.service!r}",
                key_only(cred.date, cred.region, service),
            )
    for days in (-1, 1):
        day = _shift(cred.date, days)
        if day is not None:
            yield (
                f"the signing key was derived for date {day} (a key cached across midnight?) while the "
                f"Credential names {cred.date}",
                key_only(day, cred.region, cred.service),
            )


def _v4_carrying_v2(request: S3Request, claim: SigV4Claim, secret: str) -> Iterator[tuple[str, Callable[[], str]]]:
    """A SigV2 signature (base64 HMAC-SHA1) sent where SigV4 expects its hex signature."""
    if claim.presigned or not _BASE64_SHA1.fullmatch(claim.provided):
        return
    http_date = wire_text(request.headers.get("date") or "").strip()
    # S3's Date slot is empty when x-amz-date is sent; botocore's HmacV1Auth fills it with Date anyway.
    slots = dict.fromkeys(["" if "x-amz-date" in request.headers else http_date, http_date])
    for slot in slots:
        v2_string = sigv2.request_string_to_sign(request, slot)
        yield (
            "the Signature is a SigV2 signature (base64 HMAC-SHA1 of the SigV2 StringToSign) sent in a SigV4 "
            f"Authorization header ({_show(claim.provided)} where SigV4 sends 64 hex digits)",
            _v2_text_signer(secret, v2_string),
        )


# --- SigV2 -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _V2:
    """One way the client could have built the SigV2 StringToSign."""

    method: str
    content_md5: str
    content_type: str
    date: str
    amz: tuple[tuple[str, str], ...]
    path: str
    query: tuple[tuple[str, str | None], ...]
    virtual_bucket: str

    def string_to_sign(self) -> str:
        return sigv2.string_to_sign(
            self.method,
            content_md5=self.content_md5,
            content_type=self.content_type,
            date=self.date,
            amz_headers=self.amz,
            resource=sigv2.canonical_resource(self.path, self.query, virtual_bucket=self.virtual_bucket),
        )

    def with_header(self, name: str, value: str) -> _V2:
        """Content-Type or Content-MD5 (the two header slots) set to ``value``."""
        if name == "content-type":
            return replace(self, content_type=value)
        return replace(self, content_md5=value)

    def without_amz(self, name: str) -> _V2:
        return replace(self, amz=tuple((n, v) for n, v in self.amz if n != name))


def diagnose_sigv2(
    request: S3Request,
    *,
    access_key: str,
    secret: str,
    provided: str,
    date_slot: str,
    extra_amz: Iterable[tuple[str, str]] = (),
    presigned: bool,
) -> str:
    """One sentence naming the mistake that reproduces ``provided``, or pointing at the secret."""
    headers = request.headers
    base = _V2(
        method=request.method,
        content_md5=wire_text(headers.get("content-md5") or "").strip(),
        content_type=wire_text(headers.get("content-type") or "").strip(),
        date=date_slot,
        amz=(
            *((name, wire_text(value)) for name, value in headers.items() if name.startswith("x-amz-")),
            *extra_amz,
        ),
        path=request.raw_path,
        query=request.query,
        virtual_bucket=request.bucket if request.addressing == "virtual" else "",
    )
    families = [
        _v2_dates(request, base, presigned),
        _v2_url_values(request, base, presigned),
        _v2_added(request, base, presigned),
        _v2_content_type(request, base, presigned),
        _v2_method(request, base, presigned),
        _v2_resource(request, base),
    ]
    candidates: list[Iterable[tuple[str, Callable[[], str]]]] = [
        ((cause, _v2_signer(secret, variant)) for cause, variant in family) for family in families
    ]
    candidates.append(_v2_carrying_v4(request, provided, secret))
    found, tried = _search(provided, _chain(candidates))
    return _verdict(
        found,
        tried,
        access_key,
        "Date/x-amz-date slot, headers changed or added after signing, key encoding, method, SigV2/SigV4",
        [],
    )


def _v2_signer(secret: str, variant: _V2) -> Callable[[], str]:
    return lambda: sigv2.sign(secret, variant.string_to_sign())


def _v2_text_signer(secret: str, string_to_sign: str) -> Callable[[], str]:
    return lambda: sigv2.sign(secret, string_to_sign)


def _v2_dates(request: S3Request, base: _V2, presigned: bool) -> Iterator[tuple[str, _V2]]:
    if presigned:
        return
    amz_date = request.headers.get("x-amz-date")
    http_date = request.headers.get("date")
    if amz_date is not None:
        amz_text = wire_text(amz_date).strip()
        # The AWS guide's own DELETE example signs x-amz-date in the Date slot.
        yield (
            f"the client put x-amz-date in the Date slot ({_show(amz_text)}) and left it out of the x-amz-* "
            "lines; S3 leaves the Date slot empty when x-amz-date is sent",
            replace(base.without_amz("x-amz-date"), date=amz_text),
        )
        yield (
            f"the client put x-amz-date in the Date slot ({_show(amz_text)}) as well as in the x-amz-* lines; "
            "S3 leaves the Date slot empty when x-amz-date is sent",
            replace(base, date=amz_text),
        )
        if http_date is not None:
            date_text = wire_text(http_date).strip()
            yield (
                f"the client signed the Date header ({_show(date_text)}) in the Date slot; with x-amz-date "
                "sent, S3 leaves that slot empty",
                replace(base, date=date_text),
            )
            yield (
                f"x-amz-date ({_show(amz_text)}) was added after signing: the signature covers only the Date "
                f"header ({_show(date_text)})",
                replace(base.without_amz("x-amz-date"), date=date_text),
            )
    elif http_date is not None:
        yield (
            f"the client left the Date slot empty; without x-amz-date S3 signs the Date header "
            f"({_show(wire_text(http_date).strip())}) there",
            replace(base, date=""),
        )


def _v2_url_values(request: S3Request, base: _V2, presigned: bool) -> Iterator[tuple[str, _V2]]:
    """Presigned URLs carry the header values botocore signed (content-type=..., content-md5=...)."""
    if not presigned:
        return
    for name in ("content-type", "content-md5"):
        in_url = request.query_value(name)
        sent = request.headers.get(name)
        if in_url is not None and in_url != sent:
            yield (
                f"the URL was presigned with {name}={in_url!r} but the request sends "
                f"{_header_title(name)} {_sent(sent)}; send exactly the presigned value",
                base.with_header(name, in_url.strip()),
            )
    for name, value in request.query:
        lname = name.lower()
        sent = request.headers.get(lname)
        if lname.startswith("x-amz-") and value is not None and sent is not None and sent != value:
            yield (
                f"the URL was presigned with {lname}={value!r} but the request sends {lname}: {_show(sent)}; "
                "send exactly the presigned value",
                replace(base, amz=tuple((n, value if n == lname else v) for n, v in base.amz)),
            )


def _v2_added(request: S3Request, base: _V2, presigned: bool) -> Iterator[tuple[str, _V2]]:
    """A header that is in the StringToSign now but was not there when the client signed."""
    headers = request.headers
    for name in ("content-type", "content-md5"):
        sent = headers.get(name)
        if sent is None or not sent.strip():
            continue
        title = _header_title(name)
        if presigned:
            advice = f"presign with ContentType={sent!r} or send no {title}" if name == "content-type" else "send none"
            cause = f"the URL was signed without {title} but the request sends {_show(sent)}; {advice}"
        else:
            cause = f"{title} {_show(sent)} was added after signing (the signature matches the request without it)"
        yield cause, base.with_header(name, "")
    amz_names = [name for name in headers if name.startswith("x-amz-") and name != "x-amz-date"]
    for name in amz_names[-_MAX_DROPPED:]:
        yield (
            f"{name}: {_show(headers[name])} was added after signing (the signature matches the request without it)",
            base.without_amz(name),
        )


def _v2_content_type(request: S3Request, base: _V2, presigned: bool) -> Iterator[tuple[str, _V2]]:
    sent = request.headers.get("content-type")
    if sent is None:
        return  # covered by the URL value, or nothing to compare with
    what = _what(presigned)
    for guess in _content_type_guesses(request.key, sent):
        yield (
            f"{what} was signed with Content-Type {_show(guess)} but the request sends {_show(sent)}",
            replace(base, content_type=guess),
        )


def _v2_method(request: S3Request, base: _V2, presigned: bool) -> Iterator[tuple[str, _V2]]:
    what = _what(presigned)
    for method in _method_variants(request.method):
        yield f"{what} was signed for {method} but sent as {request.method}", replace(base, method=method)


def _v2_resource(request: S3Request, base: _V2) -> Iterator[tuple[str, _V2]]:
    if base.virtual_bucket:
        yield (
            "the client left the bucket out of the resource; a virtual-hosted request signs /<bucket><path> "
            f"(signed {_show(base.path)}, S3 signs {_show('/' + base.virtual_bucket + base.path)})",
            replace(base, virtual_bucket=""),
        )
    for signed, why in _path_variants(base.path or "/"):
        yield f"{why}: signed {_show(signed)}, sent {_show(base.path)}", replace(base, path=signed)
    subresources = [(n, v) for n, v in request.query if n in sigv2.SIGNED_SUBRESOURCES]
    for index, (name, value) in list(enumerate(subresources))[-_MAX_DROPPED:]:
        rest = tuple(subresources[:index] + subresources[index + 1 :])
        shown = name if value is None else f"{name}={value}"
        yield (
            f"the sub-resource {_show(shown)} was added to the URL after signing",
            replace(base, query=rest),
        )


def _v2_carrying_v4(request: S3Request, provided: str, secret: str) -> Iterator[tuple[str, Callable[[], str]]]:
    """A SigV4 hex signature sent in a SigV2 ``AWS key:signature`` header, signed as botocore signs."""
    amz_date = request.headers.get("x-amz-date")
    if not _HEX64.fullmatch(provided) or amz_date is None:
        return
    moment = amz_date.strip()
    sent = [(name, wire_text(value)) for name, value in request.headers.items()]
    # The headers the signer may have signed: S3's minimum (host, Content-*, x-amz-*), or all the
    # ones botocore signs (the transport's own Accept/Connection were added after signing).
    header_sets = {
        tuple(item for item in sent if item[0] in _S3_SIGNED or item[0].startswith("x-amz-")),
        tuple(item for item in sent if item[0] not in _UNSIGNED_BY_BOTOCORE),
    }
    payload = request.headers.get("x-amz-content-sha256") or sigv4.UNSIGNED_PAYLOAD
    regions = dict.fromkeys(r for r in (request.endpoint_region, "us-east-1") if r)
    for region in regions:
        key = sigv4.signing_key(secret, moment[:8], region)
        for headers in sorted(header_sets):
            variant = _V4(
                method=request.method,
                path=request.raw_path or "/",
                query=sigv4.canonical_query(request.query),
                headers=(("host", request.host), *(item for item in headers if item[0] != "host")),
                payload_hash=payload,
                amz_date=moment,
                scope=sigv4.credential_scope(moment[:8], region),
                key=key,
            )
            yield (
                f"the signature is a SigV4 signature (64 hex digits, region {region!r}) sent in a SigV2 "
                "'AWS <key>:<signature>' header; send it as 'AWS4-HMAC-SHA256 Credential=...'",
                variant.signature,
            )


# --- the chunk-signature chain -----------------------------------------------------------


def diagnose_chunk(
    chunked: ChunkedBody,
    index: int,
    *,
    key: bytes,
    amz_date: str,
    scope: str,
    seed: str,
    previous: str,
) -> str:
    """Name how chunk ``index``'s signature was made when it does not continue the chain."""
    chunk = chunked.chunks[index]
    provided = chunk.signature or ""
    data = chunked.chunk_data(chunk)
    data_hash = sha256_hex(data)

    def chunk_sts(prior: str, algorithm: str = streaming.CHUNK_ALGORITHM, empty: bool = True) -> str:
        lines = [algorithm, amz_date, scope, prior, *([streaming.EMPTY_SHA256] if empty else []), data_hash]
        return "\n".join(lines)

    candidates: list[tuple[str, Callable[[], str]]] = []
    if index > 0 and previous != seed:
        candidates.append(
            (
                "the chunk was signed over the request's own signature instead of the previous chunk's "
                f"({_show(seed[:16] + '...')} instead of {_show(previous[:16] + '...')}): the chain was not carried on",
                lambda: streaming.sign(key, chunk_sts(seed)),
            )
        )
    candidates.append(
        ("the chunk was signed over an empty previous signature", lambda: streaming.sign(key, chunk_sts("")))
    )
    candidates.append(
        (
            f"the chunk's StringToSign starts with {sigv4.ALGORITHM!r} instead of {streaming.CHUNK_ALGORITHM!r}",
            lambda: streaming.sign(key, chunk_sts(previous, sigv4.ALGORITHM)),
        )
    )
    candidates.append(
        (
            "the chunk's StringToSign leaves out the hash of the empty string before the chunk's hash",
            lambda: streaming.sign(key, chunk_sts(previous, empty=False)),
        )
    )
    found, tried = _search(provided, candidates)
    if found is not None:
        return f"Cause found by re-signing the chunk: {found}."
    return (
        f"None of the {tried} usual chaining mistakes reproduces it, and the request's own signature checked out with "
        "the same key, so the chunk's bytes most likely changed after signing."
    )


def diagnose_trailer(
    chunked: ChunkedBody,
    *,
    key: bytes,
    amz_date: str,
    scope: str,
    seed: str,
    previous: str,
) -> str:
    """Name how the trailer signature was made when it does not follow the final chunk's."""
    provided = chunked.trailer_signature or ""
    text = streaming.trailer_text(chunked.trailers)

    def trailer_sts(prior: str, signed_text: str) -> str:
        return f"{streaming.TRAILER_ALGORITHM}\n{amz_date}\n{scope}\n{prior}\n{sha256_hex(signed_text)}"

    candidates: list[tuple[str, Callable[[], str]]] = [
        (
            "the trailer was hashed with CRLF line ends (as sent) instead of '\\n'",
            lambda: streaming.sign(key, trailer_sts(previous, text.replace("\n", "\r\n"))),
        ),
        (
            "the trailer was hashed without its final '\\n'",
            lambda: streaming.sign(key, trailer_sts(previous, text[:-1])),
        ),
        (
            "the trailer was signed over the request's own signature instead of the final chunk's",
            lambda: streaming.sign(key, trailer_sts(seed, text)),
        ),
    ]
    found, tried = _search(provided, candidates)
    if found is not None:
        return f"Cause found by re-signing the trailer: {found}."
    return (
        f"None of the {tried} usual trailer mistakes reproduces it, so a trailer value most likely changed "
        "after signing."
    )


def diagnose(evidence: Evidence) -> str:
    """The doctor's sentence for one SignatureDoesNotMatch, from the evidence its signer kept."""
    args = evidence.arguments
    if evidence.kind == "sigv4":
        claim = SigV4Claim(
            credential=args["credential"],
            signed_headers=args["signed_headers"],
            amz_date=args["amz_date"],
            payload_hash=args["payload_hash"],
            provided=args["provided"],
            presigned=args["presigned"],
        )
        return diagnose_sigv4(args["request"], claim, secret=args["secret"], key=args["key"])
    if evidence.kind == "sigv2":
        return diagnose_sigv2(
            args["request"],
            access_key=args["access_key"],
            secret=args["secret"],
            provided=args["provided"],
            date_slot=args["date_slot"],
            extra_amz=args["extra_amz"],
            presigned=args["presigned"],
        )
    chain = {name: args[name] for name in ("key", "amz_date", "scope", "seed", "previous")}
    if evidence.kind == "chunk":
        return diagnose_chunk(args["chunked"], args["index"], **chain)
    return diagnose_trailer(args["chunked"], **chain)
