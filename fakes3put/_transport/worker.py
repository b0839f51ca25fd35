"""The fake's work for async transports, off the event loop.

A hold (``simultaneous(expect=N)``) keeps N writers waiting until all have arrived. On one event
loop those writers are coroutines, so each request's work runs in a thread and the loop stays
free. A bounded executor would queue the Nth request behind the held ones, so a request takes an
idle thread if one is waiting and starts a new one otherwise. Idle threads are kept for reuse
(a few) and retired when the last fake stops.
"""

from __future__ import annotations

import asyncio
import contextvars
import queue
import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
_KEEP_IDLE = 8
_Job = Callable[[], None] | None  # None: retire

_lock = threading.Lock()
_idle: list[queue.SimpleQueue[_Job]] = []


def _serve(inbox: queue.SimpleQueue[_Job]) -> None:
    while True:
        job = inbox.get()
        if job is None:
            return
        job()
        with _lock:
            if len(_idle) >= _KEEP_IDLE:
                return
            _idle.append(inbox)


def _submit(job: Callable[[], None]) -> None:
    with _lock:
        inbox = _idle.pop() if _idle else None
    if inbox is None:
        inbox = queue.SimpleQueue()
        threading.Thread(target=_serve, args=(inbox,), name="fakes3put-worker", daemon=True).start()
    inbox.put(job)


async def off_the_loop(call: Callable[[], T]) -> T:
    """``call()`` in a worker thread, with the caller's context variables; its result or exception here."""
    loop = asyncio.get_running_loop()
    answer: asyncio.Future[T] = loop.create_future()
    context = contextvars.copy_context()

    def settle(result: T | None, error: BaseException | None) -> None:
        if answer.done():  # the awaiting coroutine was cancelled
            return
        if error is not None:
            answer.set_exception(error)
        else:
            answer.set_result(result)  # type: ignore[arg-type]

    def job() -> None:
        try:
            result: T | None = context.run(call)
            error: BaseException | None = None
        except BaseException as exc:  # handed to the awaiting coroutine and raised there
            result, error = None, exc
        if not loop.is_closed():
            loop.call_soon_threadsafe(settle, result, error)

    _submit(job)
    return await answer


def retire_idle() -> None:
    """Let the idle threads end (the last fake stopped); busy ones end when their request is answered."""
    with _lock:
        idle = list(_idle)
        _idle.clear()
    for inbox in idle:
        inbox.put(None)
