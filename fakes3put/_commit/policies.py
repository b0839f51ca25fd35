"""Near-simultaneous writes: windows (single-threaded code) and holds (threads).

Both are policies the sequencer asks when writes arrive; a policy only decides — receive now,
defer, or wait for a turn — and never receives a write or sets its outcome itself.

* A **window** defers each unconditional write (it is acknowledged at once) and, when it closes,
  gives the deferred writes back in the chosen receipt order. Reads inside see the state from
  before the window. A conditional write cannot be acknowledged before it is decided, so inside
  a window it is received at once, in sent order (and reads after it see it).
* A **hold** parks arriving writes (conditional ones included) until ``expect`` of them have
  arrived, then hands out turns in the chosen order; each writer is answered after its own
  receipt, so a losing conditional write is told 412/409. The keys of one DeleteObjects arrive
  together, each counted, and are received in their own turns.
"""

from __future__ import annotations

import contextlib
import random
import threading
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from enum import Enum
from typing import TYPE_CHECKING, Literal, Protocol

from fakes3put.errors import FakeS3Error, SimultaneousTimeoutError

if TYPE_CHECKING:
    from fakes3put._commit.writes import Write, WriteRecord

OrderName = Literal["sent", "reverse", "shuffle"]
"""A named receipt order for ``fake.simultaneous(order=...)`` (``"shuffle"`` uses ``seed``)."""
OrderFunction = Callable[[list["WriteRecord"]], Sequence[int]]
Order = OrderName | Sequence[int] | OrderFunction

_POLL = 0.02  # seconds per wait slice; elapsed time is summed from slices so a frozen clock cannot stall a hold


class Decision(Enum):
    """What a policy decides for one arriving write."""

    NOW = "receive now"
    DEFERRED = "deferred until the window closes"
    TURN = "wait for its turn in the hold"


class Policy(Protocol):
    def arrive(self, writes: Sequence[Write]) -> list[Decision]:
        """Decide, in one locked step, what happens to the writes of one request."""
        ...


def resolve_order(order: Order, records: list[WriteRecord], seed: int | None) -> list[int]:
    """Indices into ``records`` (which are in sent order) giving the receipt order."""
    count = len(records)
    if order == "sent":
        indices: list[int] = list(range(count))
    elif order == "reverse":
        indices = list(range(count - 1, -1, -1))
    elif order == "shuffle":
        indices = list(range(count))
        random.Random(seed).shuffle(indices)
    elif isinstance(order, str):
        raise FakeS3Error(f"unknown order {order!r}: use 'sent', 'reverse', 'shuffle', a permutation or a callable")
    elif callable(order):
        indices = list(order(list(records)))
    else:
        indices = list(order)
    if sorted(indices) != list(range(count)):
        raise FakeS3Error(
            f"order {indices!r} is not a permutation of the {count} write(s) in the window: "
            + "; ".join(f"#{i} {r.describe()}" for i, r in enumerate(records))
        )
    return indices


# explore() replays chosen orders: while it runs a scenario, the n-th window or hold a fake opens
# takes the n-th order here, whatever order the scenario asked for.
_replayed_orders: ContextVar[Sequence[Order] | None] = ContextVar("fakes3put_replayed_orders", default=None)


@contextlib.contextmanager
def replaying(orders: Sequence[Order]) -> Iterator[None]:
    token = _replayed_orders.set(orders)
    try:
        yield
    finally:
        _replayed_orders.reset(token)


def replayed_order(index: int) -> Order | None:
    """The order explore() forces on the ``index``-th window of a fake, if it is replaying."""
    orders = _replayed_orders.get()
    return orders[index] if orders is not None and index < len(orders) else None


class Window:
    """``with fake.simultaneous(order=...)``: acknowledged now, received when the window closes."""

    def __init__(self, order: Order, seed: int | None, forced: Order | None) -> None:
        self._order = forced if forced is not None else order
        self._seed = seed
        self._lock = threading.Lock()
        self.deferred: list[Write] = []
        self.receipt_order: list[int] = []
        self._closed = False

    def arrive(self, writes: Sequence[Write]) -> list[Decision]:
        with self._lock:
            decisions = []
            for write in writes:
                # A write racing the block's end is simply received now.
                if write.mutation.condition is not None or self._closed:
                    decisions.append(Decision.NOW)
                else:
                    self.deferred.append(write)
                    decisions.append(Decision.DEFERRED)
            return decisions

    def close(self) -> list[Write]:
        """The deferred writes in receipt order (FakeS3Error if the order is unusable)."""
        with self._lock:
            self._closed = True
            deferred = sorted(self.deferred, key=lambda w: w.sent)
        self.receipt_order = resolve_order(self._order, [w.record for w in deferred], self._seed)
        return [deferred[index] for index in self.receipt_order]


class Hold:
    """``with fake.simultaneous(expect=N, ...)``: writes wait until N arrived, then go in order."""

    def __init__(self, expect: int, order: Order, seed: int | None, timeout: float, forced: Order | None) -> None:
        if expect < 1:
            raise FakeS3Error("expect must be at least 1")
        self._expect = expect
        self._order = forced if forced is not None else order
        self._seed = seed
        self._timeout = timeout
        self._cond = threading.Condition()
        self.arrived: list[Write] = []
        self._turns: list[Write] | None = None
        self._next = 0
        self._failure: SimultaneousTimeoutError | None = None
        self.receipt_order: list[int] = []

    @property
    def gathering(self) -> bool:
        """Still waiting for writes: it has neither released its turns nor given up."""
        with self._cond:
            return self._turns is None and self._failure is None

    def arrive(self, writes: Sequence[Write]) -> list[Decision]:
        """Writes arrive together, each counted; those beyond ``expect`` (or after the hold has
        gathered or given up) are received at once."""
        with self._cond:
            room = 0 if self._turns is not None or self._failure is not None else self._expect - len(self.arrived)
            held = list(writes[:room])
            self.arrived.extend(held)
            if held and len(self.arrived) == self._expect:
                self._release()
        return [Decision.TURN] * len(held) + [Decision.NOW] * (len(writes) - len(held))

    def wait_turn(self, pending: Sequence[Write], waited: float) -> tuple[Write, float]:
        """Block until one of ``pending`` (writes this hold said TURN to) may be received; returns it
        and the time waited so far. Raises SimultaneousTimeoutError when the hold gives up."""
        with self._cond:
            waited = self._wait_for(lambda: any(self._turn() is write for write in pending), waited)
            turn = self._turn()
        assert turn is not None
        return turn, waited

    def turn_done(self) -> None:
        """The write whose turn it was has been received (or refused): the next turn may start."""
        with self._cond:
            self._next += 1
            self._cond.notify_all()

    def _turn(self) -> Write | None:
        """The write whose turn it is to be received (None until the hold has released)."""
        turns = self._turns
        return turns[self._next] if turns is not None and self._next < len(turns) else None

    def _release(self) -> None:
        arrived = sorted(self.arrived, key=lambda w: w.sent)
        try:
            self.receipt_order = resolve_order(self._order, [w.record for w in arrived], self._seed)
        except Exception as error:  # a user's order callable may raise anything
            self._fail(f"the order could not be resolved: {error}")
            return
        self._turns = [arrived[i] for i in self.receipt_order]
        self._cond.notify_all()

    def _wait_for(self, ready: Callable[[], bool], waited: float = 0.0) -> float:
        """Wait (holding the condition) until ready, the hold failed, or the timeout passed;
        ``waited`` is time this writer already spent waiting. Returns the new total."""
        while not ready():
            if self._failure is not None:
                raise self._failure
            if waited >= self._timeout:
                self._fail(f"timed out after {self._timeout:g}s waiting for {self._expect} writes")
                raise self._failure  # type: ignore[misc]
            if not self._cond.wait(_POLL):
                waited += _POLL
        return waited

    def _fail(self, reason: str) -> None:
        arrived = "; ".join(w.record.describe() for w in self.arrived) or "none"
        self._failure = SimultaneousTimeoutError(f"simultaneous hold failed: {reason}. Arrived: {arrived}")
        self._cond.notify_all()  # every waiting writer wakes, sees the failure and refuses its own writes

    def close(self) -> None:
        """Wait until every expected write was received (or fail, naming what arrived)."""
        with self._cond:
            self._wait_for(lambda: self._turns is not None and self._next >= self._expect)

    def abort(self, reason: str) -> None:
        with self._cond:
            if self._turns is None and self._failure is None:
                self._fail(reason)
