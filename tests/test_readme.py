"""Every Python example in the README runs, so the README cannot drift from the code.

A block that defines ``test_`` functions runs as a pytest file in a fresh interpreter (with the
fake_s3 fixture); any other block runs as a script. A block preceded by ``<!-- env: NAME -->``
needs clients that live in another environment and runs in that suite (tests_async/) instead.
"""

from __future__ import annotations

import pytest

from .readme_blocks import count_tests, readme_blocks

BLOCKS = readme_blocks()
TEST_FILES = [(line, code) for line, code in BLOCKS if count_tests(code)]
SCRIPTS = [(line, code) for line, code in BLOCKS if not count_tests(code)]


def test_the_readme_has_examples_of_both_kinds():
    assert len(TEST_FILES) >= 3
    assert len(SCRIPTS) >= 1


@pytest.mark.parametrize(("line", "code"), SCRIPTS, ids=[f"README.md:{line}" for line, _ in SCRIPTS])
def test_readme_script_runs(line: int, code: str) -> None:
    exec(compile(code, f"README.md:{line}", "exec"), {"__name__": "__readme__"})


@pytest.mark.parametrize(("line", "code"), TEST_FILES, ids=[f"README.md:{line}" for line, _ in TEST_FILES])
def test_readme_test_file_passes(line: int, code: str, pytester: pytest.Pytester) -> None:
    pytester.makepyfile(**{f"test_readme_{line}": code})
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    assert result.ret == 0, result.stdout.str()
    result.assert_outcomes(passed=count_tests(code))
