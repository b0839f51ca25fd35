"""``FakeS3``: the object a test holds. Context manager, decorator, start/stop, inspection."""

from __future__ import annotations

import functools
import inspect
import sys
import threading
from collections.abc import AsyncGenerator, Callable, Coroutine, Generator, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import MappingProxyType, TracebackType
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar, cast, overload

from fakes3put import _key_owners
from fakes3put._commit.sequencer import EVENTUAL, LEGACY, STRONG
from fakes3put._commit.store import OBJECT_OWNERSHIPS, Bucket, ObjectOwnership, Store
from fakes3put._commit.writes import Consistency, WriteRecord
from fakes3put._logs import DEFAULT_LOG_LIMIT, BoundedLog, checked_limit
from fakes3put._ops.access import CANNED_ACLS, bucket_acl_problem
from fakes3put._ops.names import bucket_name_problem
from fakes3put._settings import Settings
from fakes3put._state import FakeState, system_clock
from fakes3put._transport import interceptors, lifecycle
from fakes3put._transport.registry import Mount
from fakes3put._transport.routing import Endpoint, Router
from fakes3put.errors import FakeS3Error, FakeS3InternalError, InterceptorConflictError

if TYPE_CHECKING:
    import unittest

    from fakes3put._commit.faults import Faults
    from fakes3put._commit.policies import Order
    from fakes3put._commit.simultaneous import Simultaneous
    from fakes3put._state import Call
    from fakes3put._transport.server import LoopbackServer

DEFAULT_ACCESS_KEY = "FAKES3PUTACCESSKEY01"
DEFAULT_SECRET_KEY = "fakes3put/default/secret/key/for/tests00"

F = TypeVar("F", bound=Callable[..., Any])
P = ParamSpec("P")
R = TypeVar("R")
TestCaseT = TypeVar("TestCaseT", bound="unittest.TestCase")


@dataclass(frozen=True, slots=True)
class BucketSpec:
    """A bucket to create up front: ``FakeS3(buckets=[BucketSpec("b", acl="public-read")])``."""

    name: str
    region: str | None = None
    owner: str | None = None
    acl: str = "private"
    object_ownership: ObjectOwnership = "ObjectWriter"


class FakeS3:
    """An in-process S3 that answers PUT Object (and its neighbours) for the requests it owns.

    Use it as a context manager (``with``/``async with``), a decorator (functions, coroutine
    functions, ``unittest.TestCase`` classes), through ``start()``/``stop()`` or the pytest
    fixture ``fake_s3``. Constructor parameters (all keyword-only, read-only afterwards):

    * ``buckets``: buckets that exist from the start (names or ``BucketSpec``); ``reset()`` restores them.
    * ``endpoints``: other endpoints to answer for (``"http://localhost:9000"``).
    * ``credentials``: access key id -> secret; the first pair is what the environment gets.
    * ``region``: the default region of new buckets and of the environment.
    * ``aws``: answer for AWS's own S3 host names (False: only ``endpoints``).
    * ``passthrough``: let requests no fake owns reach the network (False: UnhandledRequestError).
    * ``check_signatures``: False is lenient mode: the access key a request claims names the caller,
      nothing is verified.
    * ``isolate_environment``: replace ``AWS_*`` variables with the fake's credentials while it runs.
    * ``clock``: the fake's time source (default: the system clock, honouring freezegun/time-machine).
    * ``consistency``/``visibility_lag``: ``"eventual"`` or ``"legacy"`` with a lag in seconds.
    * ``literal_plus_is_space``: read a literal ``+`` in a key's path as a space, as S3 does.
    * ``accept_chunked_transfer``: accept ``Transfer-Encoding: chunked`` bodies S3 refuses.
    * ``as_kwarg``: the keyword under which a decorated function receives the fake.
    * ``log_limit``: how many of the most recent entries ``calls`` and ``writes`` each keep
      (``None``: all, ``0``: none); older ones are dropped and counted in ``fake.calls.dropped``.
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
        consistency: Consistency = "strong",
        visibility_lag: float | timedelta = 0.0,
        literal_plus_is_space: bool = True,
        accept_chunked_transfer: bool = False,
        as_kwarg: str | None = None,
        log_limit: int | None = DEFAULT_LOG_LIMIT,
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
            log_limit=checked_limit(log_limit),
        )
        self._configure_consistency(consistency, visibility_lag)
        self._windows: list[Simultaneous] = []  # closed windows and holds, in opening order
        self._mount: Mount | None = None
        self._label = ""  # how a later fake's InvalidAccessKeyId hint names this one
        self._depth = 0
        self._state_lock = threading.Lock()
        self._create_initial_buckets()

    # ----------------------------------------------------------------- inspection

    def __setattr__(self, name: str, value: Any) -> None:
        if isinstance(getattr(type(self), name, None), property):
            how = _STATE_HINTS.get(name, f"configuration is given to the constructor: FakeS3({name}=...)")
            raise AttributeError(f"FakeS3.{name} is read-only: {how}")
        object.__setattr__(self, name, value)

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
    def consistency(self) -> Consistency:
        """``"strong"`` (S3 today), ``"eventual"`` or ``"legacy"`` (before Dec 2020) (read-only)."""
        return self._state.sequencer.consistency

    @property
    def visibility_lag(self) -> timedelta:
        """How long a write stays invisible to readers under eventual or legacy consistency (read-only)."""
        return self._state.sequencer.lag

    @property
    def access_key(self) -> str:
        """The first configured access key: the one the environment gets."""
        return next(iter(self.credentials))

    @property
    def secret_key(self) -> str:
        """The secret of ``access_key``."""
        return self.credentials[self.access_key]

    @property
    def buckets(self) -> Mapping[str, Bucket]:
        """Bucket name -> bucket (an ordered, read-only mapping of key -> StoredObject)."""
        return self._state.store.view

    @property
    def calls(self) -> BoundedLog[Call]:
        """The requests this fake answered, in the order answered: the ``log_limit`` most recent
        (``calls.dropped`` counts older ones let go)."""
        return self._state.calls

    @property
    def writes(self) -> BoundedLog[WriteRecord]:
        """The mutating requests, accepted or rejected, in the order they reached the sequencer: the
        ``log_limit`` most recent (``writes.dropped`` counts older ones let go)."""
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
        from fakes3put._commit.policies import replayed_order
        from fakes3put._commit.simultaneous import Simultaneous

        forced = replayed_order(len(self._windows))  # explore() replaying its chosen orders
        return Simultaneous(
            self._state.sequencer,
            order=order,
            seed=seed,
            expect=expect,
            timeout=timeout,
            forced=forced,
            on_close=self._windows.append,
        )

    def _configure_consistency(self, consistency: Consistency, lag: float | timedelta) -> None:
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
        """Start answering (and, with ``isolate_environment``, set ``AWS_*``); returns the fake.

        Nested starts are counted: the fake stops at the matching ``stop()``. Raises
        InterceptorConflictError if moto's mock_aws is active.
        """
        with self._state_lock:
            self._depth += 1
            if self._depth > 1:
                return self
            mount = Mount(
                label=repr(self),
                router=self._router,
                state=self._state,
                passthrough=self._passthrough,
                isolate_environment=self._isolate_environment,
                environment=(self.access_key, self.secret_key, self.region),
            )
            try:
                interceptors.refuse_active()
                lifecycle.start(mount)
                try:
                    interceptors.guard()
                except BaseException:
                    lifecycle.stop(mount)
                    raise
            except BaseException:
                self._depth -= 1  # not started: a later start() tries again instead of passing through
                raise
            self._mount = mount
            self._label = f"another FakeS3 (buckets at its start: {list(self.buckets)})"
            _key_owners.started(self._label, self.credentials)
        return self

    def stop(self) -> None:
        """Stop answering and restore the environment (at the outermost ``stop()``); the state is kept.

        Raises FakeS3InternalError if the fake failed while answering a request, and
        InterceptorConflictError if moto's mock_aws was started while the fake ran.
        """
        with self._state_lock:
            if self._depth == 0:
                return
            self._depth -= 1
            if self._depth > 0:
                return
            if self._mount is not None:
                lifecycle.stop(self._mount)
                self._mount = None
            conflict = interceptors.unguard()
            _key_owners.stopped(self._label, self.credentials)
        self._raise_internal_errors()
        if conflict is not None:
            raise InterceptorConflictError(conflict)

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

    def serve(self, *, host: str = "127.0.0.1", port: int = 0, env: bool = False) -> LoopbackServer:
        """This fake over HTTP, for clients with their own HTTP stack and for other processes.

        ``with fake.serve() as endpoint:`` gives a URL such as ``http://127.0.0.1:54321`` (a free
        port unless ``port`` is given; loopback only unless ``host`` says otherwise). The server
        starts the fake (nested, like ``with fake:``) and stops it on exit. ``env=True`` also sets
        ``AWS_ENDPOINT_URL_S3``, ``AWS_ENDPOINT_URL`` and ``AWS_ALLOW_HTTP`` while it runs.
        """
        from fakes3put._transport.server import LoopbackServer

        return LoopbackServer(
            self._state,
            host=host,
            port=port,
            env=env,
            credentials=(self.access_key, self.secret_key, self.region),
            on_start=self.start,
            on_stop=self.stop,
        )

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
        except (FakeS3InternalError, InterceptorConflictError) as failure:
            if type(failure) is not type(exc):
                exc.add_note(f"fakes3put also failed inside: {failure}")  # never mask the body's error

    async def __aenter__(self) -> FakeS3:
        """``async with FakeS3() as fake:`` starts the fake, as ``with`` does (it never blocks)."""
        return self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stops the fake, as ``with`` does."""
        self.__exit__(exc_type, exc, tb)

    # ----------------------------------------------------------------- decorator

    @overload
    def __call__(self, target: type[TestCaseT]) -> type[TestCaseT]: ...
    @overload
    def __call__(self, target: Callable[P, Coroutine[Any, Any, R]]) -> Callable[P, Coroutine[Any, Any, R]]: ...
    @overload
    def __call__(self, target: Callable[P, R]) -> Callable[P, R]: ...

    def __call__(self, target: Any) -> Any:
        """Decorate a test: the fake is reset and started around each call, and stopped after.

        Works on functions, coroutine functions (started around the awaited body), generator
        and async generator functions (active for the generator's whole life, until it is
        exhausted or closed: a pytest yield fixture keeps it through the test) and
        ``unittest.TestCase`` classes (started in ``setUp``, stopped by a cleanup; the test gets
        the fake as ``self.<as_kwarg or "fake_s3">``). With ``as_kwarg`` a function receives the
        fake as that keyword argument.
        """
        if isinstance(target, type):
            # A TestCase subclass means unittest is already imported; the fake never imports it itself.
            unittest_module = sys.modules.get("unittest")
            if unittest_module is not None and issubclass(target, unittest_module.TestCase):
                return self._decorate_testcase(target)
            raise TypeError(
                "FakeS3 decorates functions, coroutine functions, (async) generator functions and "
                "unittest.TestCase classes"
            )
        return self._decorate_callable(target)

    def _decorate_callable(self, func: F) -> F:
        inject = self.as_kwarg

        def enter(kwargs: dict[str, Any]) -> None:
            if self._depth == 0:
                self.reset()
            self.start()
            if inject is not None:
                kwargs[inject] = self

        wrapper: Callable[..., Any]
        if inspect.isasyncgenfunction(func):

            @functools.wraps(func)
            async def async_generator_wrapper(*args: Any, **kwargs: Any) -> AsyncGenerator[Any, Any]:
                enter(kwargs)
                with _Stopper(self):
                    body: AsyncGenerator[Any, Any] = func(*args, **kwargs)
                    sent: Any = None
                    thrown: BaseException | None = None
                    while True:  # ``yield from`` by hand: asend, athrow and aclose reach the body
                        try:
                            value = await (body.athrow(thrown) if thrown is not None else body.asend(sent))
                        except StopAsyncIteration:
                            return
                        thrown = None
                        try:
                            sent = yield value
                        except GeneratorExit:
                            await body.aclose()
                            raise
                        except BaseException as error:  # thrown into the wrapper: pass it to the body
                            thrown = error

            wrapper = async_generator_wrapper
        elif inspect.isgeneratorfunction(func):

            @functools.wraps(func)
            def generator_wrapper(*args: Any, **kwargs: Any) -> Generator[Any, Any, Any]:
                enter(kwargs)
                with _Stopper(self):
                    return (yield from func(*args, **kwargs))  # send, throw and close reach the body

            wrapper = generator_wrapper
        elif inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                enter(kwargs)
                with _Stopper(self):
                    return await func(*args, **kwargs)

            wrapper = async_wrapper
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
            cast(Any, wrapper).__signature__ = signature.replace(parameters=params)
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


_STATE_HINTS = {
    "buckets": "create buckets with CreateBucket or FakeS3(buckets=...); reset() restores the initial ones",
    "calls": "it is the fake's log; reset() empties it",
    "writes": "it is the fake's write log; reset() empties it",
    "windows": "it lists the closed fake.simultaneous(...) blocks; reset() empties it",
    "faults": "add rules with fake.faults.add(...)",
    "access_key": "configuration is given to the constructor: FakeS3(credentials={key: secret})",
    "secret_key": "configuration is given to the constructor: FakeS3(credentials={key: secret})",
}


def _checked(spec: BucketSpec) -> BucketSpec:
    """A bucket made up front follows the rules CreateBucket enforces."""
    problem = bucket_name_problem(spec.name)
    if problem is not None:
        raise FakeS3Error(f"bucket name {spec.name!r} {problem}")
    if spec.object_ownership not in OBJECT_OWNERSHIPS:
        raise FakeS3Error(f"bucket {spec.name!r}: object_ownership must be one of {OBJECT_OWNERSHIPS}")
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
