"""``FakeS3``: the object a test holds. Context manager, decorator, start/stop, inspection."""

from __future__ import annotations

import functools
import inspect
import sys
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import MappingProxyType, TracebackType
from typing import TYPE_CHECKING, Any, TypeVar, cast

from fakes3put._commit.sequencer import EVENTUAL, LEGACY, STRONG, WriteRecord
from fakes3put._commit.store import Bucket, Store
from fakes3put._ops.access import CANNED_ACLS, OBJECT_OWNERSHIP, bucket_acl_problem
from fakes3put._ops.context import Settings
from fakes3put._ops.names import bucket_name_problem
from fakes3put._state import FakeState, system_clock
from fakes3put._transport import lifecycle
from fakes3put._transport.registry import Mount
from fakes3put._transport.routing import Endpoint, Router
from fakes3put.errors import FakeS3Error, FakeS3InternalError, InterceptorConflictError

if TYPE_CHECKING:
    import unittest

    from fakes3put._commit.faults import Faults
    from fakes3put._commit.policies import Order, Simultaneous
    from fakes3put._state import Call

DEFAULT_ACCESS_KEY = "FAKES3PUTACCESSKEY01"
DEFAULT_SECRET_KEY = "fakes3put/default/secret/key/for/tests00"

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True, slots=True)
class BucketSpec:
    """A bucket to create up front: ``FakeS3(buckets=[BucketSpec("b", acl="public-read")])``."""

    name: str
    region: str | None = None
    owner: str | None = None
    acl: str = "private"
    object_ownership: str = "ObjectWriter"  # or "BucketOwnerPreferred", "BucketOwnerEnforced" (ACLs disabled)


class FakeS3:
    """An in-process S3 that answers PUT Object (and its neighbours) for the requests it owns.

    Owned endpoints are every AWS S3 host name (unless ``aws=False``) plus ``endpoints``.
    ``credentials`` maps access key ids to secrets; the first pair is what the fixture and
    the context manager put in the environment. ``check_signatures=False`` is lenient mode.
    """

    def __init__(
        self,
        *,
        buckets: Iterable[str | BucketSpec] = (),
        endpoints: Iterable[str] = (),
        credentials: Mapping[str, str] | None = None,
        region: str = "us-east-1",
        aws: bool = True,
        passthrough: bool = True,
        check_signatures: bool = True,
        isolate_environment: bool = True,
        clock: Callable[[], datetime] | None = None,
        consistency: str = "strong",
        visibility_lag: float | timedelta = 0.0,
        literal_plus_is_space: bool = True,
        accept_chunked_transfer: bool = False,
        as_kwarg: str | None = None,
    ) -> None:
        pairs = dict(credentials) if credentials is not None else {DEFAULT_ACCESS_KEY: DEFAULT_SECRET_KEY}
        if not pairs:
            raise FakeS3Error("credentials must hold at least one access key -> secret pair")
        self._region = region
        self._passthrough = passthrough
        self._isolate_environment = isolate_environment
        self._as_kwarg = as_kwarg
        self._router = Router(tuple(Endpoint.parse(url) for url in endpoints), aws=aws)
        self._initial_buckets = tuple(_checked(b if isinstance(b, BucketSpec) else BucketSpec(b)) for b in buckets)
        self._state = FakeState(
            credentials=pairs,
            settings=Settings(
                region=region,
                plus_as_space=literal_plus_is_space,
                accept_chunked_transfer=accept_chunked_transfer,
            ),
            clock=clock or system_clock,
            verify_signatures=check_signatures,
        )
        self._configure_consistency(consistency, visibility_lag)
        self._forced_orders: list[Order] | None = None  # set by explore(): one order per window
        self._windows: list[Simultaneous] = []  # closed windows and holds, in opening order
        self._mount: Mount | None = None
        self._depth = 0
        self._state_lock = threading.Lock()
        self._create_initial_buckets()

    # ----------------------------------------------------------------- inspection

    @property
    def credentials(self) -> Mapping[str, str]:
        """Access key -> secret (read-only; set them in the constructor)."""
        return MappingProxyType(self._state.credentials)

    @property
    def region(self) -> str:
        """The fake's default region: new buckets' and the environment's (read-only)."""
        return self._region

    @property
    def aws(self) -> bool:
        """Whether the fake answers for AWS's own S3 host names (read-only)."""
        return self._router.aws

    @property
    def endpoints(self) -> tuple[Endpoint, ...]:
        """The other endpoints the fake answers for, such as ``http://localhost:9000`` (read-only)."""
        return self._router.endpoints

    @property
    def passthrough(self) -> bool:
        """Whether requests no fake owns go to the network (read-only; False raises UnhandledRequestError)."""
        return self._passthrough

    @property
    def isolate_environment(self) -> bool:
        """Whether the fake replaces ``AWS_*`` variables with its own credentials while it runs (read-only)."""
        return self._isolate_environment

    @property
    def as_kwarg(self) -> str | None:
        """The keyword argument under which a decorated function receives the fake (read-only)."""
        return self._as_kwarg

    @property
    def windows(self) -> list[Simultaneous]:
        """Closed simultaneous windows and holds, in the order they were opened."""
        return self._windows

    @property
    def consistency(self) -> str:
        return self._state.sequencer.consistency

    @property
    def visibility_lag(self) -> timedelta:
        return self._state.sequencer.lag

    @property
    def access_key(self) -> str:
        """The first configured access key: the one the environment gets."""
        return next(iter(self.credentials))

    @property
    def secret_key(self) -> str:
        return self.credentials[self.access_key]

    @property
    def buckets(self) -> Mapping[str, Bucket]:
        """Bucket name -> bucket (an ordered, read-only mapping of key -> StoredObject)."""
        return self._state.store.view

    @property
    def calls(self) -> list[Call]:
        """Every request this fake answered, in the order answered."""
        return self._state.calls

    @property
    def writes(self) -> list[WriteRecord]:
        """Every mutating request, accepted or rejected, in the order it reached the sequencer."""
        return self._state.sequencer.writes

    @property
    def faults(self) -> Faults:
        """Injected failures: ``fake.faults.add("SlowDown", operation="PutObject", nth=2)``."""
        return self._state.faults

    def simultaneous(
        self,
        *,
        order: Order = "sent",
        seed: int | None = None,
        expect: int | None = None,
        timeout: float = 5.0,
    ) -> Simultaneous:
        """Writes issued inside are near-simultaneous; S3 receives them in ``order``.

        Without ``expect`` (single-threaded code) unconditional writes are acknowledged at once
        and received when the block ends. With ``expect=N`` (threads) arriving writes wait
        until N have arrived, are received in ``order`` and answered after their receipt; if
        they do not all arrive within ``timeout`` seconds the writers and the block fail with
        ``SimultaneousTimeoutError``. ``order`` is ``"sent"``, ``"reverse"``, ``"shuffle"``
        (with ``seed``), a permutation of indices into the writes in sent order, or a callable
        taking their WriteRecords and returning such a permutation.
        """
        from fakes3put._commit.policies import Simultaneous

        forced = None
        if self._forced_orders is not None:
            index = len(self._windows)
            forced = self._forced_orders[index] if index < len(self._forced_orders) else None
        return Simultaneous(
            self._state.sequencer,
            order=order,
            seed=seed,
            expect=expect,
            timeout=timeout,
            forced=forced,
            on_close=self._windows.append,
        )

    def _configure_consistency(self, consistency: str, lag: float | timedelta) -> None:
        if consistency not in (STRONG, EVENTUAL, LEGACY):
            raise FakeS3Error(f"consistency must be {STRONG!r}, {EVENTUAL!r} or {LEGACY!r}, not {consistency!r}")
        delay = lag if isinstance(lag, timedelta) else timedelta(seconds=lag)
        if delay < timedelta(0):
            raise FakeS3Error("visibility_lag cannot be negative")
        if consistency != STRONG and delay == timedelta(0):
            raise FakeS3Error(f"consistency={consistency!r} needs a visibility_lag > 0")
        if consistency == STRONG and delay != timedelta(0):
            raise FakeS3Error("visibility_lag needs consistency='eventual' or 'legacy'; strong consistency has none")
        self._state.sequencer.consistency = consistency
        self._state.sequencer.lag = delay

    def now(self) -> datetime:
        """The fake's clock (freezegun and time-machine move it)."""
        return self._state.now()

    def reset(self) -> None:
        """Back to the state the constructor made: initial buckets, empty logs, no faults."""
        self._state.reset()
        self._windows.clear()
        self._create_initial_buckets()

    def _create_initial_buckets(self) -> None:
        if not self._initial_buckets:
            return
        created = self._state.now()
        buckets = [
            Bucket(
                spec.name,
                region=spec.region or self.region,
                owner=spec.owner or self.access_key,
                created=created,
                acl=spec.acl,
                object_ownership=spec.object_ownership,
            )
            for spec in self._initial_buckets
        ]

        def add(store: Store) -> None:
            for bucket in buckets:
                store.add_bucket(bucket)

        self._state.sequencer.change_buckets(add)

    def __repr__(self) -> str:
        return f"FakeS3(buckets={list(self.buckets)!r}, started={self._depth > 0})"

    # ----------------------------------------------------------------- lifecycle

    def start(self) -> FakeS3:
        with self._state_lock:
            self._depth += 1
            if self._depth > 1:
                return self
            try:
                _refuse_conflicting_interceptors()
            except BaseException:
                self._depth -= 1
                raise
            self._mount = Mount(
                label=repr(self),
                router=self._router,
                state=self._state,
                passthrough=self._passthrough,
                isolate_environment=self._isolate_environment,
                environment=(self.access_key, self.secret_key, self.region),
            )
            lifecycle.start(self._mount)
        return self

    def stop(self) -> None:
        with self._state_lock:
            if self._depth == 0:
                return
            self._depth -= 1
            if self._depth > 0:
                return
            if self._mount is not None:
                lifecycle.stop(self._mount)
                self._mount = None
        self._raise_internal_errors()

    def _raise_internal_errors(self) -> None:
        errors = list(self._state.internal_errors)
        if not errors:
            return
        self._state.internal_errors.clear()
        first = errors[0]
        raise FakeS3InternalError(
            f"fakes3put failed while answering {len(errors)} request(s) (each was answered with "
            f"InternalError); first: {type(first).__name__}: {first}"
        ) from first

    def __enter__(self) -> FakeS3:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if exc is None:
            self.stop()
            return
        try:
            self.stop()
        except FakeS3InternalError as internal:
            exc.add_note(f"fakes3put also failed inside: {internal}")  # never mask the body's error

    async def __aenter__(self) -> FakeS3:
        return self.start()  # starting and stopping never wait on the network: nothing to await

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.__exit__(exc_type, exc, tb)

    # ----------------------------------------------------------------- decorator

    def __call__(self, target: F) -> F:
        if isinstance(target, type):
            # A TestCase subclass means unittest is already imported; the fake never imports it itself.
            unittest_module = sys.modules.get("unittest")
            if unittest_module is not None and issubclass(target, unittest_module.TestCase):
                return cast(F, self._decorate_testcase(target))
            raise TypeError("FakeS3 decorates functions, coroutine functions and unittest.TestCase classes")
        return self._decorate_callable(target)

    def _decorate_callable(self, func: F) -> F:
        inject = self.as_kwarg

        def enter(kwargs: dict[str, Any]) -> None:
            if self._depth == 0:
                self.reset()
            self.start()
            if inject is not None:
                kwargs[inject] = self

        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                enter(kwargs)
                with _Stopper(self):
                    return await func(*args, **kwargs)

            wrapper: Callable[..., Any] = async_wrapper
        else:

            @functools.wraps(func)
            def sync_wrapper(*args: Any, **kwargs: Any) -> Any:
                enter(kwargs)
                with _Stopper(self):
                    return func(*args, **kwargs)

            wrapper = sync_wrapper
        if inject is not None:
            # Hide the injected parameter so pytest does not look for a fixture of that name.
            signature = inspect.signature(func)
            params = [p for name, p in signature.parameters.items() if name != inject]
            wrapper.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
        return cast(F, wrapper)

    def _decorate_testcase(self, cls: type[unittest.TestCase]) -> type[unittest.TestCase]:
        original_setup = cls.setUp
        attribute = self.as_kwarg or "fake_s3"
        fake = self

        @functools.wraps(original_setup)
        def setUp(test: unittest.TestCase) -> None:
            fake.reset()
            fake.start()
            test.addCleanup(fake.stop)
            setattr(test, attribute, fake)
            original_setup(test)

        cls.setUp = setUp  # type: ignore[assignment,method-assign]
        return cls


def _checked(spec: BucketSpec) -> BucketSpec:
    """A bucket made up front follows the rules CreateBucket enforces."""
    problem = bucket_name_problem(spec.name)
    if problem is not None:
        raise FakeS3Error(f"bucket name {spec.name!r} {problem}")
    if spec.object_ownership not in OBJECT_OWNERSHIP:
        raise FakeS3Error(f"bucket {spec.name!r}: object_ownership must be one of {OBJECT_OWNERSHIP}")
    acl_problem = bucket_acl_problem(spec.object_ownership, spec.acl, {})
    if acl_problem is not None:
        raise FakeS3Error(f"bucket {spec.name!r}: {acl_problem}")
    if spec.acl not in CANNED_ACLS:
        raise FakeS3Error(f"bucket {spec.name!r}: unknown canned ACL {spec.acl!r}; use one of {sorted(CANNED_ACLS)}")
    return spec


class _Stopper:
    """Stops the fake after a decorated call without masking the call's own exception."""

    def __init__(self, fake: FakeS3) -> None:
        self._fake = fake

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> None:
        self._fake.__exit__(exc_type, exc, tb)


def _refuse_conflicting_interceptors() -> None:
    """moto's botocore hook answers boto3 before urllib3 is reached: say so instead of seeing nothing."""
    moto_models = sys.modules.get("moto.core.models")
    stubber = getattr(moto_models, "botocore_stubber", None)
    if stubber is not None and getattr(stubber, "enabled", False):
        raise InterceptorConflictError(
            "moto's mock_aws is active: its botocore hook would answer boto3's S3 requests before "
            "they reach fakes3put. Stop mock_aws before starting FakeS3 (or use one of the two)."
        )
