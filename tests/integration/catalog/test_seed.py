"""Seeding is idempotent, and an edited record updates its row and `updated_at`."""

from __future__ import annotations

import asyncio
from pathlib import Path

import yaml
from sqlalchemy import select

from service.catalog import models
from service.catalog.records import load_catalog
from service.catalog.seed import SeedReport, seed_catalog
from service.db.engine import create_engine, create_session_factory
from service.db.migrate import upgrade
from service.settings import Settings


async def _seed(url: str, data_dir: Path | None = None) -> SeedReport:
    engine = create_engine(Settings(database_url=url))
    try:
        async with create_session_factory(engine)() as session, session.begin():
            return await seed_catalog(session, load_catalog(data_dir) if data_dir else load_catalog())
    finally:
        await engine.dispose()


async def _exercise(url: str, slug: str) -> models.Exercise:
    engine = create_engine(Settings(database_url=url))
    try:
        async with create_session_factory(engine)() as session:
            row = await session.scalar(select(models.Exercise).where(models.Exercise.slug == slug))
            assert row is not None
            return row
    finally:
        await engine.dispose()


def test_seed_twice_changes_nothing_and_an_edit_updates(scratch_database_url: str, catalog_dir: Path) -> None:
    url = scratch_database_url
    upgrade(url)
    first = asyncio.run(_seed(url))
    assert first.inserted["exercises"] > 100 and first.inserted["muscles"] > 50
    assert asyncio.run(_seed(url)).changed == 0

    before = asyncio.run(_exercise(url, "step_up"))
    untouched_before = asyncio.run(_exercise(url, "glute_bridge"))
    path = next(p for p in (catalog_dir / "exercises").glob("*.yaml") if "slug: step_up" in p.read_text())
    records = yaml.safe_load(path.read_text())
    next(r for r in records if r["slug"] == "step_up")["cues"].append("Keep the whole foot on the step.")
    path.write_text(yaml.safe_dump(records, sort_keys=False))

    edited = asyncio.run(_seed(url, catalog_dir))
    assert edited.updated == {"exercises": 1} and not edited.inserted
    after = asyncio.run(_exercise(url, "step_up"))
    assert after.cues[-1] == "Keep the whole foot on the step."
    assert after.updated_at > before.updated_at
    assert asyncio.run(_exercise(url, "glute_bridge")).updated_at == untouched_before.updated_at
    assert asyncio.run(_seed(url, catalog_dir)).changed == 0
