"""``fake.simultaneous(...)``: the block that opens a window or a hold on a fake's sequencer."""

from __future__ import annotations

from collections.abc import Callable

from fakes3put._commit.policies import Hold, Order, Window
from fakes3put._commit.sequencer import Sequencer
from fakes3put._commit.writes import WriteRecord
from fakes3put.errors import FakeS3Error


class Simultaneous:
    """The context manager ``fake.simultaneous(...)`` returns. After exit, ``receipt_order`` holds
    the chosen order (indices into the window's writes in sent order) and ``writes`` their log
    records in sent order.
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
            Window(order, seed, forced) if expect is None else Hold(expect, order, seed, timeout, forced)
        )

    @property
    def receipt_order(self) -> list[int]:
        """Indices into ``writes`` in the order the simulated S3 received them."""
        return self.policy.receipt_order

    @property
    def writes(self) -> list[WriteRecord]:
        """The window's (or hold's) writes, in the order they were sent."""
        writes = self.policy.deferred if isinstance(self.policy, Window) else self.policy.arrived
        return [w.record for w in sorted(writes, key=lambda w: w.sent)]

    def __enter__(self) -> Simultaneous:
        if self._sequencer.policy is not None:
            raise FakeS3Error("a simultaneous window or hold is already open on this fake; they do not nest")
        self._sequencer.policy = self.policy
        return self

    def __exit__(self, exc_type: object, exc: BaseException | None, tb: object) -> None:
        try:
            if isinstance(self.policy, Window):
                # Acknowledged writes are received even if the test then failed.
                self._sequencer.receive_window(self.policy)
            elif exc is None:
                self.policy.close()
            else:
                self.policy.abort("the block raised before the hold completed")
        finally:
            self._sequencer.policy = None
            if self._on_close is not None:
                self._on_close(self)
