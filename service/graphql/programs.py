"""Programs over GraphQL: the same service calls as REST, scoped to the caller's tenant. Types mirror the REST
resource field for field, in camelCase; a program also reaches its assessment and its exercises' catalogue records
through batched loads."""

import datetime as dt
import uuid
from typing import Annotated, Any

import msgspec
import strawberry

from service.clients.auth import require
from service.clients.scopes import Scope
from service.db.tenancy import tenant_session
from service.graphql.assessment_enums import Level as ConcernLevel
from service.graphql.assessment_enums import OneSide
from service.graphql.assessments import Assessment
from service.graphql.catalog import Dose, Exercise, Level, Phase, SlugEnums
from service.graphql.checkins import CheckIn, check_ins_field
from service.graphql.connections import Connection, check_first
from service.graphql.context import Info
from service.graphql.followup import Progress, Revision, progress_field, revisions_field
from service.graphql.inputs import IDEMPOTENCY_KEY, idempotency_key_of, named_as_arguments, to_struct
from service.graphql.owned import erase
from service.graphql.permissions import CatalogReadable, requires
from service.graphql.program_schedule import Reassessment, Schedule, WarmUp
from service.lib.errors import NotFound
from service.lib.ids import parse_uuid
from service.lib.pagination import DEFAULT_LIMIT, MAX_LIMIT
from service.programs import schemas as s
from service.programs import services

# strawberry.enum registers the enum class itself (and returns it): the name below is the class, so mypy takes it
# as a type.
strawberry.enum(
    s.FindingType,
    description=(
        "trigger_point, overactive, underactive: a muscle finding of the assessment; pattern: a pattern's standard "
        "prescription; baseline: no finding calls for the phase, general upkeep."
    ),
)
strawberry.enum(s.Irritability, description="How easily the pain flares: it decides how hard the program may load.")
strawberry.enum(
    s.ProgramStatus,
    description=(
        "active; paused: a check-in or measure referred the person to a clinician, so it takes no more check-ins; "
        "retired: made in an older program shape, no longer served: generate a new one."
    ),
)
FindingType = s.FindingType
Irritability = s.Irritability
Weekday = s.Weekday
ProgramStatus = s.ProgramStatus


@strawberry.type(description="Why a program is paused: the referral its check-ins or measures led to.")
class Pause:
    made_on: dt.date = strawberry.field(description="The day of the decision that referred the person.")
    level: ConcernLevel = strawberry.field(description="How soon: emergency (today), urgent (days), routine.")
    message: str = strawberry.field(description="Whom to see and how soon, in plain words.")
    reasons: list[str] = strawberry.field(description="What led to it, each in plain words.")


@strawberry.type(description="The exercise of a prescription.")
class ExerciseRef:
    slug: str = strawberry.field(description="The exercise's slug.")
    name: str = strawberry.field(description="The exercise's name.")

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
    id: str = strawberry.field(description="Its id within this program, e.g. `f3`.")
    type: FindingType = strawberry.field(description="What kind of finding it is.")
    target: str | None = strawberry.field(description="The muscle or pattern slug; null for `baseline`.")
    rules: list[str] = strawberry.field(
        description="Assessment rule ids behind it: the assessment's evidence for them carries the professional basis."
    )
    summary: str = strawberry.field(description="In plain words for the person.")


@strawberry.type(description="A finding of the assessment no item of the program serves, and why (CLINICAL.md §2).")
class Unaddressed:
    finding: str = strawberry.field(description="The finding's id (in `findings`).")
    reason: str = strawberry.field(description="Why, in plain words for the person.")


@strawberry.type(description="A picture or video of the exercise.")
class Media:
    kind: str = strawberry.field(description="`image` or `video`.")
    url: str = strawberry.field(description="Where to get it.")


def _media(items: list[s.Media]) -> list[Media]:
    return [Media(kind=m.kind, url=m.url) for m in items]


@strawberry.type(description="An easier exercise done first: a prescription of its own.")
class StartWith:
    id: str = strawberry.field(description="Its prescription id, which the schedule refers to.")
    exercise: ExerciseRef = strawberry.field(description="The easier exercise.")
    until_week: int = strawberry.field(description="The last week it replaces the item's exercise.")
    dose: ProgramDose = strawberry.field(description="Its dose in its first week (`schedule.doses`: later).")
    reason: str = strawberry.field(description="Why it comes first, in plain words.")
    instructions: list[str] = strawberry.field(description="How to do it, step by step.")
    cues: list[str] = strawberry.field(description="Short reminders for good form.")
    media: list[Media] = strawberry.field(description="Pictures and videos; empty until media exist.")


@strawberry.type(description="A prescription: an exercise, everything needed to do it, and why.")
class ProgramItem:
    id: str = strawberry.field(description="Its prescription id, which the schedule refers to.")
    exercise: ExerciseRef = strawberry.field(description="The exercise prescribed.")
    dose: ProgramDose = strawberry.field(
        description="Its dose in its first week; `schedule.doseChanges` says how it changes later."
    )
    rationale: str = strawberry.field(description="Why this exercise, in plain words.")
    finding: str = strawberry.field(description="The id of the finding it serves (in `findings`).")
    alternatives: list[str] = strawberry.field(
        description="Exercise slugs that fit every constraint and can be swapped in."
    )
    instructions: list[str] = strawberry.field(description="How to do it, step by step.")
    cues: list[str] = strawberry.field(description="Short reminders for good form.")
    media: list[Media] = strawberry.field(description="Pictures and videos; empty until media exist.")
    start_with: StartWith | None = strawberry.field(
        description="An easier exercise to do first, for the first weeks; null when none is needed."
    )
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


@strawberry.type(description="A target the phase could not serve with the constraints given.")
class Gap:
    muscle: str = strawberry.field(description="The muscle's slug.")
    reason: str = strawberry.field(description="Why no exercise could serve it.")


@strawberry.type(description="A phase of the program: release, lengthen, strengthen or integrate.")
class ProgramPhase:
    key: Phase = strawberry.field(description="Which phase.")
    order: int = strawberry.field(description="Its place in the program, from 1.")
    title: str = strawberry.field(description="Its title, in words for the person.")
    goal: str = strawberry.field(description="What it is for, in plain words.")
    focus_muscles: list[str] = strawberry.field(description="Slugs of the muscles it targets.")
    items: list[ProgramItem] = strawberry.field(description="Its prescriptions, in order.")
    gaps: list[Gap] = strawberry.field(description="Targets it could not serve, and why.")


@strawberry.type(description="An exercise the program left out, and why.")
class Exclusion:
    exercise: str = strawberry.field(description="The exercise's slug.")
    reason: str = strawberry.field(description="Why it was left out.")


@strawberry.type(description="Something the person should know while following the program.")
class Lesson:
    topic: str = strawberry.field(
        description="pain_monitoring, sitting_breaks, daily_walking, effort, flare_up or stage_criteria; more may come."
    )
    title: str = strawberry.field(description="Its title.")
    text: str = strawberry.field(description="The lesson, in plain words.")


@strawberry.type(description="The request with every default filled in: what the program was generated from.")
class ProgramParameters:
    weeks: int = strawberry.field(description="Program length in weeks.")
    sessions_per_week: int = strawberry.field(description="Strength sessions a week.")
    session_minutes: int = strawberry.field(description="Time budget of one strength session, warm-up included.")
    level: Level = strawberry.field(description="The training level it was made for.")
    available_equipment: list[str] = strawberry.field(description="Slugs of the equipment it could use.")
    exclude_exercises: list[str] = strawberry.field(description="Exercise slugs it was asked never to prescribe.")
    conditions: list[str] = strawberry.field(
        description="Every condition the generator honoured: declared ones and those from pain regions."
    )
    irritability: Irritability | None = strawberry.field(
        description="How easily the pain flares (CLINICAL.md §3); null on programs made before program rules 2026.12.2."
    )
    days: list[Weekday] = strawberry.field(description="The weekdays of the strength sessions.")
    starts_on: dt.date | None = strawberry.field(description="The first day of week 1.")


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


@strawberry.type(description="A four-phase corrective program generated from an assessment.")
class Program:
    id: strawberry.ID = strawberry.field(description="Its id (a UUID).")
    created_at: dt.datetime = strawberry.field(description="When it was generated.")
    subject_ref: str | None = strawberry.field(description="The assessment's reference for the person, if any.")
    assessment_id: strawberry.ID = strawberry.field(description="The id of the assessment it answers.")
    ruleset_version: str = strawberry.field(description="The version of the program rules that made it.")
    parameters: ProgramParameters = strawberry.field(description="What it was generated from, defaults filled in.")
    findings: list[Finding] = strawberry.field(
        description="Every finding of the assessment the program answers or leaves unaddressed, once."
    )
    phases: list[ProgramPhase] = strawberry.field(description="The four phases, in order, with their prescriptions.")
    schedule: Schedule = strawberry.field(description="When to do what, week by week.")
    excluded: list[Exclusion] = strawberry.field(description="Exercises left out, and why.")
    safety_notes: list[str] = strawberry.field(description="What to watch for while training, in plain words.")
    education: list[Lesson] = strawberry.field(description="What the person should know while following it.")
    unaddressed: list[Unaddressed] = strawberry.field(
        description="Every finding of the assessment no item serves, with the reason (CLINICAL.md §2)."
    )

    revision: int = strawberry.field(
        description="The revision shown: 1 as generated, one more for each check-in decision that changed it."
    )
    status: ProgramStatus = strawberry.field(description="`active`, `paused` (see `paused`) or `retired`.")
    paused: Pause | None = strawberry.field(description="The referral that paused it; null while active.")

    assessment: Assessment | None = _assessment_field()
    check_ins: Connection[CheckIn] = check_ins_field()
    revisions: list[Revision] = revisions_field()
    progress: Progress | None = progress_field()

    @classmethod
    def from_domain(cls, p: s.Program) -> "Program":
        schedule = p.schedule
        return cls(
            revision=p.revision,
            status=p.status,
            paused=Pause(**msgspec.structs.asdict(p.paused)) if p.paused is not None else None,
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
    id: strawberry.ID = strawberry.field(description="Its id (a UUID).")
    assessment_id: strawberry.ID = strawberry.field(description="The id of the assessment it answers.")
    subject_ref: str | None = strawberry.field(description="The assessment's reference for the person, if any.")
    created_at: dt.datetime = strawberry.field(description="When it was generated.")
    ruleset_version: str = strawberry.field(description="The version of the program rules that made it.")
    weeks: int = strawberry.field(description="Program length in weeks.")
    sessions_per_week: int = strawberry.field(description="Strength sessions a week.")
    days: list[Weekday] = strawberry.field(description="The weekdays of the strength sessions; empty when retired.")
    starts_on: dt.date | None = strawberry.field(description="The first day of week 1.")
    revision: int = strawberry.field(description="The current revision: 1 as generated.")
    status: ProgramStatus = strawberry.field(
        description="`active`; `paused`: a decision referred the person to a clinician; `retired`: made in an older "
        "program shape, no longer served: generate a new one."
    )

    assessment: Assessment | None = _assessment_field()
    check_ins: Connection[CheckIn] = check_ins_field()
    revisions: list[Revision] = revisions_field()
    progress: Progress | None = progress_field()

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
            revision=x.revision,
            status=x.status,
        )


@strawberry.type
class ProgramQuery:
    @strawberry.field(description="One of your programs, or null.", permission_classes=[requires(Scope.programs_read)])
    async def program(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="The program's id.")]
    ) -> Program | None:
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
        starts_on: dt.date | None = strawberry.field(
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
            self,
            info: Info,
            input: Annotated[ProgramInput, strawberry.argument(description="What to generate, and the constraints.")],
            idempotency_key: Annotated[str | None, strawberry.argument(description=IDEMPOTENCY_KEY)] = None,
        ) -> Program:
            principal = require(info.context.principal, Scope.programs_write)
            runtime = info.context.runtime
            with named_as_arguments("input"):
                created = await services.create(
                    runtime.statements,
                    principal.client_id,
                    to_struct(input, s.ProgramRequest),
                    idempotency_key_of(idempotency_key),
                    catalogs=runtime.program_catalog,
                    rules=runtime.program_rules,
                    assessment_rules=runtime.assessment_rules,
                    anatomy=runtime.anatomy,
                )
            return Program.from_domain(created.as_(s.Program))

        @strawberry.mutation(
            description="Erase one of your programs; false when there is none.",
            permission_classes=[requires(Scope.programs_write)],
        )
        async def delete_program(
            self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="The program's id.")]
        ) -> bool:
            return await erase(info, Scope.programs_write, services.delete, str(id))

    return ProgramMutation
