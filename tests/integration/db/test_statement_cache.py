"""Behind PgBouncer in transaction mode no prepared statement may be kept: one setting turns caching off."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import text

from service.db.engine import create_engine
from service.settings import Settings


async def _caches(settings: Settings) -> tuple[int, int | None]:
    """asyncpg's statement cache size and SQLAlchemy's on one pooled connection of the engine."""
    engine = create_engine(settings)
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
            raw = await connection.get_raw_connection()
            adapted = raw.dbapi_connection
            return raw.driver_connection._stmt_cache.get_max_size(), adapted._prepared_statement_cache
    finally:
        await engine.dispose()


async def test_statement_caches_are_on_by_default(settings: Settings) -> None:
    asyncpg_size, sqlalchemy_cache = await _caches(settings)
    assert asyncpg_size > 0 and sqlalchemy_cache is not None


async def test_the_setting_turns_both_caches_off(settings: Settings) -> None:
    asyncpg_size, sqlalchemy_cache = await _caches(replace(settings, db_statement_cache=False))
    assert asyncpg_size == 0 and sqlalchemy_cache is None


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, True),
        ({"REALIGN_DB_STATEMENT_CACHE": "0"}, False),
        ({"REALIGN_DB_STATEMENT_CACHE": "false"}, False),
        ({"REALIGN_DB_STATEMENT_CACHE": "1"}, True),
        ({"DATABASE_URL_QUERY": "?prepared_statement_cache_size=0"}, False),
        ({"DATABASE_URL_QUERY": "?prepared_statement_cache_size=100"}, True),
    ],
)
def test_the_setting_is_read_from_the_environment_or_the_url(env: dict[str, str], expected: bool) -> None:
    query = env.pop("DATABASE_URL_QUERY", "")
    settings = Settings.from_env({"DATABASE_URL": "postgresql://realign@db:5432/realign" + query, **env})
    assert settings.db_statement_cache is expected
