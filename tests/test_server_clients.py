"""Clients with their own HTTP stack (C++, Rust) reach the fake through the loopback server."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest

from fakes3put import FakeS3

pa = pytest.importorskip("pyarrow", reason="pyarrow is in the test extra")
pq = pytest.importorskip("pyarrow.parquet", reason="pyarrow is in the test extra")
pafs = pytest.importorskip("pyarrow.fs", reason="pyarrow is in the test extra")

TABLE = {"id": [1, 2, 3], "name": ["a", "b", "c"]}


def test_pyarrow_s3filesystem_writes_and_reads_back_parquet():
    fake = FakeS3(buckets=["arrow-bucket"], region="eu-west-1")
    with fake.serve() as endpoint:
        filesystem = pafs.S3FileSystem(
            access_key=fake.access_key,
            secret_key=fake.secret_key,
            region="eu-west-1",
            endpoint_override=endpoint.removeprefix("http://"),
            scheme="http",
            allow_bucket_creation=False,
        )
        pq.write_table(pa.table(TABLE), "arrow-bucket/tables/t.parquet", filesystem=filesystem)
        back = pq.read_table("arrow-bucket/tables/t.parquet", filesystem=filesystem)
    assert back.to_pydict() == TABLE
    stored = fake.buckets["arrow-bucket"]["tables/t.parquet"]
    assert stored.body[:4] == b"PAR1"
    operations = {c.operation for c in fake.calls}
    assert operations & {"PutObject", "CompleteMultipartUpload"}
    assert "SignatureDoesNotMatch" not in {c.error_code for c in fake.calls}


def test_obstore_s3store_puts_and_gets_with_signature_checked():
    obstore = pytest.importorskip("obstore", reason="obstore is in the test extra")
    from obstore.store import S3Store

    fake = FakeS3(buckets=["rust-bucket"])
    with fake.serve() as endpoint:
        store = S3Store(
            "rust-bucket",
            endpoint=endpoint,
            region="us-east-1",
            access_key_id=fake.access_key,
            secret_access_key=fake.secret_key,
            client_options={"allow_http": True},
        )
        obstore.put(store, "dir/obj.bin", b"from rust")
        got = bytes(obstore.get(store, "dir/obj.bin").bytes())
        wrong = S3Store(
            "rust-bucket",
            endpoint=endpoint,
            region="us-east-1",
            access_key_id=fake.access_key,
            secret_access_key="wrong-secret",
            client_options={"allow_http": True},
            retry_config={"max_retries": 0, "retry_timeout": timedelta(seconds=5)},
        )
        with pytest.raises(Exception, match="SignatureDoesNotMatch"):
            obstore.put(wrong, "dir/refused.bin", b"nope")
    assert got == b"from rust"
    assert fake.buckets["rust-bucket"]["dir/obj.bin"].body == b"from rust"
    assert "dir/refused.bin" not in fake.buckets["rust-bucket"]


def test_polars_writes_and_reads_s3_parquet_through_storage_options():
    pl = pytest.importorskip("polars", reason="polars is in the test extra")
    fake = FakeS3(buckets=["polars-bucket"])
    with fake.serve() as endpoint:
        options = {
            "aws_endpoint_url": endpoint,
            "aws_access_key_id": fake.access_key,
            "aws_secret_access_key": fake.secret_key,
            "aws_region": "us-east-1",
            "aws_allow_http": "true",
        }
        pl.DataFrame(TABLE).write_parquet("s3://polars-bucket/frames/f.parquet", storage_options=options)
        back = pl.read_parquet("s3://polars-bucket/frames/f.parquet", storage_options=options)
    assert back.to_dict(as_series=False) == TABLE
    assert fake.buckets["polars-bucket"]["frames/f.parquet"].body[:4] == b"PAR1"


def test_obstore_and_polars_reach_the_server_from_the_environment_alone():
    """``serve(env=True)``: AWS_ENDPOINT_URL and AWS_ALLOW_HTTP, credentials from the running fake
    (S3Store reads the environment when given no configuration)."""
    obstore = pytest.importorskip("obstore", reason="obstore is in the test extra")
    pl = pytest.importorskip("polars", reason="polars is in the test extra")
    from obstore.store import S3Store

    fake = FakeS3(buckets=["polars-env"])
    buffer = io.BytesIO()
    pl.DataFrame(TABLE).write_parquet(buffer)
    with fake.serve(env=True):
        obstore.put(S3Store("polars-env"), "env.parquet", buffer.getvalue())
        back = pl.read_parquet("s3://polars-env/env.parquet")
    assert back.to_dict(as_series=False) == TABLE
    assert {c.operation for c in fake.calls} >= {"PutObject", "GetObject"}
