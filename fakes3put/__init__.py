"""fakes3put: an in-process fake of Amazon S3's PUT Object, strict where S3 is strict.

Start a ``FakeS3`` (context manager, decorator, ``start()``/``stop()`` or the pytest fixture
``fake_s3``) and every S3-bound request made through urllib3 (boto3, requests, minio, ...)
is answered in process.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fakes3put._commit.faults import Fault, FaultKind, Faults, FiredFault
from fakes3put._commit.store import Bucket, ObjectOwnership, StoredObject, VersioningStatus
from fakes3put._commit.writes import Consistency, Outcome, WriteRecord
from fakes3put._fake import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, BucketSpec, FakeS3
from fakes3put._state import Call
from fakes3put.errors import (
    ChecksumUnavailableError,
    FakeS3Error,
    FakeS3InternalError,
    InterceptorConflictError,
    SimultaneousTimeoutError,
    UnhandledRequestError,
)

if TYPE_CHECKING:
    from fakes3put._commit.policies import Order, OrderName
    from fakes3put._commit.simultaneous import Simultaneous
    from fakes3put._explore import Exploration, ExploredRun, explore

# Loaded on first use, so that ``import fakes3put`` stays cheap (PEP 562).
_LAZY = {
    "explore": "._explore",
    "Exploration": "._explore",
    "ExploredRun": "._explore",
    "Order": "._commit.policies",
    "OrderName": "._commit.policies",
    "Simultaneous": "._commit.simultaneous",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'fakes3put' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


__all__ = [
    "DEFAULT_ACCESS_KEY",
    "DEFAULT_SECRET_KEY",
    "Bucket",
    "BucketSpec",
    "Call",
    "ChecksumUnavailableError",
    "Consistency",
    "Exploration",
    "ExploredRun",
    "FakeS3",
    "FakeS3Error",
    "FakeS3InternalError",
    "Fault",
    "FaultKind",
    "Faults",
    "FiredFault",
    "InterceptorConflictError",
    "ObjectOwnership",
    "Order",
    "OrderName",
    "Outcome",
    "Simultaneous",
    "SimultaneousTimeoutError",
    "StoredObject",
    "UnhandledRequestError",
    "VersioningStatus",
    "WriteRecord",
    "explore",
]
