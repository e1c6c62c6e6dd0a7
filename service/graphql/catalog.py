"""Catalogue types and queries. Fields mirror the REST resources, in camelCase."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

import strawberry

from service.catalog import enums as e
from service.catalog import schemas, services
from service.catalog.vocabulary import Vocabulary
from service.graphql.connections import Connection, check_first
from service.graphql.context import Info
from service.graphql.inputs import named_as_arguments
from service.graphql.permissions import CatalogReadable
from service.lib.errors import Invalid
from service.lib.instants import check_instant
from service.lib.pagination import DEFAULT_LIMIT, MAX_LIMIT

# strawberry.enum registers each enum class itself (and returns it): the names below are the classes, so mypy
# takes them as types.
for _enum in (
    e.MuscleKind,
    e.Tendency,
    e.Modality,
    e.Phase,
    e.Level,
    e.Mechanic,
    e.Force,
    e.Laterality,
    e.SpinalLoad,
    e.Position,
    e.Demand,
    e.MuscleRole,
    e.MuscleRoleFilter,
    e.RelationKind,
    e.EquipmentCategory,
):
    strawberry.enum(_enum)
MuscleKind = e.MuscleKind
Tendency = e.Tendency
Modality = e.Modality
Phase = e.Phase
Level = e.Level
Mechanic = e.Mechanic
Force = e.Force
Laterality = e.Laterality
SpinalLoad = e.SpinalLoad
Position = e.Position
Demand = e.Demand
MuscleRole = e.MuscleRole
MuscleRoleFilter = e.MuscleRoleFilter
RelationKind = e.RelationKind
EquipmentCategory = e.EquipmentCategory


@strawberry.type
class Contraindication:
    condition: str
    reason: str


@strawberry.type
class ContraindicationDetail:
    condition: str
    name: str
    reason: str


@strawberry.type
class RelatedExercise:
    relation: RelationKind
    slug: str
    name: str
    level: Level


@strawberry.type
class Dose:
    sets: int
    reps: int | None
    hold_seconds: int | None
    duration_seconds: int | None
    per_side: bool
    tempo: str | None
    rest_seconds: int
    intensity: str | None


@strawberry.type
class ExerciseMuscle:
    slug: str
    name: str
    kind: MuscleKind
    role: MuscleRole


@strawberry.type
class EquipmentItem:
    slug: str
    name: str
    category: EquipmentCategory


@strawberry.type
class Exercise:
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
    positions: list[Position] | None = strawberry.field(
        description="The body positions the exercise holds or passes through; null on imported records (unknown)."
    )
    demands: list[Demand] | None = strawberry.field(
        description="What the exercise demands that a condition may restrict; null on imported records (unknown)."
    )
    contraindications: list[Contraindication]
    dose: Dose
    regressions: list[str]
    progressions: list[str]
    alternatives: list[str]
    source: str
    license: str | None
    updated_at: datetime

    @strawberry.field(description="The muscles this exercise works, with their names and roles (batched).")
    async def muscle_details(self, info: Info) -> list[ExerciseMuscle]:
        details = await info.context.loaders.exercise_muscles.load(self.slug)
        return [ExerciseMuscle(slug=d.slug, name=d.name, kind=d.kind, role=d.role) for d in details]

    @strawberry.field(description="The equipment this exercise needs, with names (batched).")
    async def equipment_details(self, info: Info) -> list[EquipmentItem]:
        details = await info.context.loaders.exercise_equipment.load(self.slug)
        return [EquipmentItem(slug=d.slug, name=d.name, category=d.category) for d in details]

    @strawberry.field(description="Contraindications with the condition's name (batched).")
    async def contraindication_details(self, info: Info) -> list[ContraindicationDetail]:
        names = await info.context.loaders.condition_names.load_many([c.condition for c in self.contraindications])
        return [
            ContraindicationDetail(condition=c.condition, name=name, reason=c.reason)
            for c, name in zip(self.contraindications, names, strict=True)
            if name is not None
        ]

    @strawberry.field(description="Regressions, progressions and alternatives with their names and levels (batched).")
    async def relation_details(self, info: Info) -> list[RelatedExercise]:
        relations = [
            *((e.RelationKind.regression, slug) for slug in self.regressions),
            *((e.RelationKind.progression, slug) for slug in self.progressions),
            *((e.RelationKind.alternative, slug) for slug in self.alternatives),
        ]
        found = await info.context.loaders.exercises.load_many([slug for _, slug in relations])
        return [
            RelatedExercise(relation=kind, slug=x.slug, name=x.name, level=e.Level(x.level))
            for (kind, _), x in zip(relations, found, strict=True)
            if x is not None
        ]

    @classmethod
    def from_domain(cls, x: schemas.Exercise) -> "Exercise":
        return cls(
            slug=x.slug,
            name=x.name,
            aliases=x.aliases,
            summary=x.summary,
            instructions=x.instructions,
            cues=x.cues,
            modality=e.Modality(x.modality),
            phases=[e.Phase(p) for p in x.phases],
            primary_muscles=x.primary_muscles,
            secondary_muscles=x.secondary_muscles,
            equipment=x.equipment,
            level=e.Level(x.level),
            mechanic=e.Mechanic(x.mechanic) if x.mechanic else None,
            force=e.Force(x.force) if x.force else None,
            laterality=e.Laterality(x.laterality),
            spinal_load=e.SpinalLoad(x.spinal_load),
            positions=[e.Position(p) for p in x.positions] if x.positions is not None else None,
            demands=[e.Demand(d) for d in x.demands] if x.demands is not None else None,
            contraindications=[Contraindication(condition=c.condition, reason=c.reason) for c in x.contraindications],
            dose=Dose(**{f: getattr(x.dose, f) for f in schemas.Dose.__struct_fields__}),
            regressions=x.regressions,
            progressions=x.progressions,
            alternatives=x.alternatives,
            source=x.source,
            license=x.license,
            updated_at=x.updated_at,
        )


@strawberry.type
class ExerciseConnection(Connection[Exercise]):
    @strawberry.field(description="The nodes of `edges`, for clients that need no cursors.")
    def nodes(self) -> list[Exercise]:
        return [edge.node for edge in self.edges]


@strawberry.type
class Muscle:
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

    @strawberry.field(description="Exercises working this muscle or anything under it (batched across muscles).")
    async def exercises(
        self,
        info: Info,
        role: MuscleRoleFilter = e.MuscleRoleFilter.any,
    ) -> list[Exercise]:
        found = await info.context.loaders.muscle_exercises.load((self.slug, e.MuscleRoleFilter(role)))
        return [Exercise.from_domain(x) for x in found]

    @classmethod
    def from_domain(cls, m: schemas.Muscle) -> "Muscle":
        return cls(**{f: getattr(m, f) for f in schemas.Muscle.__struct_fields__})


@strawberry.type
class Equipment:
    slug: str
    name: str
    category: EquipmentCategory
    description: str
    updated_at: datetime


@strawberry.type
class Condition:
    slug: str
    name: str
    description: str
    updated_at: datetime


@strawberry.type
class Pattern:
    slug: str
    name: str
    description: str
    overactive: list[str]
    underactive: list[str]
    typical_findings: list[str]
    references: list[str]
    updated_at: datetime


def _slug_enum(name: str, slugs: tuple[str, ...], description: str) -> Any:
    slug_type: Any = StrEnum(name, {slug: slug for slug in slugs})  # type: ignore[misc]
    return strawberry.enum(slug_type, description=description)


@dataclass(frozen=True)
class SlugEnums:
    """GraphQL enums of the curated vocabulary, made once per schema and shared by every domain's types."""

    muscle: Any
    equipment: Any
    condition: Any
    tender_spot: Any

    @classmethod
    def from_vocabulary(cls, vocabulary: Vocabulary) -> "SlugEnums":
        return cls(
            muscle=_slug_enum("MuscleSlug", vocabulary.muscles, "A muscle, group, part or fascia of the tree."),
            equipment=_slug_enum("EquipmentSlug", vocabulary.equipment, "A piece of equipment."),
            condition=_slug_enum("ConditionSlug", vocabulary.conditions, "A condition (contraindication tag)."),
            tender_spot=_slug_enum(
                "TenderSpotSlug", vocabulary.tender_spots, "A muscle, group, part or fascia (not a body region)."
            ),
        )


def catalog_query(enums: SlugEnums) -> type:
    """The catalogue's queries. Filter slugs are enums of the curated vocabulary: typed, and never unknown."""
    MuscleSlug, EquipmentSlug, ConditionSlug = enums.muscle, enums.equipment, enums.condition

    @strawberry.input
    class ExerciseFilter:
        muscle: MuscleSlug | None = None  # type: ignore[valid-type]
        role: MuscleRoleFilter = e.MuscleRoleFilter.any
        equipment: list[EquipmentSlug] | None = strawberry.field(  # type: ignore[valid-type]
            default=None, description=f"Requires these items; at most {len(EquipmentSlug)} values."
        )
        available_equipment: list[EquipmentSlug] | None = strawberry.field(  # type: ignore[valid-type]
            default=None, description=f"Only exercises doable with this set; at most {len(EquipmentSlug)} values."
        )
        modality: Modality | None = None
        phase: Phase | None = None
        level: Level | None = None
        exclude_condition: list[ConditionSlug] | None = strawberry.field(  # type: ignore[valid-type]
            default=None, description=f"Drop exercises contraindicated for these; at most {len(ConditionSlug)} values."
        )
        q: str | None = None
        updated_since: datetime | None = None
        source: str | None = None

        def to_domain(self) -> services.ExerciseFilter:
            # The REST parameters' caps (`maxItems`): variables escape the token limit, so a list is checked here.
            for field, values, cap in (
                ("equipment", self.equipment, len(EquipmentSlug)),
                ("availableEquipment", self.available_equipment, len(EquipmentSlug)),
                ("excludeCondition", self.exclude_condition, len(ConditionSlug)),
            ):
                if values is not None and len(values) > cap:
                    raise Invalid.field(field, f"at most {cap} values (one per slug of the vocabulary)")
            return services.ExerciseFilter(
                muscle=str(self.muscle) if self.muscle else None,
                role=e.MuscleRoleFilter(self.role),
                equipment=[str(slug) for slug in self.equipment or ()],
                available_equipment=[str(slug) for slug in self.available_equipment or ()],
                modality=e.Modality(self.modality) if self.modality else None,
                phase=e.Phase(self.phase) if self.phase else None,
                level=e.Level(self.level) if self.level else None,
                exclude_condition=[str(slug) for slug in self.exclude_condition or ()],
                q=self.q,
                updated_since=check_instant("updated_since", self.updated_since) if self.updated_since else None,
                source=self.source,
            )

    @strawberry.type
    class CatalogQuery:
        @strawberry.field(
            description="Exercises as a connection; `filter` works as the REST filters do.",
            permission_classes=[CatalogReadable],
        )
        async def exercises(
            self,
            info: Info,
            filter: ExerciseFilter | None = None,
            first: Annotated[int, strawberry.argument(description=f"Page size, 1 to {MAX_LIMIT}.")] = DEFAULT_LIMIT,
            after: Annotated[
                str | None, strawberry.argument(description="An `endCursor` (or edge cursor) from a previous page.")
            ] = None,
        ) -> ExerciseConnection:
            check_first(first)
            with named_as_arguments("filter"):
                domain_filter = filter.to_domain() if filter else services.ExerciseFilter()
                async with info.context.session() as session:
                    page = await services.list_exercises(session, domain_filter, limit=first, cursor=after)
            return ExerciseConnection.of(page, Exercise.from_domain)

        @strawberry.field(
            description="One exercise, or null when no exercise has that slug.", permission_classes=[CatalogReadable]
        )
        async def exercise(self, info: Info, slug: str) -> Exercise | None:
            async with info.context.session() as session:
                found = await services.exercises_by_slug(session, [slug])
            return Exercise.from_domain(found[slug]) if slug in found else None

        @strawberry.field(
            description="Every muscle, group, part and fascia, in tree order.", permission_classes=[CatalogReadable]
        )
        async def muscles(self, info: Info) -> list[Muscle]:
            async with info.context.session() as session:
                result = await services.list_muscles(session, tree=False, limit=MAX_LIMIT, cursor=None)
            return [Muscle.from_domain(m) for m in result.items]

        @strawberry.field(
            description="One muscle, or null when no muscle has that slug.", permission_classes=[CatalogReadable]
        )
        async def muscle(self, info: Info, slug: str) -> Muscle | None:
            async with info.context.session() as session:
                result = await services.list_muscles(session, tree=False, limit=MAX_LIMIT, cursor=None)
            return next((Muscle.from_domain(m) for m in result.items if m.slug == slug), None)

        @strawberry.field(description="Every piece of equipment.", permission_classes=[CatalogReadable])
        async def equipment(self, info: Info) -> list[Equipment]:
            async with info.context.session() as session:
                result = await services.list_equipment(session, limit=MAX_LIMIT, cursor=None)
            return [Equipment(**{f: getattr(x, f) for f in schemas.Equipment.__struct_fields__}) for x in result.items]

        @strawberry.field(description="Every condition (contraindication tag).", permission_classes=[CatalogReadable])
        async def conditions(self, info: Info) -> list[Condition]:
            async with info.context.session() as session:
                result = await services.list_conditions(session, limit=MAX_LIMIT, cursor=None)
            return [Condition(**{f: getattr(x, f) for f in schemas.Condition.__struct_fields__}) for x in result.items]

        @strawberry.field(description="Every imbalance pattern.", permission_classes=[CatalogReadable])
        async def patterns(self, info: Info) -> list[Pattern]:
            async with info.context.session() as session:
                result = await services.list_patterns(session, limit=MAX_LIMIT, cursor=None)
            return [Pattern(**{f: getattr(x, f) for f in schemas.Pattern.__struct_fields__}) for x in result.items]

    return CatalogQuery
