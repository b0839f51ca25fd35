"""A committed object version cannot change in place: its mappings are read-only copies."""

from __future__ import annotations

import copy
import pickle

import pytest

from fakes3put import FakeS3

from .helpers import make_client


@pytest.fixture
def stored():
    with FakeS3(buckets=["frozen-bucket"]) as fake:
        s3 = make_client(fake)
        s3.put_object(
            Bucket="frozen-bucket",
            Key="src",
            Body=b"hello",
            Metadata={"colour": "blue"},
            CacheControl="no-cache",
            ChecksumAlgorithm="SHA256",
            GrantRead=f'id="{fake.access_key}"',
        )
        yield fake, s3, fake.buckets["frozen-bucket"]["src"]


@pytest.mark.parametrize("field", ["metadata", "headers", "checksums", "grants"])
def test_mutating_a_stored_mapping_raises(stored, field):
    _, _, obj = stored
    mapping = getattr(obj, field)
    assert mapping, f"the put stored some {field}"
    with pytest.raises(TypeError):
        mapping["x-injected"] = "1"
    with pytest.raises(AttributeError):
        mapping.clear()
    with pytest.raises(AttributeError):
        mapping._items = {}


def test_copy_and_head_are_unaffected_by_attempted_mutation(stored):
    fake, s3, obj = stored
    s3.copy_object(Bucket="frozen-bucket", Key="dst", CopySource="frozen-bucket/src")
    copied = fake.buckets["frozen-bucket"]["dst"]
    with pytest.raises(TypeError):
        obj.metadata["colour"] = "red"
    with pytest.raises(TypeError):
        copied.headers["cache-control"] = "public"
    for key in ("src", "dst"):
        head = s3.head_object(Bucket="frozen-bucket", Key=key)
        assert head["Metadata"] == {"colour": "blue"}
        assert head["CacheControl"] == "no-cache"


def test_a_stored_object_keeps_a_copy_not_the_writers_dict():
    from datetime import UTC, datetime

    from fakes3put._commit.store import StoredObject

    metadata = {"a": "1"}
    obj = StoredObject("b", "k", b"", '"e"', datetime(2026, 1, 1, tzinfo=UTC), metadata=metadata)
    metadata["a"] = "2"
    assert obj.metadata == {"a": "1"}
    assert obj.as_received(obj.last_modified, None, None).metadata == {"a": "1"}


def test_pickle_deepcopy_and_equality_still_work(stored):
    _, _, obj = stored
    for clone in (pickle.loads(pickle.dumps(obj)), copy.deepcopy(obj), copy.copy(obj)):
        assert clone == obj
        assert clone.metadata == {"colour": "blue"}
        assert dict(clone.headers) == dict(obj.headers)
        with pytest.raises(TypeError):
            clone.metadata["colour"] = "red"
    assert hash(obj.metadata) == hash(pickle.loads(pickle.dumps(obj)).metadata)
