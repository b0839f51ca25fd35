"""The README's Python examples, for the suites that run them (tests/ and tests_async/)."""

from __future__ import annotations

import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
_BLOCK = re.compile(r"(?:<!-- env: (?P<env>\w+) -->\s*\n)?```python\n(?P<code>.*?)```", re.S)
_TEST_FUNCTION = re.compile(r"^(?:async )?def test_", re.M)


def readme_blocks(env: str | None = None) -> list[tuple[int, str]]:
    """(line number, code) of the README's Python blocks meant for ``env`` (None: the main suite)."""
    text = README.read_text()
    return [
        (text.count("\n", 0, match.start("code")) + 1, match.group("code"))
        for match in _BLOCK.finditer(text)
        if match.group("env") == env
    ]


def count_tests(code: str) -> int:
    """How many test functions a block defines (0: it is a script)."""
    return len(_TEST_FUNCTION.findall(code))
