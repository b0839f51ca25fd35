"""``python -m fakes3put``: subcommands with help, and ``serve`` in a subprocess until Ctrl-C."""

from __future__ import annotations

import signal
import subprocess
import sys
from contextlib import contextmanager

import boto3
import pytest
from botocore.config import Config

COMMAND = [sys.executable, "-m", "fakes3put"]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*COMMAND, *args], capture_output=True, text=True, check=False, timeout=60)


def test_help_lists_the_subcommands():
    result = run("--help")
    assert result.returncode == 0
    assert "usage: python -m fakes3put" in result.stdout
    assert "demo" in result.stdout
    assert "serve" in result.stdout


def test_demo_help_prints_help_instead_of_running_the_demo():
    result = run("demo", "--help")
    assert result.returncode == 0
    assert result.stdout.startswith("usage: python -m fakes3put demo")
    assert "SignatureDoesNotMatch" not in result.stdout


def test_serve_help_names_every_option():
    result = run("serve", "--help")
    assert result.returncode == 0
    for option in ("--port", "--host", "--bucket", "--credentials", "--region"):
        assert option in result.stdout


def test_unknown_subcommand_is_a_usage_error():
    result = run("frobnicate")
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


@contextmanager
def serving(*args: str):
    """``serve`` in a subprocess; yields it with the printed lines once it says where it listens."""
    process = subprocess.Popen(
        [*COMMAND, "serve", "--port", "0", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        lines = []
        assert process.stdout is not None
        for line in process.stdout:  # ends when the process does, so a crash cannot hang the test
            lines.append(line.rstrip("\n"))
            if line.startswith("export AWS_REGION="):
                break
        yield process, lines
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=30)
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def exported(lines: list[str]) -> dict[str, str]:
    pairs = (line.removeprefix("export ").partition("=") for line in lines if line.startswith("export "))
    return {name: value for name, _, value in pairs}


def test_serve_prints_endpoint_and_credentials_serves_and_exits_0_on_ctrl_c():
    with serving("--bucket", "cli-bucket", "--credentials", "AKIDCLI:cli-secret", "--region", "eu-west-1") as (
        process,
        lines,
    ):
        env = exported(lines)
        assert lines[0].startswith("fakes3put serving S3 at http://127.0.0.1:")
        assert env["AWS_ACCESS_KEY_ID"] == "AKIDCLI"
        assert env["AWS_SECRET_ACCESS_KEY"] == "cli-secret"
        assert env["AWS_REGION"] == "eu-west-1"
        assert env["AWS_ENDPOINT_URL_S3"] == lines[0].split()[4]
        s3 = boto3.client(
            "s3",
            endpoint_url=env["AWS_ENDPOINT_URL_S3"],
            region_name="eu-west-1",
            aws_access_key_id="AKIDCLI",
            aws_secret_access_key="cli-secret",
            config=Config(s3={"addressing_style": "path"}),
        )
        s3.put_object(Bucket="cli-bucket", Key="k", Body=b"to another process")
        assert s3.get_object(Bucket="cli-bucket", Key="k")["Body"].read() == b"to another process"
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=30)
        assert process.stderr is not None
        errors = process.stderr.read()
    assert code == 0, errors
    assert "Traceback" not in errors


def test_serve_exits_0_on_sigterm():
    with serving() as (process, _):
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=30)
        assert process.stderr is not None
        errors = process.stderr.read()
    assert code == 0, errors
    assert "Traceback" not in errors


def test_serve_on_a_port_in_use_fails_naming_the_port():
    with serving() as (_, lines):
        port = lines[0].split()[4].rsplit(":", 1)[1]
        result = run("serve", "--port", port)
    assert result.returncode == 1
    assert f"port {port} on 127.0.0.1 is already in use" in result.stderr


@pytest.mark.parametrize("credentials", ["nocolon", ":secret", "key:"])
def test_serve_refuses_malformed_credentials(credentials):
    result = run("serve", "--credentials", credentials)
    assert result.returncode == 2
    assert "ACCESS_KEY:SECRET_KEY" in result.stderr
