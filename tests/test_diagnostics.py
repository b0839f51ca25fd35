"""Refusals that usually mean a test set-up mistake carry a hint naming the likely cause and the fix."""

from __future__ import annotations

import threading

import pytest
from botocore.exceptions import ClientError

from fakes3put import FakeS3

from .helpers import error_code, make_client


def test_no_such_bucket_names_the_buckets_there_and_the_fix():
    with FakeS3(buckets=["present"]) as fake:
        with pytest.raises(ClientError) as missing:
            make_client(fake).put_object(Bucket="absent", Key="k", Body=b"x")
        assert error_code(missing) == "NoSuchBucket"
    hint = fake.calls[-1].hint or ""
    assert "'absent' does not exist" in hint
    assert "'present'" in hint
    assert "FakeS3(buckets=['absent'])" in hint


def test_copy_from_a_missing_bucket_has_the_same_hint():
    with FakeS3(buckets=["present"]) as fake, pytest.raises(ClientError):
        make_client(fake).copy_object(Bucket="present", Key="k", CopySource={"Bucket": "gone", "Key": "k"})
    assert "create it first" in (fake.calls[-1].hint or "")


def test_a_client_made_under_a_stopped_fake_is_named_as_the_cause():
    first = FakeS3(credentials={"FIRSTFAKEKEY": "first-secret"}, buckets=["bkt"])
    with first:
        leftover = make_client(first)  # e.g. a client kept in a module or class attribute
    with FakeS3(buckets=["bkt"]) as second:
        with pytest.raises(ClientError) as refused:
            leftover.put_object(Bucket="bkt", Key="k", Body=b"x")
        assert error_code(refused) == "InvalidAccessKeyId"
    hint = second.calls[-1].hint or ""
    assert "'FIRSTFAKEKEY' is not among the fake's credentials" in hint
    assert "which has stopped" in hint
    assert "fake.access_key" in hint


def test_a_thread_that_outlives_its_fake_is_answered_by_the_fake_running_now():
    release = threading.Event()
    outcome: list[str] = []
    first = FakeS3(credentials={"THREADFAKEKEY": "s"}, buckets=["bkt"])
    with first:
        client = make_client(first)

        def late_writer() -> None:
            release.wait(10)
            try:
                client.put_object(Bucket="bkt", Key="k", Body=b"late")
                outcome.append("stored")
            except ClientError as error:
                outcome.append(error.response["Error"]["Code"])

        writer = threading.Thread(target=late_writer)
        writer.start()
    with FakeS3(buckets=["bkt"]) as second:
        release.set()
        writer.join(10)
    assert outcome == ["InvalidAccessKeyId"]
    assert "k" not in first.buckets["bkt"]
    assert "which has stopped" in (second.calls[-1].hint or "")


def test_a_client_of_an_outer_fake_used_on_an_inner_fakes_bucket():
    outer = FakeS3(credentials={"OUTERFAKEKEY": "s"})
    with outer, FakeS3(buckets=["inner"]) as inner:
        with pytest.raises(ClientError):
            make_client(outer).put_object(Bucket="inner", Key="k", Body=b"x")
        assert "which is also running" in (inner.calls[-1].hint or "")


def test_a_real_looking_aws_key_points_at_a_client_made_before_the_fake():
    import boto3

    early = boto3.client(
        "s3",
        region_name="us-east-1",
        aws_access_key_id="AKIAIOSFODNN7EXAMPLE",  # AWS's documented example key
        aws_secret_access_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    )
    with FakeS3(buckets=["bkt"]) as fake, pytest.raises(ClientError):
        early.put_object(Bucket="bkt", Key="k", Body=b"x")
    hint = fake.calls[-1].hint or ""
    assert "looks like a real AWS access key" in hint
    assert "module-level" in hint


def test_an_unknown_key_otherwise_points_at_a_client_made_before_the_fake():
    with FakeS3(buckets=["bkt"]) as fake:
        stranger = make_client(FakeS3(credentials={"NEVERSTARTEDKEY": "s"}))
        with pytest.raises(ClientError):
            stranger.put_object(Bucket="bkt", Key="k", Body=b"x")
    assert "made before this fake started" in (fake.calls[-1].hint or "")
