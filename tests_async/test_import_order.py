"""The patch follows aiohttp whenever it is imported, before or after the first fake starts."""

from __future__ import annotations

import subprocess
import sys

import pytest

pytest.importorskip("aiobotocore")


def test_aiohttp_imported_after_the_fake_started_is_patched_too(tmp_path):
    # A fresh interpreter: here aiohttp is long imported. The fake starts first, then the client.
    script = tmp_path / "late_import.py"
    script.write_text(
        "import asyncio, sys\n"
        "from fakes3put import FakeS3\n"
        "with FakeS3() as fake:\n"
        "    assert 'aiohttp' not in sys.modules\n"
        "    import aiobotocore.session\n"
        "    async def main():\n"
        "        async with aiobotocore.session.get_session().create_client('s3') as s3:\n"
        "            await s3.create_bucket(Bucket='late-bucket')\n"
        "    asyncio.run(main())\n"
        "    assert 'late-bucket' in fake.buckets\n"
        "print('ok')\n"
    )
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "ok\n"
