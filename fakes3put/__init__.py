"""fakes3put: an in-process fake of Amazon S3's PUT Object, strict where S3 is strict.

Start a ``FakeS3`` (context manager, decorator, ``start()``/``stop()`` or the pytest fixture
``fake_s3``) and every S3-bound request made through urllib3 (boto3, requests, minio, ...)
is answered in process.
"""

from __future__ import annotations

from ._calls import Call
from ._explore import Exploration, ExploredRun, explore
from ._fake import DEFAULT_ACCESS_KEY, DEFAULT_SECRET_KEY, BucketSpec, FakeS3
from ._faults import Fault, Faults, FiredFault
from ._races import Simultaneous, SimultaneousTimeoutError
from ._sequencer import WriteRecord
from ._store import Bucket, StoredObject
from .errors import (
    ChecksumUnavailableError,
    FakeS3Error,
    FakeS3InternalError,
    InterceptorConflictError,
    S3Error,
    UnhandledRequestError,
)

__all__ = [
    "DEFAULT_ACCESS_KEY",
    "DEFAULT_SECRET_KEY",
    "Bucket",
    "BucketSpec",
    "Call",
    "ChecksumUnavailableError",
    "Exploration",
    "ExploredRun",
    "FakeS3",
    "FakeS3Error",
    "FakeS3InternalError",
    "Fault",
    "Faults",
    "FiredFault",
    "InterceptorConflictError",
    "S3Error",
    "Simultaneous",
    "SimultaneousTimeoutError",
    "StoredObject",
    "UnhandledRequestError",
    "WriteRecord",
    "explore",
]
