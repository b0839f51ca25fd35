"""POST Object form authentication: the policy document and its SigV4 or SigV2 signature.

A browser-form upload carries no Authorization header: the form does. SigV4 forms carry
``x-amz-algorithm``, ``x-amz-credential``, ``x-amz-date`` and ``x-amz-signature`` (the hex
HMAC-SHA256 of the base64 ``policy`` under the scope's signing key); SigV2 forms carry
``AWSAccessKeyId`` and ``signature`` (base64 HMAC-SHA1 of the base64 ``policy``). AWS docs:
"Authenticating Requests in Browser-Based Uploads Using POST (AWS Signature Version 4)" and
"Creating an HTML Form (Using AWS Signature Version 4)". The policy's ``expiration`` and every
condition are checked against the form; every field must be named by a condition except
``policy``, ``x-amz-signature``, ``signature``, ``AWSAccessKeyId``, ``file`` and ``x-ignore-*``.
Messages follow LocalStack's AWS-validated POST checks where they record them.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from fakes3put._auth import sigv2, sigv4
from fakes3put._auth._common import as_utc, same_text, signature_mismatch, unknown_key_error
from fakes3put._wire.form import Form
from fakes3put.errors import S3Error

SIGV4_POST = "sigv4-post"
SIGV2_POST = "sigv2-post"
_V4_FIELDS = ("x-amz-algorithm", "x-amz-credential", "x-amz-date", "x-amz-signature")
_V2_FIELDS = ("awsaccesskeyid", "signature")
_UNCONDITIONED = frozenset({"policy", "x-amz-signature", "signature", "awsaccesskeyid", "file"})
_WIRE_NAMES = {"awsaccesskeyid": "AWSAccessKeyId", "key": "key"}


def _field_name(lowered: str) -> str:
    """The name S3 shows for a missing field: ``X-Amz-Signature``, ``Signature``, ``AWSAccessKeyId``."""
    return _WIRE_NAMES.get(lowered) or "-".join(word.capitalize() for word in lowered.split("-"))


def missing_field(lowered: str) -> S3Error:
    name = _field_name(lowered)
    return S3Error(
        "InvalidArgument",
        f"Bucket POST must contain a field named '{name}'.  If it is specified, please check the order of the fields.",
        extra={"ArgumentName": name, "ArgumentValue": ""},
        hint="the field is missing, or comes after the 'file' field (S3 reads no field after the file)",
    )


def _scheme(fields: Mapping[str, str]) -> str | None:
    """SIGV4_POST, SIGV2_POST or None (no signature); InvalidArgument if a scheme's fields are incomplete."""
    for scheme, names in ((SIGV4_POST, _V4_FIELDS), (SIGV2_POST, _V2_FIELDS)):
        if any(name in fields for name in names):
            for name in names:
                if name not in fields:
                    raise missing_field(name)
            return scheme
    return None


def authenticate_form(
    form: Form,
    *,
    bucket: str,
    credentials: Mapping[str, str],
    now: datetime,
    expected_region: str,
    verify: bool,
    signing_keys: sigv4.KeyCache | None,
) -> tuple[str | None, str]:
    """(access key or None for an anonymous form, scheme) after checking signature, expiration and
    conditions. ``verify=False`` skips the signature (as for headers) but still applies the policy."""
    fields = form.lowered()
    if not fields.get("key"):
        raise missing_field("key")
    if form.file is None:
        raise S3Error(
            "IncorrectNumberOfFilesInPostRequest",
            "POST requires exactly one file upload per request.",
            extra={"ArgumentName": "file", "ArgumentValue": "0"},
        )
    policy = fields.get("policy")
    scheme = _scheme(fields)
    if policy is None:
        if scheme is not None:
            raise missing_field("policy")
        return None, "anonymous"  # the bucket itself must allow anonymous writes
    if scheme is None:
        raise S3Error("AccessDenied", hint="the form has a policy but no x-amz-signature/signature fields")
    if scheme == SIGV4_POST:
        access_key = _check_sigv4(fields, policy, credentials, expected_region, verify, signing_keys)
    else:
        access_key = _check_sigv2(fields, policy, credentials, verify)
    document = _decode(policy)
    check_policy(document, form, bucket=bucket, now=now)
    return access_key, scheme


def _check_sigv4(
    fields: Mapping[str, str],
    policy: str,
    credentials: Mapping[str, str],
    expected_region: str,
    verify: bool,
    signing_keys: sigv4.KeyCache | None,
) -> str:
    raw_credential = fields["x-amz-credential"]
    credential = sigv4.parse_credential(raw_credential)
    if credential is None:
        raise S3Error(
            "AuthorizationQueryParametersError",
            "Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; "
            'expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".',
        )
    if not verify:
        return credential.access_key
    if fields["x-amz-algorithm"] != sigv4.ALGORITHM:
        raise S3Error("AuthorizationQueryParametersError", f'X-Amz-Algorithm only supports "{sigv4.ALGORITHM}"')
    if credential.region != expected_region:
        raise S3Error(
            "AuthorizationQueryParametersError",
            f"Error parsing the X-Amz-Credential parameter; the region '{credential.region}' is wrong; "
            f"expecting '{expected_region}'",
            extra={"Region": expected_region},
        )
    secret = credentials.get(credential.access_key)
    if secret is None:
        raise unknown_key_error(credential.access_key, credentials)
    key = sigv4.cached_signing_key(signing_keys, secret, credential.date, credential.region, credential.service)
    expected = sigv4.signature(key, policy)
    provided = fields["x-amz-signature"]
    if not same_text(provided, expected):
        raise signature_mismatch(
            access_key=credential.access_key,
            string_to_sign=policy,
            provided=provided,
            canonical_request=None,
            hint="the form's x-amz-signature is not the HMAC-SHA256 of its policy field under the signing key "
            f"of scope {credential.scope}; was the policy or a field changed after signing?",
        )
    return credential.access_key


def _check_sigv2(fields: Mapping[str, str], policy: str, credentials: Mapping[str, str], verify: bool) -> str:
    access_key = fields["awsaccesskeyid"]
    if not verify:
        return access_key
    secret = credentials.get(access_key)
    if secret is None:
        raise unknown_key_error(access_key, credentials)
    provided = fields["signature"]
    if not same_text(provided, sigv2.sign(secret, policy)):
        raise signature_mismatch(
            access_key=access_key,
            string_to_sign=policy,
            provided=provided,
            canonical_request=None,
            hint="the form's signature is not the base64 HMAC-SHA1 of its policy field under the secret key",
        )
    return access_key


def _invalid_policy(detail: str) -> S3Error:
    return S3Error("InvalidPolicyDocument", f"Invalid Policy: {detail}")


def _decode(policy: str) -> Mapping[str, Any]:
    try:
        document = json.loads(base64.b64decode(policy, validate=True))
    except (binascii.Error, ValueError):
        raise _invalid_policy("Invalid JSON.") from None
    if not isinstance(document, dict):
        raise _invalid_policy("Invalid JSON.")
    if "expiration" not in document:
        raise _invalid_policy("Policy missing expiration.")
    if not isinstance(document.get("conditions"), list):
        raise _invalid_policy("Policy missing conditions.")
    return document


def _expiration(text: object) -> datetime:
    if isinstance(text, str):
        for layout in ("%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%SZ"):
            try:
                return as_utc(datetime.strptime(text, layout))
            except ValueError:
                continue
    raise _invalid_policy(f"Invalid 'expiration' value: '{text}'")


def _denied(detail: str) -> S3Error:
    return S3Error("AccessDenied", f"Invalid according to Policy: {detail}")


def check_policy(document: Mapping[str, Any], form: Form, *, bucket: str, now: datetime) -> None:
    """Expiration, then each condition in order, then fields no condition names."""
    if _expiration(document["expiration"]) < as_utc(now):
        raise _denied("Policy expired.")
    fields = dict(form.lowered())
    fields["bucket"] = bucket  # the bucket posted to, whatever a field says
    size = len(form.file.data) if form.file is not None else 0
    named: set[str] = set()
    for condition in document["conditions"]:
        named.update(_check_condition(condition, fields, size))
    for name, _ in form.fields:
        lowered = name.lower()
        if lowered not in _UNCONDITIONED and not lowered.startswith("x-ignore-") and lowered not in named:
            raise _denied(f"Extra input fields: {lowered}")


def _failed(condition: object) -> S3Error:
    return _denied(f"Policy Condition failed: {json.dumps(condition)}")


def _check_condition(condition: object, fields: Mapping[str, str], size: int) -> set[str]:
    """Check one condition; return the field names it covers."""
    if isinstance(condition, dict):
        if len(condition) != 1:
            raise _invalid_policy(
                "Invalid Simple-Condition: Simple-Conditions must have exactly one property specified."
            )
        ((name, value),) = condition.items()
        if fields.get(name.lower()) != str(value):
            raise _failed(condition)
        return {name.lower()}
    if not isinstance(condition, list) or len(condition) != 3 or not isinstance(condition[0], str):
        raise _invalid_policy(f"Invalid Condition: {json.dumps(condition)}")
    operator = condition[0].lower()
    if operator == "content-length-range":
        return _length_range(condition, size)
    if operator not in ("eq", "starts-with") or not isinstance(condition[1], str) or not condition[1].startswith("$"):
        raise _invalid_policy(f"Invalid Condition: {json.dumps(condition)}")
    name, expected = condition[1][1:].lower(), str(condition[2])
    actual = fields.get(name)
    if operator == "eq":
        ok = actual == expected
    elif name == "content-type" and actual is not None:
        ok = all(part.strip().startswith(expected) for part in actual.split(","))
    else:
        ok = (actual or "").startswith(expected)  # "" accepts any value, or none
    if not ok:
        raise _failed(condition)
    return {name}


def _length_range(condition: list[Any], size: int) -> set[str]:
    try:
        low, high = int(condition[1]), int(condition[2])
    except (TypeError, ValueError):
        raise _invalid_policy(f"Invalid Condition: {json.dumps(condition)}") from None
    if size < low:
        raise S3Error("EntityTooSmall", extra={"ProposedSize": str(size), "MinSizeAllowed": str(low)})
    if size > high:
        raise S3Error("EntityTooLarge", extra={"ProposedSize": str(size), "MaxSizeAllowed": str(high)})
    return set()
