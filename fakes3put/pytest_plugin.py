"""pytest plugin: the ``fake_s3`` and ``fake_s3_server`` fixtures and the ``fakes3put(**kwargs)`` marker.

Registered through the ``pytest11`` entry point; the only module that imports pytest.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import pytest

from fakes3put._fake import FakeS3

FakeS3Fixture = FakeS3  # the fixture's type, for annotations: ``def test(fake_s3: FakeS3Fixture)``


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "fakes3put(**kwargs): start a FakeS3 with these constructor arguments for this test "
        "(available as the fake_s3 fixture)",
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A marked test gets the fake even if it does not ask for the fixture by name.
    for item in items:
        marked = item.get_closest_marker("fakes3put") is not None
        if marked and isinstance(item, pytest.Function) and "fake_s3" not in item.fixturenames:
            item.fixturenames.append("fake_s3")


@pytest.fixture
def fake_s3(request: pytest.FixtureRequest) -> Iterator[FakeS3]:
    """A started FakeS3 (constructor kwargs from the ``fakes3put`` marker), stopped after the test."""
    marker = request.node.get_closest_marker("fakes3put")
    kwargs = dict(marker.kwargs) if marker is not None else {}
    if marker is not None and marker.args:
        raise pytest.UsageError("@pytest.mark.fakes3put takes keyword arguments only")
    with FakeS3(**kwargs) as fake:
        request.node.stash[_FAKE] = fake
        yield fake


_FAKE = pytest.StashKey[FakeS3]()
_SHOWN_REFUSALS = 20  # the most recent ones: a long test's report stays readable


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """A failed test using the fixture shows the requests the fake refused, with their diagnosis."""
    report = yield
    fake = item.stash.get(_FAKE, None)
    if report.failed and fake is not None:
        refused = [c for c in fake.calls if not c.ok][-_SHOWN_REFUSALS:]
        if refused:
            report.sections.append(("fakes3put: refused requests", "\n".join(c.describe() for c in refused)))
    return report


@dataclass(frozen=True, slots=True)
class FakeS3Server:
    """The ``fake_s3_server`` fixture: the fake, served over HTTP on a free loopback port."""

    endpoint: str  # ``http://127.0.0.1:PORT``: give it to the client as its endpoint URL
    fake: FakeS3  # the same fake as the ``fake_s3`` fixture: inspect calls, buckets, windows, faults
    environment: Mapping[str, str]  # AWS_* variables that point an SDK (or a subprocess) at the server

    @property
    def port(self) -> int:
        return int(self.endpoint.rsplit(":", 1)[1])

    def __str__(self) -> str:
        return self.endpoint


@pytest.fixture
def fake_s3_server(fake_s3: FakeS3) -> Iterator[FakeS3Server]:
    """The ``fake_s3`` fake, also served over HTTP (for clients with their own HTTP stack and subprocesses)."""
    server = fake_s3.serve()
    with server as endpoint:
        yield FakeS3Server(endpoint, fake_s3, MappingProxyType(server.environment))
