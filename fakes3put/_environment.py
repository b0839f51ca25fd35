"""Keep the user's real AWS configuration out of a test, and put it back afterwards."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import Any

# Files botocore would read credentials or profiles from are pointed at a path that cannot exist.
_MISSING_FILE = os.path.join(os.sep, "nonexistent", "fakes3put", "aws-config")


@dataclass(slots=True)
class SavedEnvironment:
    variables: dict[str, str] = field(default_factory=dict)
    boto3_session: Any = None
    had_boto3: bool = False


def isolate(access_key: str, secret_key: str, region: str) -> SavedEnvironment:
    """Replace every ``AWS_*`` variable with the fake's credentials and region."""
    saved = SavedEnvironment({name: value for name, value in os.environ.items() if name.startswith("AWS_")})
    for name in saved.variables:
        del os.environ[name]
    os.environ.update(
        {
            "AWS_ACCESS_KEY_ID": access_key,
            "AWS_SECRET_ACCESS_KEY": secret_key,
            "AWS_DEFAULT_REGION": region,
            "AWS_REGION": region,
            "AWS_SHARED_CREDENTIALS_FILE": _MISSING_FILE,
            "AWS_CONFIG_FILE": _MISSING_FILE,
            "AWS_EC2_METADATA_DISABLED": "true",
        }
    )
    boto3 = sys.modules.get("boto3")
    if boto3 is not None:
        # boto3's default session caches whatever credentials it resolved first.
        saved.had_boto3 = True
        saved.boto3_session = getattr(boto3, "DEFAULT_SESSION", None)
        setattr(boto3, "DEFAULT_SESSION", None)  # noqa: B010 - boto3 is untyped here on purpose
    return saved


def restore(saved: SavedEnvironment) -> None:
    for name in [n for n in os.environ if n.startswith("AWS_")]:
        del os.environ[name]
    os.environ.update(saved.variables)
    boto3 = sys.modules.get("boto3")
    if boto3 is not None:
        setattr(boto3, "DEFAULT_SESSION", saved.boto3_session if saved.had_boto3 else None)  # noqa: B010
