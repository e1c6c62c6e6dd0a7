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
_DESCRIBED_ENUMS = {
    e.MuscleKind: "What a node of the muscle tree is: a group, a muscle, a part of one, or fascia.",
    e.Tendency: "Whether a muscle tends to become overactive (short, tight) or underactive (long, weak).",
    e.Modality: "The kind of exercise: release, stretch, activation, strength or mobility.",
    e.Phase: "A phase of a corrective program, in order: release, lengthen, strengthen, integrate.",
    e.Level: "A training level: beginner, intermediate or advanced.",
    e.Mechanic: "Whether an exercise works several joints (compound) or one (isolation).",
    e.Force: "The main force of an exercise: push, pull, or a static hold.",
    e.Laterality: "Whether an exercise works both sides at once, one side, or alternates.",
    e.SpinalLoad: "How much load an exercise puts on the spine.",
    e.Position: "A body position an exercise holds or passes through.",
    e.Demand: "What an exercise asks of the body that a condition may forbid.",
    e.MuscleRole: "How an exercise works a muscle: as a primary or a secondary mover.",
    e.MuscleRoleFilter: "Which muscle roles a muscle filter matches: primary, secondary, or any.",
    e.RelationKind: "How one exercise relates to another: easier (regression), harder (progression), or instead.",
    e.EquipmentCategory: "The kind of a piece of equipment.",
}
for _enum, _description in _DESCRIBED_ENUMS.items():
    strawberry.enum(_enum, description=_description)
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

SLUG = "Its slug: the stable identifier other records refer to."
NAME = "Its display name."
UPDATED_AT = "When the record last changed."


@strawberry.type(description="A condition for which an exercise is not advised, and why.")
class Contraindication:
    condition: str = strawberry.field(description="The condition's slug.")
    reason: str = strawberry.field(description="Why the exercise is not advised with it.")


@strawberry.type(description="A contraindication with the condition's name.")
class ContraindicationDetail:
    condition: str = strawberry.field(description="The condition's slug.")
    name: str = strawberry.field(description="The condition's name.")
    reason: str = strawberry.field(description="Why the exercise is not advised with it.")


@strawberry.type(description="An exercise related to another: easier, harder, or an alternative.")
class RelatedExercise:
    relation: RelationKind = strawberry.field(description="How it relates to the exercise it is listed under.")
    slug: str = strawberry.field(description="The related exercise's slug.")
    name: str = strawberry.field(description="The related exercise's name.")
    level: Level = strawberry.field(description="The related exercise's training level.")


@strawberry.type(description="How much of an exercise to do: sets, and reps or a hold or a duration.")
class Dose:
    sets: int = strawberry.field(description="Number of sets.")
    reps: int | None = strawberry.field(description="Repetitions per set; null for holds and timed work.")
    hold_seconds: int | None = strawberry.field(description="Seconds to hold each repetition or stretch.")
    duration_seconds: int | None = strawberry.field(description="Seconds per set (and per side when `perSide`).")
    per_side: bool = strawberry.field(description="True when the dose is done on each side in turn.")
    tempo: str | None = strawberry.field(description="Seconds lowering-pause-lifting-pause, e.g. `3-0-1-0`.")
    rest_seconds: int = strawberry.field(description="Rest between sets, in seconds.")
    intensity: str | None = strawberry.field(description="How hard it should feel, in words.")


@strawberry.type(description="A muscle an exercise works, with its name and role.")
class ExerciseMuscle:
    slug: str = strawberry.field(description="The muscle's slug.")
    name: str = strawberry.field(description="The muscle's name.")
    kind: MuscleKind = strawberry.field(description="What node of the muscle tree it is.")
    role: MuscleRole = strawberry.field(description="Whether the exercise works it as a primary or secondary mover.")


@strawberry.type(description="A piece of equipment an exercise needs, with its name.")
class EquipmentItem:
    slug: str = strawberry.field(description="The equipment's slug.")
    name: str = strawberry.field(description="The equipment's name.")
    category: EquipmentCategory = strawberry.field(description="The kind of equipment.")


@strawberry.type(description="An exercise of the catalogue: what it is, how to do it, what it works.")
class Exercise:
    slug: str = strawberry.field(description=SLUG)
    name: str = strawberry.field(description=NAME)
    aliases: list[str] = strawberry.field(description="Other names the exercise goes by.")
    summary: str = strawberry.field(description="What the exercise is, in one or two sentences.")
    instructions: list[str] = strawberry.field(description="How to do it, step by step.")
    cues: list[str] = strawberry.field(description="Short reminders for good form while doing it.")
    modality: Modality = strawberry.field(description="The kind of exercise.")
    phases: list[Phase] = strawberry.field(description="The program phases it can serve.")
    primary_muscles: list[str] = strawberry.field(description="Slugs of the muscles it mainly works.")
    secondary_muscles: list[str] = strawberry.field(description="Slugs of the muscles it works less.")
    equipment: list[str] = strawberry.field(description="Slugs of the equipment it needs.")
    level: Level = strawberry.field(description="The training level it suits.")
    mechanic: Mechanic | None = strawberry.field(description="Compound or isolation; null when unknown.")
    force: Force | None = strawberry.field(description="Push, pull or static; null when unknown.")
    laterality: Laterality = strawberry.field(description="Both sides at once, one side, or alternating.")
    spinal_load: SpinalLoad = strawberry.field(description="How much load it puts on the spine.")
    positions: list[Position] | None = strawberry.field(
        description="The body positions the exercise holds or passes through; null on imported records (unknown)."
    )
    demands: list[Demand] | None = strawberry.field(
        description="What the exercise demands that a condition may restrict; null on imported records (unknown)."
    )
    contraindications: list[Contraindication] = strawberry.field(
        description="Conditions for which it is not advised, and why."
    )
    dose: Dose = strawberry.field(description="Its usual dose.")
    regressions: list[str] = strawberry.field(description="Slugs of easier versions.")
    progressions: list[str] = strawberry.field(description="Slugs of harder versions.")
    alternatives: list[str] = strawberry.field(description="Slugs of exercises that can replace it.")
    source: str = strawberry.field(
        description="Where the record comes from: curated, or the dataset it was imported from."
    )
    license: str | None = strawberry.field(description="The license of an imported record; null for curated ones.")
    updated_at: datetime = strawberry.field(description=UPDATED_AT)

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


@strawberry.type(description="A page of exercises.")
class ExerciseConnection(Connection[Exercise]):
    @strawberry.field(description="The nodes of `edges`, for clients that need no cursors.")
    def nodes(self) -> list[Exercise]:
        return [edge.node for edge in self.edges]


@strawberry.type(description="A node of the muscle tree: a group, a muscle, a part of one, or fascia.")
class Muscle:
    slug: str = strawberry.field(description=SLUG)
    name: str = strawberry.field(description=NAME)
    kind: MuscleKind = strawberry.field(description="What node of the tree it is.")
    parent: str | None = strawberry.field(description="The slug of the node above it; null at the top.")
    children: list[str] = strawberry.field(description="Slugs of the nodes directly under it.")
    members: list[str] = strawberry.field(
        description="Slugs of muscles listed in this group without being its children (rectus femoris: hip flexors)."
    )
    latin_name: str | None = strawberry.field(description="Its anatomical Latin name, where it has one.")
    actions: list[str] = strawberry.field(description="What it does, e.g. `ankle_plantar_flexion`.")
    antagonists: list[str] = strawberry.field(description="Slugs of the muscles that do the opposite.")
    tendency: Tendency = strawberry.field(description="Whether it tends to become overactive or underactive.")
    trigger_point_site: bool = strawberry.field(description="True when trigger points commonly form in it.")
    description: str = strawberry.field(description="What and where it is, in plain words.")
    updated_at: datetime = strawberry.field(description=UPDATED_AT)

    @strawberry.field(description="Exercises working this muscle or anything under it (batched across muscles).")
    async def exercises(
        self,
        info: Info,
        role: Annotated[
            MuscleRoleFilter,
            strawberry.argument(description="Only exercises working it in this role; `any` for both."),
        ] = e.MuscleRoleFilter.any,
    ) -> list[Exercise]:
        found = await info.context.loaders.muscle_exercises.load((self.slug, e.MuscleRoleFilter(role)))
        return [Exercise.from_domain(x) for x in found]

    @classmethod
    def from_domain(cls, m: schemas.Muscle) -> "Muscle":
        return cls(**{f: getattr(m, f) for f in schemas.Muscle.__struct_fields__})


@strawberry.type(description="A piece of equipment exercises may need.")
class Equipment:
    slug: str = strawberry.field(description=SLUG)
    name: str = strawberry.field(description=NAME)
    category: EquipmentCategory = strawberry.field(description="The kind of equipment.")
    description: str = strawberry.field(description="What it is, in plain words.")
    updated_at: datetime = strawberry.field(description=UPDATED_AT)


@strawberry.type(description="A condition that rules some exercises out (a contraindication tag).")
class Condition:
    slug: str = strawberry.field(description=SLUG)
    name: str = strawberry.field(description=NAME)
    description: str = strawberry.field(description="What the condition is, in plain words.")
    updated_at: datetime = strawberry.field(description=UPDATED_AT)


@strawberry.type(description="An imbalance pattern: muscles that tend to be overactive and underactive together.")
class Pattern:
    slug: str = strawberry.field(description=SLUG)
    name: str = strawberry.field(description=NAME)
    description: str = strawberry.field(description="What the pattern is and how it shows, in plain words.")
    overactive: list[str] = strawberry.field(description="Slugs of the muscles typically overactive in it.")
    underactive: list[str] = strawberry.field(description="Slugs of the muscles typically underactive in it.")
    typical_findings: list[str] = strawberry.field(description="What an assessment typically finds with it.")
    references: list[str] = strawberry.field(description="The sources the pattern is drawn from.")
    updated_at: datetime = strawberry.field(description=UPDATED_AT)


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

    @strawberry.input(description="Which exercises to list; every field given must match (as REST's filters).")
    class ExerciseFilter:
        muscle: MuscleSlug | None = strawberry.field(  # type: ignore[valid-type]
            default=None, description="Works this muscle or group, or anything under it in the tree."
        )
        role: MuscleRoleFilter = strawberry.field(
            default=e.MuscleRoleFilter.any, description="Which role `muscle` must play."
        )
        equipment: list[EquipmentSlug] | None = strawberry.field(  # type: ignore[valid-type]
            default=None, description=f"Requires these items; at most {len(EquipmentSlug)} values."
        )
        available_equipment: list[EquipmentSlug] | None = strawberry.field(  # type: ignore[valid-type]
            default=None, description=f"Only exercises doable with this set; at most {len(EquipmentSlug)} values."
        )
        modality: Modality | None = strawberry.field(default=None, description="Of this kind.")
        phase: Phase | None = strawberry.field(default=None, description="Can serve this program phase.")
        level: Level | None = strawberry.field(default=None, description="Of this training level.")
        exclude_condition: list[ConditionSlug] | None = strawberry.field(  # type: ignore[valid-type]
            default=None, description=f"Drop exercises contraindicated for these; at most {len(ConditionSlug)} values."
        )
        q: str | None = strawberry.field(
            default=None, description="Search text over names and aliases (typo-tolerant)."
        )
        updated_since: datetime | None = strawberry.field(
            default=None, description="Only exercises changed after this instant."
        )
        source: str | None = strawberry.field(
            default=None,
            description="Where records came from: `curated`, or an imported dataset like `free-exercise-db`.",
        )

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
            filter: Annotated[
                ExerciseFilter | None, strawberry.argument(description="Which exercises; all of them when null.")
            ] = None,
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
        async def exercise(
            self, info: Info, slug: Annotated[str, strawberry.argument(description="The exercise's slug.")]
        ) -> Exercise | None:
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
        async def muscle(
            self, info: Info, slug: Annotated[str, strawberry.argument(description="The muscle's slug.")]
        ) -> Muscle | None:
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
