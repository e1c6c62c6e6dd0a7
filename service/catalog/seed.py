"""Write catalogue records into the database, idempotently: the curated seed and the dataset importers.

Each row keeps the digest of the record it came from: an unchanged record is skipped, an edited one rewrites
its row and links and bumps `updated_at` (what `updated_since` syncs on). Records removed from their files are
left in place: later data (programs) may still point at them.

Exercise rows carry an `Origin` (source and license). A writer only ever rewrites rows of its own source, and an
imported source only writes slugs in its own prefix, so an import can never overwrite a curated record.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import delete, func, insert, null, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from service.catalog import models
from service.catalog.records import (
    CatalogData,
    ConditionRecord,
    EquipmentRecord,
    ExerciseRecord,
    MuscleRecord,
    PatternRecord,
    Record,
    load_catalog,
)
from service.db.engine import create_engine, create_session_factory
from service.settings import Settings


@dataclass(frozen=True)
class Origin:
    """Where exercise rows come from: their `source` and `license`, and (for imports) the slug prefix they own."""

    source: str
    license: str | None = None
    slug_prefix: str | None = None

    def digest(self, record: Record) -> str:
        # A curated row's digest is its record's own (as it always was). An imported row's also covers its source
        # and license, so correcting the license of a dataset rewrites its rows.
        if self.slug_prefix is None:
            return record.content_hash()
        return record.content_hash(salt=f"{self.source}\n{self.license}")


CURATED = Origin(source="curated")


class ProvenanceError(RuntimeError):
    """A write would touch a row that belongs to another source (say, an import overwriting a curated record)."""


class MissingTargetError(RuntimeError):
    """An exercise names a muscle, equipment or condition the database does not hold (the catalogue is unseeded)."""


@dataclass
class SeedReport:
    inserted: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    inserted_slugs: dict[str, list[str]] = field(default_factory=dict)
    updated_slugs: dict[str, list[str]] = field(default_factory=dict)

    @property
    def changed(self) -> int:
        return sum(self.inserted.values()) + sum(self.updated.values())

    def summary(self) -> str:
        kinds = sorted(set(self.inserted) | set(self.updated))
        parts = [f"{k}: +{self.inserted.get(k, 0)} ~{self.updated.get(k, 0)}" for k in kinds]
        return "; ".join(parts) if self.changed else "no changes"

    def add(self, kind: str, outcome: Literal["inserted", "updated", "unchanged"], slug: str) -> None:
        counts = {"inserted": self.inserted, "updated": self.updated, "unchanged": self.unchanged}[outcome]
        counts[kind] = counts.get(kind, 0) + 1
        if outcome == "inserted":
            self.inserted_slugs.setdefault(kind, []).append(slug)
        elif outcome == "updated":
            self.updated_slugs.setdefault(kind, []).append(slug)


@dataclass(frozen=True)
class _Row:
    id: int
    digest: str
    source: str | None


async def _existing(session: AsyncSession, model: Any) -> dict[str, _Row]:
    source = model.source if "source" in model.__table__.c else null()
    rows = await session.execute(select(model.slug, model.id, model.content_hash, source))
    return {slug: _Row(id_, digest, row_source) for slug, id_, digest, row_source in rows}


async def _upsert(
    session: AsyncSession,
    model: Any,
    kind: str,
    records: Sequence[Record],
    columns: Callable[[Any, dict[str, int]], dict[str, Any]],
    report: SeedReport,
    origin: Origin = CURATED,
) -> tuple[dict[str, int], list[Record]]:
    """Insert new records and rewrite changed ones; return slug→id (of every row) and the records that changed."""
    existing = await _existing(session, model)
    _check_provenance(kind, records, existing, origin)
    ids = {slug: row.id for slug, row in existing.items()}
    changed: list[Record] = []
    for position, record in enumerate(records):
        digest = origin.digest(record)
        values = {**columns(record, ids), "content_hash": digest}
        if "position" in model.__table__.c:  # file order is the display order of the short lists
            values["position"] = position
        row = existing.get(record.slug)
        if row is None:
            ids[record.slug] = await session.scalar(
                insert(model).values(slug=record.slug, **values).returning(model.id)
            )
            report.add(kind, "inserted", record.slug)
            changed.append(record)
        elif row.digest != digest:
            await session.execute(update(model).where(model.id == row.id).values(updated_at=func.now(), **values))
            report.add(kind, "updated", record.slug)
            changed.append(record)
        else:
            report.add(kind, "unchanged", record.slug)
    return ids, changed


def _check_provenance(kind: str, records: Sequence[Record], existing: dict[str, _Row], origin: Origin) -> None:
    """Refuse the whole write, before anything changes, if one record would take another source's row."""
    for record in records:
        if origin.slug_prefix is not None and not record.slug.startswith(origin.slug_prefix):
            raise ProvenanceError(
                f"{kind} {record.slug}: {origin.source} may only write slugs starting with {origin.slug_prefix}"
            )
        row = existing.get(record.slug)
        if row is not None and row.source is not None and row.source != origin.source:
            raise ProvenanceError(
                f"{kind} {record.slug}: the row belongs to source {row.source}; {origin.source} may not overwrite it"
            )


async def _replace_links(
    session: AsyncSession, table: Any, owner_column: Any, owners: list[int], rows: list[dict]
) -> None:
    """Replace the links of many owners at once: one DELETE and one batched INSERT, however many changed."""
    if not owners:
        return
    await session.execute(delete(table).where(owner_column.in_(owners)))
    if rows:
        await session.execute(insert(table), rows)


def _muscle_columns(record: MuscleRecord, ids: dict[str, int]) -> dict[str, Any]:
    return {
        "name": record.name,
        "kind": record.kind.value,
        "parent_id": ids[record.parent] if record.parent else None,
        "latin_name": record.latin_name,
        "actions": record.actions,
        "antagonists": record.antagonists,
        "tendency": record.tendency.value,
        "trigger_point_site": record.trigger_point_site,
        "description": record.description,
    }


def _equipment_columns(record: EquipmentRecord, _: dict[str, int]) -> dict[str, Any]:
    return {"name": record.name, "category": record.category.value, "description": record.description}


def _condition_columns(record: ConditionRecord, _: dict[str, int]) -> dict[str, Any]:
    return {"name": record.name, "description": record.description}


def _pattern_columns(record: PatternRecord, _: dict[str, int]) -> dict[str, Any]:
    return {
        "name": record.name,
        "description": record.description,
        "typical_findings": record.typical_findings,
        "references": record.references,
    }


def _exercise_columns(record: ExerciseRecord, origin: Origin) -> dict[str, Any]:
    return {
        "name": record.name,
        "aliases": record.aliases,
        "summary": record.summary,
        "instructions": record.instructions,
        "cues": record.cues,
        "modality": record.modality.value,
        "phases": [phase.value for phase in record.phases],
        "level": record.level.value,
        "mechanic": record.mechanic.value if record.mechanic else None,
        "force": record.force.value if record.force else None,
        "laterality": record.laterality.value,
        "spinal_load": record.spinal_load.value,
        # An imported record does not describe its movement: null (unknown), never an empty list ("none").
        "positions": [p.value for p in record.positions] if origin.slug_prefix is None else None,
        "demands": [d.value for d in record.demands] if origin.slug_prefix is None else None,
        "dose": {
            "sets": record.dose.sets,
            "reps": record.dose.reps,
            "hold_seconds": record.dose.hold_seconds,
            "duration_seconds": record.dose.duration_seconds,
            "per_side": record.dose.per_side,
            "tempo": record.dose.tempo,
            "rest_seconds": record.dose.rest_seconds,
            "intensity": record.dose.intensity,
        },
        "source": origin.source,
        "license": origin.license,
        "search_text": " ".join([record.name, *record.aliases]),
    }


@dataclass(frozen=True)
class LinkTargets:
    """Slug→id of what exercises link to."""

    muscles: dict[str, int]
    equipment: dict[str, int]
    conditions: dict[str, int]

    @classmethod
    async def load(cls, session: AsyncSession) -> LinkTargets:
        async def ids(model: Any) -> dict[str, int]:
            return {slug: id_ for slug, id_ in await session.execute(select(model.slug, model.id))}

        return cls(
            muscles=await ids(models.Muscle),
            equipment=await ids(models.Equipment),
            conditions=await ids(models.Condition),
        )

    def check(self, records: Sequence[ExerciseRecord]) -> None:
        for record in records:
            for kind, known, slugs in (
                ("muscle", self.muscles, [*record.primary_muscles, *record.secondary_muscles]),
                ("equipment", self.equipment, record.equipment),
                ("condition", self.conditions, [c.condition for c in record.contraindications]),
            ):
                missing = [slug for slug in slugs if slug not in known]
                if missing:
                    raise MissingTargetError(
                        f"exercise {record.slug} names {kind} {', '.join(missing)}, which the database does not "
                        "hold: seed the curated catalogue first (python -m service seed)"
                    )


async def upsert_exercises(
    session: AsyncSession,
    records: Sequence[ExerciseRecord],
    origin: Origin,
    report: SeedReport,
    targets: LinkTargets,
) -> None:
    """Upsert exercises of one origin and rewrite the links of those that changed, in the caller's transaction."""
    targets.check(records)
    exercise_ids, changed = await _upsert(
        session,
        models.Exercise,
        "exercises",
        records,
        lambda record, _: _exercise_columns(record, origin),
        report,
        origin,
    )
    # Links go in after every exercise has an id, because relations point between exercises.
    owners = [exercise_ids[record.slug] for record in changed]
    muscles, equipment, contraindications, relations = [], [], [], []
    for exercise in changed:
        assert isinstance(exercise, ExerciseRecord)
        exercise_id = exercise_ids[exercise.slug]
        muscles += [
            {"exercise_id": exercise_id, "muscle_id": targets.muscles[slug], "role": role, "position": i}
            for role, slugs in (("primary", exercise.primary_muscles), ("secondary", exercise.secondary_muscles))
            for i, slug in enumerate(slugs)
        ]
        equipment += [
            {"exercise_id": exercise_id, "equipment_id": targets.equipment[slug], "position": i}
            for i, slug in enumerate(exercise.equipment)
        ]
        contraindications += [
            {"exercise_id": exercise_id, "condition_id": targets.conditions[c.condition], "reason": c.reason}
            for c in exercise.contraindications
        ]
        relations += [
            {"exercise_id": exercise_id, "related_id": exercise_ids[slug], "kind": kind, "position": i}
            for kind, slugs in (
                ("regression", exercise.regressions),
                ("progression", exercise.progressions),
                ("alternative", exercise.alternatives),
            )
            for i, slug in enumerate(slugs)
        ]
    await _replace_links(session, models.ExerciseMuscle, models.ExerciseMuscle.exercise_id, owners, muscles)
    await _replace_links(session, models.ExerciseEquipment, models.ExerciseEquipment.exercise_id, owners, equipment)
    await _replace_links(
        session,
        models.ExerciseContraindication,
        models.ExerciseContraindication.exercise_id,
        owners,
        contraindications,
    )
    await _replace_links(session, models.ExerciseRelation, models.ExerciseRelation.exercise_id, owners, relations)


async def seed_catalog(session: AsyncSession, data: CatalogData) -> SeedReport:
    """Upsert the whole curated catalogue inside the caller's transaction."""
    report = SeedReport()
    muscle_ids, changed_muscles = await _upsert(
        session, models.Muscle, "muscles", data.muscles, _muscle_columns, report
    )
    members = []
    for muscle in changed_muscles:
        assert isinstance(muscle, MuscleRecord)
        members += [{"group_id": muscle_ids[muscle.slug], "member_id": muscle_ids[m]} for m in muscle.members]
    await _replace_links(
        session,
        models.MuscleGroupMember,
        models.MuscleGroupMember.group_id,
        [muscle_ids[m.slug] for m in changed_muscles],
        members,
    )

    equipment_ids, _ = await _upsert(session, models.Equipment, "equipment", data.equipment, _equipment_columns, report)
    condition_ids, _ = await _upsert(
        session, models.Condition, "conditions", data.conditions, _condition_columns, report
    )
    pattern_ids, changed_patterns = await _upsert(
        session, models.Pattern, "patterns", data.patterns, _pattern_columns, report
    )
    pattern_muscles = []
    for pattern in changed_patterns:
        assert isinstance(pattern, PatternRecord)
        pattern_muscles += [
            {"pattern_id": pattern_ids[pattern.slug], "muscle_id": muscle_ids[slug], "role": role, "position": i}
            for role, slugs in (("overactive", pattern.overactive), ("underactive", pattern.underactive))
            for i, slug in enumerate(slugs)
        ]
    await _replace_links(
        session,
        models.PatternMuscle,
        models.PatternMuscle.pattern_id,
        [pattern_ids[p.slug] for p in changed_patterns],
        pattern_muscles,
    )

    await upsert_exercises(
        session, data.exercises, CURATED, report, LinkTargets(muscle_ids, equipment_ids, condition_ids)
    )
    return report


async def seed_database(settings: Settings) -> SeedReport:
    """Seed the curated catalogue into the settings' database, in one transaction on an engine of its own."""
    engine = create_engine(settings)
    try:
        async with create_session_factory(engine)() as session, session.begin():
            return await seed_catalog(session, load_catalog())
    finally:
        await engine.dispose()
