"""Keep the user's real AWS configuration out of a test, and put it back afterwards."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import Any

from fakes3put._transport import boto3_session

# Files botocore would read credentials or profiles from are pointed at a path that cannot exist.
_MISSING_FILE = os.path.join(os.sep, "nonexistent", "fakes3put", "aws-config")


@dataclass(slots=True)
class SavedEnvironment:
    variables: dict[str, str] = field(default_factory=dict)
    boto3_session: Any = None


def save() -> SavedEnvironment:
    """The real ``AWS_*`` variables and boto3's cached default session, to restore later."""
    variables = {name: value for name, value in os.environ.items() if name.startswith("AWS_")}
    boto3 = sys.modules.get("boto3")
    return SavedEnvironment(variables, getattr(boto3, "DEFAULT_SESSION", None) if boto3 is not None else None)


def apply(access_key: str, secret_key: str, region: str) -> None:
    """Replace every ``AWS_*`` variable with a fake's credentials and region."""
    _replace_aws_variables(
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
    # boto3's default session caches whatever credentials it resolved first: each fake installs a new
    # one that resolves them, like the region, from the environment at the test's first client.
    boto3 = sys.modules.get("boto3")
    if boto3 is not None:
        _set_boto3_session(boto3_session.new_default_session(boto3))


def restore(saved: SavedEnvironment) -> None:
    _replace_aws_variables(saved.variables)
    _set_boto3_session(saved.boto3_session)


def _replace_aws_variables(variables: dict[str, str]) -> None:
    for name in [n for n in os.environ if n.startswith("AWS_")]:
        del os.environ[name]
    os.environ.update(variables)


def _set_boto3_session(session: Any) -> None:
    boto3 = sys.modules.get("boto3")
    if boto3 is not None:
        setattr(boto3, "DEFAULT_SESSION", session)  # noqa: B010 - boto3 stays untyped here on purpose
