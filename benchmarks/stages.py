"""Where a small put spends its time inside the fake: the median per stage, in a real put loop.

    python benchmarks/stages.py                 # boto3 put_object, 1 KiB, default checksums
    python benchmarks/stages.py --client requests
    python benchmarks/stages.py --size 1048576 --calls 500

Each stage function of the request path is wrapped with a ``perf_counter`` pair for the run
(which adds well under a microsecond per stage), so the figures are what the stages cost
between the client's own work, not in a tight loop. Stages nest (``handle`` includes the rest
of the pipeline, and so on); the package lists them in ``fakes3put._service.PROFILED_STAGES``.
This is a profiling aid for the figures in RESULTS.md, not a benchmark: ``run.py`` and
``compare.py`` give the timings.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # the benchmark's own client and fake set-ups


def instrument(samples: dict[str, list[float]]) -> None:
    import importlib

    from fakes3put._service import PROFILED_STAGES  # the package names its own stages

    for label, module_name, owner_name, function_name in PROFILED_STAGES:
        module = importlib.import_module(module_name)
        owner: Any = getattr(module, owner_name) if owner_name else module
        setattr(owner, function_name, _timed(getattr(owner, function_name), samples[label]))


def _timed(original: Callable[..., Any], into: list[float]) -> Callable[..., Any]:
    def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            into.append(time.perf_counter() - started)

    return timed


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--client", choices=("boto3", "requests"), default="boto3")
    parser.add_argument("--size", type=int, default=run.KIB, help="body size in bytes")
    parser.add_argument("--calls", type=int, default=3000)
    args = parser.parse_args(argv)

    samples: dict[str, list[float]] = defaultdict(list)
    instrument(samples)
    body = b"x" * args.size
    if args.client == "requests":
        put, stop = run.requests_fake(body)
    else:
        variant = run.FakeVariant(body)
        put, stop = variant.setup(), variant.teardown
    try:
        for _ in range(300):  # warm: lazy imports, pools, caches
            put()
        for values in samples.values():
            values.clear()  # the wrappers hold these lists: empty them, keep them
        whole = []
        for _ in range(args.calls):
            started = time.perf_counter()
            put()
            whole.append(time.perf_counter() - started)
    finally:
        stop()

    print(f"{args.client} put, {args.size} bytes, {args.calls} calls: median per stage (µs)")
    print(f"{'whole put (client included)':40s} {statistics.median(whole) * 1e6:8.1f}")
    measured = {label: values for label, values in samples.items() if values}
    for label, values in sorted(measured.items(), key=lambda item: -statistics.median(item[1])):
        print(f"{label:40s} {statistics.median(values) * 1e6:8.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
