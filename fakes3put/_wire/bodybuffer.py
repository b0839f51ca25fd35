"""The object's bytes, gathered run by run as a body is read, at one copy's worth of memory.

Collecting the runs and joining them at the end holds every run plus the joined result:
twice the body at the peak (and for aws-chunked runs, the encoded blocks behind them).
Writing each run into a ``BytesIO`` as it arrives lets the run (and its block) go at once;
the buffer grows in place, and CPython's ``getvalue()`` hands that buffer over as the final
``bytes`` without copying it (on other interpreters it copies once, which is still correct).
"""

from __future__ import annotations

import io


class BodyBuffer:
    """Append runs in order with ``append``; ``value()`` once at the end."""

    __slots__ = ("_buffer", "_first")

    def __init__(self) -> None:
        self._first: bytes | memoryview | None = None  # a lone run needs no buffer at all
        self._buffer: io.BytesIO | None = None

    def append(self, run: bytes | memoryview) -> None:
        if self._buffer is None:
            if self._first is None:
                self._first = run
                return
            self._buffer = io.BytesIO()
            self._buffer.write(self._first)
            self._first = None
        self._buffer.write(run)

    def value(self) -> bytes:
        if self._buffer is not None:
            data = self._buffer.getvalue()
            self._buffer = None  # a later write would have to copy the shared buffer; there is none
            return data
        first = self._first
        self._first = None
        if first is None:
            return b""
        return first if isinstance(first, bytes) else bytes(first)
