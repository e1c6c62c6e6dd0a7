"""Per-key (per-IP when anonymous) rate limits, shared across worker processes through Redis.

Fixed windows: simple, cheap and exact enough for abuse limits. Without REDIS_URL the counters live in the
process, so N workers allow N times the quota (the same caveat as litestar issue #4700); production sets
REDIS_URL. Headers follow the IETF draft "RateLimit header fields for HTTP" (RateLimit-Policy / RateLimit as
structured fields).
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass
from typing import Any, Protocol

logger = logging.getLogger("service.ratelimit")


@dataclass(frozen=True)
class Quota:
    name: str
    limit: int
    window_seconds: int

    @classmethod
    def parse(cls, name: str, text: str) -> Quota | None:
        """`600/60` → 600 requests per 60 s; `off` (or 0) → no limit."""
        if text.strip().lower() in {"off", "0", ""}:
            return None
        limit, _, window = text.partition("/")
        quota = cls(name=name, limit=int(limit), window_seconds=int(window or 60))
        if quota.limit < 1 or quota.window_seconds < 1:
            raise ValueError(f"rate limit must look like 600/60, got {text!r}")
        return quota


@dataclass(frozen=True)
class Decision:
    quota: Quota
    count: int
    reset_seconds: int

    @property
    def allowed(self) -> bool:
        return self.count <= self.quota.limit

    def headers(self) -> dict[str, str]:
        remaining = max(self.quota.limit - self.count, 0)
        headers = {
            "RateLimit-Policy": f'"{self.quota.name}";q={self.quota.limit};w={self.quota.window_seconds}',
            "RateLimit": f'"{self.quota.name}";r={remaining};t={self.reset_seconds}',
        }
        if not self.allowed:
            headers["Retry-After"] = str(self.reset_seconds)
        return headers


class Limiter(Protocol):
    async def hit(self, identity: str, quota: Quota) -> Decision: ...

    async def close(self) -> None: ...


def _window(quota: Quota, now: float) -> tuple[int, int]:
    """The current window's index and the whole seconds until it ends (at least 1)."""
    index = int(now // quota.window_seconds)
    reset = max(1, math.ceil((index + 1) * quota.window_seconds - now))
    return index, reset


class MemoryLimiter:
    def __init__(self) -> None:
        self._counts: dict[tuple[str, str, int], int] = {}

    async def hit(self, identity: str, quota: Quota) -> Decision:
        index, reset = _window(quota, time.time())
        # No lock: nothing here awaits, so on the worker's one event loop no other hit can interleave.
        key = (quota.name, identity, index)
        self._counts[key] = count = self._counts.get(key, 0) + 1
        if len(self._counts) > 100_000:  # drop finished windows now and then
            self._counts = {k: v for k, v in self._counts.items() if k[2] >= index}
        return Decision(quota=quota, count=count, reset_seconds=reset)

    async def close(self) -> None:
        return None


# INCR and set the expiry on first use, atomically: no key outlives its window.
_INCREMENT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return n
"""


class RedisLimiter:
    def __init__(self, url: str) -> None:
        from redis.asyncio import Redis

        self._redis: Any = Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        self._script = self._redis.register_script(_INCREMENT)

    async def hit(self, identity: str, quota: Quota) -> Decision:
        index, reset = _window(quota, time.time())
        key = f"realign:ratelimit:{quota.name}:{identity}:{index}"
        try:
            count = int(await self._script(keys=[key], args=[quota.window_seconds + 1]))
        except Exception as exc:  # Redis down: fail open rather than take the API down with it
            logger.warning("rate limiter unavailable, allowing request: %s", exc)
            count = 0
        return Decision(quota=quota, count=count, reset_seconds=reset)

    async def close(self) -> None:
        await self._redis.aclose()


def create_limiter(redis_url: str | None) -> Limiter:
    return RedisLimiter(redis_url) if redis_url else MemoryLimiter()
