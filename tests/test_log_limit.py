"""``fake.calls`` and ``fake.writes`` keep their most recent entries (``log_limit``), so a long-lived
fake does not grow without bound; what they let go of is counted and really freed."""

from __future__ import annotations

import gc
import weakref
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
import urllib3
from botocore.exceptions import ClientError

from fakes3put import BucketSpec, FakeS3, FakeS3Error
from fakes3put._commit.policies import Window
from fakes3put._commit.sequencer import Sequencer
from fakes3put._commit.store import Bucket, Store
from fakes3put._commit.writes import Mutation

from .helpers import make_client

URL = "https://log-bucket.s3.amazonaws.com"


def started(**options):
    return FakeS3(buckets=[BucketSpec("log-bucket", acl="public-read-write")], isolate_environment=False, **options)


def put_many(count, keys=10):
    http = urllib3.PoolManager()
    for n in range(count):
        assert http.request("PUT", f"{URL}/key-{n % keys}", body=b"x").status == 200


def test_the_default_keeps_ten_thousand_entries_each():
    fake = FakeS3()
    assert fake.calls.limit == fake.writes.limit == 10_000
    assert FakeS3(log_limit=None).calls.limit is None


def test_the_logs_keep_the_most_recent_entries_and_count_the_rest():
    with started(log_limit=50) as fake:
        put_many(20)
        oldest = weakref.ref(fake.writes[0])
        put_many(280)
        assert 50 <= len(fake.calls) <= 53
        assert 50 <= len(fake.writes) <= 53
        assert len(fake.calls) + fake.calls.dropped == 300
        assert len(fake.writes) + fake.writes.dropped == 300
        assert fake.calls[-1].key == "key-9"
        assert [w.sent for w in fake.writes] == list(range(301 - len(fake.writes), 301))
        gc.collect()
        assert oldest() is None, "a write record the log dropped is freed"
        assert fake.buckets["log-bucket"]["key-9"].body == b"x"


def test_zero_turns_the_logs_off_and_reset_restarts_the_counts():
    with started(log_limit=0) as fake:
        put_many(30)
        assert fake.calls == []
        assert fake.writes == []
        assert (fake.calls.dropped, fake.writes.dropped) == (30, 30)
        assert len(fake.buckets["log-bucket"]) == 10
        fake.reset()
        assert (fake.calls.dropped, fake.writes.dropped) == (0, 0)


def test_race_detection_does_not_need_the_log():
    with started(log_limit=0) as fake:
        s3 = make_client(fake)

        def writer(n):
            try:
                s3.put_object(Bucket="log-bucket", Key="once", Body=f"w{n}".encode(), IfNoneMatch="*")
            except ClientError as error:
                return error.response["Error"]["Code"]
            return "won"

        with ThreadPoolExecutor(3) as pool, fake.simultaneous(expect=3):
            futures = [pool.submit(writer, n) for n in range(3)]
        outcomes = sorted(f.result() for f in futures)
        assert outcomes == ["ConditionalRequestConflict", "ConditionalRequestConflict", "won"]
        assert [w.outcome for w in fake.windows[0].writes].count("stored") == 1


def test_a_write_in_flight_keeps_its_record_findable_until_it_is_done():
    now = datetime(2026, 12, 3, tzinfo=UTC)
    store = Store()
    sequencer = Sequencer(store, lambda: now, log_limit=0)
    bucket = Bucket("log-bucket", region="us-east-1", owner=None, created=now)
    sequencer.change_buckets(lambda s: s.add_bucket(bucket))
    mutation = Mutation(bucket, "k", "DeleteObject", None, sequencer.next_sent(), now)
    window = Window("sent", None, None)
    sequencer.policy = window  # the write is acknowledged and held back: in flight
    submitted = sequencer.submit(mutation)
    assert sequencer.writes == []
    sent, record_id = mutation.sent, id(submitted.record)
    del submitted
    gc.collect()
    held = sequencer.record_for(sent)
    assert held is not None  # in flight: the window holds it
    assert id(held) == record_id
    del held
    sequencer.policy = None
    del window
    gc.collect()
    assert sequencer.record_for(sent) is None  # never received, out of the log, held by nothing: freed


@pytest.mark.parametrize("limit", [-1, 1.5, True, "10"])
def test_a_bad_limit_is_refused(limit):
    with pytest.raises(FakeS3Error, match="log_limit"):
        FakeS3(log_limit=limit)
