"""s3fs and pandas (through fsspec) reach the fake with unmodified code: credentials come from its environment."""

from __future__ import annotations

import pytest

pytest.importorskip("s3fs")

import pandas as pd
import s3fs

pytestmark = pytest.mark.fakes3put(buckets=["frames"])


def test_pipe_and_cat(fake_s3):
    fs = s3fs.S3FileSystem()
    fs.pipe("frames/raw.bin", b"\x00\x01payload")
    assert fake_s3.buckets["frames"]["raw.bin"].body == b"\x00\x01payload"
    assert fs.cat("frames/raw.bin") == b"\x00\x01payload"


def test_open_for_writing_a_large_file_is_a_multipart_upload(fake_s3):
    fs = s3fs.S3FileSystem()
    part = 5 * 2**20
    body = bytes(range(256)) * ((2 * part + 1000) // 256)
    with fs.open("frames/big.bin", "wb", block_size=part) as handle:
        for start in range(0, len(body), part):
            handle.write(body[start : start + part])  # one block at a time, as a streaming writer does
    stored = fake_s3.buckets["frames"]["big.bin"]
    assert stored.body == body
    assert stored.etag.endswith('-3"')  # three parts: two of 5 MiB and the rest
    operations = [call.operation for call in fake_s3.calls]
    assert operations.count("UploadPart") == 3
    assert "CompleteMultipartUpload" in operations


def test_pandas_round_trip_through_s3_urls(fake_s3):
    frame = pd.DataFrame({"city": ["Oslo", "Lima"], "temp": [3.5, 19.0]})
    frame.to_csv("s3://frames/weather.csv", index=False)
    assert fake_s3.buckets["frames"]["weather.csv"].body == b"city,temp\nOslo,3.5\nLima,19.0\n"
    assert pd.read_csv("s3://frames/weather.csv").equals(frame)


def test_missing_object_is_file_not_found(fake_s3):
    with pytest.raises(FileNotFoundError):
        pd.read_csv("s3://frames/absent.csv")
