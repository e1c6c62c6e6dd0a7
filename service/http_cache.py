"""The read-mostly catalogue, served from memory: serialized responses cached per catalogue version.

Each process keeps the encoded body and ETag of every catalogue response it has built, keyed by path and query.
At most every `check_seconds` one request asks PostgreSQL for the catalogue's version (the newest `updated_at`
and the row counts of its tables); when a seed or an import changed it, the cache is emptied. A cached read
touches no database; a change is visible everywhere within `check_seconds`. Conditional GETs get 304 from the
ETag, cached or not.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.datastructures import ResponseHeader
from sqlalchemy import func, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from service.catalog import models
from service.problems import DATABASE_UNAVAILABLE

CACHE_HEADERS = [
    ResponseHeader(
        name="ETag",
        description="Validator of this representation; send it back in `If-None-Match`.",
        documentation_only=True,
    ),
    ResponseHeader(name="Cache-Control", description="How long clients may reuse it.", documentation_only=True),
]
logger = logging.getLogger("service.http_cache")
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


class CatalogCache:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        *,
        max_age: int,
        check_seconds: float = 2.0,
        max_entries: int = 5000,
    ) -> None:
        self._session_factory = session_factory
        self._max_age = max_age
        self._check_seconds = check_seconds
        self._max_entries = max_entries
        self._entries: OrderedDict[str, tuple[bytes, str]] = OrderedDict()
        self._version: str | None = None
        self._checked_at = float("-inf")

    async def _refresh(self) -> None:
        now = time.monotonic()
        if now - self._checked_at < self._check_seconds:
            return
        self._checked_at = now
        try:
            async with self._session_factory() as session:
                version = await catalog_version(session)
        except DATABASE_UNAVAILABLE as exc:
            # Database down: keep serving what is cached (a miss still fails with a 503).
            logger.warning("catalogue version check failed, serving cached responses: %s", exc)
            return
        if version != self._version:
            self._entries.clear()
            self._version = version

    async def respond(self, request: Request[Any, Any, Any], build: Callable[[], Awaitable[Any]]) -> Response[Any]:
        """The cached answer to this request, building (and keeping) it on a miss; problems are never cached."""
        await self._refresh()
        key = request.scope["path"] + "?" + request.scope["query_string"].decode("latin-1")
        entry = self._entries.get(key)
        if entry is None:
            body = msgspec.json.encode(await build())
            entry = (body, '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"')
            self._entries[key] = entry
            if len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)
        else:
            self._entries.move_to_end(key)
        body, etag = entry
        headers = {"ETag": etag, "Cache-Control": f"public, max-age={self._max_age}"}
        if _matches(request.headers.get("if-none-match"), etag):
            return Response(content=b"", status_code=304, headers=headers)
        return Response(content=body, media_type="application/json", headers=headers)
