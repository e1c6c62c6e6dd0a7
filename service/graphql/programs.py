"""Programs over GraphQL: the same service calls as REST, scoped to the caller's tenant. Types mirror the REST
resource field for field, in camelCase; a program also reaches its assessment and its exercises' catalogue records
through batched loads."""

import uuid
from datetime import date, datetime
from typing import Annotated, Any

import msgspec
import strawberry

from service.clients.auth import require
from service.clients.scopes import Scope
from service.db.tenancy import tenant_session
from service.graphql.assessments import Assessment, OneSide
from service.graphql.catalog import Dose, Exercise, Level, Phase, SlugEnums
from service.graphql.connections import Connection, check_first
from service.graphql.context import Info
from service.graphql.inputs import idempotency_key_of, named_as_arguments, to_struct
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
strawberry.enum(s.Weekday)
strawberry.enum(s.ProgramStatus)
FindingType = s.FindingType
Irritability = s.Irritability
Weekday = s.Weekday
ProgramStatus = s.ProgramStatus


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


def _dose(dose: s.ProgramDose) -> ProgramDose:
    return ProgramDose(**msgspec.structs.asdict(dose))


@strawberry.type(description="An assessment finding the program answers, listed once; items refer to it by `id`.")
class Finding:
    id: str
    type: FindingType
    target: str | None
    rules: list[str]
    summary: str


@strawberry.type(description="A finding of the assessment no item of the program serves, and why (CLINICAL.md §2).")
class Unaddressed:
    finding: str = strawberry.field(description="The finding's id (in `findings`).")
    reason: str


@strawberry.type(description="A picture or video of the exercise.")
class Media:
    kind: str
    url: str


def _media(items: list[s.Media]) -> list[Media]:
    return [Media(kind=m.kind, url=m.url) for m in items]


@strawberry.type(description="An easier exercise done first: a prescription of its own.")
class StartWith:
    id: str
    exercise: ExerciseRef
    until_week: int
    dose: ProgramDose
    reason: str
    instructions: list[str]
    cues: list[str]
    media: list[Media]


@strawberry.type(description="A prescription: an exercise, everything needed to do it, and why.")
class ProgramItem:
    id: str = strawberry.field(description="Its prescription id, which the schedule refers to.")
    exercise: ExerciseRef
    dose: ProgramDose = strawberry.field(description="The dose in its first week (`schedule.doses`: later).")
    rationale: str
    finding: str = strawberry.field(description="The id of the finding it serves (in `findings`).")
    alternatives: list[str]
    instructions: list[str]
    cues: list[str]
    media: list[Media]
    start_with: StartWith | None
    also_serves: list[str] = strawberry.field(description="The ids of the other findings this item serves.")

    @classmethod
    def from_domain(cls, item: s.ProgramItem) -> "ProgramItem":
        start = item.start_with
        return cls(
            id=item.id,
            exercise=_ref(item.exercise),
            dose=_dose(item.dose),
            rationale=item.rationale,
            finding=item.finding,
            also_serves=item.also_serves,
            alternatives=item.alternatives,
            instructions=item.instructions,
            cues=item.cues,
            media=_media(item.media),
            start_with=StartWith(
                id=start.id,
                exercise=_ref(start.exercise),
                until_week=start.until_week,
                dose=_dose(start.dose),
                reason=start.reason,
                instructions=start.instructions,
                cues=start.cues,
                media=_media(start.media),
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


@strawberry.type(description="A prescription's dose from `fromWeek` to `toWeek`, where it differs from its own.")
class DoseRun:
    prescription: str
    from_week: int
    to_week: int
    dose: ProgramDose


@strawberry.type(description="The daily mobility routine of a week, the same every day of it.")
class Routine:
    items: list[str]
    estimated_minutes: int


@strawberry.type(description="A strength session: the warm-up, any preparation, then the training items.")
class Session:
    day: Weekday
    preparation: list[str]
    items: list[str]
    estimated_minutes: int


@strawberry.type
class Week:
    week: int
    stage: str
    lighter: bool
    routine: Routine
    sessions: list[Session]
    rest_days: list[Weekday]
    move_on_when: str | None = strawberry.field(
        description="On the first week of a stage: what must hold before starting it; otherwise repeat the week before."
    )

    @classmethod
    def from_domain(cls, week: s.Week) -> "Week":
        return cls(
            week=week.week,
            stage=week.stage,
            lighter=week.lighter,
            routine=Routine(items=week.routine.items, estimated_minutes=week.routine.estimated_minutes),
            sessions=[
                Session(day=x.day, preparation=x.preparation, items=x.items, estimated_minutes=x.estimated_minutes)
                for x in week.sessions
            ],
            rest_days=week.rest_days,
            move_on_when=week.move_on_when,
        )


@strawberry.type
class WarmUp:
    minutes: int
    steps: list[str]


@strawberry.type
class Reassessment:
    week: int
    date: date
    tests: list[str]


@strawberry.type
class Schedule:
    days: list[Weekday]
    warm_up: WarmUp
    reassessments: list[Reassessment]
    domain: strawberry.Private[s.Schedule]

    @strawberry.field(description="The weeks, or only week `number` (what a client renders).")
    def weeks(self, number: int | None = None) -> list[Week]:
        return [Week.from_domain(w) for w in self.domain.weeks if number is None or w.week == number]

    @strawberry.field(description="The dose runs, or only those that hold in week `week`.")
    def doses(self, week: int | None = None) -> list[DoseRun]:
        return [
            DoseRun(prescription=r.prescription, from_week=r.from_week, to_week=r.to_week, dose=_dose(r.dose))
            for r in self.domain.doses
            if week is None or r.from_week <= week <= r.to_week
        ]


@strawberry.type
class Exclusion:
    exercise: str
    reason: str


@strawberry.type
class Lesson:
    topic: str
    title: str
    text: str


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
    days: list[Weekday]
    starts_on: date | None


async def _assessment(root: "Program | ProgramSummary", info: Info) -> Assessment | None:
    found = await info.context.loaders.assessments.load(uuid.UUID(str(root.assessment_id)))
    return Assessment.from_domain(found) if found else None


def _assessment_field() -> Any:
    """A program's and a summary's `assessment`: one resolver for both (a field object belongs to one type)."""
    return strawberry.field(
        resolver=_assessment,
        description="The assessment it was generated from (batched; null once erased).",
        permission_classes=[requires(Scope.assessments_read)],
    )


@strawberry.type
class Program:
    id: strawberry.ID
    created_at: datetime
    subject_ref: str | None
    assessment_id: strawberry.ID
    ruleset_version: str
    parameters: ProgramParameters
    findings: list[Finding]
    phases: list[ProgramPhase]
    schedule: Schedule
    excluded: list[Exclusion]
    safety_notes: list[str]
    education: list[Lesson]
    unaddressed: list[Unaddressed] = strawberry.field(
        description="Every finding of the assessment no item serves, with the reason (CLINICAL.md §2)."
    )

    assessment: Assessment | None = _assessment_field()

    @classmethod
    def from_domain(cls, p: s.Program) -> "Program":
        schedule = p.schedule
        return cls(
            id=strawberry.ID(str(p.id)),
            created_at=p.created_at,
            subject_ref=p.subject_ref,
            assessment_id=strawberry.ID(str(p.assessment_id)),
            ruleset_version=p.ruleset_version,
            parameters=ProgramParameters(**msgspec.structs.asdict(p.parameters)),
            findings=[
                Finding(id=f.id, type=f.type, target=f.target, rules=f.rules, summary=f.summary) for f in p.findings
            ],
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
                days=schedule.days,
                warm_up=WarmUp(minutes=schedule.warm_up.minutes, steps=schedule.warm_up.steps),
                reassessments=[Reassessment(week=r.week, date=r.date, tests=r.tests) for r in schedule.reassessments],
                domain=schedule,
            ),
            excluded=[Exclusion(exercise=x.exercise, reason=x.reason) for x in p.excluded],
            safety_notes=p.safety_notes,
            education=[Lesson(topic=x.topic, title=x.title, text=x.text) for x in p.education],
            unaddressed=[Unaddressed(finding=u.finding, reason=u.reason) for u in p.unaddressed],
        )


@strawberry.type(description="A program in a list: enough to choose one; `program(id)` gives the rest.")
class ProgramSummary:
    id: strawberry.ID
    assessment_id: strawberry.ID
    subject_ref: str | None
    created_at: datetime
    ruleset_version: str
    weeks: int
    sessions_per_week: int
    days: list[Weekday]
    starts_on: date | None
    status: ProgramStatus = strawberry.field(
        description="`active`; `retired`: made in the first program shape, no longer served: generate a new one."
    )

    assessment: Assessment | None = _assessment_field()

    @strawberry.field(description="The whole program (batched; null when retired).")
    async def program(self, info: Info) -> Program | None:
        found = await info.context.loaders.programs.load(uuid.UUID(str(self.id)))
        return Program.from_domain(found) if found else None

    @classmethod
    def from_domain(cls, x: s.ProgramSummary) -> "ProgramSummary":
        return cls(
            id=strawberry.ID(str(x.id)),
            assessment_id=strawberry.ID(str(x.assessment_id)),
            subject_ref=x.subject_ref,
            created_at=x.created_at,
            ruleset_version=x.ruleset_version,
            weeks=x.weeks,
            sessions_per_week=x.sessions_per_week,
            days=x.days,
            starts_on=x.starts_on,
            status=x.status,
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
    ) -> Connection[ProgramSummary]:
        check_first(first)
        principal = require(info.context.principal, Scope.programs_read)
        parsed = parse_uuid(str(assessment_id)) if assessment_id is not None else None
        if assessment_id is not None and parsed is None:
            # An id that is no UUID names no assessment: nothing matches, as with any unknown id.
            return Connection.empty()
        flt = services.ProgramFilter(assessment_id=parsed, subject_ref=subject_ref)
        async with tenant_session(info.context.session_factory, principal.client_id) as session:
            with named_as_arguments():
                page = await services.list_programs(session, flt, limit=first, cursor=after)
        return Connection.of(page, ProgramSummary.from_domain)


def program_mutation(enums: SlugEnums) -> type:
    """Mutations on programs; equipment and conditions are typed as the catalogue's slugs."""
    EquipmentSlug, ConditionSlug = enums.equipment, enums.condition

    @strawberry.input(description="The same fields as the REST body, in camelCase; ranges are checked the same way.")
    class ProgramInput:
        assessment_id: strawberry.ID = strawberry.field(description="One of your assessments.")
        weeks: int = strawberry.field(default=8, description="Program length in weeks, 1 to 12.")
        sessions_per_week: int | None = strawberry.field(
            default=None, description="Strength sessions a week, 2 to 4. Default: as many as `days`, else 3."
        )
        days: list[Weekday] | None = strawberry.field(
            default=None, description="The weekdays of the strength sessions. Default: spread over the week."
        )
        starts_on: date | None = strawberry.field(
            default=None, description="The first day of week 1. Default: the day the program is made."
        )
        session_minutes: int = strawberry.field(
            default=45, description="Time budget of one strength session, 20 to 180, warm-up included."
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
            runtime = info.context.runtime
            with named_as_arguments("input"):
                created = await services.create(
                    runtime.session_factory,
                    runtime.statements,
                    principal.client_id,
                    to_struct(input, s.ProgramRequest),
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
