"""Async clients (aiobotocore, aioboto3, s3fs, pandas, httpx) through the async transports.

These need the ``async`` extra, which pins its own botocore through aiobotocore; CI runs them in
a virtualenv of their own (see .ci/run). Without it each module skips itself; this file imports
nothing from the extra at collection time.
"""

from __future__ import annotations

import contextlib
import importlib.util
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest


@contextlib.asynccontextmanager
async def s3_client(**config: Any) -> AsyncIterator[Any]:
    """An aiobotocore S3 client as user code makes one: credentials and region from the environment."""
    import aiobotocore.session
    from aiobotocore.config import AioConfig

    session = aiobotocore.session.get_session()
    async with session.create_client("s3", config=AioConfig(**config) if config else None) as client:
        yield client


@pytest.fixture(autouse=True)
def fresh_filesystems() -> Iterator[None]:
    # fsspec keeps one S3FileSystem (and its listing cache) per process: each test starts from none.
    if importlib.util.find_spec("fsspec") is None:
        yield
        return
    import fsspec

    fsspec.AbstractFileSystem.clear_instance_cache()
    yield
    fsspec.AbstractFileSystem.clear_instance_cache()
