"""Where a small put spends its time inside the fake: the median per stage, in a real put loop.

    python benchmarks/stages.py                 # boto3 put_object, 1 KiB, default checksums
    python benchmarks/stages.py --client requests
    python benchmarks/stages.py --size 1048576 --calls 500

Each stage function of the request path is wrapped with a ``perf_counter`` pair for the run
(which adds well under a microsecond per stage), so the figures are what the stages cost
between the client's own work, not in a tight loop. Stages nest: ``handle`` includes
``_process``, which includes ``authenticate``, and so on. This is a profiling aid for the
figures in RESULTS.md, not a benchmark: ``run.py`` and ``compare.py`` give the timings.
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

# (module, owner inside it or "", function name): the stages of one request, outermost first.
STAGES = [
    ("_fake", "FakeS3", "_answer"),
    ("_service", "", "handle"),
    ("_service", "", "_process"),
    ("_service", "", "_take_payload"),
    ("_service", "", "authenticate"),
    ("_service", "", "_log"),
    ("_wire.parse", "", "effective_headers"),
    ("_wire.parse", "", "build_request"),
    ("_wire.response", "Response", "to_urllib3"),
    ("_ops.put", "", "writable_bucket"),
    ("_ops.put", "", "requested_attributes"),
    ("_ops.put", "", "new_version"),
    ("_ops.put", "", "submit_version"),
    ("_ops.integrity", "", "declared_length"),
    ("_ops.integrity", "", "verify"),
    ("_commit.sequencer", "Sequencer", "submit"),
    ("_commit.sequencer", "Sequencer", "receive"),
    ("_state", "FakeState", "request_ids"),
]


def instrument(samples: dict[str, list[float]]) -> None:
    import importlib

    for module_name, owner_name, function_name in STAGES:
        module = importlib.import_module(f"fakes3put.{module_name}")
        owner: Any = getattr(module, owner_name) if owner_name else module
        original = getattr(owner, function_name)
        label = f"{owner_name or module_name}.{function_name}"
        setattr(owner, function_name, _timed(original, samples[label]))


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
