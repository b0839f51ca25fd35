"""What an operation sees: the request, who sent it, and the fake's state and settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from ._auth import Principal
from ._chunked import ChunkedBody
from ._request import S3Request
from ._sequencer import Sequencer
from ._state import Settings
from ._store import Store
from ._uploads import Uploads


@dataclass(slots=True)
class OperationContext:
    request: S3Request
    chunked: ChunkedBody | None
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
