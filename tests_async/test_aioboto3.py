"""aioboto3's managed transfer: a multipart upload through the aiohttp transport."""

from __future__ import annotations

import io

import pytest

pytest.importorskip("aioboto3")

import aioboto3
from boto3.s3.transfer import TransferConfig

pytestmark = pytest.mark.asyncio


async def test_upload_fileobj_splits_into_parts(fake_s3):
    body = b"0123456789abcdef" * (2**20 // 16) * 12  # 12 MiB: three parts of 5 MiB at most
    session = aioboto3.Session()
    async with session.client("s3") as s3:
        await s3.create_bucket(Bucket="transfer-bucket")
        await s3.upload_fileobj(
            io.BytesIO(body),
            "transfer-bucket",
            "big.bin",
            Config=TransferConfig(multipart_threshold=5 * 2**20, multipart_chunksize=5 * 2**20),
        )
    stored = fake_s3.buckets["transfer-bucket"]["big.bin"]
    assert stored.body == body
    assert stored.etag.endswith('-3"')
    assert [call.operation for call in fake_s3.calls].count("UploadPart") == 3
