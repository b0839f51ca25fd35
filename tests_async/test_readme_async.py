"""The README's async examples (the blocks marked ``<!-- env: async -->``) pass as written."""

from __future__ import annotations

import pytest

from tests.readme_blocks import count_tests, readme_blocks

pytest.importorskip("aiobotocore")
BLOCKS = readme_blocks("async")


def test_the_readme_has_async_examples():
    assert BLOCKS


@pytest.mark.parametrize(("line", "code"), BLOCKS, ids=[f"README.md:{line}" for line, _ in BLOCKS])
def test_readme_async_example_passes(line: int, code: str, pytester: pytest.Pytester) -> None:
    pytester.makepyfile(**{f"test_readme_{line}": code})
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    assert result.ret == 0, result.stdout.str()
    result.assert_outcomes(passed=count_tests(code))
