"""Shared test helpers: real clients pointed at the fake, with explicit credentials."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from fakes3put import FakeS3


def make_client(fake: FakeS3, *, endpoint_url: str | None = None, region: str = "us-east-1", **config: Any) -> Any:
    return boto3.client(
        "s3",
        region_name=region,
        endpoint_url=endpoint_url,
        aws_access_key_id=fake.access_key,
        aws_secret_access_key=fake.secret_key,
        config=Config(**config) if config else None,
    )


def error_code(excinfo: pytest.ExceptionInfo[ClientError]) -> str:
    """The S3 error code botocore raised."""
    return str(excinfo.value.response["Error"]["Code"])


def xml_code(response: Any) -> str:
    """The <Code> of an S3 XML error body (a urllib3 response)."""
    return str(response.data.decode().split("<Code>")[1].split("</Code>")[0])
