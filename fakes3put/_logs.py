"""``fake.calls`` and ``fake.writes``: lists that keep only their most recent entries."""

from __future__ import annotations

from typing import TypeVar

from fakes3put.errors import FakeS3Error

T = TypeVar("T")

# Entries each log keeps by default: enough to inspect any test, small enough (a few MiB) that a
# long-running fake (a soak, a shared fixture) does not grow without bound.
DEFAULT_LOG_LIMIT = 10_000


def checked_limit(limit: object) -> int | None:
    if limit is None or (isinstance(limit, int) and not isinstance(limit, bool) and limit >= 0):
        return limit
    raise FakeS3Error(f"log_limit must be an int >= 0 (0 turns the logs off) or None (unbounded), not {limit!r}")


class BoundedLog(list[T]):
    """A list that keeps the most recent ``limit`` entries it was appended (all with ``None``, none
    with 0); ``dropped`` counts the older ones let go since the last ``clear()``.

    Old entries go a batch at a time (a sixteenth of ``limit``), so up to that many more than
    ``limit`` may be held for a while; trimming at every append would move the whole list each time.
    """

    __slots__ = ("_slack", "dropped", "limit")

    def __init__(self, limit: int | None) -> None:
        super().__init__()
        self.limit = limit
        self.dropped = 0
        self._slack = 0 if limit is None else limit // 16

    def append(self, item: T) -> None:
        limit = self.limit
        if limit is None:
            super().append(item)
            return
        if limit == 0:
            self.dropped += 1
            return
        super().append(item)
        if len(self) > limit + self._slack:
            excess = len(self) - limit
            del self[:excess]
            self.dropped += excess

    def clear(self) -> None:
        super().clear()
        self.dropped = 0
