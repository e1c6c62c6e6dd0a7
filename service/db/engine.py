"""Engine and session factory. The request boundary owns the transaction; services never commit."""

from __future__ import annotations

import uuid
from typing import Any

import msgspec
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine

from service.db.tenancy import TenantScopedSession
from service.settings import Settings


def statement_cache_off() -> dict[str, Any]:
    """asyncpg connect arguments for PgBouncer in transaction mode, where a prepared statement cannot be kept.

    asyncpg's own statement cache off (it then uses unnamed statements), SQLAlchemy's cache off too, and the
    statements SQLAlchemy still names get names unique across server connections (SQLAlchemy's PgBouncer advice)."""
    return {
        "statement_cache_size": 0,
        "prepared_statement_cache_size": 0,
        "prepared_statement_name_func": lambda: f"__asyncpg_{uuid.uuid4()}__",
    }


def json_text(value: Any) -> str:
    """A value as the JSON text JSON columns travel as (msgspec: a stored program body is ~110 KB, several times
    faster than stdlib json)."""
    return msgspec.json.encode(value).decode()


def connect_options(settings: Settings) -> dict[str, Any]:
    """asyncpg connect arguments of every connection of the service: SQLAlchemy's engine and the one-statement
    pool (service.db.oneshot) alike."""
    return {
        "server_settings": {
            "statement_timeout": str(settings.db_statement_timeout_ms),
            "application_name": "realign",
        },
        "timeout": 5,
    }


def create_engine(settings: Settings) -> AsyncEngine:
    connect_args = connect_options(settings)
    if not settings.db_statement_cache:
        connect_args.update(statement_cache_off())
    return create_async_engine(
        settings.database_url,
        pool_size=settings.db_pool_size,
        max_overflow=10,
        pool_pre_ping=True,
        connect_args=connect_args,
        # Errors quote the statement but not its bound values (client ids, subject references, filter values),
        # which would otherwise reach the logs with every failed statement.
        hide_parameters=True,
        json_serializer=json_text,
        json_deserializer=msgspec.json.decode,
    )


def create_session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions whose queries of tenant-owned rows are scoped to their tenant (service.db.tenancy)."""
    return async_sessionmaker(engine, expire_on_commit=False, sync_session_class=TenantScopedSession)
