"""Run a scenario once per receipt order of its simultaneous writes and report the orders that break it."""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from fakes3put._commit.policies import Order, replaying
from fakes3put._fake import FakeS3

Permutations = tuple[tuple[int, ...], ...]  # one permutation per window, in the order windows opened


@dataclass(frozen=True, slots=True)
class ExploredRun:
    """One run: the receipt order of each window and how the scenario ended."""

    orders: Permutations
    receipts: tuple[tuple[str, ...], ...]  # per window: its writes described, in receipt order
    error: BaseException | None

    @property
    def passed(self) -> bool:
        """True when the scenario did not raise in this run."""
        return self.error is None

    def describe(self) -> str:
        """The run's orders, each window's writes in receipt order, and the error if it failed."""
        lines = [f"order {list(map(list, self.orders))}: {'passed' if self.passed else 'FAILED'}"]
        for number, receipts in enumerate(self.receipts, 1):
            lines.append(f"  window {number}, received in this order:")
            lines.extend(f"    {position}. {text}" for position, text in enumerate(receipts, 1))
        if self.error is not None:
            lines.append(f"  error: {type(self.error).__name__}: {self.error}")
        return "\n".join(lines)


@dataclass(frozen=True, slots=True)
class Exploration:
    """What ``explore()`` found: every run, the window sizes, and whether the orders were sampled.

    ``total_orders`` is the number of possible order combinations; ``sampled`` is True when
    only ``max_orders`` of them were run. ``str()`` describes the failing runs.
    """

    runs: tuple[ExploredRun, ...]
    window_sizes: tuple[int, ...]
    total_orders: int
    sampled: bool

    @property
    def failures(self) -> list[ExploredRun]:
        """The runs whose scenario raised."""
        return [run for run in self.runs if not run.passed]

    @property
    def failing_orders(self) -> list[Permutations]:
        """Per failing run, one permutation per window: pass one to ``fake.simultaneous(order=...)``."""
        return [run.orders for run in self.failures]

    def assert_all_passed(self) -> None:
        """Raise AssertionError describing every failing order, if any run failed."""
        if self.failures:
            raise AssertionError(str(self))

    def __str__(self) -> str:
        tried = f"{len(self.runs)} of {self.total_orders} orders" + (" (seeded sample)" if self.sampled else "")
        head = f"explored {tried} for windows of sizes {list(self.window_sizes)}: {len(self.failures)} failed"
        replay = "replay one with fake.simultaneous(order=[...]) using the order shown for its window"
        body = "\n".join(run.describe() for run in self.failures)
        return f"{head}\n{body}\n({replay})" if self.failures else head


def _run(
    scenario: Callable[[FakeS3], Any], orders: Sequence[Order], fake_kwargs: dict[str, Any]
) -> tuple[FakeS3, BaseException | None]:
    fake = FakeS3(**fake_kwargs)
    error: BaseException | None = None
    try:
        with replaying(orders), fake:
            scenario(fake)
    except Exception as exc:  # the scenario's verdict, whatever it raised
        error = exc
    return fake, error


def _combinations(sizes: Sequence[int], limit: int, seed: int) -> tuple[list[Permutations], int, bool]:
    total = math.prod(math.factorial(n) for n in sizes)
    if total <= limit:
        every = itertools.product(*(itertools.permutations(range(n)) for n in sizes))
        return [tuple(combo) for combo in every], total, False
    rng = random.Random(seed)
    identity = tuple(tuple(range(n)) for n in sizes)
    chosen: dict[Permutations, None] = {identity: None}
    while len(chosen) < limit:
        combo = []
        for n in sizes:
            order = list(range(n))
            rng.shuffle(order)
            combo.append(tuple(order))
        chosen[tuple(combo)] = None
    return list(chosen), total, True


def explore(
    scenario: Callable[[FakeS3], Any],
    *,
    max_orders: int = 720,
    seed: int = 0,
    **fake_kwargs: Any,
) -> Exploration:
    """Run ``scenario(fake)`` on a fresh, started ``FakeS3(**fake_kwargs)`` once per receipt order.

    The scenario opens ``fake.simultaneous(...)`` windows or holds; each run forces their orders
    (ignoring the ``order`` passed inside). Every order is tried when there are at most
    ``max_orders``; beyond that a sample seeded by ``seed`` (always including the sent order).
    A run fails when the scenario raises. Call ``.assert_all_passed()`` in a test.
    """
    probe, _ = _run(scenario, ["sent"] * 64, fake_kwargs)
    sizes = tuple(len(window.writes) for window in probe.windows)
    combos, total, sampled = _combinations(sizes, max_orders, seed)
    runs = [_explore_one(scenario, combo, sizes, fake_kwargs) for combo in combos]
    return Exploration(tuple(runs), sizes, total, sampled)


def _explore_one(
    scenario: Callable[[FakeS3], Any], combo: Permutations, sizes: tuple[int, ...], fake_kwargs: dict[str, Any]
) -> ExploredRun:
    fake, error = _run(scenario, [list(order) for order in combo], fake_kwargs)
    seen = tuple(len(window.writes) for window in fake.windows)
    if error is None and seen != sizes:
        error = AssertionError(
            f"the scenario is not deterministic: its windows held {list(seen)} writes, first {list(sizes)}"
        )
    receipts = tuple(tuple(_receipts(window.writes, window.receipt_order)) for window in fake.windows)
    return ExploredRun(combo, receipts, error)


def _receipts(writes: Sequence[Any], order: Sequence[int]) -> Iterator[str]:
    for index in order:
        if index < len(writes):
            yield f"#{index} {writes[index].describe()}"
