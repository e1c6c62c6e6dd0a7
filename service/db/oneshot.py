"""Work of one statement on a pooled asyncpg connection: the key lookups and the creates.

These paths run one statement per request on a connection held for that round trip alone, so they use asyncpg's
own pool rather than SQLAlchemy's. Measured in process over 400 `POST /v1/assessments` (each does a key lookup and
an insert): checking a connection out of SQLAlchemy's async pool and back in, through its greenlet bridge, cost
0.72 ms of CPU per request for the two, about a third of the request's CPU; asyncpg's pool costs a small fraction
of that. The pool runs no reset statement on release (`reset=`): nothing here changes a session's state.

No pre-ping either: a pre-ping is three round trips (BEGIN, `;`, ROLLBACK) before the statement's one. A connection
the server dropped (a restart, a failover) shows itself by failing: the pool's connections are then expired and
the work tried once more on a fresh one, so a restart costs no request a 503, when a retry is safe, which
`retry_if` decides (a read always; a write only when its statement never left this process).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import asyncpg
import msgspec
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from service.db.engine import connect_options
from service.db.errors import database_unavailable
from service.settings import Settings

T = TypeVar("T")

# Options of SQLAlchemy's asyncpg dialect that may ride in DATABASE_URL's query but are not asyncpg's.
_SQLALCHEMY_ONLY = ("prepared_statement_cache_size", "prepared_statement_name_func", "async_fallback")


def never_sent(exc: BaseException) -> bool:
    """The statement did not leave this process: the connection was already closed, or it had read the server's
    FATAL message but not yet the close (asyncpg then refuses the next statement with an InternalClientError,
    tests/integration/db/test_server_ended_connection.py). Retrying such a write cannot run it twice."""
    return isinstance(exc, asyncpg.exceptions.InterfaceError | asyncpg.exceptions.InternalClientError)


# LZ4 for the values this connection stores out of line (TOAST), where the server was built with it: no effect
# on what is stored or read back, only on how the server compresses it. The creates write large JSONB values (an
# assessment's `result` is ~18 KB of JSON text) and the stats triggers read them back at once, so pglz, the
# server's default, was a large part of the insert. Measured by hand (issue 13; PostgreSQL 15, 2 shared cores):
# 1,000 sequential inserts of the bench persona's assessment on one connection, four alternations, cost 0.96-1.48 ms
# of server CPU each with pglz and 0.72-1.12 ms with LZ4; under `make bench`'s load (wrk -c32, 2 workers, the same
# runs interleaved) the server's CPU per `POST /v1/assessments` fell from 1.99 to 1.39 ms and the requests per
# second rose by 12-20 %. A session setting chosen once per connection: no migration rewrites old rows (they keep
# pglz and read back as before), and a server without LZ4 keeps its default.
_PREFER_LZ4 = """
SELECT set_config('default_toast_compression', 'lz4', false)
FROM pg_settings WHERE name = 'default_toast_compression' AND 'lz4' = ANY(enumvals)
"""


async def _set_up_connection(connection: asyncpg.Connection) -> None:
    # JSON columns travel as JSON text (the callers encode with msgspec) and come back decoded by msgspec; large
    # values are compressed with LZ4 where the server has it (above).
    for name in ("json", "jsonb"):
        await connection.set_type_codec(
            name, encoder=lambda text: text, decoder=msgspec.json.decode, schema="pg_catalog", format="text"
        )
    await connection.execute(_PREFER_LZ4)


async def _keep(connection: asyncpg.Connection) -> None:
    """No reset statement on release: one-statement work leaves no session state behind."""


class StatementPool:
    """asyncpg's pool for one-statement work, made on first use (in the event loop that uses it)."""

    def __init__(self, settings: Settings) -> None:
        _, options = asyncpg_dialect().create_connect_args(make_url(settings.database_url))
        for name in _SQLALCHEMY_ONLY:
            options.pop(name, None)
        self._options: dict[str, Any] = {
            **options,
            **connect_options(settings),
            "min_size": 0,
            "max_size": settings.db_pool_size,
            "init": _set_up_connection,
            "reset": _keep,
        }
        if not settings.db_statement_cache:
            self._options["statement_cache_size"] = 0  # PgBouncer in transaction mode (service.db.engine)
        self._pool: asyncpg.Pool | None = None
        self._opening: asyncio.Lock | None = None

    async def _opened(self) -> asyncpg.Pool:
        if self._pool is None:
            self._opening = self._opening or asyncio.Lock()
            async with self._opening:
                if self._pool is None:
                    self._pool = await asyncpg.create_pool(**self._options)
        return self._pool

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[asyncpg.Connection]:
        pool = await self._opened()
        async with pool.acquire() as connection:
            yield connection

    async def expire(self) -> None:
        """Every pooled connection is as old as one the server ended: replace each on its next use."""
        if self._pool is not None:
            await self._pool.expire_connections()

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None


async def on_driver_connection(
    pool: StatementPool,
    work: Callable[[Any], Awaitable[T]],
    *,
    retry_if: Callable[[BaseException], bool] = database_unavailable,
) -> T:
    """`work(connection)` on a connection of `pool`, once more on a fresh one when the first fails in a way
    `retry_if` accepts. The connection runs outside any transaction: one statement is atomic."""
    for attempt in range(2):
        async with pool.connection() as connection:
            try:
                return await work(connection)
            except Exception as exc:
                if attempt or not retry_if(exc):
                    raise
        await pool.expire()
    raise AssertionError("unreachable")


async def driver_of(session: AsyncSession) -> Any:
    """The asyncpg connection under the session's transaction: statements on it run in that transaction."""
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    return raw.driver_connection
