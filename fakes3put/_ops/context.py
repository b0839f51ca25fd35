"""What an operation sees: the request, who sent it, its payload, and the fake's state and settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from fakes3put._auth import Principal
from fakes3put._commit.sequencer import Sequencer
from fakes3put._commit.store import Store
from fakes3put._commit.uploads import Uploads
from fakes3put._commit.writes import WriteRecord
from fakes3put._settings import Settings
from fakes3put._wire.payload import Payload
from fakes3put._wire.request import S3Request


@dataclass(slots=True)
class RequestContext:
    """Everything known before the body is read: enough to refuse a write from its headers alone."""

    request: S3Request
    principal: Principal
    store: Store
    sequencer: Sequencer
    settings: Settings
    now: datetime
    sent: int
    clock: Callable[[], datetime]
    uploads: Uploads

    @property
    def who(self) -> str | None:
        return self.principal.access_key


@dataclass(slots=True)
class OperationContext(RequestContext):
    """A request with its body read: what every operation handler gets."""

    payload: Payload
    # The write-log records of the writes this request submitted (DeleteObjects: one per key), so
    # a lost acknowledgement can be noted on every one of them.
    written: list[WriteRecord] = field(default_factory=list)
