"""Write the curated catalogue into the database, idempotently.

Each row keeps the digest of the record it came from: an unchanged record is skipped, an edited one rewrites
its row and links and bumps `updated_at` (what `updated_since` syncs on). Records removed from the files are left
in place: later data (programs) may still point at them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import delete, func, insert, select, update
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
)


@dataclass
class SeedReport:
    inserted: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    @property
    def changed(self) -> int:
        return sum(self.inserted.values()) + sum(self.updated.values())

    def summary(self) -> str:
        kinds = sorted(set(self.inserted) | set(self.updated))
        parts = [f"{k}: +{self.inserted.get(k, 0)} ~{self.updated.get(k, 0)}" for k in kinds]
        return "; ".join(parts) if self.changed else "no changes"


async def _existing(session: AsyncSession, model: Any) -> dict[str, tuple[int, str]]:
    rows = await session.execute(select(model.slug, model.id, model.content_hash))
    return {slug: (id_, digest) for slug, id_, digest in rows}


async def _upsert(
    session: AsyncSession,
    model: Any,
    kind: str,
    records: Sequence[Record],
    columns: Any,
    report: SeedReport,
) -> tuple[dict[str, int], list[Record]]:
    """Insert new records and rewrite changed ones; return slug→id and the records that changed."""
    existing = await _existing(session, model)
    ids = {slug: id_ for slug, (id_, _) in existing.items()}
    changed: list[Record] = []
    for position, record in enumerate(records):
        digest = record.content_hash()
        values = {**columns(record, ids), "content_hash": digest}
        if "position" in model.__table__.c:  # file order is the display order of the short lists
            values["position"] = position
        if record.slug not in existing:
            ids[record.slug] = await session.scalar(
                insert(model).values(slug=record.slug, **values).returning(model.id)
            )
            report.inserted[kind] = report.inserted.get(kind, 0) + 1
            changed.append(record)
        elif existing[record.slug][1] != digest:
            await session.execute(
                update(model).where(model.id == ids[record.slug]).values(updated_at=func.now(), **values)
            )
            report.updated[kind] = report.updated.get(kind, 0) + 1
            changed.append(record)
    return ids, changed


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


def _exercise_columns(record: ExerciseRecord, _: dict[str, int]) -> dict[str, Any]:
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
        "source": "curated",
        "license": None,
        "search_text": " ".join([record.name, *record.aliases]),
    }


async def _replace_links(session: AsyncSession, table: Any, owner_column: Any, owner_id: int, rows: list[dict]) -> None:
    await session.execute(delete(table).where(owner_column == owner_id))
    if rows:
        await session.execute(insert(table), rows)


async def seed_catalog(session: AsyncSession, data: CatalogData) -> SeedReport:
    """Upsert the whole curated catalogue inside the caller's transaction."""
    report = SeedReport()
    muscle_ids, changed_muscles = await _upsert(
        session, models.Muscle, "muscles", data.muscles, _muscle_columns, report
    )
    for muscle in changed_muscles:
        assert isinstance(muscle, MuscleRecord)
        await _replace_links(
            session,
            models.MuscleGroupMember,
            models.MuscleGroupMember.group_id,
            muscle_ids[muscle.slug],
            [{"group_id": muscle_ids[muscle.slug], "member_id": muscle_ids[m]} for m in muscle.members],
        )

    equipment_ids, _ = await _upsert(session, models.Equipment, "equipment", data.equipment, _equipment_columns, report)
    condition_ids, _ = await _upsert(
        session, models.Condition, "conditions", data.conditions, _condition_columns, report
    )
    pattern_ids, changed_patterns = await _upsert(
        session, models.Pattern, "patterns", data.patterns, _pattern_columns, report
    )
    for pattern in changed_patterns:
        assert isinstance(pattern, PatternRecord)
        pattern_id = pattern_ids[pattern.slug]
        rows = [
            {"pattern_id": pattern_id, "muscle_id": muscle_ids[slug], "role": role, "position": i}
            for role, slugs in (("overactive", pattern.overactive), ("underactive", pattern.underactive))
            for i, slug in enumerate(slugs)
        ]
        await _replace_links(session, models.PatternMuscle, models.PatternMuscle.pattern_id, pattern_id, rows)

    exercise_ids, changed_exercises = await _upsert(
        session, models.Exercise, "exercises", data.exercises, _exercise_columns, report
    )
    # Links go in after every exercise has an id, because relations point between exercises.
    for exercise in changed_exercises:
        assert isinstance(exercise, ExerciseRecord)
        exercise_id = exercise_ids[exercise.slug]
        muscles = [
            {"exercise_id": exercise_id, "muscle_id": muscle_ids[slug], "role": role, "position": i}
            for role, slugs in (
                ("primary", exercise.primary_muscles),
                ("secondary", exercise.secondary_muscles),
            )
            for i, slug in enumerate(slugs)
        ]
        await _replace_links(session, models.ExerciseMuscle, models.ExerciseMuscle.exercise_id, exercise_id, muscles)
        equipment = [
            {"exercise_id": exercise_id, "equipment_id": equipment_ids[slug], "position": i}
            for i, slug in enumerate(exercise.equipment)
        ]
        await _replace_links(
            session, models.ExerciseEquipment, models.ExerciseEquipment.exercise_id, exercise_id, equipment
        )
        contraindications = [
            {"exercise_id": exercise_id, "condition_id": condition_ids[c.condition], "reason": c.reason}
            for c in exercise.contraindications
        ]
        await _replace_links(
            session,
            models.ExerciseContraindication,
            models.ExerciseContraindication.exercise_id,
            exercise_id,
            contraindications,
        )
        relations = [
            {"exercise_id": exercise_id, "related_id": exercise_ids[slug], "kind": kind, "position": i}
            for kind, slugs in (
                ("regression", exercise.regressions),
                ("progression", exercise.progressions),
                ("alternative", exercise.alternatives),
            )
            for i, slug in enumerate(slugs)
        ]
        await _replace_links(
            session, models.ExerciseRelation, models.ExerciseRelation.exercise_id, exercise_id, relations
        )
    return report
