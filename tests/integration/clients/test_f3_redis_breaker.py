"""Finding F3 of the security review: a Redis that accepts connections and never answers.

Before the fix every request waited out the Redis timeout, was let through (count 0), still advertised the full
quota and logged a warning. Now a circuit breaker skips Redis after a failure and counts in the process meanwhile.
The breaker's clock is injected, so no test sleeps through a back-off or times anything.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import uuid
from collections.abc import Coroutine, Iterator
from dataclasses import replace
from typing import Any, TypeVar

import pytest
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.settings import Settings
from service.web.ratelimit import Decision, Quota, RedisLimiter
from tests.integration.clients.test_rate_limits import _redis_url

T = TypeVar("T")

QUOTA = Quota(name="per-key", limit=3, window_seconds=3600)


class FakeRedis:
    """A TCP server on a free port of 127.0.0.1 that counts what reaches it. While `upstream` is None it accepts
    connections and never answers (a hung Redis); with `upstream` set it relays bytes to that real Redis.

    It runs its own event loop in a thread: Litestar's AsyncTestClient blocks the test's loop while the app
    handles a request, and a server on that loop would not even accept until the request was over."""

    def __init__(self) -> None:
        self.connections = 0
        self.received = 0
        self.upstream: tuple[str, int] | None = None
        self._writers: list[asyncio.StreamWriter] = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, name="fake-redis", daemon=True)

    def __enter__(self) -> FakeRedis:
        self._thread.start()
        self._server = self._call(asyncio.start_server(self._serve, "127.0.0.1", 0))
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    def __exit__(self, *exc: object) -> None:
        self._call(self._stop())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._loop.close()

    def _call(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(timeout=5)

    async def _stop(self) -> None:
        self._server.close()
        for writer in self._writers:
            writer.close()
        await self._server.wait_closed()
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def url(self, db: int = 15) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    @property
    def traffic(self) -> tuple[int, int]:
        return self.connections, self.received

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        self._writers.append(writer)
        upstream_writer = None
        if self.upstream is not None:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self.upstream)
            self._writers.append(upstream_writer)
            relay = asyncio.ensure_future(self._relay(upstream_reader, writer))
        try:
            while data := await reader.read(65536):
                self.received += len(data)
                # Checked per chunk, so that a relayed connection hangs too once `upstream` is cleared.
                if upstream_writer is not None and self.upstream is not None:
                    upstream_writer.write(data)
                    await upstream_writer.drain()
        except ConnectionError:
            pass
        finally:
            if upstream_writer is not None:
                relay.cancel()
                upstream_writer.close()
            writer.close()

    @staticmethod
    async def _relay(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except ConnectionError:
            pass


class Clock:
    """A monotonic clock that only moves when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _remaining(decision: Decision) -> str:
    return decision.headers()["RateLimit"].split(";")[1]


def _records(caplog: pytest.LogCaptureFixture, level: int) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "service.web.ratelimit" and r.levelno == level]


@pytest.fixture
def black_hole() -> Iterator[FakeRedis]:
    with FakeRedis() as server:
        yield server


async def test_a_hung_redis_is_skipped_during_the_back_off_and_limits_stay_on(
    black_hole: FakeRedis, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="service.web.ratelimit")
    clock = Clock()
    limiter = RedisLimiter(black_hole.url(), monotonic=clock)
    try:
        # Hits already in flight when Redis hangs all wait out the timeout, and together trip the breaker once.
        tripping = await asyncio.gather(*(limiter.hit(f"key:in-flight-{n}", QUOTA) for n in range(4)))
        assert black_hole.connections == 4 and black_hole.received > 0  # they really went to the black hole
        assert all(d.allowed and _remaining(d) == "r=2" for d in tripping)
        before = black_hole.traffic
        first = await limiter.hit("key:a", QUOTA)
        rest = [await limiter.hit("key:a", QUOTA) for _ in range(3)]
        others = [await limiter.hit(f"key:{n}", QUOTA) for n in range(20)]
        # No connection and no byte during the back-off: these hits cost no Redis wait at all.
        assert black_hole.traffic == before
        # Counted per process: the quota holds and the headers give the real remaining count.
        assert [d.allowed for d in [first, *rest]] == [True, True, True, False]
        assert [_remaining(d) for d in [first, *rest]] == ["r=2", "r=1", "r=0", "r=0"]
        assert "Retry-After" in rest[-1].headers()
        assert all(d.allowed and _remaining(d) == "r=2" for d in others)
        warnings = _records(caplog, logging.WARNING)
        assert len(warnings) == 1, warnings
        assert warnings[0].startswith("rate limiter falling back to per-process counters: ")

        # After the back-off, of several hits arriving together only one probes Redis; the rest keep counting here.
        clock.now += 1.01
        probe_round = await asyncio.gather(*(limiter.hit("key:b", QUOTA) for _ in range(5)))
        assert black_hole.connections == before[0] + 1
        assert sorted(_remaining(d) for d in probe_round) == ["r=0", "r=0", "r=0", "r=1", "r=2"]
        # The failed probe doubled the back-off (2 s): 1.5 s later Redis is still left alone.
        probed = black_hole.traffic
        clock.now += 1.5
        await limiter.hit("key:b", QUOTA)
        assert black_hole.traffic == probed
        clock.now += 0.51
        await limiter.hit("key:b", QUOTA)
        assert black_hole.connections == probed[0] + 1
        # Still one line for the whole outage: the failed probes changed nothing worth a line.
        assert len([r for r in caplog.records if r.name == "service.web.ratelimit"]) == 1
        assert limiter.is_open
    finally:
        await limiter.close()


async def test_the_breaker_closes_when_redis_answers_again(
    black_hole: FakeRedis, caplog: pytest.LogCaptureFixture
) -> None:
    redis_url = _redis_url()
    if redis_url is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must have Redis (127.0.0.1:6379 or TEST_REDIS_URL) for the breaker recovery test")
        pytest.skip("no Redis reachable (set TEST_REDIS_URL); the breaker recovery test needs one")
    from redis.asyncio import Redis

    caplog.set_level(logging.INFO, logger="service.web.ratelimit")
    real = Redis.from_url(redis_url)
    address = real.connection_pool.connection_kwargs
    db = int(address.get("db") or 0)
    clock = Clock()
    limiter = RedisLimiter(black_hole.url(db), monotonic=clock)
    identity = f"key:f3-{uuid.uuid4().hex}"
    try:
        assert (await limiter.hit(identity, QUOTA)).count == 1  # per process: Redis hangs
        assert limiter.is_open
        clock.now += 1.01
        assert (await limiter.hit(identity, QUOTA)).count == 2  # a failed probe: the back-off doubles to 2 s
        black_hole.upstream = (address.get("host", "127.0.0.1"), int(address.get("port", 6379)))
        clock.now += 1.5
        assert (await limiter.hit(identity, QUOTA)).count == 3  # within the back-off: still per process
        connections = black_hole.connections

        clock.now += 0.51
        recovered = await limiter.hit(identity, QUOTA)  # the probe reaches the real Redis and closes the breaker
        assert not limiter.is_open
        assert black_hole.connections == connections + 1
        keys = [k async for k in real.scan_iter(match=f"realign:ratelimit:per-key:{identity}:*")]
        assert len(keys) == 1
        assert int(await real.get(keys[0])) == 1 == recovered.count
        assert (await limiter.hit(identity, QUOTA)).count == 2  # counted in Redis from now on
        assert int(await real.get(keys[0])) == 2
        infos = _records(caplog, logging.INFO)
        assert len(infos) == 1 and infos[0].startswith("rate limiter counting in Redis again"), infos
        assert len(_records(caplog, logging.WARNING)) == 1

        # A new outage starts from the first back-off again (1 s, not the 2 s it had grown to), warning anew.
        black_hole.upstream = None
        await limiter.hit(identity, QUOTA)
        assert limiter.is_open and len(_records(caplog, logging.WARNING)) == 2
        hung = black_hole.traffic
        clock.now += 0.99
        await limiter.hit(identity, QUOTA)
        assert black_hole.traffic == hung
        clock.now += 0.02
        await limiter.hit(identity, QUOTA)
        assert black_hole.traffic != hung
        await real.delete(*keys)
    finally:
        await limiter.close()
        await real.aclose()


async def test_the_app_keeps_limiting_with_true_headers_while_redis_hangs(
    settings: Settings, black_hole: FakeRedis, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="service.web.ratelimit")
    hung = replace(settings, redis_url=black_hole.url(), anonymous_rate_limit="3/3600")
    async with AsyncTestClient(app=create_app(hung)) as client:
        responses = [await client.get("/v1/patterns") for _ in range(4)]
    assert [r.status_code for r in responses] == [200, 200, 200, 429]
    assert [r.headers["ratelimit"].split(";")[1] for r in responses] == ["r=2", "r=1", "r=0", "r=0"]
    assert responses[0].headers["ratelimit-policy"] == '"per-ip";q=3;w=3600'
    assert black_hole.connections >= 1  # the app did try the (hung) Redis
    # However long the requests took (a probe may fail in between), the outage is one warning.
    assert len(_records(caplog, logging.WARNING)) == 1
