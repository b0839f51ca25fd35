"""OPTIONS (a CORS preflight), answered as S3 answers a bucket without a CORS configuration.

The fake keeps no CORS configuration, so a preflight is never allowed; what the client gets is
S3's refusal: 400 without an Origin header, 403 AccessForbidden with one (LocalStack's AWS
snapshots options-no-origin and options-with-origin-and-method in test_s3_cors).
"""

from __future__ import annotations

from fakes3put._ops.context import OperationContext
from fakes3put._wire.response import Response
from fakes3put.errors import S3Error


def preflight(ctx: OperationContext) -> Response:
    headers = ctx.request.headers
    if not headers.get("origin"):
        raise S3Error("BadRequest", "Insufficient information. Origin request header needed.")
    method = (headers.get("access-control-request-method") or ctx.request.method).strip()
    raise S3Error(
        "AccessForbidden",
        "CORSResponse: CORS is not enabled for this bucket.",
        status=403,
        extra={"Method": method, "ResourceType": "BUCKET"},
        hint="fakes3put keeps no CORS configuration, so every preflight is refused as S3 refuses one",
    )
