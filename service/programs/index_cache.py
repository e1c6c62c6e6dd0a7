"""The generator's catalogue index, built once per catalogue version and per process.

Building the index reads every exercise (five statements, but 100,000 rows on a big catalogue), so it is never done
per request. It follows the catalogue version check of the HTTP cache (service.catalog.cache.CatalogCache: at most
every `check_seconds` one request asks PostgreSQL), as the GraphQL cache does; a seed or an import changes the
version, and the next program request rebuilds the index. Concurrent requests that find it stale wait for one
rebuild instead of each doing their own. While the database is unreachable the current index is kept; with none
yet, the request fails with a 503.
"""

from __future__ import annotations

import asyncio

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from service.catalog.cache import CatalogCache
from service.catalog.records import CatalogData
from service.programs.catalog_index import CatalogIndex, load_exercises


class CatalogIndexCache:
    def __init__(
        self, session_factory: async_sessionmaker[AsyncSession], catalog: CatalogData, versions: CatalogCache
    ) -> None:
        self._session_factory = session_factory
        self._catalog = catalog  # its muscle tree, equipment, conditions and patterns; exercises come from the DB
        self._versions = versions
        self._index: CatalogIndex | None = None
        self._built_for: str | None = None  # the catalogue version whose change triggered the last build
        self._lock = asyncio.Lock()

    def _stale(self) -> bool:
        return self._index is None or self._built_for != self._versions.version

    async def current(self) -> CatalogIndex:
        """The index of the catalogue as it is now (as of the shared version check, at most `check_seconds` old)."""
        await self._versions.refresh()
        if self._stale():
            async with self._lock:
                if self._stale():  # another request may have rebuilt it while this one waited
                    await self._rebuild()
        assert self._index is not None
        return self._index

    async def _rebuild(self) -> None:
        version = self._versions.version
        async with self._session_factory() as session:
            # One snapshot for the five reads of load_exercises: an import committing half way through must not
            # give an index of half-related rows. (It may be newer than `version`: then the next check rebuilds once.)
            await session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
            exercises = await load_exercises(session)
        # Off the event loop: on a 100k catalogue the build takes about half a second of CPU, which would otherwise
        # stall every other request of this worker (catalogue reads, health checks).
        self._index = await asyncio.to_thread(CatalogIndex.from_catalog, self._catalog, exercises)
        self._built_for = version
