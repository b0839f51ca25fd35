"""Many threads writing at once: no error, and every key ends at the last write received."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from .helpers import make_client

THREADS = 8
PER_THREAD = 500


@pytest.mark.parametrize("same_keys", [False, True], ids=["distinct-keys", "same-keys"])
def test_eight_threads_five_hundred_puts_each(fake_s3, same_keys):
    s3 = make_client(fake_s3, endpoint_url=None, max_pool_connections=THREADS)
    s3.create_bucket(Bucket="threads")

    def writer(thread: int) -> None:
        for n in range(PER_THREAD):
            key = f"key-{n % 20}" if same_keys else f"t{thread}/k{n}"
            s3.put_object(Bucket="threads", Key=key, Body=f"{thread}:{n}".encode())

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(writer, range(THREADS)))

    puts = [w for w in fake_s3.writes if w.operation == "PutObject"]
    assert len(puts) == THREADS * PER_THREAD
    assert all(w.outcome in ("stored", "superseded") for w in puts)
    assert sorted(w.received for w in puts) == list(range(1, THREADS * PER_THREAD + 1))
    bucket = fake_s3.buckets["threads"]
    assert len(bucket) == (20 if same_keys else THREADS * PER_THREAD)
    last_received: dict[str, str] = {}
    for write in sorted(puts, key=lambda w: w.received or 0):
        last_received[write.key] = write.etag or ""
    for key, etag in last_received.items():
        assert bucket[key].etag == etag
    stored = [w for w in puts if w.outcome == "stored"]
    assert len(stored) == len(bucket)
    assert all(not c.error_code for c in fake_s3.calls)
