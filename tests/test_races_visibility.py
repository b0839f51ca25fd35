"""Visibility lag on the fake's clock: freezegun's tick and time-machine's shift move it."""

from __future__ import annotations

import time_machine
from botocore.exceptions import ClientError
from freezegun import freeze_time

from fakes3put import FakeS3

from .helpers import make_client


def read(s3, key="k"):
    try:
        return s3.get_object(Bucket="lag-bucket", Key=key)["Body"].read()
    except ClientError as error:
        return error.response["Error"]["Code"]


def test_strong_consistency_is_the_default():
    with freeze_time("2025-01-15 12:00:00"), FakeS3(buckets=["lag-bucket"]) as fake:
        s3 = make_client(fake)
        s3.put_object(Bucket="lag-bucket", Key="k", Body=b"v1")
        assert read(s3) == b"v1"
        assert fake.consistency == "strong"


def test_eventual_overwrite_is_seen_after_the_lag_with_freezegun():
    with freeze_time("2025-01-15 12:00:00") as frozen:
        with FakeS3(buckets=["lag-bucket"], consistency="eventual", visibility_lag=2.0) as fake:
            s3 = make_client(fake)
            s3.put_object(Bucket="lag-bucket", Key="k", Body=b"v1")
            assert read(s3) == "NoSuchKey"  # even a new key lags in the eventual model
            frozen.tick(2)
            assert read(s3) == b"v1"
            s3.put_object(Bucket="lag-bucket", Key="k", Body=b"v2")
            assert read(s3) == b"v1"
            assert fake.buckets["lag-bucket"]["k"].body == b"v2"  # the committed truth is v2
            listed = s3.list_objects_v2(Bucket="lag-bucket") if "ListObjectsV2" in _implemented() else None
            frozen.tick(1.9)
            assert read(s3) == b"v1"
            frozen.tick(0.2)
            assert read(s3) == b"v2"
            if listed is not None:
                assert [o["Key"] for o in listed.get("Contents", [])] == ["k"]


def _implemented():
    from fakes3put._ops import dispatch

    return dispatch.OPERATIONS


def test_legacy_model_new_keys_at_once_overwrites_later_with_time_machine():
    with time_machine.travel("2025-01-15 12:00:00", tick=False) as traveller:
        with FakeS3(buckets=["lag-bucket"], consistency="legacy", visibility_lag=5) as fake:
            s3 = make_client(fake)
            s3.put_object(Bucket="lag-bucket", Key="k", Body=b"new")
            assert read(s3) == b"new"  # brand-new keys were read-after-write consistent
            s3.put_object(Bucket="lag-bucket", Key="k", Body=b"overwrite")
            assert read(s3) == b"new"
            traveller.shift(5)
            assert read(s3) == b"overwrite"


def test_lag_applies_to_head_and_keeps_last_modified_of_the_visible_version():
    with freeze_time("2025-01-15 12:00:00") as frozen:
        with FakeS3(buckets=["lag-bucket"], consistency="eventual", visibility_lag=10) as fake:
            s3 = make_client(fake)
            s3.put_object(Bucket="lag-bucket", Key="k", Body=b"one")
            frozen.tick(10)
            s3.put_object(Bucket="lag-bucket", Key="k", Body=b"second")
            head = s3.head_object(Bucket="lag-bucket", Key="k")
            assert head["ContentLength"] == 3
            assert head["LastModified"].isoformat() == "2025-01-15T12:00:00+00:00"
            frozen.tick(10)
            assert s3.head_object(Bucket="lag-bucket", Key="k")["ContentLength"] == 6


def test_configuration_is_checked():
    import pytest

    from fakes3put import FakeS3Error

    with pytest.raises(FakeS3Error, match="needs a visibility_lag"):
        FakeS3(consistency="eventual")
    with pytest.raises(FakeS3Error, match="consistency must be"):
        FakeS3(consistency="sometimes", visibility_lag=1)  # type: ignore[arg-type]
