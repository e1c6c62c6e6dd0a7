"""The catalogue cache serves reads from memory and notices a changed catalogue."""

from __future__ import annotations

from dataclasses import replace

from litestar.testing import AsyncTestClient
from sqlalchemy import func, update

from service.app import create_app
from service.catalog import models
from service.db.engine import create_engine, create_session_factory
from service.settings import Settings
from tests.integration.catalog.test_graphql import count_statements


async def _set_description(settings: Settings, slug: str, description: str) -> None:
    engine = create_engine(settings)
    try:
        async with create_session_factory(engine)() as session, session.begin():
            await session.execute(
                update(models.Equipment)
                .where(models.Equipment.slug == slug)
                .values(description=description, updated_at=func.now())
            )
    finally:
        await engine.dispose()


async def test_cached_reads_touch_no_database_and_a_change_shows(settings: Settings) -> None:
    app = create_app(replace(settings, catalog_check_seconds=0.0))
    async with AsyncTestClient(app=app) as client:
        first = await client.get("/v1/equipment/trap_bar")
        with count_statements(app) as statements:
            again = await client.get("/v1/equipment/trap_bar")
        assert again.json() == first.json()
        # Only the version check runs (check_seconds=0 makes it run on every request); the body comes from memory.
        assert len(statements) == 1 and "max(" in statements[0].lower()

        original = first.json()["description"]
        await _set_description(settings, "trap_bar", original + " (edited)")
        try:
            changed = await client.get("/v1/equipment/trap_bar")
            assert changed.json()["description"].endswith("(edited)")
            assert changed.headers["etag"] != first.headers["etag"]
        finally:
            await _set_description(settings, "trap_bar", original)
