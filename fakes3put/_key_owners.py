"""Which fake an access key belonged to, so an InvalidAccessKeyId can name the likely cause.

A boto3 client keeps the credentials it was made with. Made under one fake and used under
another (a client left over from an earlier test or fixture, or a thread still running after
its fake stopped), its requests reach the fake running now, which does not know the key.
Only the access key ids of the last few started fakes are kept (never secrets), for the hint.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Iterable

_LIMIT = 256  # access keys remembered, oldest forgotten first
_lock = threading.Lock()
_owners: OrderedDict[str, tuple[str, bool]] = OrderedDict()  # access key -> (fake's label, running)

# AWS access key ids: a four-letter type prefix (AKIA long-term, ASIA temporary, ...) and 16 more.
_REAL_AWS_KEY = re.compile(r"(AKIA|ASIA|AGPA|AIDA|AROA)[A-Z0-9]{16}")


def started(label: str, access_keys: Iterable[str]) -> None:
    with _lock:
        for key in access_keys:
            _owners.pop(key, None)
            _owners[key] = (label, True)
        while len(_owners) > _LIMIT:
            _owners.popitem(last=False)


def stopped(label: str, access_keys: Iterable[str]) -> None:
    with _lock:
        for key in access_keys:
            if _owners.get(key, ("", False))[0] == label:
                _owners[key] = (label, False)


def likely_cause(access_key: str) -> str:
    """Why a client would sign with a key this fake does not know, and the fix."""
    with _lock:
        owner = _owners.get(access_key)
    fix = (
        "make the client inside the test or fixture, after this fake started, or pass "
        "aws_access_key_id=fake.access_key and aws_secret_access_key=fake.secret_key"
    )
    if owner is not None:
        label, running = owner
        state = "which is also running" if running else "which has stopped"
        return (
            f"the key belongs to {label}, {state}: a client keeps the credentials it was made with, "
            f"so this one was probably made under that fake (an earlier test, a shared fixture, or a "
            f"thread that outlived it); {fix}."
        )
    if _REAL_AWS_KEY.fullmatch(access_key):
        return (
            "it looks like a real AWS access key: the client probably took it from the environment or "
            "~/.aws before the fake set AWS_* (a client made at import time, e.g. a module-level "
            f"boto3.client('s3'), keeps those); {fix}."
        )
    return f"a client made before this fake started (e.g. at module level) keeps the credentials it had then; {fix}."
