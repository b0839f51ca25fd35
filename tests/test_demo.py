"""The README's first command: the demo plays S3's 2006 PUT Object example and explains it."""

from __future__ import annotations

import subprocess
import sys


def test_demo_runs_and_shows_both_requests():
    result = subprocess.run(
        [sys.executable, "-m", "fakes3put", "demo"], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "HTTP/1.1 403 Forbidden" in out
    assert "<Code>SignatureDoesNotMatch</Code>" in out
    example_string_to_sign = "PUT\n\ntext/plain\nThu, 17 Nov 2005 07:48:33 GMT\nx-amz-meta-family:Anderson\n/quotes/Neo"
    assert f"<StringToSign>{example_string_to_sign}</StringToSign>" in out
    assert "HTTP/1.1 200 OK" in out
    assert 'ETag: "ed4beb38b45860afbee133162b4c86fc"' in out
    assert "body:          b'woah'" in out
    assert "placeholder no secret produces" in out
    assert "real MD5 of 'woah'" in out


def test_usage_without_subcommand():
    result = subprocess.run(
        [sys.executable, "-m", "fakes3put"], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 2
    assert "usage" in result.stderr
