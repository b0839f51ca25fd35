"""S3 traffic reaches the fake inside a responses mock, in either nesting order."""

from __future__ import annotations

import pytest
import requests
import responses

from fakes3put import BucketSpec, FakeS3

OPEN = BucketSpec("open-bucket", acl="public-read-write")


def exercise(fake: FakeS3) -> None:
    assert requests.get("https://api.example.test/ping", timeout=5).json() == {"pong": True}
    stored = requests.put("https://open-bucket.s3.amazonaws.com/k", data=b"through", timeout=5)
    assert stored.status_code == 200
    assert fake.buckets["open-bucket"]["k"].body == b"through"
    with pytest.raises(requests.ConnectionError, match="Connection refused by Responses"):
        requests.get("https://api.example.test/unregistered", timeout=5)


def test_fake_inside_responses():
    with responses.RequestsMock() as mock:
        mock.add(responses.GET, "https://api.example.test/ping", json={"pong": True})
        with FakeS3(buckets=[OPEN]) as fake:
            exercise(fake)


def test_responses_inside_fake():
    with FakeS3(buckets=[OPEN]) as fake, responses.RequestsMock() as mock:
        mock.add(responses.GET, "https://api.example.test/ping", json={"pong": True})
        exercise(fake)


@responses.activate
def test_fake_inside_responses_activate():
    responses.add(responses.GET, "https://api.example.test/ping", json={"pong": True})
    with FakeS3(buckets=[OPEN]) as fake:
        exercise(fake)


def test_responses_is_restored_after_the_fake_stops():
    original = responses.RequestsMock._on_request
    with FakeS3():
        assert responses.RequestsMock._on_request is not original
    assert responses.RequestsMock._on_request is original
    with responses.RequestsMock() as mock:
        with pytest.raises(requests.ConnectionError):
            requests.get("https://open-bucket.s3.amazonaws.com/k", timeout=5)
        assert mock.calls[0].request.url == "https://open-bucket.s3.amazonaws.com/k"
