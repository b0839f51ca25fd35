"""boto3's default session inside a fake: a new one per fake, whose first client reuses the models
read by earlier fakes, and which still resolves credentials, region and config from what the
test puts in the environment."""

from __future__ import annotations

import os
from typing import Any

import boto3
import pytest

from fakes3put import FakeS3

KEYS = {"AKIDFIRST00000000001": "first-secret", "AKIDSECOND0000000002": "second-secret"}


def _loader() -> Any:
    return boto3.DEFAULT_SESSION._session.get_component("data_loader")


def _principal(fake: FakeS3, client: Any) -> str | None:
    """Who the fake saw signing the client's request."""
    client.list_buckets()
    return fake.calls[-1].principal


def test_a_second_fake_first_client_reads_no_model_file(monkeypatch):
    with FakeS3():
        boto3.client("s3")
        first_session, first_loader = boto3.DEFAULT_SESSION, _loader()
    with FakeS3() as fake:
        assert boto3.DEFAULT_SESSION is not first_session
        assert _loader() is first_loader
        files_read: list[str] = []
        real_load_file = first_loader.file_loader.load_file

        def counting_load_file(path: str) -> object:
            files_read.append(path)
            return real_load_file(path)

        monkeypatch.setattr(first_loader.file_loader, "load_file", counting_load_file)
        client = boto3.client("s3")
        assert _principal(fake, client) == fake.access_key
    assert files_read == []


def test_credentials_and_region_a_test_sets_inside_a_fake_are_used():
    with FakeS3(credentials=KEYS):
        boto3.client("s3").list_buckets()  # the session's credentials would be cached from here on
    with FakeS3(credentials=KEYS) as fake:
        os.environ["AWS_ACCESS_KEY_ID"] = "AKIDSECOND0000000002"
        os.environ["AWS_SECRET_ACCESS_KEY"] = "second-secret"
        os.environ["AWS_DEFAULT_REGION"] = os.environ["AWS_REGION"] = "eu-west-1"
        client = boto3.client("s3")
        assert client.meta.region_name == "eu-west-1"
        assert _principal(fake, client) == "AKIDSECOND0000000002"


def test_what_one_fake_resolved_does_not_reach_the_next():
    with FakeS3(credentials=KEYS):
        os.environ["AWS_ACCESS_KEY_ID"] = "AKIDSECOND0000000002"
        os.environ["AWS_SECRET_ACCESS_KEY"] = "second-secret"
        os.environ["AWS_DEFAULT_REGION"] = os.environ["AWS_REGION"] = "eu-west-1"
        boto3.client("s3").list_buckets()
    with FakeS3(credentials=KEYS) as fake:
        client = boto3.client("s3")
        assert client.meta.region_name == "us-east-1"
        assert _principal(fake, client) == "AKIDFIRST00000000001"


def test_a_config_file_a_test_points_to_inside_a_fake_is_read(tmp_path):
    config = tmp_path / "config"
    config.write_text("[default]\nregion = ap-south-1\n")
    with FakeS3():
        boto3.client("s3")
    with FakeS3():
        os.environ["AWS_CONFIG_FILE"] = str(config)
        del os.environ["AWS_DEFAULT_REGION"], os.environ["AWS_REGION"]
        assert boto3.client("s3").meta.region_name == "ap-south-1"


def test_the_users_default_session_is_restored(monkeypatch):
    users = boto3.Session(region_name="ap-southeast-2")
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", users)
    with FakeS3():
        assert boto3.DEFAULT_SESSION is not users
        assert boto3.client("s3").meta.region_name == "us-east-1"
        with FakeS3(credentials={"AKIDNESTED0000000001": "nested"}):
            assert boto3.DEFAULT_SESSION is not users
        assert boto3.DEFAULT_SESSION is not users
    assert boto3.DEFAULT_SESSION is users


@pytest.mark.parametrize("fakes", [1, 2], ids=["first-fake", "second-fake"])
def test_real_config_and_credentials_files_are_never_read(monkeypatch, tmp_path, fakes):
    (tmp_path / ".aws").mkdir()
    config, credentials = tmp_path / ".aws" / "config", tmp_path / ".aws" / "credentials"
    config.write_text("[default]\nregion = ap-south-1\n[profile production]\nregion = eu-north-1\n")
    credentials.write_text("[default]\naws_access_key_id = AKIAREALUSERKEY00000\naws_secret_access_key = real\n")
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(credentials))
    monkeypatch.delenv("AWS_DEFAULT_REGION", raising=False)
    monkeypatch.delenv("AWS_REGION", raising=False)
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    for _ in range(fakes):
        with FakeS3() as fake:
            client = boto3.client("s3")
            assert client.meta.region_name == "us-east-1"
            assert boto3.DEFAULT_SESSION.available_profiles == []
            assert _principal(fake, client) == fake.access_key


def test_the_shared_model_search_path_does_not_grow():
    with FakeS3():
        paths = list(_loader().search_paths)
    for _ in range(3):
        with FakeS3():
            assert _loader().search_paths == paths
    assert len(set(paths)) == len(paths)


def test_a_handler_a_test_registers_stays_in_its_fake():
    seen: list[str] = []
    with FakeS3():
        boto3.DEFAULT_SESSION.events.register("before-call.s3.ListBuckets", lambda **_: seen.append("first"))
        boto3.client("s3").list_buckets()
    with FakeS3():
        boto3.client("s3").list_buckets()
    assert seen == ["first"]
