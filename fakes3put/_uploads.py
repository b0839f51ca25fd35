"""Multipart uploads in progress: invisible to readers until CompleteMultipartUpload."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(slots=True)
class Upload:
    upload_id: str
    bucket: str
    key: str
    initiated: datetime
    initiator: str | None
    # Object attributes given at CreateMultipartUpload (content type, metadata, ...).
    attributes: dict[str, Any] = field(default_factory=dict)
    parts: dict[int, Any] = field(default_factory=dict)


class Uploads:
    """Uploads by id, under their own lock (parts arrive from many threads)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.by_id: dict[str, Upload] = {}

    def reset(self) -> None:
        with self.lock:
            self.by_id.clear()
