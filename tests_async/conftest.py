"""Async clients (aiobotocore, aioboto3, s3fs, pandas) through the aiohttp transport.

These need the ``async`` extra, which pins its own botocore through aiobotocore; CI runs them in
a virtualenv of their own (see .ci/run).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

pytest.importorskip("aiobotocore")

import aiobotocore.session
import fsspec


@contextlib.asynccontextmanager
async def s3_client(**config: Any) -> AsyncIterator[Any]:
    """An aiobotocore S3 client as user code makes one: credentials and region from the environment."""
    from aiobotocore.config import AioConfig

    session = aiobotocore.session.get_session()
    async with session.create_client("s3", config=AioConfig(**config) if config else None) as client:
        yield client


@pytest.fixture(autouse=True)
def fresh_filesystems() -> Iterator[None]:
    # fsspec keeps one S3FileSystem (and its listing cache) per process: each test starts from none.
    fsspec.AbstractFileSystem.clear_instance_cache()
    yield
    fsspec.AbstractFileSystem.clear_instance_cache()
