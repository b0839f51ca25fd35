"""Model-based: random valid and corrupted PUTs; the store always equals the accepted writes."""

from __future__ import annotations

import base64
import hashlib
import zlib

import boto3
import hypothesis.strategies as st
import pytest
import urllib3
from botocore.config import Config
from botocore.exceptions import ClientError
from hypothesis import settings
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from fakes3put import BucketSpec, FakeS3

KEYS = st.sampled_from(["a", "b", "dir/c"])
BODIES = st.binary(max_size=64)
URL = "https://model-bucket.s3.amazonaws.com/"
CORRUPTIONS = ["md5", "crc32", "short", "long", "chunk-framing", "trailer", "decoded-length", "oversize"]


def md5_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()


def crc32_b64(data: bytes) -> str:
    return base64.b64encode(zlib.crc32(data).to_bytes(4, "big")).decode()


def chunked(data: bytes, trailer_value: str) -> bytes:
    head = f"{len(data):x}\r\n".encode() + data + b"\r\n" if data else b""
    return head + f"0\r\nx-amz-checksum-crc32:{trailer_value}\r\n\r\n".encode()


class PutModel(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.fake = FakeS3(buckets=[BucketSpec("model-bucket", acl="public-read-write")], isolate_environment=False)
        self.fake.start()
        self.http = urllib3.PoolManager()
        self.model: dict[str, bytes] = {}

    def teardown(self) -> None:
        self.fake.stop()

    def put(self, key: str, body: bytes, headers: dict[str, str]) -> int:
        return self.http.request("PUT", URL + key, body=body, headers=headers).status

    @rule(key=KEYS, body=BODIES, with_md5=st.booleans(), with_crc=st.booleans())
    def valid_plain(self, key, body, with_md5, with_crc):
        headers = {}
        if with_md5:
            headers["Content-MD5"] = md5_b64(body)
        if with_crc:
            headers["x-amz-checksum-crc32"] = crc32_b64(body)
        assert self.put(key, body, headers) == 200
        self.model[key] = body

    @rule(key=KEYS, body=BODIES)
    def valid_aws_chunked(self, key, body):
        headers = {
            "Content-Encoding": "aws-chunked",
            "x-amz-decoded-content-length": str(len(body)),
            "x-amz-trailer": "x-amz-checksum-crc32",
        }
        assert self.put(key, chunked(body, crc32_b64(body)), headers) == 200
        self.model[key] = body

    @rule(key=KEYS, body=BODIES, corruption=st.sampled_from(CORRUPTIONS))
    def corrupted(self, key, body, corruption):
        wire, headers = body, {}
        if corruption == "md5":
            headers["Content-MD5"] = md5_b64(body + b"!")
        elif corruption == "crc32":
            headers["x-amz-checksum-crc32"] = crc32_b64(body + b"!")
        elif corruption == "short":
            headers["Content-Length"] = str(len(body) + 1)
        elif corruption == "long":
            wire, headers["Content-Length"] = body + b"extra", str(len(body))
        elif corruption in ("chunk-framing", "trailer", "decoded-length"):
            headers = {
                "Content-Encoding": "aws-chunked",
                "x-amz-decoded-content-length": str(len(body) + (corruption == "decoded-length")),
                "x-amz-trailer": "x-amz-checksum-crc32",
            }
            trailer = crc32_b64(body + b"!") if corruption == "trailer" else crc32_b64(body)
            wire = chunked(body, trailer)
            if corruption == "chunk-framing":
                wire = wire[: max(len(wire) - 7, 1)]
        elif corruption == "oversize":
            headers["Content-Length"] = str(5 * 1024**3 + 1)
        status = self.put(key, wire, headers)
        assert 400 <= status < 500, (corruption, status)

    @rule(key=KEYS, body=BODIES)
    def wrong_secret(self, key, body):
        client = boto3.client(
            "s3",
            region_name="us-east-1",
            aws_access_key_id=self.fake.access_key,
            aws_secret_access_key="not-the-secret",
            config=Config(retries={"total_max_attempts": 1}),
        )
        with pytest.raises(ClientError) as refused:
            client.put_object(Bucket="model-bucket", Key=key, Body=body)
        assert refused.value.response["Error"]["Code"] == "SignatureDoesNotMatch"

    @invariant()
    def store_equals_model(self):
        bucket = self.fake.buckets["model-bucket"]
        assert {key: obj.body for key, obj in bucket.items()} == self.model


PutModel.TestCase.settings = settings(max_examples=40, stateful_step_count=20, deadline=None)
TestPutModel = PutModel.TestCase
