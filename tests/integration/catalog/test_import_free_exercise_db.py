"""Importing free-exercise-db into a scratch database seeded with the curated catalogue.

Never the shared test database: other tests count and rank its exercises.
"""

from __future__ import annotations

import asyncio
import copy
import json
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import msgspec
import pytest
from litestar.testing import AsyncTestClient
from sqlalchemy import select, text, update

from service.__main__ import main
from service.app import create_app
from service.catalog import models
from service.catalog.importers import free_exercise_db as fedb
from service.catalog.records import load_catalog
from service.catalog.seed import LinkTargets, ProvenanceError, SeedReport, seed_catalog, upsert_exercises
from service.db.engine import create_engine, create_session_factory
from service.db.migrate import upgrade
from service.settings import Settings

PROJECT_ROOT = Path(__file__).resolve().parents[3]
FIXTURE = PROJECT_ROOT / "tests" / "fixtures" / "free_exercise_db_sample.json"
# CI clones the project next to `shared/`, as the working copies are.
FULL_DATASET = PROJECT_ROOT.parent / "shared" / "data" / "free-exercise-db" / "exercises.json"

FIXTURE_SLUGS = {
    "fedb_back_of_thigh_roll_smr",
    "fedb_banded_torso_turn",
    "fedb_barbell_hinge_deadlift",
    "fedb_lying_neck_nod",
    "fedb_one_arm_bench_supported_row",
    "fedb_seated_towel_hamstring_reach",
}
# Hamstrings as a primary (the hinge, the stretch, the roll) or secondary muscle (the row); the cardio record
# that also names them is skipped.
FIXTURE_HAMSTRING_SLUGS = {
    "fedb_back_of_thigh_roll_smr",
    "fedb_barbell_hinge_deadlift",
    "fedb_one_arm_bench_supported_row",
    "fedb_seated_towel_hamstring_reach",
}

Row = tuple[str, str, str | None, str, datetime]


def _fixture() -> list[dict[str, Any]]:
    return json.loads(FIXTURE.read_text())


def _seeded(url: str) -> str:
    upgrade(url)

    async def seed() -> None:
        engine = create_engine(Settings(database_url=url))
        try:
            async with create_session_factory(engine)() as session, session.begin():
                await seed_catalog(session, load_catalog())
        finally:
            await engine.dispose()

    asyncio.run(seed())
    return url


async def _import(url: str, raw: Any, *, dry_run: bool = False) -> fedb.ImportReport:
    engine = create_engine(Settings(database_url=url))
    try:
        return await fedb.run_import(create_session_factory(engine), fedb.plan_import(raw), dry_run=dry_run)
    finally:
        await engine.dispose()


def _run_import(url: str, raw: Any, *, dry_run: bool = False) -> fedb.ImportReport:
    return asyncio.run(_import(url, raw, dry_run=dry_run))


async def _query(url: str, work: Callable[[Any], Any]) -> Any:
    engine = create_engine(Settings(database_url=url))
    try:
        async with create_session_factory(engine)() as session, session.begin():
            return await work(session)
    finally:
        await engine.dispose()


def _rows(url: str) -> dict[str, Row]:
    """Every exercise row: slug → (slug, source, license, content_hash, updated_at)."""

    async def work(session: Any) -> dict[str, Row]:
        e = models.Exercise
        result = await session.execute(select(e.slug, e.source, e.license, e.content_hash, e.updated_at))
        return {row[0]: tuple(row) for row in result}

    return asyncio.run(_query(url, work))


def _imported(rows: dict[str, Row]) -> dict[str, Row]:
    return {slug: row for slug, row in rows.items() if row[1] == fedb.SOURCE}


def _curated(rows: dict[str, Row]) -> dict[str, Row]:
    return {slug: row for slug, row in rows.items() if row[1] == "curated"}


@pytest.fixture
def seeded_url(scratch_database_url: str) -> str:
    return _seeded(scratch_database_url)


def test_fixture_imports_and_a_second_run_changes_nothing(seeded_url: str) -> None:
    before = _rows(seeded_url)
    report = _run_import(seeded_url, _fixture())
    assert set(report.inserted) == FIXTURE_SLUGS
    assert (report.read, report.updated, report.unchanged, len(report.skipped)) == (7, [], 0, 1)
    assert report.skipped[0].reason == "category cardio has no Realign modality"
    assert report.unmapped == [fedb.Unmapped("force", "rotate", 1)]

    after = _rows(seeded_url)
    imported = _imported(after)
    assert set(imported) == FIXTURE_SLUGS
    assert {row[2] for row in imported.values()} == {"Unlicense"}
    assert _curated(after) == _curated(before)  # content_hash and updated_at of every curated row

    again = _run_import(seeded_url, _fixture())
    assert (again.changed, again.unchanged) == (0, len(FIXTURE_SLUGS))
    assert _rows(seeded_url) == after


def test_imported_rows_carry_their_links(seeded_url: str) -> None:
    _run_import(seeded_url, _fixture())

    async def work(session: Any) -> tuple[list[Any], list[Any]]:
        muscles = await session.execute(
            select(models.ExerciseMuscle.role, models.Muscle.slug)
            .join(models.Muscle, models.Muscle.id == models.ExerciseMuscle.muscle_id)
            .join(models.Exercise, models.Exercise.id == models.ExerciseMuscle.exercise_id)
            .where(models.Exercise.slug == "fedb_barbell_hinge_deadlift")
            .order_by(models.ExerciseMuscle.role, models.ExerciseMuscle.position)
        )
        equipment = await session.execute(
            select(models.Exercise.slug, models.Equipment.slug)
            .join(models.ExerciseEquipment, models.ExerciseEquipment.exercise_id == models.Exercise.id)
            .join(models.Equipment, models.Equipment.id == models.ExerciseEquipment.equipment_id)
            .where(models.Exercise.source == fedb.SOURCE)
            .order_by(models.Exercise.slug)
        )
        return list(muscles), list(equipment)

    muscles, equipment = asyncio.run(_query(seeded_url, work))
    assert [tuple(m) for m in muscles] == [
        ("primary", "hamstrings"),
        ("secondary", "glutes"),
        ("secondary", "erector_spinae"),
    ]
    assert dict(tuple(e) for e in equipment) == {
        "fedb_back_of_thigh_roll_smr": "foam_roller",
        "fedb_banded_torso_turn": "resistance_band",
        "fedb_barbell_hinge_deadlift": "barbell",
        "fedb_lying_neck_nod": "other",
        "fedb_one_arm_bench_supported_row": "dumbbell",
        "fedb_seated_towel_hamstring_reach": "other",
    }


def test_an_edited_record_updates_its_row_and_updated_at(seeded_url: str) -> None:
    _run_import(seeded_url, _fixture())
    before = _rows(seeded_url)

    edited = copy.deepcopy(_fixture())
    hinge = next(r for r in edited if r["id"] == "Barbell_Hinge_Deadlift")
    hinge["instructions"].append("Keep the bar close all the way down.")
    report = _run_import(seeded_url, edited)
    assert (report.inserted, report.updated, report.unchanged) == ([], ["fedb_barbell_hinge_deadlift"], 5)

    after = _rows(seeded_url)
    slug = "fedb_barbell_hinge_deadlift"
    assert after[slug][3] != before[slug][3] and after[slug][4] > before[slug][4]
    assert {s: r for s, r in after.items() if s != slug} == {s: r for s, r in before.items() if s != slug}

    async def instructions(session: Any) -> list[str]:
        return await session.scalar(select(models.Exercise.instructions).where(models.Exercise.slug == slug))

    assert asyncio.run(_query(seeded_url, instructions))[-1] == "Keep the bar close all the way down."
    assert _run_import(seeded_url, edited).changed == 0


def test_dry_run_reports_what_a_real_run_would_do_and_writes_nothing(seeded_url: str) -> None:
    before = _rows(seeded_url)
    dry = _run_import(seeded_url, _fixture(), dry_run=True)
    assert set(dry.inserted) == FIXTURE_SLUGS and dry.dry_run
    assert _rows(seeded_url) == before

    real = _run_import(seeded_url, _fixture())
    assert sorted(real.inserted) == sorted(dry.inserted)

    edited = copy.deepcopy(_fixture())
    edited[1]["level"] = "intermediate"
    edited.append({**edited[0], "id": "Barbell_Hinge_Deadlift_Paused", "name": "Paused Barbell Hinge Deadlift"})
    imported = _rows(seeded_url)
    dry = _run_import(seeded_url, edited, dry_run=True)
    assert (dry.inserted, dry.updated) == (
        ["fedb_barbell_hinge_deadlift_paused"],
        ["fedb_seated_towel_hamstring_reach"],
    )
    assert _rows(seeded_url) == imported
    lines = "\n".join(dry.lines())
    assert "would insert fedb_barbell_hinge_deadlift_paused" in lines
    assert "would update fedb_seated_towel_hamstring_reach" in lines
    assert "force 'rotate': 1" in lines


def test_invalid_file_writes_nothing(seeded_url: str) -> None:
    before = _rows(seeded_url)
    broken = _fixture()
    broken[4]["primaryMuscles"] = "neck"
    with pytest.raises(fedb.DatasetError, match=r"record at index 4 \(id 'Lying_Neck_Nod'\)"):
        _run_import(seeded_url, broken)
    assert _rows(seeded_url) == before


def test_a_failure_midway_rolls_back_the_whole_import(seeded_url: str) -> None:
    """One transaction: rows written before the failing statement are gone too."""
    before = _rows(seeded_url)
    plan = fedb.plan_import(_fixture())
    too_long = msgspec.structs.replace(plan.records[0], slug="fedb_" + "x" * 100)  # over the column's 80
    plan.records.append(too_long)

    async def run() -> None:
        engine = create_engine(Settings(database_url=seeded_url))
        try:
            await fedb.run_import(create_session_factory(engine), plan)
        finally:
            await engine.dispose()

    with pytest.raises(Exception, match="too long"):
        asyncio.run(run())
    assert _rows(seeded_url) == before


def test_curated_rows_are_never_overwritten(seeded_url: str) -> None:
    # A curated row that (against the loader's rule) took an imported slug makes the import refuse, unwritten.
    async def curated_row_takes_a_fedb_slug(session: Any) -> None:
        await session.execute(
            update(models.Exercise).where(models.Exercise.slug == "step_up").values(slug="fedb_lying_neck_nod")
        )

    asyncio.run(_query(seeded_url, curated_row_takes_a_fedb_slug))
    before = _rows(seeded_url)
    with pytest.raises(ProvenanceError, match="belongs to source curated"):
        _run_import(seeded_url, _fixture())
    assert _rows(seeded_url) == before

    # And an import origin never writes outside its prefix, even when handed such a record.
    curated = next(e for e in load_catalog().exercises if e.slug == "glute_bridge")

    async def overwrite(session: Any) -> None:
        await upsert_exercises(session, [curated], fedb.ORIGIN, SeedReport(), await LinkTargets.load(session))

    with pytest.raises(ProvenanceError, match="may only write slugs starting with fedb_"):
        asyncio.run(_query(seeded_url, overwrite))
    assert _rows(seeded_url) == before


def test_the_curated_seed_leaves_imported_rows_alone(seeded_url: str) -> None:
    _run_import(seeded_url, _fixture())
    before = _rows(seeded_url)

    async def reseed(session: Any) -> SeedReport:
        return await seed_catalog(session, load_catalog())

    assert asyncio.run(_query(seeded_url, reseed)).changed == 0
    assert _rows(seeded_url) == before


def test_import_into_an_unseeded_database_says_to_seed_first(scratch_database_url: str) -> None:
    upgrade(scratch_database_url)
    with pytest.raises(Exception, match=r"seed the curated catalogue first"):
        _run_import(scratch_database_url, _fixture())

    async def count(session: Any) -> int:
        return await session.scalar(text("SELECT count(*) FROM exercises"))

    assert asyncio.run(_query(scratch_database_url, count)) == 0


def test_cli_dry_run_and_import(
    seeded_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("DATABASE_URL", seeded_url)
    main(["import", "free-exercise-db", str(FIXTURE), "--dry-run"])
    out = capsys.readouterr().out
    assert "7 records read; dry run (nothing written): a real run would report inserted 6, updated 0" in out
    assert all(f"would insert {slug}" in out for slug in FIXTURE_SLUGS)
    assert "force 'rotate': 1" in out and "[3] Easy_Spin_On_A_Bike: category cardio" in out
    assert not _imported(_rows(seeded_url))

    main(["import", "free-exercise-db", str(FIXTURE)])
    out = capsys.readouterr().out
    assert "inserted 6, updated 0, unchanged 0, skipped 1" in out and "would insert" not in out
    main(["import", "free-exercise-db", str(FIXTURE)])
    assert "inserted 0, updated 0, unchanged 6, skipped 1" in capsys.readouterr().out

    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps([*_fixture(), {"name": "No id"}]))
    with pytest.raises(SystemExit, match=r"nothing written: .*broken\.json: record at index 7: .*`id`"):
        main(["import", "free-exercise-db", str(broken)])


@pytest.fixture
def imported_url(seeded_url: str) -> str:
    _run_import(seeded_url, _fixture())
    return seeded_url


async def _slugs(client: AsyncTestClient[Any], **params: Any) -> set[str]:
    response = await client.get("/v1/exercises", params={"limit": 500, **params})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["next_cursor"] is None
    return {item["slug"] for item in body["items"]}


async def test_catalogue_filters_work_on_imported_records(imported_url: str) -> None:
    async with AsyncTestClient(app=create_app(Settings(database_url=imported_url, key_pepper="test"))) as client:
        hamstrings = await _slugs(client, source="free-exercise-db", muscle="hamstrings")
        assert hamstrings == FIXTURE_HAMSTRING_SLUGS
        assert await _slugs(client, source="free-exercise-db") == FIXTURE_SLUGS
        # A group includes its subtree: fedb's "middle back" is the rhomboids and the middle trapezius.
        assert await _slugs(client, source="free-exercise-db", muscle="trapezius") == {
            "fedb_one_arm_bench_supported_row"
        }
        assert await _slugs(client, source="free-exercise-db", muscle="hamstrings", role="primary") == (
            FIXTURE_HAMSTRING_SLUGS - {"fedb_one_arm_bench_supported_row"}
        )
        # Without `source`, the muscle filter mixes curated and imported hamstring work.
        everything = await _slugs(client, muscle="hamstrings")
        assert everything > FIXTURE_HAMSTRING_SLUGS and any(not s.startswith("fedb_") for s in everything)

        assert await _slugs(client, equipment="barbell", source="free-exercise-db") == {"fedb_barbell_hinge_deadlift"}
        assert "fedb_barbell_hinge_deadlift" in await _slugs(client, equipment="barbell")
        assert await _slugs(client, modality="self_myofascial_release", source="free-exercise-db") == {
            "fedb_back_of_thigh_roll_smr"
        }
        assert await _slugs(client, modality="static_stretch", source="free-exercise-db") == {
            "fedb_seated_towel_hamstring_reach"
        }
        assert "fedb_barbell_hinge_deadlift" in await _slugs(client, q="hinge deadlift")
        assert "fedb_one_arm_bench_supported_row" in await _slugs(client, q="bench suported row")
        assert await _slugs(client, level="advanced", source="free-exercise-db") == {"fedb_lying_neck_nod"}
        # `other` (unknown equipment) is only offered when listed.
        home = await _slugs(client, available_equipment=["bodyweight", "resistance_band"], source="free-exercise-db")
        assert home == {"fedb_banded_torso_turn"}
        assert "fedb_lying_neck_nod" in await _slugs(client, available_equipment="other", source="free-exercise-db")
        assert await _slugs(client, source="curated", muscle="hamstrings") == everything - FIXTURE_HAMSTRING_SLUGS

        detail = (await client.get("/v1/exercises/fedb_barbell_hinge_deadlift")).json()
        assert (detail["source"], detail["license"], detail["spinal_load"]) == ("free-exercise-db", "Unlicense", "high")
        assert detail["contraindications"] == [] and detail["dose"]["reps"] == 10
        # The dataset does not describe movement: unknown (null), never "none" ([]).
        assert detail["positions"] is None and detail["demands"] is None

        graphql = await client.post(
            "/graphql",
            json={
                "query": '{ exercises(first: 50, filter: {source: "free-exercise-db", muscle: hamstrings}) '
                "{ edges { node { slug } } } }"
            },
        )
        edges = graphql.json()["data"]["exercises"]["edges"]
        assert {edge["node"]["slug"] for edge in edges} == FIXTURE_HAMSTRING_SLUGS


@pytest.mark.skipif(not FULL_DATASET.exists(), reason=f"the full free-exercise-db file is not at {FULL_DATASET}")
def test_the_full_dataset(seeded_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    raw = fedb.read_dataset(FULL_DATASET)
    curated_before = _curated(_rows(seeded_url))

    started = time.perf_counter()
    first = _run_import(seeded_url, raw)
    first_seconds = time.perf_counter() - started
    started = time.perf_counter()
    second = _run_import(seeded_url, raw)
    second_seconds = time.perf_counter() - started

    assert first.read == len(raw) == 873
    assert len(first.inserted) + len(first.skipped) == 873
    assert second.changed == 0 and second.unchanged == len(first.inserted)
    after = _rows(seeded_url)
    assert len(_imported(after)) == len(first.inserted)
    assert _curated(after) == curated_before
    with capsys.disabled():
        print(
            f"\nfree-exercise-db, {len(raw)} records: first import {first_seconds:.2f} s "
            f"(inserted {len(first.inserted)}, skipped {len(first.skipped)}, "
            f"unmapped values {sum(u.count for u in first.unmapped)}), "
            f"second import {second_seconds:.2f} s ({second.changed} changes)"
        )
