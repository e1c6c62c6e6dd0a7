"""Catalogue resources as the API shows them (REST in snake_case; GraphQL types mirror these)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import msgspec
from msgspec import Meta

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
from service.lib.pagination import NextCursor

Slug = Annotated[str, Meta(description="Stable snake_case identifier; never changes once published.")]
Name = Annotated[str, Meta(description="Display name, in English.")]
UpdatedAt = Annotated[datetime, Meta(description="When the record last changed (by a seed or an import).")]


class Muscle(msgspec.Struct, kw_only=True):
    slug: Slug
    name: Name
    kind: Annotated[
        MuscleKind,
        Meta(description="`group` (a region or a group of muscles), `muscle`, `part` (of a muscle) or `fascia`."),
    ]
    parent: Annotated[str | None, Meta(description="The slug of the group this node belongs to; null for a region.")]
    children: Annotated[list[str], Meta(description="Slugs of the nodes directly under this one, in tree order.")]
    members: Annotated[
        list[str],
        Meta(
            description="Muscles that also belong to this group though the tree files them elsewhere (the rectus "
            "femoris is a hip flexor and a quadriceps); a `muscle` filter on the group includes them."
        ),
    ]
    latin_name: Annotated[str | None, Meta(description="Anatomical (Latin) name; null where there is none.")]
    actions: Annotated[list[str], Meta(description="Joint movements it produces, e.g. `hip_extension`.")]
    antagonists: Annotated[list[str], Meta(description="Slugs of the muscles that produce the opposite movements.")]
    tendency: Annotated[
        Tendency,
        Meta(description="Whether it tends to become tight and overactive or weak and inhibited (Janda), or neither."),
    ]
    trigger_point_site: Annotated[bool, Meta(description="Whether it commonly develops trigger points (tender knots).")]
    description: Annotated[str, Meta(description="What it is and what its imbalance does, in plain words.")]
    updated_at: UpdatedAt


class MuscleNode(Muscle, kw_only=True):
    """A muscle with its whole subtree (the `view=tree` shape); `subtree` is empty in the flat view."""

    subtree: Annotated[
        list[MuscleNode], Meta(description="The nodes under this one, nested (`view=tree`); empty in the flat view.")
    ] = []


class MuscleList(msgspec.Struct):
    items: Annotated[list[MuscleNode], Meta(description="This page of muscles, in tree order.")]
    next_cursor: NextCursor


class Equipment(msgspec.Struct, kw_only=True):
    slug: Slug
    name: Name
    category: Annotated[EquipmentCategory, Meta(description="What kind of equipment it is.")]
    description: Annotated[str, Meta(description="What it is, in plain words.")]
    updated_at: UpdatedAt


class EquipmentList(msgspec.Struct):
    items: Annotated[list[Equipment], Meta(description="This page of equipment, by slug.")]
    next_cursor: NextCursor


class Condition(msgspec.Struct, kw_only=True):
    slug: Slug
    name: Name
    description: Annotated[
        str, Meta(description="What the condition is and what exercise it restricts (general information, not advice).")
    ]
    updated_at: UpdatedAt


class ConditionList(msgspec.Struct):
    items: Annotated[list[Condition], Meta(description="This page of conditions, by slug.")]
    next_cursor: NextCursor


class Pattern(msgspec.Struct, kw_only=True):
    slug: Slug
    name: Name
    description: Annotated[str, Meta(description="What the imbalance is, what drives it and what it leads to.")]
    overactive: Annotated[
        list[str], Meta(description="Slugs of the muscles that tend to be tight and overactive in it.")
    ]
    underactive: Annotated[
        list[str], Meta(description="Slugs of the muscles that tend to be weak and inhibited in it.")
    ]
    typical_findings: Annotated[
        list[str], Meta(description="Signs that point to it: habits, complaints and movement-screen compensations.")
    ]
    references: Annotated[list[str], Meta(description="The literature the pattern is drawn from.")]
    updated_at: UpdatedAt


class PatternList(msgspec.Struct):
    items: Annotated[list[Pattern], Meta(description="The patterns.")]
    next_cursor: NextCursor


class Contraindication(msgspec.Struct):
    condition: Annotated[str, Meta(description="Slug of the condition (GET /v1/conditions).")]
    reason: Annotated[str, Meta(description="Why the exercise does not suit a person with it.")]


class Dose(msgspec.Struct, kw_only=True):
    sets: Annotated[int, Meta(description="Number of sets.")]
    reps: Annotated[int | None, Meta(description="Repetitions per set; null for holds and timed work.")]
    hold_seconds: Annotated[int | None, Meta(description="Seconds each hold lasts (stretches, isometrics); else null.")]
    duration_seconds: Annotated[
        int | None, Meta(description="Seconds of continuous work per set (e.g. rolling); else null.")
    ]
    per_side: Annotated[bool, Meta(description="Whether the dose is done on each side in turn.")]
    tempo: Annotated[
        str | None,
        Meta(
            description="Seconds for lowering, pause, lifting and pause of each rep, e.g. `3-0-1-0`; null when untimed."
        ),
    ]
    rest_seconds: Annotated[int, Meta(description="Rest between sets, in seconds.")]
    intensity: Annotated[
        str | None, Meta(description="How hard it should feel, e.g. `RPE 7` or `mild stretch, no pain`.")
    ]


class Exercise(msgspec.Struct, kw_only=True):
    slug: Slug
    name: Name
    aliases: Annotated[list[str], Meta(description="Other names it goes by; `q` searches them too.")]
    summary: Annotated[str, Meta(description="One sentence on what it is and what it is for.")]
    instructions: Annotated[list[str], Meta(description="How to do it, step by step.")]
    cues: Annotated[list[str], Meta(description="Short reminders to say or show while it is done.")]
    modality: Annotated[Modality, Meta(description="The kind of exercise.")]
    phases: Annotated[
        list[Phase], Meta(description="The corrective phases it serves: release, lengthen, strengthen, integrate.")
    ]
    primary_muscles: Annotated[
        list[str], Meta(description="Slugs of the muscles it mainly works, stretches or releases.")
    ]
    secondary_muscles: Annotated[list[str], Meta(description="Slugs of the muscles it works to a lesser degree.")]
    equipment: Annotated[
        list[str], Meta(description="Slugs of the equipment it needs, all of it; bodyweight alone if none.")
    ]
    level: Annotated[Level, Meta(description="The training experience it suits.")]
    mechanic: Annotated[
        Mechanic | None, Meta(description="Compound (several joints) or isolation; null where unknown.")
    ]
    force: Annotated[Force | None, Meta(description="Push, pull or static; null where unknown.")]
    laterality: Annotated[Laterality, Meta(description="Both sides at once, one side at a time, or alternating.")]
    spinal_load: Annotated[SpinalLoad, Meta(description="How much load it puts on the spine.")]
    positions: Annotated[
        list[Position] | None,
        Meta(
            description=(
                "The body positions the exercise holds or passes through (CLINICAL.md §4; `inverted`: the head below "
                "the heart). Null on imported records, which do not describe them: unknown, not none."
            )
        ),
    ]
    demands: Annotated[
        list[Demand] | None,
        Meta(
            description=(
                "What the exercise demands that a condition may restrict (loaded or end-range spinal flexion and "
                "rotation, overhead, loaded deep knee flexion, impact, Valsalva, balance). Null on imported records."
            )
        ),
    ]
    contraindications: Annotated[
        list[Contraindication], Meta(description="Conditions it does not suit, each with the reason.")
    ]
    dose: Annotated[Dose, Meta(description="The usual prescription; programs adapt it to the person.")]
    regressions: Annotated[list[str], Meta(description="Slugs of easier versions.")]
    progressions: Annotated[list[str], Meta(description="Slugs of harder versions.")]
    alternatives: Annotated[list[str], Meta(description="Slugs of exercises of similar effect and difficulty.")]
    source: Annotated[str, Meta(description="Where the record comes from: `curated`, or the importer's name.")]
    license: Annotated[str | None, Meta(description="The license of an imported record; null for curated ones.")]
    updated_at: UpdatedAt


class ExerciseList(msgspec.Struct):
    items: Annotated[list[Exercise], Meta(description="This page of exercises: by relevance with `q`, else by slug.")]
    next_cursor: NextCursor


class ExerciseMuscleDetail(msgspec.Struct):
    slug: Annotated[str, Meta(description="The muscle's slug.")]
    name: Annotated[str, Meta(description="The muscle's name.")]
    kind: Annotated[MuscleKind, Meta(description="The muscle's kind (group, muscle, part or fascia).")]
    role: Annotated[MuscleRole, Meta(description="Whether the exercise works it mainly (primary) or less (secondary).")]


class EquipmentDetail(msgspec.Struct):
    slug: Annotated[str, Meta(description="The equipment's slug.")]
    name: Annotated[str, Meta(description="The equipment's name.")]
    category: Annotated[EquipmentCategory, Meta(description="The equipment's category.")]


class ContraindicationDetail(msgspec.Struct):
    condition: Annotated[str, Meta(description="The condition's slug.")]
    name: Annotated[str, Meta(description="The condition's name.")]
    reason: Annotated[str, Meta(description="Why the exercise does not suit a person with it.")]


class RelationDetail(msgspec.Struct):
    relation: Annotated[
        RelationKind, Meta(description="How it relates: an easier (regression), harder (progression) or similar one.")
    ]
    slug: Annotated[str, Meta(description="The related exercise's slug.")]
    name: Annotated[str, Meta(description="The related exercise's name.")]
    level: Annotated[Level, Meta(description="The related exercise's level.")]


class ExerciseDetail(Exercise, kw_only=True):
    """One exercise with what an app needs to show it, in one call."""

    muscle_details: Annotated[
        list[ExerciseMuscleDetail], Meta(description="The primary then secondary muscles, with their names.")
    ]
    equipment_details: Annotated[list[EquipmentDetail], Meta(description="The equipment, with names and categories.")]
    contraindication_details: Annotated[
        list[ContraindicationDetail], Meta(description="The contraindications, with the conditions' names.")
    ]
    relation_details: Annotated[
        list[RelationDetail], Meta(description="Regressions, progressions and alternatives, with names and levels.")
    ]


class MuscleDetail(Muscle, kw_only=True):
    """A muscle with its ancestors, so an app can show the path from the region down."""

    path: Annotated[list[str], Meta(description="Slugs of its ancestors from the region down, itself excluded.")]
