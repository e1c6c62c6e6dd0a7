"""What the database failing to answer looks like, for whoever must tell it from a query error."""

from __future__ import annotations

import asyncpg
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError

# What the database failing to answer looks like; query errors are not among them. Refused, reset or timed-out
# connections and an exhausted pool; the server ending a connection (a restart, a failover, `pg_terminate_backend`),
# including asyncpg's InternalClientError on a connection that has read the server's FATAL message but not yet
# the close (tests/integration/db/test_server_ended_connection.py); the server cancelling a statement
# (OperatorInterventionError covers QueryCanceledError: the statement timeout) or refusing a connection (too many).
# SQLAlchemy wraps most of the asyncpg ones in a plain DBAPIError, so `database_unavailable` looks inside.
DATABASE_UNAVAILABLE: tuple[type[BaseException], ...] = (
    OperationalError,
    InterfaceError,
    SQLAlchemyTimeoutError,
    OSError,
    TimeoutError,
    asyncpg.exceptions.PostgresConnectionError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.exceptions.InsufficientResourcesError,
    asyncpg.exceptions.InterfaceError,
    asyncpg.exceptions.InternalClientError,
)


def database_unavailable(exc: BaseException) -> bool:
    """Whether `exc`, or an error it wraps, means the database cannot answer now (see DATABASE_UNAVAILABLE)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, DATABASE_UNAVAILABLE):
            return True
        seen.add(id(current))
        current = getattr(current, "orig", None) or current.__cause__
    return False
