"""A new boto3 default session for each isolating fake, whose first client is cheap.

A brand-new boto3 session spends about 4 ms registering botocore's built-in event handlers,
and its first ``client("s3")`` about 40-100 ms reading the service models from disk. Neither
holds credentials or configuration, so both are prepared once per process and shared: the
handlers are copied from a template emitter, and the model loader (which only caches the
JSON it has read) is handed to every session. Everything that depends on the environment
(credentials, region, profile, config files) is still resolved by the session itself, at
the test's first client, as in the default session boto3 would create then. One exception:
the models folder AWS_DATA_PATH names is read when the fake starts (its environment has none),
so a test that sets it later gets its models in a ``boto3.Session()`` of its own.

botocore is imported only here, and only once boto3 already is (see ``environment``).
"""

from __future__ import annotations

import copy
from types import ModuleType
from typing import Any

# Built on first use, never at import. The loader has botocore's default search path: the fake's
# environment has no AWS_DATA_PATH (it replaces every AWS_* variable).
_shared_loader: Any = None
_template_emitter: Any = None


def new_default_session(boto3: ModuleType) -> Any:
    """A fresh ``boto3.Session`` sharing only credential-free parts with earlier ones."""
    import botocore.session

    loader = _loader()
    core = botocore.session.Session(event_hooks=copy.copy(_builtin_handlers()), include_builtin_handlers=False)
    core.register_component("data_loader", loader)
    session = boto3.Session(botocore_session=core)
    # boto3 appends its own model folder to the loader on every session: keep the shared list from growing.
    loader.search_paths[:] = list(dict.fromkeys(loader.search_paths))
    return session


def _loader() -> Any:
    global _shared_loader  # noqa: PLW0603
    if _shared_loader is None:
        from botocore.loaders import create_loader

        _shared_loader = create_loader()
    return _shared_loader


def _builtin_handlers() -> Any:
    """An emitter holding botocore's built-in handlers, registered the way a new session registers them."""
    global _template_emitter  # noqa: PLW0603
    if _template_emitter is None:
        from botocore import handlers
        from botocore.hooks import EventAliaser, HierarchicalEmitter

        emitter = HierarchicalEmitter()
        aliased = EventAliaser(emitter)
        for event_name, handler, *order in handlers.BUILTIN_HANDLERS:
            if not order:
                aliased.register(event_name, handler)
            elif order[0] is handlers.REGISTER_FIRST:
                aliased.register_first(event_name, handler)
            elif order[0] is handlers.REGISTER_LAST:
                aliased.register_last(event_name, handler)
        _template_emitter = emitter
    return _template_emitter
