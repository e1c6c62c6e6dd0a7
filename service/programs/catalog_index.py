"""The catalogue as the program generator reads it: plain records, indexed once per catalogue version.

The generator asks two questions many times per program: "which exercises of phase P work muscle M?" and
"what is exercise S?". Both are dictionary lookups here, so a program costs the same on 150 exercises as on
100,000: the index is built once (per catalogue version, see service/programs/services.py), never per item.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.catalog import models
from service.catalog.enums import MuscleRole, RelationKind
from service.catalog.records import CatalogData, DoseRecord, ExerciseRecord, MuscleRecord, PatternRecord

CURATED = "curated"
LEVEL_RANK = {"beginner": 0, "intermediate": 1, "advanced": 2}
SPINAL_LOAD_RANK = {"none": 0, "low": 1, "moderate": 2, "high": 3}


@dataclass(frozen=True, slots=True)
class ExerciseEntry:
    slug: str
    name: str
    modality: str
    phases: frozenset[str]
    primary_muscles: tuple[str, ...]
    equipment: frozenset[str]
    level: str
    spinal_load: str
    contraindications: Mapping[str, str]  # condition slug -> reason
    dose: DoseRecord
    cues: tuple[str, ...] = ()
    instructions: tuple[str, ...] = ()
    regressions: tuple[str, ...] = ()
    source: str = CURATED
    # Movement attributes (CLINICAL.md §4); None where the record does not describe them (imported records).
    positions: frozenset[str] | None = None
    demands: frozenset[str] | None = None

    @property
    def curated(self) -> bool:
        return self.source == CURATED

    @classmethod
    def from_record(cls, record: ExerciseRecord, source: str = CURATED) -> ExerciseEntry:
        return cls(
            slug=record.slug,
            name=record.name,
            modality=record.modality.value,
            phases=frozenset(p.value for p in record.phases),
            primary_muscles=tuple(record.primary_muscles),
            equipment=frozenset(record.equipment),
            level=record.level.value,
            spinal_load=record.spinal_load.value,
            contraindications={c.condition: c.reason for c in record.contraindications},
            positions=frozenset(p.value for p in record.positions) if source == CURATED else None,
            demands=frozenset(d.value for d in record.demands) if source == CURATED else None,
            dose=record.dose,
            cues=tuple(record.cues),
            instructions=tuple(record.instructions),
            regressions=tuple(record.regressions),
            source=source,
        )


@dataclass(frozen=True, slots=True)
class MuscleNode:
    slug: str
    name: str
    parent: str | None


@dataclass
class CatalogIndex:
    """Exercises by slug and by (phase, muscle); the muscle tree with each node's ancestors and descendants.

    `by_phase_muscle[(phase, m)]` lists every exercise of that phase whose primary muscles include `m` or a
    muscle below `m` (a group reaches its parts and its listed members), curated first, then the easiest, then the
    most specific (fewest primary muscles), then by slug: the generator's fallback order.
    """

    exercises: dict[str, ExerciseEntry]
    muscles: dict[str, MuscleNode]
    equipment: frozenset[str]
    conditions: frozenset[str]
    # pattern slug -> (overactive, underactive) muscles, as the catalogue lists them
    patterns: dict[str, tuple[frozenset[str], frozenset[str]]] = field(default_factory=dict)
    ancestors: dict[str, tuple[str, ...]] = field(default_factory=dict)
    descendants: dict[str, frozenset[str]] = field(default_factory=dict)
    by_phase_muscle: dict[tuple[str, str], list[ExerciseEntry]] = field(default_factory=dict)

    @classmethod
    def from_catalog(cls, catalog: CatalogData, exercises: Iterable[ExerciseEntry] | None = None) -> CatalogIndex:
        """The index of `exercises` (default: the catalogue's own curated ones) over the catalogue's muscle tree,
        equipment, conditions and patterns (imports add exercises only, so these are always the curated ones)."""
        if exercises is None:
            exercises = [ExerciseEntry.from_record(record) for record in catalog.exercises]
        return cls.build(
            exercises,
            catalog.muscles,
            [e.slug for e in catalog.equipment],
            [c.slug for c in catalog.conditions],
            catalog.patterns,
        )

    @classmethod
    def build(
        cls,
        exercises: Iterable[ExerciseEntry],
        muscles: Sequence[MuscleRecord],
        equipment: Iterable[str],
        conditions: Iterable[str],
        patterns: Sequence[PatternRecord] = (),
    ) -> CatalogIndex:
        nodes = {m.slug: MuscleNode(m.slug, m.name, m.parent) for m in muscles}
        # A muscle's "uplinks": its parent, and every group that lists it as a member (rectus femoris is under
        # quadriceps and a member of hip_flexors).
        uplinks: dict[str, list[str]] = defaultdict(list)
        for m in muscles:
            if m.parent is not None:
                uplinks[m.slug].append(m.parent)
            for member in m.members:
                uplinks[member].append(m.slug)
        ancestors: dict[str, tuple[str, ...]] = {}
        for slug in nodes:
            seen: list[str] = []
            stack = list(uplinks[slug])
            while stack:
                up = stack.pop(0)
                if up not in seen:
                    seen.append(up)
                    stack.extend(uplinks[up])
            ancestors[slug] = tuple(seen)
        below: dict[str, set[str]] = defaultdict(set)
        for slug, ups in ancestors.items():
            for up in ups:
                below[up].add(slug)
        entries = {e.slug: e for e in exercises}
        index: dict[tuple[str, str], list[ExerciseEntry]] = defaultdict(list)
        for entry in entries.values():
            reached: set[str] = set()
            for muscle in entry.primary_muscles:
                reached.add(muscle)
                reached.update(ancestors.get(muscle, ()))
            for phase in entry.phases:
                for muscle in reached:
                    index[(phase, muscle)].append(entry)
        for candidates in index.values():
            candidates.sort(key=lambda e: (not e.curated, LEVEL_RANK[e.level], len(e.primary_muscles), e.slug))
        return cls(
            exercises=entries,
            muscles=nodes,
            equipment=frozenset(equipment),
            conditions=frozenset(conditions),
            patterns={p.slug: (frozenset(p.overactive), frozenset(p.underactive)) for p in patterns},
            ancestors=ancestors,
            descendants={slug: frozenset(below[slug]) for slug in nodes},
            by_phase_muscle=dict(index),
        )

    def candidates(self, phase: str, muscle: str) -> list[ExerciseEntry]:
        return self.by_phase_muscle.get((phase, muscle), [])

    def covers(self, area: str, muscle: str) -> bool:
        """`muscle` is `area` or lies below it."""
        return muscle == area or muscle in self.descendants.get(area, frozenset())

    def in_pattern(self, pattern: str, muscle: str, *, overactive: bool) -> bool:
        """The catalogue lists `muscle`, or a group above it, among the pattern's overactive (or underactive)."""
        listed = self.patterns.get(pattern, (frozenset(), frozenset()))[0 if overactive else 1]
        return muscle in listed or any(up in listed for up in self.ancestors.get(muscle, ()))

    def name_of(self, muscle: str) -> str:
        node = self.muscles.get(muscle)
        return node.name if node else muscle.replace("_", " ")


async def load_exercises(session: AsyncSession) -> list[ExerciseEntry]:
    """Every exercise of the database (curated and imported), with its muscles, equipment, contraindications and
    relations: five statements, whatever the size of the catalogue."""
    ex = models.Exercise
    rows = (
        await session.execute(
            select(
                ex.id,
                ex.slug,
                ex.name,
                ex.modality,
                ex.phases,
                ex.level,
                ex.spinal_load,
                ex.positions,
                ex.demands,
                ex.dose,
                ex.cues,
                ex.instructions,
                ex.source,
            )
        )
    ).all()
    # Only what the generator reads: primary muscles and regressions.
    primary: dict[int, list[str]] = defaultdict(list)
    for exercise_id, slug in (
        await session.execute(
            select(models.ExerciseMuscle.exercise_id, models.Muscle.slug)
            .join(models.Muscle, models.Muscle.id == models.ExerciseMuscle.muscle_id)
            .where(models.ExerciseMuscle.role == MuscleRole.primary)
            .order_by(models.ExerciseMuscle.exercise_id, models.ExerciseMuscle.position)
        )
    ).all():
        primary[exercise_id].append(slug)
    equipment: dict[int, set[str]] = defaultdict(set)
    for exercise_id, slug in (
        await session.execute(
            select(models.ExerciseEquipment.exercise_id, models.Equipment.slug).join(
                models.Equipment, models.Equipment.id == models.ExerciseEquipment.equipment_id
            )
        )
    ).all():
        equipment[exercise_id].add(slug)
    contraindications: dict[int, dict[str, str]] = defaultdict(dict)
    for exercise_id, slug, reason in (
        await session.execute(
            select(
                models.ExerciseContraindication.exercise_id,
                models.Condition.slug,
                models.ExerciseContraindication.reason,
            ).join(models.Condition, models.Condition.id == models.ExerciseContraindication.condition_id)
        )
    ).all():
        contraindications[exercise_id][slug] = reason
    slug_of = {row.id: row.slug for row in rows}
    regressions: dict[int, list[str]] = defaultdict(list)
    for exercise_id, related_id in (
        await session.execute(
            select(models.ExerciseRelation.exercise_id, models.ExerciseRelation.related_id)
            .where(models.ExerciseRelation.kind == RelationKind.regression)
            .order_by(models.ExerciseRelation.exercise_id, models.ExerciseRelation.position)
        )
    ).all():
        regressions[exercise_id].append(slug_of[related_id])
    entries = []
    for row in rows:
        entries.append(
            ExerciseEntry(
                slug=row.slug,
                name=row.name,
                modality=row.modality,
                phases=frozenset(row.phases),
                primary_muscles=tuple(primary[row.id]),
                equipment=frozenset(equipment[row.id]),
                level=row.level,
                spinal_load=row.spinal_load,
                contraindications=contraindications[row.id],
                positions=frozenset(row.positions) if row.positions is not None else None,
                demands=frozenset(row.demands) if row.demands is not None else None,
                dose=msgspec.convert(row.dose, DoseRecord),
                cues=tuple(row.cues),
                instructions=tuple(row.instructions),
                regressions=tuple(regressions[row.id]),
                source=row.source,
            )
        )
    return entries
