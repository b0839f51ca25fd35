"""The pytest plugin as a user meets it: registered by entry point, fixture and marker."""

from __future__ import annotations

import pytest

pytest_plugins = ["pytester"]


def test_fixture_and_marker_in_a_plain_test_file(pytester: pytest.Pytester):
    pytester.makepyfile(
        """
        import boto3
        import pytest

        def test_upload(fake_s3):
            s3 = boto3.client("s3", region_name="us-east-1")
            s3.create_bucket(Bucket="quotes")
            s3.put_object(Bucket="quotes", Key="Neo", Body=b"woah")
            assert fake_s3.buckets["quotes"]["Neo"].etag == '"ed4beb38b45860afbee133162b4c86fc"'

        @pytest.mark.fakes3put(buckets=["made-up-front"])
        def test_marker(fake_s3):
            assert "made-up-front" in fake_s3.buckets

        def test_fake_is_stopped_between_tests():
            from urllib3.connectionpool import HTTPConnectionPool
            assert HTTPConnectionPool.urlopen.__module__.startswith("urllib3")
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:randomly")
    result.assert_outcomes(passed=3)


def test_marker_is_registered(pytester: pytest.Pytester):
    result = pytester.runpytest_subprocess("--markers")
    result.stdout.fnmatch_lines(["*fakes3put(**kwargs)*"])


def test_marker_refuses_positional_arguments(pytester: pytest.Pytester):
    pytester.makepyfile(
        """
        import pytest

        @pytest.mark.fakes3put("oops")
        def test_bad(fake_s3):
            pass
        """
    )
    result = pytester.runpytest_subprocess()
    result.stdout.fnmatch_lines(["*keyword arguments only*"])
    assert result.ret != 0


def test_internal_error_fails_the_test_at_teardown(pytester: pytest.Pytester):
    pytester.makepyfile(
        """
        import pytest, requests
        from fakes3put import BucketSpec

        def broken():
            raise RuntimeError("clock broke")

        @pytest.mark.fakes3put(clock=broken)
        def test_it(fake_s3):
            assert requests.get("https://s3.amazonaws.com/x-bucket/k", timeout=5).status_code == 500
        """
    )
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*FakeS3InternalError*clock broke*"])


def test_a_failed_test_shows_what_the_fake_refused(pytester: pytest.Pytester):
    pytester.makepyfile(
        """
        import boto3, pytest

        @pytest.mark.fakes3put(buckets=["report-bucket"])
        def test_fails(fake_s3):
            s3 = boto3.client("s3", aws_access_key_id=fake_s3.access_key, aws_secret_access_key="wrong")
            with pytest.raises(Exception):
                s3.put_object(Bucket="report-bucket", Key="k", Body=b"x")
            assert False, "the test's own failure"

        def test_passes(fake_s3):
            assert fake_s3.calls == []
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1, passed=1)
    result.stdout.fnmatch_lines(
        [
            "*fakes3put: refused requests*",
            "PUT https://report-bucket.s3.amazonaws.com/k -> 403 PutObject SignatureDoesNotMatch",
        ]
    )
    assert result.stdout.str().count("fakes3put: refused requests") == 1
