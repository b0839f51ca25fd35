"""Errors: S3's own error codes (answered as XML to the client) and misuse of the fake (raised)."""

from __future__ import annotations

from collections.abc import Mapping

# code -> (HTTP status, S3's usual message). Statuses follow S3's published error list.
_CODES: dict[str, tuple[int, str]] = {
    "AccessDenied": (403, "Access Denied"),
    "AccessControlListNotSupported": (400, "The bucket does not allow ACLs"),
    "AuthorizationHeaderMalformed": (400, "The authorization header is malformed."),
    "AuthorizationQueryParametersError": (400, "Error parsing the X-Amz-Credential parameter."),
    "BadDigest": (400, "The Content-MD5 you specified did not match what we received."),
    "BucketAlreadyExists": (
        409,
        "The requested bucket name is not available. The bucket namespace is shared by all users "
        "of the system. Please select a different name and try again.",
    ),
    "BucketAlreadyOwnedByYou": (
        409,
        "Your previous request to create the named bucket succeeded and you already own it.",
    ),
    "BucketNotEmpty": (409, "The bucket you tried to delete is not empty"),
    "ConditionalRequestConflict": (
        409,
        "A conflicting operation occurred. If using PutObject you can retry the request. "
        "If using multipart upload you should initiate another CreateMultipartUpload request "
        "and re-upload each part.",
    ),
    "EntityTooLarge": (400, "Your proposed upload exceeds the maximum allowed size"),
    "EntityTooSmall": (400, "Your proposed upload is smaller than the minimum allowed size"),
    "ExpiredToken": (400, "The provided token has expired."),
    "IllegalLocationConstraintException": (
        400,
        "The unspecified location constraint is incompatible for the region specific endpoint "
        "this request was sent to.",
    ),
    "IncompleteBody": (400, "You did not provide the number of bytes specified by the Content-Length HTTP header"),
    "InternalError": (500, "We encountered an internal error. Please try again."),
    "InvalidAccessKeyId": (403, "The AWS Access Key Id you provided does not exist in our records."),
    "InvalidArgument": (400, "Invalid Argument"),
    "InvalidBucketName": (400, "The specified bucket is not valid."),
    "InvalidBucketAclWithObjectOwnership": (
        400,
        "Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting",
    ),
    "InvalidDigest": (400, "The Content-MD5 you specified was invalid."),
    "InvalidLocationConstraint": (400, "The specified location-constraint is not valid"),
    "InvalidObjectState": (403, "The operation is not valid for the object's storage class"),
    "InvalidPart": (
        400,
        # S3's text, two spaces included (LocalStack's AWS snapshots of InvalidPart).
        "One or more of the specified parts could not be found.  The part may not have been "
        "uploaded, or the specified entity tag may not match the part's entity tag.",
    ),
    "InvalidPartOrder": (400, "The list of parts was not in ascending order. Parts must be ordered by part number."),
    "InvalidRange": (416, "The requested range is not satisfiable"),
    "InvalidRequest": (400, "Invalid Request"),
    "InvalidStorageClass": (400, "The storage class you specified is not valid"),
    "InvalidTag": (400, "The TagValue you have provided is invalid"),
    "KeyTooLongError": (400, "Your key is too long"),
    "MalformedXML": (
        400,
        "The XML you provided was not well-formed or did not validate against our published schema",
    ),
    "MalformedACLError": (
        400,
        "The XML you provided was not well-formed or did not validate against our published schema",
    ),
    "MaxMessageLengthExceeded": (400, "Your request was too big."),
    "MetadataTooLarge": (400, "Your metadata headers exceed the maximum allowed metadata size"),
    "MethodNotAllowed": (405, "The specified method is not allowed against this resource."),
    "MissingContentLength": (411, "You must provide the Content-Length HTTP header."),
    "MissingSecurityHeader": (400, "Your request was missing a required header"),
    "NoSuchBucket": (404, "The specified bucket does not exist"),
    "NoSuchKey": (404, "The specified key does not exist."),
    "NoSuchVersion": (404, "The specified version does not exist."),
    "InvalidPartNumber": (416, "The requested partnumber is not satisfiable"),
    "NoSuchUpload": (
        404,
        "The specified upload does not exist. The upload ID may be invalid, or the upload may "
        "have been aborted or completed.",
    ),
    "NotImplemented": (501, "A header you provided implies functionality that is not implemented"),
    "PreconditionFailed": (412, "At least one of the pre-conditions you specified did not hold"),
    "RequestTimeTooSkewed": (403, "The difference between the request time and the current time is too large."),
    "RequestTimeout": (
        400,
        "Your socket connection to the server was not read from or written to within the timeout "
        "period. Idle connections will be closed.",
    ),
    "ServiceUnavailable": (503, "Please reduce your request rate."),
    "SignatureDoesNotMatch": (
        403,
        "The request signature we calculated does not match the signature you provided. "
        "Check your key and signing method.",
    ),
    "SlowDown": (503, "Please reduce your request rate."),
    "UnexpectedContent": (400, "This request does not support content"),
    "XAmzContentSHA256Mismatch": (400, "The provided 'x-amz-content-sha256' header does not match what was computed."),
}


class S3Error(Exception):
    """An error S3 itself would answer; the fake renders it as S3's XML error response.

    ``extra`` holds the code-specific XML elements (``BucketName``, ``StringToSign``, ...),
    in the order they are rendered. ``headers`` are extra response headers. ``hint`` explains
    the rejection in plain words for the test author (call log only, never in the XML).
    """

    def __init__(
        self,
        code: str,
        message: str | None = None,
        *,
        status: int | None = None,
        extra: Mapping[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        hint: str | None = None,
    ) -> None:
        known_status, known_message = _CODES.get(code, (400, code))
        self.code = code
        self.message = message if message is not None else known_message
        self.status = status if status is not None else known_status
        self.extra: dict[str, str] = dict(extra or {})
        self.headers: dict[str, str] = dict(headers or {})
        # A plain-words diagnosis for the call log and failure messages; never sent in the XML.
        self.hint = hint
        super().__init__(f"{code}: {self.message}")


class FakeS3Error(Exception):
    """Misuse or failure of the fake itself (not something S3 would answer)."""


class UnhandledRequestError(FakeS3Error, AssertionError):
    """A request reached the fake's transport that no active fake owns, with passthrough off."""


class InterceptorConflictError(FakeS3Error):
    """Another interceptor (moto's botocore hook, ...) would answer S3 traffic before the fake."""


class FakeS3InternalError(FakeS3Error, AssertionError):
    """The fake raised while answering a request; re-raised when the fake stops."""


class ChecksumUnavailableError(FakeS3Error):
    """A checksum algorithm was requested whose implementation is not installed."""


class SimultaneousTimeoutError(FakeS3Error, AssertionError):
    """A ``simultaneous(expect=N)`` hold did not gather its writes in time; the message names what did arrive."""


HOLD_TIMEOUT_CODE = "FakeS3HoldTimeout"
"""The error code a writer waiting in a ``simultaneous(expect=N)`` hold gets when the hold fails."""
