"""Near-simultaneous writes: windows (single-threaded code) and holds (threads).

Both are policies on the sequencer; neither touches the store itself.

* A **window** acknowledges each unconditional write at once and receives them all, in the
  chosen order, when it closes. Reads inside see the state from before the window.
  A conditional write cannot be acknowledged before it is decided, so inside a window it is
  received at once, in sent order (and reads after it see it).
* A **hold** parks arriving writes (conditional ones included) until ``expect`` of them have
  arrived, then receives them one by one in the chosen order; each writer is answered after
  its own receipt, so a losing conditional write is told 412/409. The keys of one DeleteObjects
  arrive together, each counted, and are received in their own turns.
"""

from __future__ import annotations

import contextlib
import functools
import random
import threading
from collections.abc import Callable, Iterator, Sequence
from contextvars import ContextVar
from typing import TYPE_CHECKING, Literal, Protocol

from fakes3put.errors import HOLD_TIMEOUT_CODE, FakeS3Error, S3Error, SimultaneousTimeoutError

if TYPE_CHECKING:
    from fakes3put._commit.sequencer import Mutation, Sequencer, WriteRecord

OrderFunction = Callable[[list["WriteRecord"]], Sequence[int]]
OrderName = Literal["sent", "reverse", "shuffle"]
"""A named receipt order for ``fake.simultaneous(order=...)`` (``"shuffle"`` uses ``seed``)."""
Order = OrderName | Sequence[int] | OrderFunction

# Set by explore() around each run: the receipt order to force on each window, by opening index.
_REPLAYED_ORDERS: ContextVar[Sequence[Order] | None] = ContextVar("fakes3put_replayed_orders", default=None)

ORDER_FAILED = "FakeS3OrderFailed"  # write-log code of acknowledged writes whose window order was unusable
_POLL = 0.02  # seconds per wait slice; elapsed time is summed from slices so a frozen clock cannot stall a hold


@contextlib.contextmanager
def replaying(orders: Sequence[Order]) -> Iterator[None]:
    """Windows opened in this context take ``orders[i]`` (the i-th window opened on a fake), whatever they ask."""
    token = _REPLAYED_ORDERS.set(list(orders))
    try:
        yield
    finally:
        _REPLAYED_ORDERS.reset(token)


def replayed_order(window_index: int) -> Order | None:
    """The order ``replaying`` forces on a fake's ``window_index``-th window, if any."""
    orders = _REPLAYED_ORDERS.get()
    if orders is None or window_index >= len(orders):
        return None
    return orders[window_index]


class Policy(Protocol):
    def take(self, mutation: Mutation) -> bool:
        """Take the announced write (True), or leave it to be received at once (False); one locked decision."""
        ...

    def take_all(self, mutations: Sequence[Mutation]) -> list[bool] | None:
        """The writes of one request, not yet announced: None to have them submitted one by one;
        or announce them and take them together, each its own arrival, returning which were taken
        (a taken write refused at receipt gets ``refusal`` instead of raising)."""
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


class Window:
    """``with fake.simultaneous(order=...)``: acknowledged now, received when the window closes."""

    def __init__(self, sequencer: Sequencer, order: Order, seed: int | None, forced: Order | None) -> None:
        self._sequencer = sequencer
        self._order = order
        self._seed = seed
        self._forced = forced
        self._lock = threading.Lock()
        self.deferred: list[Mutation] = []
        self.receipt_order: list[int] = []
        self._closed = False

    def take(self, mutation: Mutation) -> bool:
        if mutation.condition is not None:
            return False
        with self._lock:
            if self._closed:
                return False  # a write racing the block's end is simply received now
            self.deferred.append(mutation)
            return True

    def take_all(self, mutations: Sequence[Mutation]) -> list[bool] | None:  # noqa: ARG002 - the Policy shape
        return None  # each write is deferred as it comes: one request's writes need not arrive together

    def close(self) -> None:
        with self._lock:
            self._closed = True
            deferred = sorted(self.deferred, key=lambda m: m.sent)
        records = [m.record for m in deferred if m.record is not None]
        order = self._forced if self._forced is not None else self._order
        try:
            self.receipt_order = resolve_order(order, records, self._seed)
        except Exception:
            for record in records:  # acknowledged, but never received: the log must not say pending
                record.outcome, record.error_code = "rejected", ORDER_FAILED
            raise
        for index in self.receipt_order:
            # A write refused at receipt (its bucket is gone) is in the write log as rejected.
            with contextlib.suppress(S3Error):
                self._sequencer.receive(deferred[index])


class Hold:
    """``with fake.simultaneous(expect=N, ...)``: writes wait until N arrived, then go in order."""

    def __init__(
        self,
        sequencer: Sequencer,
        expect: int,
        order: Order,
        seed: int | None,
        timeout: float,
        forced: Order | None,
    ) -> None:
        if expect < 1:
            raise FakeS3Error("expect must be at least 1")
        self._sequencer = sequencer
        self._expect = expect
        self._order = order
        self._seed = seed
        self._timeout = timeout
        self._forced = forced
        self._cond = threading.Condition()
        self.arrived: list[Mutation] = []
        self._turns: list[Mutation] | None = None
        self._next = 0
        self._failure: SimultaneousTimeoutError | None = None
        self.receipt_order: list[int] = []

    def take(self, mutation: Mutation) -> bool:
        with self._cond:
            if self._turns is not None or self._failure is not None:
                return False  # the hold already gathered its writes (or gave up)
            self.arrived.append(mutation)
            if len(self.arrived) == self._expect:
                self._release()
            self._wait_for(lambda: self._turns is not None and self._turns[self._next] is mutation)
        try:
            self._sequencer.receive(mutation)
        finally:
            with self._cond:
                self._next += 1
                self._cond.notify_all()
        return True

    def take_all(self, mutations: Sequence[Mutation]) -> list[bool] | None:
        """Several writes of one request arrive together, each counted; those beyond ``expect``
        are left to be received at once. This thread receives its own in their turns, waiting
        between them while other writers take theirs.

        If the hold gives up before any of them was received, the request fails as a single write
        would; if it gives up part-way, the ones not received are refused one by one.
        """
        with self._cond:
            if self._turns is not None or self._failure is not None:
                return None  # the hold has gathered (or given up): they go one by one
            for each in mutations:
                self._sequencer.announce(each)
            held = list(mutations[: self._expect - len(self.arrived)])
            self.arrived.extend(held)
            if len(self.arrived) == self._expect:
                self._release()
        extra = list(mutations[len(held) :])
        waiting = list(held)
        received_any = False
        waited = 0.0  # one timeout for the request's whole wait, not one per key
        try:
            while waiting:
                with self._cond:
                    waited = self._wait_for(functools.partial(self._turn_is_among, tuple(waiting)), waited)
                    mutation = self._turn()
                assert mutation is not None
                waiting = [m for m in waiting if m is not mutation]
                try:
                    self._sequencer.receive(mutation)
                except S3Error as error:
                    mutation.refusal = error
                finally:
                    received_any = True
                    with self._cond:
                        self._next += 1
                        self._cond.notify_all()
        except SimultaneousTimeoutError as failure:
            unreceived = waiting + extra
            for mutation in unreceived:
                if mutation.record is not None and mutation.record.received is None:
                    mutation.record.outcome, mutation.record.error_code = "rejected", HOLD_TIMEOUT_CODE
            if not received_any:
                raise
            for mutation in unreceived:
                mutation.refusal = S3Error(HOLD_TIMEOUT_CODE, str(failure), status=400, hint=str(failure))
            return [True] * len(mutations)
        return [True] * len(held) + [False] * len(extra)

    def _turn_is_among(self, pending: tuple[Mutation, ...]) -> bool:
        turn = self._turn()
        return any(turn is mutation for mutation in pending)

    def _turn(self) -> Mutation | None:
        """The write whose turn it is to be received (None until the hold has released)."""
        turns = self._turns
        return turns[self._next] if turns is not None and self._next < len(turns) else None

    def _release(self) -> None:
        arrived = sorted(self.arrived, key=lambda m: m.sent)
        records = [m.record for m in arrived if m.record is not None]
        order = self._forced if self._forced is not None else self._order
        try:
            self.receipt_order = resolve_order(order, records, self._seed)
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
        arrived = "; ".join(m.record.describe() for m in self.arrived if m.record is not None) or "none"
        self._failure = SimultaneousTimeoutError(f"simultaneous hold failed: {reason}. Arrived: {arrived}")
        for mutation in self.arrived:
            if mutation.record is not None and mutation.record.received is None:
                mutation.record.outcome = "rejected"
                mutation.record.error_code = HOLD_TIMEOUT_CODE
        self._cond.notify_all()

    def close(self) -> None:
        """Wait until every expected write was received (or fail, naming what arrived)."""
        with self._cond:
            self._wait_for(lambda: self._turns is not None and self._next >= self._expect)

    def abort(self, reason: str) -> None:
        with self._cond:
            if self._turns is None and self._failure is None:
                self._fail(reason)


class Simultaneous:
    """The context manager ``fake.simultaneous(...)`` returns; after exit, ``receipt_order``
    holds the chosen order (indices into the window's writes in sent order) and ``writes``
    their log records in sent order.
    """

    def __init__(
        self,
        sequencer: Sequencer,
        *,
        order: Order,
        seed: int | None,
        expect: int | None,
        timeout: float,
        forced: Order | None,
        on_close: Callable[[Simultaneous], None] | None = None,
    ) -> None:
        self._sequencer = sequencer
        self._on_close = on_close
        self.policy: Window | Hold = (
            Window(sequencer, order, seed, forced)
            if expect is None
            else Hold(sequencer, expect, order, seed, timeout, forced)
        )

    @property
    def receipt_order(self) -> list[int]:
        """The order the writes were received in, as indices into ``writes`` (set when the block ends)."""
        return self.policy.receipt_order

    @property
    def writes(self) -> list[WriteRecord]:
        """The window's or hold's writes' log records, in sent order."""
        mutations = self.policy.deferred if isinstance(self.policy, Window) else self.policy.arrived
        return [m.record for m in sorted(mutations, key=lambda m: m.sent) if m.record is not None]

    def __enter__(self) -> Simultaneous:
        if self._sequencer.policy is not None:
            raise FakeS3Error("a simultaneous window or hold is already open on this fake; they do not nest")
        self._sequencer.policy = self.policy
        return self

    def __exit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        try:
            if exc is None:
                self.policy.close()
            elif isinstance(self.policy, Hold):
                self.policy.abort("the block raised before the hold completed")
            else:
                self.policy.close()  # acknowledged writes are received even if the test then failed
        finally:
            self._sequencer.policy = None
            if self._on_close is not None:
                self._on_close(self)
