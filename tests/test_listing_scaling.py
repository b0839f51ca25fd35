"""A listing page reads what it sends, not the whole bucket: keys are kept sorted as they are written.

Cost is counted, not timed: how many object versions a page looks at (``StoredObject.visible`` is
asked once per version a reader considers). Timings are in benchmarks/listing.py.
"""

from __future__ import annotations

import itertools
import random
from datetime import UTC, datetime, timedelta, timezone

import pytest
import urllib3
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fakes3put import BucketSpec, FakeS3
from fakes3put._commit.store import StoredObject
from fakes3put._ops._common import iso_time
from fakes3put._ops.listing import listing_time

from .helpers import make_client

KEYS = 3_000
FOLDERS = 4


@pytest.fixture(scope="module")
def crowded():
    """A bucket of 3,000 keys in 4 folders, written in shuffled order, and a versioned one like it."""
    buckets = [BucketSpec(name, acl="public-read-write") for name in ("crowded-bucket", "crowded-versions")]
    with FakeS3(buckets=buckets, isolate_environment=False) as fake:
        s3 = make_client(fake)
        s3.put_bucket_versioning(Bucket="crowded-versions", VersioningConfiguration={"Status": "Enabled"})
        http = urllib3.PoolManager()
        numbers = list(range(KEYS))
        random.Random(7).shuffle(numbers)
        for bucket in ("crowded-bucket", "crowded-versions"):
            for n in numbers:
                http.request("PUT", f"https://{bucket}.s3.amazonaws.com/dir{n % FOLDERS}/key-{n:05d}", body=b"x")
        yield fake, s3


@pytest.fixture
def looked_at(monkeypatch):
    """How many versions readers looked at since the fixture started."""
    counted = [0]
    original = StoredObject.visible

    def counting(self, now):
        counted[0] += 1
        return original(self, now)

    monkeypatch.setattr(StoredObject, "visible", counting)
    return counted


def test_a_one_key_page_looks_at_a_few_keys_not_the_bucket(crowded, looked_at):
    _, s3 = crowded
    page = s3.list_objects_v2(Bucket="crowded-bucket", MaxKeys=1)
    assert [o["Key"] for o in page["Contents"]] == ["dir0/key-00000"]
    assert page["IsTruncated"] is True
    assert looked_at[0] <= 2  # the key sent and the one that says more follow


def test_a_page_after_a_marker_starts_there(crowded, looked_at):
    _, s3 = crowded
    page = s3.list_objects(Bucket="crowded-bucket", Marker="dir2/key-01000", MaxKeys=3)
    assert [o["Key"] for o in page["Contents"]] == ["dir2/key-01002", "dir2/key-01006", "dir2/key-01010"]
    assert looked_at[0] <= 4


def test_a_delimiter_page_jumps_over_each_folder(crowded, looked_at):
    _, s3 = crowded
    page = s3.list_objects_v2(Bucket="crowded-bucket", Delimiter="/")
    assert [p["Prefix"] for p in page["CommonPrefixes"]] == [f"dir{n}/" for n in range(FOLDERS)]
    assert looked_at[0] <= FOLDERS


def test_a_prefix_page_reads_only_under_the_prefix(crowded, looked_at):
    _, s3 = crowded
    page = s3.list_objects_v2(Bucket="crowded-bucket", Prefix="dir3/key-0299")
    assert [o["Key"] for o in page["Contents"]] == ["dir3/key-02991", "dir3/key-02995", "dir3/key-02999"]
    assert looked_at[0] <= 4


def test_a_one_version_page_looks_at_a_few_versions(crowded, looked_at):
    _, s3 = crowded
    page = s3.list_object_versions(Bucket="crowded-versions", MaxKeys=1)
    assert [v["Key"] for v in page["Versions"]] == ["dir0/key-00000"]
    following = s3.list_object_versions(
        Bucket="crowded-versions",
        MaxKeys=1,
        KeyMarker=page["NextKeyMarker"],
        VersionIdMarker=page["NextVersionIdMarker"],
    )
    assert [v["Key"] for v in following["Versions"]] == ["dir0/key-00004"]
    assert looked_at[0] <= 6


def test_python_string_order_is_utf8_byte_order():
    """The sorted index compares str; S3 sorts UTF-8 bytes. They agree for every code point,
    lone surrogates included (encoded as their 3-byte form, as the listing's sort key does)."""

    @given(st.lists(st.text(st.characters(), max_size=5), max_size=30))
    def agree(keys):
        encoded = sorted(keys, key=lambda k: k.encode("utf-8", "surrogatepass"))
        assert sorted(keys) == encoded

    agree()


NAMES = st.text(st.sampled_from("ab/é+ 日\x7f~"), min_size=1, max_size=6)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    keys=st.sets(NAMES, min_size=1, max_size=25),
    deleted=st.sets(NAMES, max_size=5),
    prefix=st.sampled_from(["", "a", "a/", "é", "b/"]),
    delimiter=st.sampled_from(["", "/", "b"]),
    page_size=st.integers(1, 7),
)
def test_paging_matches_a_model_of_s3_order(keys, deleted, prefix, delimiter, page_size):
    with FakeS3(buckets=["model-bucket"], isolate_environment=False) as fake:
        s3 = make_client(fake)
        s3.put_bucket_versioning(Bucket="model-bucket", VersioningConfiguration={"Status": "Enabled"})
        for key in sorted(keys | deleted):
            s3.put_object(Bucket="model-bucket", Key=key, Body=b"")
        for key in deleted:
            s3.delete_object(Bucket="model-bucket", Key=key)  # a delete marker hides the key from listings
        live = sorted((k for k in keys - deleted if k.startswith(prefix)), key=lambda k: k.encode())
        want_keys, want_prefixes = [], []
        for key in live:
            cut = key.find(delimiter, len(prefix)) if delimiter else -1
            if cut < 0:
                want_keys.append(key)
            elif key[: cut + len(delimiter)] not in want_prefixes:
                want_prefixes.append(key[: cut + len(delimiter)])
        for operation in ("list_objects_v2", "list_objects"):
            pages = s3.get_paginator(operation).paginate(
                Bucket="model-bucket", Prefix=prefix, Delimiter=delimiter, PaginationConfig={"PageSize": page_size}
            )
            got_keys, got_prefixes = [], []
            for page in pages:
                got_keys += [o["Key"] for o in page.get("Contents", [])]
                got_prefixes += [p["Prefix"] for p in page.get("CommonPrefixes", [])]
            assert got_keys == want_keys, operation
            assert got_prefixes == want_prefixes, operation


@given(
    st.datetimes(min_value=datetime(1000, 1, 2), timezones=st.sampled_from([UTC, timezone(timedelta(hours=-3)), None]))
)
def test_listing_timestamps_match_s3s_format(moment):
    # From year 1000 on: strftime writes earlier years with fewer than four digits.
    assert listing_time(moment) == iso_time(moment)


def test_listing_while_other_threads_write_sees_sorted_pages():
    """Pages read the sorted keys a batch at a time while writers add and delete keys."""
    import threading

    with FakeS3(buckets=[BucketSpec("busy-bucket", acl="public-read-write")], isolate_environment=False) as fake:
        s3 = make_client(fake)
        http = urllib3.PoolManager()
        for n in range(0, 600, 2):
            http.request("PUT", f"https://busy-bucket.s3.amazonaws.com/key-{n:04d}", body=b"x")
        done = threading.Event()

        def writer():
            n = 1
            while not done.is_set():
                http.request("PUT", f"https://busy-bucket.s3.amazonaws.com/key-{n % 600:04d}", body=b"x")
                http.request("DELETE", f"https://busy-bucket.s3.amazonaws.com/key-{(n + 300) % 600:04d}")
                n += 2

        thread = threading.Thread(target=writer)
        thread.start()
        try:
            for _ in range(4):
                pages = s3.get_paginator("list_objects_v2").paginate(
                    Bucket="busy-bucket", PaginationConfig={"PageSize": 50}
                )
                listed = [o["Key"] for page in pages for o in page.get("Contents", [])]
                assert all(a < b for a, b in itertools.pairwise(listed)), "each key once, in order, across pages"
                assert listed
        finally:
            done.set()
            thread.join()
