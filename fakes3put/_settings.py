"""What a fake was configured with that the request path reads."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Settings:
    """The constructor's choices that operations read."""

    region: str
    plus_as_space: bool
    accept_chunked_transfer: bool = False
