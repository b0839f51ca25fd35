"""The AWS CLI, in a subprocess, against the loopback server (its own virtualenv: awscli pins botocore)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def aws(server, *args: str, endpoint_flag: bool = False) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "awscli", *args]
    if endpoint_flag:
        command += ["--endpoint-url", server.endpoint]
    env = {**os.environ, **server.environment, "AWS_PAGER": ""}
    return subprocess.run(command, capture_output=True, text=True, env=env, check=False, timeout=120)


@pytest.mark.fakes3put(buckets=["cli-bucket"])
def test_aws_s3_cp_uploads_and_downloads_through_the_server(fake_s3_server, tmp_path):
    source = tmp_path / "hello.txt"
    source.write_bytes(b"from the aws cli\n")
    upload = aws(fake_s3_server, "s3", "cp", str(source), "s3://cli-bucket/dir/hello.txt")
    assert upload.returncode == 0, upload.stderr
    assert fake_s3_server.fake.buckets["cli-bucket"]["dir/hello.txt"].body == b"from the aws cli\n"

    target = tmp_path / "back.txt"
    download = aws(fake_s3_server, "s3", "cp", "s3://cli-bucket/dir/hello.txt", str(target), endpoint_flag=True)
    assert download.returncode == 0, download.stderr
    assert target.read_bytes() == b"from the aws cli\n"
    assert all(call.url.startswith(fake_s3_server.endpoint) for call in fake_s3_server.fake.calls)


@pytest.mark.fakes3put(buckets=["cli-bucket"])
def test_aws_s3_cp_of_a_multipart_sized_file(fake_s3_server, tmp_path):
    source = tmp_path / "big.bin"
    source.write_bytes(bytes(range(256)) * (9 * 1024 * 4))  # 9 MiB: over the CLI's 8 MiB multipart threshold
    upload = aws(fake_s3_server, "s3", "cp", str(source), "s3://cli-bucket/big.bin")
    assert upload.returncode == 0, upload.stderr
    assert fake_s3_server.fake.buckets["cli-bucket"]["big.bin"].body == source.read_bytes()
    assert "CompleteMultipartUpload" in [call.operation for call in fake_s3_server.fake.calls]


@pytest.mark.fakes3put(buckets=["cli-bucket"], credentials={"AKIDOTHER": "other-secret"})
def test_aws_cli_with_the_wrong_secret_is_refused(fake_s3_server, tmp_path):
    source = tmp_path / "x.txt"
    source.write_bytes(b"x")
    env_server = type(fake_s3_server)(
        fake_s3_server.endpoint,
        fake_s3_server.fake,
        {**fake_s3_server.environment, "AWS_SECRET_ACCESS_KEY": "not-it"},
    )
    refused = aws(env_server, "s3", "cp", str(source), "s3://cli-bucket/x.txt")
    assert refused.returncode != 0
    assert "SignatureDoesNotMatch" in refused.stderr
    assert fake_s3_server.fake.buckets["cli-bucket"] == {}
