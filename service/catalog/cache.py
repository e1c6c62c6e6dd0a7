"""The read-mostly catalogue, served from memory: serialized responses cached per catalogue version.

Each process keeps the encoded body and ETag of every catalogue response it has built, keyed by path and query.
At most every `check_seconds` one request asks PostgreSQL for the catalogue's version (the newest `updated_at`
and the row counts of its tables); when a seed or an import changed it, the cache is emptied. A cached read
touches no database; a change is visible everywhere within `check_seconds`. Conditional GETs get 304 from the
ETag, cached or not. A cached answer is served by `cached_read_middleware` before Litestar does its per-request
work (query-parameter parsing and validation, dependency injection, Response objects).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, NamedTuple

import msgspec
from litestar import Request, Response
from litestar.types import ASGIApp, Receive, Scope, Send
from sqlalchemy import func, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from service.catalog import models
from service.clients.auth import check_catalog_access, header_value
from service.db.errors import database_unavailable
from service.lib.singleflight import LruCache, SingleFlight
from service.web.problems import ProblemError

logger = logging.getLogger("service.catalog.cache")
_CATALOG_TABLES = (models.Muscle, models.Equipment, models.Condition, models.Pattern, models.Exercise)


def _matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    candidates = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in candidates or etag in candidates


async def catalog_version(session: AsyncSession) -> str:
    parts = union_all(
        *(select(func.max(table.updated_at).cast(models.Exercise.slug.type), func.count()) for table in _CATALOG_TABLES)
    )
    rows = (await session.execute(select(parts.subquery()))).all()
    return "|".join(f"{newest}:{count}" for newest, count in rows)


class _Entry(NamedTuple):
    body: bytes
    etag: str
    headers: tuple[tuple[bytes, bytes], ...]  # of a 200, encoded once
    not_modified_headers: tuple[tuple[bytes, bytes], ...]  # of a 304


def cache_key(scope: Scope) -> str:
    """The exact path and raw query string: only a request spelled the same way reuses an answer."""
    return scope["path"] + "?" + scope["query_string"].decode("latin-1")


class CatalogCache:
    _VERSION_CHECK = "version"  # the one key of `_checks`

    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        max_age: int,
        check_seconds: float = 2.0,
        max_entries: int = 5000,
    ) -> None:
        self._session_factory = session_factory
        self._cache_control = f"public, max-age={max_age}"
        self._check_seconds = check_seconds
        self._entries: LruCache[str, _Entry] = LruCache(max_entries)
        self._version: str | None = None
        self._checked_at = float("-inf")
        self._listeners: list[Callable[[], None]] = []
        self._builds: SingleFlight[str, _Entry] = SingleFlight()
        self._checks: SingleFlight[str, None] = SingleFlight()

    @property
    def version(self) -> str | None:
        """The catalogue version the cached answers belong to (None before the first check)."""
        return self._version

    def on_change(self, listener: Callable[[], None]) -> None:
        """Call `listener` whenever the catalogue changed and the cache was emptied (other caches follow it)."""
        self._listeners.append(listener)

    async def refresh(self) -> None:
        """Ask PostgreSQL for the catalogue version, at most every `check_seconds`; empty the cache on a change.

        One check at a time: the others go on with the current answers, or, before the first check has answered
        (nothing can be served yet), wait for it (and not for its error: the caller that started it re-raises it)."""
        checking = self._checks.running(self._VERSION_CHECK)
        if checking is not None:
            if self._version is None:
                await asyncio.wait([checking])
            return
        now = time.monotonic()
        if now - self._checked_at < self._check_seconds:
            return
        self._checked_at = now
        await self._checks.run(self._VERSION_CHECK, self._check)

    async def _check(self) -> None:
        try:
            async with self._session_factory() as session:
                version = await catalog_version(session)
        except Exception as exc:
            if not database_unavailable(exc):
                raise
            # Database down: keep serving what is cached (a miss still fails with a 503).
            logger.warning("catalogue version check failed, serving cached responses: %s", type(exc).__name__)
            return
        if version != self._version:
            self._entries.clear()
            self._version = version
            for listener in self._listeners:
                listener()

    def _entry(self, body: bytes) -> _Entry:
        etag = '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'
        validators = ((b"etag", etag.encode()), (b"cache-control", self._cache_control.encode()))
        content = ((b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()))
        return _Entry(body, etag, validators + content, validators)

    async def lookup(self, scope: Scope) -> _Entry | None:
        """The cached answer to exactly this path and query, if there is one for the current catalogue."""
        await self.refresh()
        return self._entries.get(cache_key(scope))

    async def _build(self, key: str, build: Callable[[], Awaitable[Any]]) -> _Entry:
        version = self._version
        entry = self._entry(msgspec.json.encode(await build()))
        if version is not None and version == self._version:
            self._entries.put(key, entry)
        return entry

    async def respond(self, request: Request[Any, Any, Any], build: Callable[[], Awaitable[Any]]) -> Response[Any]:
        """The cached answer to this request, building (and keeping) it on a miss; problems are never cached.

        Concurrent misses of one key share one build (a cold or just-emptied cache is not a stampede on the
        database); an answer built while the catalogue version changed is returned but not kept. A build goes on
        when the request that started it goes away. A failed build is nobody's answer: the requests that waited
        for it build again (sharing that second build), and fail, if they do, their own way."""
        entry = await self.lookup(request.scope)
        if entry is None:
            key = cache_key(request.scope)
            building = self._builds.running(key)
            if building is not None:
                await asyncio.wait([building])  # the first request's build; if it failed, build anew
                if not building.cancelled() and building.exception() is None:
                    entry = building.result()
            if entry is None:
                entry = await self._builds.run(key, lambda: self._build(key, build))
        headers = {"ETag": entry.etag, "Cache-Control": self._cache_control}
        if _matches(request.headers.get("if-none-match"), entry.etag):
            return Response(content=b"", status_code=304, headers=headers)
        return Response(content=entry.body, media_type="application/json", headers=headers)


def cached_read_middleware(cache: CatalogCache) -> Callable[[ASGIApp], ASGIApp]:
    """The catalogue routes' fast path: a GET whose exact path and raw query string have a cached answer gets it
    before Litestar parses and validates parameters, injects dependencies or builds a Response.

    Only an answer that a request spelled exactly the same way produced (after passing validation) is reused, so
    a request that would fail validation never finds one and takes the normal way, as does every miss. Access is
    decided by the same function as the routes' guard (key, private catalogue, rate limit); when it refuses, the
    normal way answers with its problem, reusing what was found here (the principal, the request's count). It runs
    inside the app's middleware, so request ids, metrics and the before_send headers apply as to any response."""
    return lambda app: _CachedReads(app, cache)


class _CachedReads:
    def __init__(self, app: ASGIApp, cache: CatalogCache) -> None:
        self.app, self.cache = app, cache

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        app = self.app
        if scope["type"] != "http" or scope["method"] != "GET":  # type: ignore[typeddict-item]
            await app(scope, receive, send)
            return
        entry = await self.cache.lookup(scope)
        if entry is None:
            await app(scope, receive, send)
            return
        try:
            await check_catalog_access(scope)
        except ProblemError:
            await app(scope, receive, send)
            return
        if _matches(header_value(scope, b"if-none-match"), entry.etag):
            await send({"type": "http.response.start", "status": 304, "headers": list(entry.not_modified_headers)})
            await send({"type": "http.response.body", "body": b"", "more_body": False})
            return
        await send({"type": "http.response.start", "status": 200, "headers": list(entry.headers)})
        await send({"type": "http.response.body", "body": entry.body, "more_body": False})
