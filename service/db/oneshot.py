"""Work of one statement on a pooled connection's driver, with no pre-ping: the key lookups and the creates.

A pre-ping is three round trips (BEGIN, `;`, ROLLBACK) before the statement's one, on every request. Without it, a
connection the server dropped (a restart, a failover) shows itself by failing: the pool is then emptied and the
work tried once more on a fresh connection, so a restart costs no request a 503 — when a retry is safe, which
`retry_if` decides (a read always; a write only when its statement never reached the server).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import asyncpg
from sqlalchemy.ext.asyncio import AsyncEngine

from service.db.errors import database_unavailable

T = TypeVar("T")


def never_sent(exc: BaseException) -> bool:
    """The statement did not leave this process: the connection was already closed, or it had read the server's
    FATAL message but not yet the close (asyncpg then refuses the next statement with an InternalClientError,
    tests/integration/db/test_server_ended_connection.py). Retrying such a write cannot run it twice."""
    return isinstance(exc, asyncpg.exceptions.InterfaceError | asyncpg.exceptions.InternalClientError)


async def on_driver_connection(
    engine: AsyncEngine,
    work: Callable[[Any], Awaitable[T]],
    *,
    retry_if: Callable[[BaseException], bool] = database_unavailable,
) -> T:
    """`work(driver)` on a connection of `engine` (an engine made without pre-ping), once more on a fresh one when
    the first fails in a way `retry_if` accepts. The driver runs outside any transaction: one statement is atomic."""
    for attempt in range(2):
        async with engine.connect() as connection:
            raw = await connection.get_raw_connection()
            try:
                return await work(raw.driver_connection)
            except Exception as exc:
                if attempt or not retry_if(exc):
                    raise
                await connection.invalidate()
        await engine.dispose()  # every pooled connection is as old as the dead one
    raise AssertionError("unreachable")
