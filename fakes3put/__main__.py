"""Command line: ``python -m fakes3put demo``."""

from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    if argv[:1] != ["demo"]:
        print("usage: python -m fakes3put demo", file=sys.stderr)
        return 2
    from fakes3put._demo import run

    return run()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
