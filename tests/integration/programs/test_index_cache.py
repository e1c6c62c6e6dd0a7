"""The generator's catalogue index is built once per catalogue version, and rebuilt when the catalogue changes."""

from __future__ import annotations

from sqlalchemy import event, func, update
from sqlalchemy.ext.asyncio import AsyncEngine

from service.catalog import models
from service.catalog.cache import CatalogCache
from service.catalog.records import load_catalog
from service.db.engine import create_session_factory
from service.programs.index_cache import CatalogIndexCache


async def _touch(engine: AsyncEngine, slug: str) -> None:
    async with create_session_factory(engine)() as session, session.begin():
        await session.execute(update(models.Exercise).where(models.Exercise.slug == slug).values(updated_at=func.now()))


async def test_the_index_is_reused_until_the_catalogue_changes(engine: AsyncEngine) -> None:
    statements: list[str] = []
    factory = create_session_factory(engine)
    cache = CatalogIndexCache(factory, load_catalog(), CatalogCache(factory, max_age=60, check_seconds=0.0))
    first = await cache.current()
    assert "step_up" in first.exercises and "gluteus_maximus" in first.muscles
    assert first.patterns and first.equipment and first.conditions

    def record(conn: object, cursor: object, statement: str, *args: object) -> None:
        statements.append(statement)

    event.listen(engine.sync_engine, "before_cursor_execute", record)
    try:
        assert await cache.current() is first  # same version: only the version query ran
        assert len(statements) == 1 and "max(" in statements[0].lower()
        await _touch(engine, "step_up")
        assert await cache.current() is not first
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", record)


async def test_between_checks_no_statement_runs(engine: AsyncEngine) -> None:
    factory = create_session_factory(engine)
    cache = CatalogIndexCache(factory, load_catalog(), CatalogCache(factory, max_age=60, check_seconds=3600))
    first = await cache.current()
    await _touch(engine, "step_up")
    assert await cache.current() is first
