"""Programs over GraphQL: the same service calls as REST, scoped to the caller's tenant. Types mirror the REST
resource field for field, in camelCase; a program also reaches its assessment and its exercises' catalogue records
through batched loads."""

import uuid
from datetime import datetime
from typing import Annotated

import msgspec
import strawberry

from service.clients.auth import require
from service.clients.scopes import Scope
from service.db.tenancy import tenant_session
from service.graphql.assessments import Assessment, OneSide
from service.graphql.catalog import Dose, Exercise, Level, Phase, SlugEnums
from service.graphql.connections import Connection, check_first
from service.graphql.context import Info
from service.graphql.inputs import idempotency_key_of, to_struct
from service.graphql.owned import erase
from service.graphql.permissions import CatalogReadable, requires
from service.lib.errors import NotFound
from service.lib.ids import parse_uuid
from service.lib.pagination import DEFAULT_LIMIT, MAX_LIMIT
from service.programs import schemas as s
from service.programs import services

# strawberry.enum registers the enum class itself (and returns it): the name below is the class, so mypy takes it
# as a type.
strawberry.enum(s.FindingType)
strawberry.enum(s.Irritability)
FindingType = s.FindingType
Irritability = s.Irritability


@strawberry.type
class ExerciseRef:
    slug: str
    name: str

    @strawberry.field(
        description="The exercise's catalogue record (instructions, cues, muscles…), batched across the program.",
        permission_classes=[CatalogReadable],
    )
    async def details(self, info: Info) -> Exercise | None:
        found = await info.context.loaders.exercises.load(self.slug)
        return Exercise.from_domain(found) if found else None


def _ref(ref: s.ExerciseRef) -> ExerciseRef:
    return ExerciseRef(slug=ref.slug, name=ref.name)


@strawberry.type(description="A dose in a program: the catalogue's dose fields, and the weaker side to favour.")
class ProgramDose(Dose):
    weaker_side: OneSide | None = strawberry.field(
        description="One extra set on this side, started first: the weaker or tighter side of an asymmetry."
    )


def _dose(dose: s.Dose) -> ProgramDose:
    return ProgramDose(**msgspec.structs.asdict(dose))


@strawberry.type
class Finding:
    type: FindingType
    target: str | None
    rules: list[str]
    summary: str

    @classmethod
    def from_domain(cls, finding: s.Finding) -> "Finding":
        return cls(type=finding.type, target=finding.target, rules=finding.rules, summary=finding.summary)


@strawberry.type(description="A finding of the assessment no item of the program serves, and why (CLINICAL.md §2).")
class Unaddressed:
    finding: Finding
    reason: str


@strawberry.type
class StartWith:
    exercise: ExerciseRef
    until_week: int
    dose: ProgramDose
    reason: str


@strawberry.type
class ProgramItem:
    exercise: ExerciseRef
    dose: ProgramDose
    rationale: str
    finding: Finding
    alternatives: list[str]
    cues: list[str]
    start_with: StartWith | None
    also_serves: list[Finding] = strawberry.field(
        description=(
            "The other findings of the assessment this item serves besides `finding` (one exercise can treat "
            "several; an item of a pattern's block serves the pattern)."
        )
    )

    @classmethod
    def from_domain(cls, item: s.ProgramItem) -> "ProgramItem":
        start = item.start_with
        return cls(
            exercise=_ref(item.exercise),
            dose=_dose(item.dose),
            rationale=item.rationale,
            finding=Finding.from_domain(item.finding),
            also_serves=[Finding.from_domain(f) for f in item.also_serves],
            alternatives=item.alternatives,
            cues=item.cues,
            start_with=StartWith(
                exercise=_ref(start.exercise), until_week=start.until_week, dose=_dose(start.dose), reason=start.reason
            )
            if start
            else None,
        )


@strawberry.type
class Gap:
    muscle: str
    reason: str


@strawberry.type
class ProgramPhase:
    key: Phase
    order: int
    title: str
    goal: str
    focus_muscles: list[str]
    items: list[ProgramItem]
    gaps: list[Gap]


@strawberry.type
class ScheduledItem:
    phase: Phase
    exercise: ExerciseRef
    dose: ProgramDose


@strawberry.type
class Session:
    session: int
    estimated_minutes: int
    items: list[ScheduledItem]


@strawberry.type
class Week:
    week: int
    stage: str
    sessions: list[Session]
    move_on_when: str | None = strawberry.field(
        description="On the first week of a stage: what must hold before starting it; otherwise repeat the week before."
    )


@strawberry.type
class Schedule:
    weeks: list[Week]


@strawberry.type
class Exclusion:
    exercise: str
    reason: str


@strawberry.type
class ProgramParameters:
    weeks: int
    sessions_per_week: int
    session_minutes: int
    level: Level
    available_equipment: list[str]
    exclude_exercises: list[str]
    conditions: list[str]
    irritability: Irritability | None = strawberry.field(
        description="How easily the pain flares (CLINICAL.md §3); null on programs made before program rules 2026.12.2."
    )


@strawberry.type
class Program:
    id: strawberry.ID
    created_at: datetime
    subject_ref: str | None
    assessment_id: strawberry.ID
    ruleset_version: str
    parameters: ProgramParameters
    phases: list[ProgramPhase]
    schedule: Schedule
    excluded: list[Exclusion]
    safety_notes: list[str]
    unaddressed: list[Unaddressed] = strawberry.field(
        description=(
            "Every finding of the assessment no item serves, with the reason (CLINICAL.md §2); empty on programs made "
            "before program rules 2026.12.3."
        )
    )

    @strawberry.field(
        description="The assessment it was generated from (batched; null once erased).",
        permission_classes=[requires(Scope.assessments_read)],
    )
    async def assessment(self, info: Info) -> Assessment | None:
        found = await info.context.loaders.assessments.load(uuid.UUID(str(self.assessment_id)))
        return Assessment.from_domain(found) if found else None

    @classmethod
    def from_domain(cls, p: s.Program) -> "Program":
        return cls(
            id=strawberry.ID(str(p.id)),
            created_at=p.created_at,
            subject_ref=p.subject_ref,
            assessment_id=strawberry.ID(str(p.assessment_id)),
            ruleset_version=p.ruleset_version,
            parameters=ProgramParameters(**msgspec.structs.asdict(p.parameters)),
            phases=[
                ProgramPhase(
                    key=phase.key,
                    order=phase.order,
                    title=phase.title,
                    goal=phase.goal,
                    focus_muscles=phase.focus_muscles,
                    items=[ProgramItem.from_domain(item) for item in phase.items],
                    gaps=[Gap(muscle=g.muscle, reason=g.reason) for g in phase.gaps],
                )
                for phase in p.phases
            ],
            schedule=Schedule(
                weeks=[
                    Week(
                        week=week.week,
                        stage=week.stage,
                        move_on_when=week.move_on_when,
                        sessions=[
                            Session(
                                session=session.session,
                                estimated_minutes=session.estimated_minutes,
                                items=[
                                    ScheduledItem(phase=i.phase, exercise=_ref(i.exercise), dose=_dose(i.dose))
                                    for i in session.items
                                ],
                            )
                            for session in week.sessions
                        ],
                    )
                    for week in p.schedule.weeks
                ]
            ),
            excluded=[Exclusion(exercise=x.exercise, reason=x.reason) for x in p.excluded],
            safety_notes=p.safety_notes,
            unaddressed=[Unaddressed(finding=Finding.from_domain(u.finding), reason=u.reason) for u in p.unaddressed],
        )


@strawberry.type
class ProgramQuery:
    @strawberry.field(description="One of your programs, or null.", permission_classes=[requires(Scope.programs_read)])
    async def program(self, info: Info, id: strawberry.ID) -> Program | None:
        principal = require(info.context.principal, Scope.programs_read)
        async with tenant_session(info.context.session_factory, principal.client_id) as session:
            try:
                found = await services.get(session, str(id))
            except NotFound:
                return None
        return Program.from_domain(found)

    @strawberry.field(description="Your programs, newest first.", permission_classes=[requires(Scope.programs_read)])
    async def programs(
        self,
        info: Info,
        first: Annotated[int, strawberry.argument(description=f"Page size, 1 to {MAX_LIMIT}.")] = DEFAULT_LIMIT,
        after: Annotated[str | None, strawberry.argument(description="An `endCursor`.")] = None,
        assessment_id: Annotated[
            strawberry.ID | None, strawberry.argument(description="Only those generated from this assessment.")
        ] = None,
        subject_ref: Annotated[str | None, strawberry.argument(description="Only this subject's.")] = None,
    ) -> Connection[Program]:
        check_first(first)
        principal = require(info.context.principal, Scope.programs_read)
        parsed = parse_uuid(str(assessment_id)) if assessment_id is not None else None
        if assessment_id is not None and parsed is None:
            # An id that is no UUID names no assessment: nothing matches, as with any unknown id.
            return Connection.empty()
        flt = services.ProgramFilter(assessment_id=parsed, subject_ref=subject_ref)
        async with tenant_session(info.context.session_factory, principal.client_id) as session:
            page = await services.list_programs(session, flt, limit=first, cursor=after)
        return Connection.of(page, Program.from_domain)


def program_mutation(enums: SlugEnums) -> type:
    """Mutations on programs; equipment and conditions are typed as the catalogue's slugs."""
    EquipmentSlug, ConditionSlug = enums.equipment, enums.condition

    @strawberry.input(description="The same fields as the REST body, in camelCase; ranges are checked the same way.")
    class ProgramInput:
        assessment_id: strawberry.ID = strawberry.field(description="One of your assessments.")
        weeks: int = strawberry.field(default=8, description="Program length in weeks, 1 to 16.")
        sessions_per_week: int = strawberry.field(default=3, description="1 to 7.")
        session_minutes: int = strawberry.field(
            default=45, description="Time budget of one session, 10 to 180; every session fits it."
        )
        level: Level | None = strawberry.field(
            default=None, description="Default: from the assessment's training experience, else beginner."
        )
        available_equipment: list[EquipmentSlug] | None = strawberry.field(  # type: ignore[valid-type]
            default=None,
            description="Each listed once; `bodyweight` is always available. Default (null): a full gym.",
        )
        exclude_exercises: list[str] = strawberry.field(
            default_factory=list, description="Exercise slugs never to prescribe, each listed once."
        )
        conditions: list[ConditionSlug] = strawberry.field(  # type: ignore[valid-type]
            default_factory=list, description="Conditions known beyond the assessment's pain regions."
        )

    @strawberry.type
    class ProgramMutation:
        @strawberry.mutation(
            description=(
                "Generate a program from one of your assessments; an assessment that refers the person to a "
                "clinician gets an error whose `extensions.type` ends in `/referral-required`, with the "
                "`reasons`. A non-empty `idempotencyKey` makes retries safe, as the REST header does "
                "(GraphQL and REST keys are separate)."
            ),
            permission_classes=[requires(Scope.programs_write)],
        )
        async def generate_program(
            self, info: Info, input: ProgramInput, idempotency_key: str | None = None
        ) -> Program:
            principal = require(info.context.principal, Scope.programs_write)
            request = to_struct(input, s.ProgramRequest)
            runtime = info.context.runtime
            created = await services.create(
                runtime.session_factory,
                runtime.statements,
                principal.client_id,
                request,
                idempotency_key_of(idempotency_key),
                catalogs=runtime.program_catalog,
                rules=runtime.program_rules,
                assessment_rules=runtime.assessment_rules,
                anatomy=runtime.anatomy,
            )
            return Program.from_domain(msgspec.convert(created.body, s.Program))

        @strawberry.mutation(
            description="Erase one of your programs; false when there is none.",
            permission_classes=[requires(Scope.programs_write)],
        )
        async def delete_program(self, info: Info, id: strawberry.ID) -> bool:
            return await erase(info, Scope.programs_write, services.delete, str(id))

    return ProgramMutation
