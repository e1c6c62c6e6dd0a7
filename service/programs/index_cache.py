"""The generator's catalogue index, built once per catalogue version and per process.

Building the index reads every exercise (five statements, but 100,000 rows on a big catalogue), so it is never done
per request. As with the HTTP cache of catalogue responses (service.http_cache), at most every `check_seconds` one
request asks PostgreSQL for the catalogue's version; a seed or an import changes it, and the next request rebuilds
the index. Concurrent requests that find it stale wait for one rebuild instead of each doing their own.
"""

from __future__ import annotations

import asyncio
import logging
import time

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from service.catalog.records import CatalogData
from service.http_cache import catalog_version
from service.problems import DATABASE_UNAVAILABLE
from service.programs.catalog_index import CatalogIndex, load_exercises

logger = logging.getLogger("service.programs.index_cache")


class CatalogIndexCache:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        catalog: CatalogData,
        *,
        check_seconds: float = 2.0,
    ) -> None:
        self._session_factory = session_factory
        self._catalog = catalog  # its muscle tree, equipment, conditions and patterns; exercises come from the DB
        self._check_seconds = check_seconds
        self._index: CatalogIndex | None = None
        self._version: str | None = None
        self._checked_at = float("-inf")
        self._lock = asyncio.Lock()

    def _fresh(self) -> bool:
        return self._index is not None and time.monotonic() - self._checked_at < self._check_seconds

    async def current(self) -> CatalogIndex:
        """The index of the catalogue as it is now (at most `check_seconds` old)."""
        if self._fresh():
            assert self._index is not None
            return self._index
        async with self._lock:
            if not self._fresh():  # another request may have refreshed it while this one waited
                await self._refresh()
        assert self._index is not None
        return self._index

    async def _refresh(self) -> None:
        try:
            async with self._session_factory() as session:
                # One snapshot for the version and the five reads of load_exercises: an import committing half
                # way through must not give an index of half-related rows.
                await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
                version = await catalog_version(session)
                if version != self._version or self._index is None:
                    exercises = await load_exercises(session)
                    # Off the event loop: on a 100k catalogue the build takes about half a second of CPU, which
                    # would otherwise stall every other request of this worker (catalogue reads, health checks).
                    self._index = await asyncio.to_thread(CatalogIndex.from_catalog, self._catalog, exercises)
                    self._version = version
        except DATABASE_UNAVAILABLE as exc:
            if self._index is None:
                raise  # nothing to serve from: the request fails with a 503
            # Keep generating from the index we have; the program's own insert will tell whether the database is up.
            logger.warning("catalogue version check failed, keeping the current index: %s", exc)
        self._checked_at = time.monotonic()
