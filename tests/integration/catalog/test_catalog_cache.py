"""The catalogue cache serves reads from memory and notices a changed catalogue."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from types import SimpleNamespace
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import func, update
from sqlalchemy.ext.asyncio import AsyncEngine

from devkit.keys import make_key
from service.app import create_app
from service.catalog import models
from service.catalog.cache import CatalogCache
from service.db.engine import create_engine, create_session_factory
from service.settings import Settings
from service.web.problems import ProblemError
from tests.conftest import METRICS_AUTH
from tests.integration.catalog.test_graphql import count_statements

Client = AsyncTestClient[Litestar]


async def _set_description(settings: Settings, slug: str, description: str) -> None:
    engine = create_engine(settings)
    try:
        async with create_session_factory(engine)() as session, session.begin():
            await session.execute(
                update(models.Equipment)
                .where(models.Equipment.slug == slug)
                .values(description=description, updated_at=func.now())
            )
    finally:
        await engine.dispose()


async def test_cached_reads_touch_no_database_and_a_change_shows(settings: Settings) -> None:
    app = create_app(replace(settings, catalog_check_seconds=0.0))
    async with AsyncTestClient(app=app) as client:
        first = await client.get("/v1/equipment/trap_bar")
        with count_statements(app) as statements:
            again = await client.get("/v1/equipment/trap_bar")
        assert again.json() == first.json()
        # Only the version check runs (check_seconds=0 makes it run on every request); the body comes from memory.
        assert len(statements) == 1 and "max(" in statements[0].lower()

        original = first.json()["description"]
        await _set_description(settings, "trap_bar", original + " (edited)")
        try:
            changed = await client.get("/v1/equipment/trap_bar")
            assert changed.json()["description"].endswith("(edited)")
            assert changed.headers["etag"] != first.headers["etag"]
        finally:
            await _set_description(settings, "trap_bar", original)


# The fast path: cached reads are answered before Litestar parses parameters, and still behave like any read.


@contextmanager
def _handler_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Paths of the requests that reached a catalogue handler (the fast path answers without one)."""
    calls: list[str] = []
    respond = CatalogCache.respond

    async def counting(self: CatalogCache, request: Any, build: Any) -> Any:
        calls.append(request.url.path)
        return await respond(self, request, build)

    monkeypatch.setattr(CatalogCache, "respond", counting)
    yield calls


def _comparable(headers: Any) -> dict[str, str]:
    """Every header and its value, but those that differ per request (its id; the quota left) only by name."""
    return {name: "..." if name in {"x-request-id", "ratelimit"} else value for name, value in headers.items()}


async def test_a_cached_read_skips_the_handler_and_answers_alike(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An app of its own whose version check cannot fall between the two requests: on the shared app, a check due
    # then would see an earlier test's catalogue edit and rightly empty the cache (a timing-dependent failure).
    async with AsyncTestClient(app=create_app(replace(settings, catalog_check_seconds=3600))) as client:
        with _handler_calls(monkeypatch) as calls:
            first = await client.get("/v1/exercises?limit=7&phase=strengthen")
            again = await client.get("/v1/exercises?limit=7&phase=strengthen", headers={"X-Request-ID": "fast-1"})
    assert calls == ["/v1/exercises"]
    assert again.status_code == 200 and again.content == first.content
    assert _comparable(again.headers) == _comparable(first.headers)
    assert again.headers["x-request-id"] == "fast-1"
    assert again.headers["x-content-type-options"] == "nosniff" and again.headers["x-frame-options"] == "DENY"
    assert again.headers["content-type"] == "application/json"
    assert int(again.headers["content-length"]) == again.num_bytes_downloaded  # as sent (gzip: #17)


async def test_conditional_get_is_a_304_on_the_fast_path(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    # An app of its own, for the reason test_a_cached_read_skips_the_handler_and_answers_alike gives.
    async with AsyncTestClient(app=create_app(replace(settings, catalog_check_seconds=3600))) as client:
        first = await client.get("/v1/exercises/dead_bug")
        with _handler_calls(monkeypatch) as calls:
            again = await client.get(
                "/v1/exercises/dead_bug", headers={"If-None-Match": "W/" + first.headers["etag"].removeprefix("W/")}
            )
            stale = await client.get("/v1/exercises/dead_bug", headers={"If-None-Match": '"not-the-etag"'})
    assert calls == []
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == first.headers["etag"]
    assert again.headers["cache-control"] == first.headers["cache-control"]
    assert again.headers["x-request-id"] and again.headers["referrer-policy"] == "no-referrer"
    assert stale.status_code == 200 and stale.content == first.content


@pytest.mark.parametrize(
    ("query", "field"),
    # An unknown parameter (`Limit`: names are case-sensitive) is a 400 too (issue 17, item 9).
    [("limit=0", "limit"), ("limit=20&limit=x", "limit"), ("limit=20&muscle=nope", "muscle"), ("Limit=20", "Limit")],
)
async def test_a_bad_parameter_is_still_a_400_after_a_good_query_was_cached(
    client: Client, query: str, field: str
) -> None:
    assert (await client.get("/v1/exercises?limit=20")).status_code == 200
    assert (await client.get("/v1/exercises?limit=20")).status_code == 200  # cached now
    response = await client.get(f"/v1/exercises?{query}")
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in {error["field"] for error in response.json()["errors"]}


async def test_metrics_count_fast_path_reads_by_route(client: Client) -> None:
    def count(body: str, status: str) -> float:
        for line in body.splitlines():
            if (
                line.startswith("realign_requests_total{")
                and 'path="/v1/equipment/{slug}"' in line
                and f'status_code="{status}"' in line
                and 'method="GET"' in line
            ):
                return float(line.rsplit(" ", 1)[1])
        return 0.0

    first = await client.get("/v1/equipment/foam_roller")
    before = (await client.get("/metrics", headers=METRICS_AUTH)).text
    for _ in range(3):
        assert (await client.get("/v1/equipment/foam_roller")).status_code == 200
    etag = first.headers["etag"]
    assert (await client.get("/v1/equipment/foam_roller", headers={"If-None-Match": etag})).status_code == 304
    after = (await client.get("/metrics", headers=METRICS_AUTH)).text
    assert count(after, "200") - count(before, "200") == 3
    assert count(after, "304") - count(before, "304") == 1
    assert "foam_roller" not in "".join(line for line in after.splitlines() if line.startswith("realign_"))


async def test_fast_path_reads_are_counted_once_each_and_limited(settings: Settings) -> None:
    limited = replace(settings, anonymous_rate_limit="3/3600")
    async with AsyncTestClient(app=create_app(limited)) as client:
        answers = [await client.get("/v1/conditions") for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a.headers["ratelimit"].split(";")[1] for a in answers] == ["r=2", "r=1", "r=0", "r=0"]
    over = answers[-1]
    assert over.headers["content-type"].startswith("application/problem+json")
    assert over.headers["retry-after"] and over.headers["ratelimit-policy"] == '"per-ip";q=3;w=3600'
    assert over.headers["x-request-id"]


async def test_a_private_catalogue_checks_every_cached_read(settings: Settings) -> None:
    private = replace(settings, public_catalog=False)
    reader = await make_key(settings, "fast-path-reader", ["catalog:read"])
    other = await make_key(settings, "fast-path-other", ["stats:read"])
    async with AsyncTestClient(app=create_app(private)) as client:
        for _ in range(2):  # the second read is a cache hit
            allowed = await client.get("/v1/patterns", headers={"Authorization": f"Bearer {reader}"})
            assert allowed.status_code == 200
        assert (await client.get("/v1/patterns")).status_code == 401
        forbidden = await client.get("/v1/patterns", headers={"Authorization": f"Bearer {other}"})
        assert forbidden.status_code == 403 and forbidden.headers["www-authenticate"].endswith('scope="catalog:read"')
        bad = await client.get("/v1/patterns", headers={"Authorization": "Bearer rl_live_" + "C" * 36})
        assert bad.status_code == 401 and bad.headers["content-type"].startswith("application/problem+json")


async def test_concurrent_misses_share_one_build(engine: AsyncEngine) -> None:
    cache = CatalogCache(create_session_factory(engine), max_age=60, check_seconds=3600)
    builds: list[int] = []

    async def build() -> dict[str, int]:
        builds.append(1)
        await asyncio.sleep(0.05)  # the other requests arrive while it builds
        return {"answer": 42}

    async def failing() -> dict[str, int]:
        builds.append(1)
        await asyncio.sleep(0.05)
        raise ProblemError(404, "No such thing.")

    def request(path: str) -> Any:
        return SimpleNamespace(scope={"path": path, "query_string": b"", "headers": []}, headers={})

    answers = await asyncio.gather(*(cache.respond(request("/v1/x"), build) for _ in range(5)))
    assert len(builds) == 1
    assert {a.content for a in answers} == {b'{"answer":42}'}
    builds.clear()
    failures = await asyncio.gather(
        *(cache.respond(request("/v1/y"), failing) for _ in range(3)), return_exceptions=True
    )
    assert all(isinstance(f, ProblemError) for f in failures)
    assert 1 <= len(builds) <= 3  # a failed build is nobody's answer: the others try their own
    assert await cache.lookup(request("/v1/y").scope) is None
