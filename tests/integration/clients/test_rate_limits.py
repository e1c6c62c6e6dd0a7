"""Rate limits: per key, per IP when anonymous, and shared across worker processes through Redis."""

from __future__ import annotations

import os
import socket
from dataclasses import replace

import httpx
import pytest
from litestar.testing import AsyncTestClient

from devkit.keys import make_key
from service.app import create_app
from service.settings import Settings
from tests.conftest import server_process


async def test_a_key_over_its_quota_gets_429_with_headers(settings: Settings) -> None:
    key = await make_key(settings, "rate-limited", ["catalog:read"])
    other = await make_key(settings, "rate-limited-neighbour", ["catalog:read"])
    limited = replace(settings, rate_limit="3/3600")
    async with AsyncTestClient(app=create_app(limited)) as client:
        headers = {"Authorization": f"Bearer {key}"}
        first = await client.get("/v1/equipment", headers=headers)
        assert first.status_code == 200
        assert first.headers["ratelimit-policy"] == '"per-key";q=3;w=3600'
        assert first.headers["ratelimit"].startswith('"per-key";r=2;t=')
        for _ in range(2):
            assert (await client.get("/v1/me", headers=headers)).status_code == 200
        over = await client.get("/v1/equipment", headers=headers)
        assert over.status_code == 429
        assert over.headers["content-type"].startswith("application/problem+json")
        retry_after = int(over.headers["retry-after"])
        assert 0 < retry_after <= 3600
        assert over.headers["ratelimit"] == f'"per-key";r=0;t={retry_after}'
        # Another key has its own quota.
        assert (await client.get("/v1/equipment", headers={"Authorization": f"Bearer {other}"})).status_code == 200


async def test_anonymous_catalogue_reads_are_limited_per_ip(settings: Settings) -> None:
    limited = replace(settings, anonymous_rate_limit="2/3600")
    async with AsyncTestClient(app=create_app(limited)) as client:
        assert [(await client.get("/v1/patterns")).status_code for _ in range(3)] == [200, 200, 429]
        graphql = await client.post("/graphql", json={"query": "{ patterns { slug } }"})
        assert graphql.status_code == 429 and graphql.headers["ratelimit-policy"] == '"per-ip";q=2;w=3600'
        assert (await client.get("/healthz")).status_code == 200


def _redis_url() -> str | None:
    url = os.environ.get("TEST_REDIS_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/15"
    host, port = "127.0.0.1", 6379
    if "://" in url:
        netloc = url.split("://", 1)[1].split("/", 1)[0].rsplit("@", 1)[-1]
        host, _, port_text = netloc.partition(":")
        port = int(port_text or 6379)
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return url
    except OSError:
        return None


def test_burst_is_counted_across_two_workers_sharing_redis(settings: Settings) -> None:
    redis_url = _redis_url()
    if redis_url is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must have Redis (127.0.0.1:6379 or TEST_REDIS_URL) for the cross-process limit test")
        pytest.skip("no Redis reachable (set TEST_REDIS_URL); the cross-process rate limit test needs one")
    import asyncio

    key = asyncio.run(make_key(settings, "two-worker-burst", ["catalog:read"]))
    env = {"REDIS_URL": redis_url, "REALIGN_RATE_LIMIT": "10/3600", "REALIGN_EXPOSE_WORKER": "true"}
    args = ["uvicorn", "--factory", "service.asgi:app", "--workers", "2"]
    with server_process(args, settings, env) as base:
        workers: set[str] = set()
        statuses: list[int] = []
        # A new connection each time; keep going until both workers have answered (the kernel picks one).
        while len(statuses) < 30 or (len(workers) < 2 and len(statuses) < 300):
            response = httpx.get(f"{base}/v1/me", headers={"Authorization": f"Bearer {key}"})
            statuses.append(response.status_code)
            workers.add(response.headers["x-served-by"])
        assert len(workers) == 2, "every request reached one worker; the test would prove nothing"
        assert statuses.count(200) == 10 and statuses.count(429) == len(statuses) - 10, statuses
