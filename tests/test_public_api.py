"""The public surface: what ``fakes3put`` exports, typed states that catch typos, docstrings, read-only config."""

from __future__ import annotations

import inspect
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import fakes3put
from fakes3put import FakeS3

ROOT = Path(__file__).resolve().parent.parent


def test_mypy_catches_a_typo_in_a_state_name(tmp_path: Path) -> None:
    snippet = tmp_path / "snippet.py"
    snippet.write_text(
        textwrap.dedent(
            """
            import unittest

            from fakes3put import BucketSpec, FakeS3

            fake = FakeS3(consistency="strnog")
            fake.faults.add("SlowDwon")
            fake.simultaneous(order="revrse")
            BucketSpec("b", object_ownership="BucketOwnerEnforcd")
            spec = BucketSpec("c", object_ownership="BucketOwnerEnforced")
            fine = FakeS3(consistency="eventual", visibility_lag=1, buckets=[spec])
            fine.faults.add("reset-after-commit")
            fine.simultaneous(order="shuffle", seed=1)

            @FakeS3()
            def takes_int(n: int) -> str:
                return str(n)

            takes_int("not an int")

            @FakeS3()
            async def awaitable(n: int) -> int:
                return n

            async def use() -> int:
                return await awaitable(1) + 1

            @FakeS3()
            class Case(unittest.TestCase):
                def test_it(self) -> None:
                    pass

            case: type[unittest.TestCase] = Case
            """
        )
    )
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--follow-imports=silent",
            "--cache-dir",
            str(tmp_path / "cache"),
            "snippet.py",
        ],
        cwd=tmp_path,
        env={**os.environ, "MYPYPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=False,
    )
    errors = [line for line in result.stdout.splitlines() if ": error:" in line]
    # The four typos, and the decorated function keeps its parameter types; nothing else is flagged.
    assert len(errors) == 5, result.stdout
    for expected in ("strnog", "SlowDwon", "revrse", "BucketOwnerEnforcd", '"takes_int" has incompatible type'):
        assert sum(expected in line for line in errors) == 1, result.stdout


def test_all_lists_what_users_use_and_only_that() -> None:
    for name in fakes3put.__all__:
        assert getattr(fakes3put, name) is not None
    # Users never receive S3Error (the fake renders it as S3's XML); it lives in fakes3put.errors.
    assert "S3Error" not in fakes3put.__all__
    from fakes3put.errors import S3Error, SimultaneousTimeoutError

    assert fakes3put.SimultaneousTimeoutError is SimultaneousTimeoutError
    assert issubclass(S3Error, Exception)


def _public_members(obj: object) -> list[tuple[str, object]]:
    members: list[tuple[str, object]] = []
    for name, value in vars(obj).items():
        if name.startswith("_"):
            continue
        if isinstance(value, property):
            members.append((name, value.fget))
        elif isinstance(value, (staticmethod, classmethod)):
            members.append((name, value.__func__))
        elif inspect.isfunction(value):
            members.append((name, value))
    return members


def test_every_public_name_and_member_has_a_docstring() -> None:
    missing = []
    for name in fakes3put.__all__:
        value = getattr(fakes3put, name)
        if not (inspect.isclass(value) or inspect.isfunction(value)):
            continue  # constants and type aliases are documented where they are defined
        doc = inspect.getdoc(value) or ""
        if not doc or doc.startswith(f"{name}("):  # a dataclass's generated signature is no docstring
            missing.append(name)
        if inspect.isclass(value):
            for cls in value.__mro__:
                if cls.__module__.startswith("fakes3put"):
                    missing += [f"{name}.{member}" for member, f in _public_members(cls) if not f.__doc__]
    assert missing == []


@pytest.mark.parametrize(
    ("attribute", "value"),
    [
        ("aws", False),
        ("passthrough", False),
        ("endpoints", ()),
        ("isolate_environment", False),
        ("as_kwarg", "s3"),
        ("windows", []),
        ("region", "eu-west-1"),
        ("credentials", {}),
        ("consistency", "eventual"),
        ("visibility_lag", 1.0),
        ("buckets", {}),
        ("calls", []),
        ("writes", []),
        ("faults", None),
    ],
)
def test_configuration_is_read_only_after_construction(attribute: str, value: object) -> None:
    fake = FakeS3()
    with pytest.raises(AttributeError, match=rf"FakeS3\.{attribute} is read-only: \w") as raised:
        setattr(fake, attribute, value)
    assert "FakeS3(" in str(raised.value) or "reset()" in str(raised.value) or "faults.add" in str(raised.value)
