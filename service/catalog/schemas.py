"""Catalogue resources as the API shows them (REST in snake_case; GraphQL types mirror these)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec

from service.catalog.enums import (
    Demand,
    EquipmentCategory,
    Force,
    Laterality,
    Level,
    Mechanic,
    Modality,
    MuscleKind,
    MuscleRole,
    Phase,
    Position,
    RelationKind,
    SpinalLoad,
    Tendency,
)


class Muscle(msgspec.Struct, kw_only=True):
    slug: str
    name: str
    kind: MuscleKind
    parent: str | None
    children: list[str]
    members: list[str]
    latin_name: str | None
    actions: list[str]
    antagonists: list[str]
    tendency: Tendency
    trigger_point_site: bool
    description: str
    updated_at: datetime


class MuscleNode(Muscle, kw_only=True):
    """A muscle with its whole subtree (the `view=tree` shape); `subtree` is empty in the flat view."""

    subtree: list[MuscleNode] = []


class MuscleList(msgspec.Struct):
    items: list[MuscleNode]
    next_cursor: str | None


class Equipment(msgspec.Struct, kw_only=True):
    slug: str
    name: str
    category: EquipmentCategory
    description: str
    updated_at: datetime


class EquipmentList(msgspec.Struct):
    items: list[Equipment]
    next_cursor: str | None


class Condition(msgspec.Struct, kw_only=True):
    slug: str
    name: str
    description: str
    updated_at: datetime


class ConditionList(msgspec.Struct):
    items: list[Condition]
    next_cursor: str | None


class Pattern(msgspec.Struct, kw_only=True):
    slug: str
    name: str
    description: str
    overactive: list[str]
    underactive: list[str]
    typical_findings: list[str]
    references: list[str]
    updated_at: datetime


class PatternList(msgspec.Struct):
    items: list[Pattern]
    next_cursor: str | None


class Contraindication(msgspec.Struct):
    condition: str
    reason: str


class Dose(msgspec.Struct, kw_only=True):
    sets: int
    reps: int | None
    hold_seconds: int | None
    duration_seconds: int | None
    per_side: bool
    tempo: str | None
    rest_seconds: int
    intensity: str | None


class Exercise(msgspec.Struct, kw_only=True):
    slug: str
    name: str
    aliases: list[str]
    summary: str
    instructions: list[str]
    cues: list[str]
    modality: Modality
    phases: list[Phase]
    primary_muscles: list[str]
    secondary_muscles: list[str]
    equipment: list[str]
    level: Level
    mechanic: Mechanic | None
    force: Force | None
    laterality: Laterality
    spinal_load: SpinalLoad
    positions: Annotated[
        list[Position] | None,
        msgspec.Meta(
            description=(
                "The body positions the exercise holds or passes through (CLINICAL.md §4; `inverted`: the head below "
                "the heart). Null on imported records, which do not describe them: unknown, not none."
            )
        ),
    ]
    demands: Annotated[
        list[Demand] | None,
        msgspec.Meta(
            description=(
                "What the exercise demands that a condition may restrict (loaded or end-range spinal flexion and "
                "rotation, overhead, loaded deep knee flexion, impact, Valsalva, balance). Null on imported records."
            )
        ),
    ]
    contraindications: list[Contraindication]
    dose: Dose
    regressions: list[str]
    progressions: list[str]
    alternatives: list[str]
    source: str
    license: str | None
    updated_at: datetime


class ExerciseList(msgspec.Struct):
    items: list[Exercise]
    next_cursor: str | None


class ExerciseMuscleDetail(msgspec.Struct):
    slug: str
    name: str
    kind: MuscleKind
    role: MuscleRole


class EquipmentDetail(msgspec.Struct):
    slug: str
    name: str
    category: EquipmentCategory


class ContraindicationDetail(msgspec.Struct):
    condition: str
    name: str
    reason: str


class RelationDetail(msgspec.Struct):
    relation: RelationKind
    slug: str
    name: str
    level: Level


class ExerciseDetail(Exercise, kw_only=True):
    """One exercise with what an app needs to show it, in one call."""

    muscle_details: list[ExerciseMuscleDetail]
    equipment_details: list[EquipmentDetail]
    contraindication_details: list[ContraindicationDetail]
    relation_details: list[RelationDetail]


class MuscleDetail(Muscle, kw_only=True):
    """A muscle with its ancestors, so an app can show the path from the region down."""

    path: list[str]
