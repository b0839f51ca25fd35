"""Every Python example in the README runs, so the README cannot drift from the code.

A block that defines ``test_`` functions runs as a pytest file (with the fake_s3 fixture);
any other block runs as a script. A block preceded by ``<!-- env: NAME -->`` needs clients
that live in another environment (``async``, ``cli``) and runs in that suite instead.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"
_BLOCK = re.compile(r"(?:<!-- env: (?P<env>\w+) -->\s*\n)?```python\n(?P<code>.*?)```", re.S)


def readme_blocks(env: str | None = None) -> list[tuple[int, str]]:
    """(line number, code) of the README's Python blocks meant for ``env`` (None: this suite)."""
    text = README.read_text()
    return [
        (text.count("\n", 0, match.start("code")) + 1, match.group("code"))
        for match in _BLOCK.finditer(text)
        if match.group("env") == env
    ]


BLOCKS = readme_blocks()


def test_the_readme_has_examples():
    assert len(BLOCKS) >= 3


TEST_FILES = [(line, code) for line, code in BLOCKS if re.search(r"^(async )?def test_", code, re.M)]
SCRIPTS = [(line, code) for line, code in BLOCKS if (line, code) not in TEST_FILES]


@pytest.mark.parametrize(("line", "code"), SCRIPTS, ids=[f"README.md:{line}" for line, _ in SCRIPTS])
def test_readme_script_runs(line: int, code: str) -> None:
    exec(compile(code, f"README.md:{line}", "exec"), {"__name__": "__readme__"})


@pytest.mark.parametrize(("line", "code"), TEST_FILES, ids=[f"README.md:{line}" for line, _ in TEST_FILES])
def test_readme_test_file_passes(line: int, code: str, pytester: pytest.Pytester) -> None:
    pytester.makepyfile(**{f"test_readme_{line}": code})
    # A subprocess: the example imports what a user's test file would, in a fresh interpreter.
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    assert result.ret == 0, result.stdout.str()
    result.assert_outcomes(passed=len(re.findall(r"^(?:async )?def test_", code, re.M)))
