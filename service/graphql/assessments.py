"""Assessments over GraphQL: the same service calls as REST, scoped to the caller's tenant."""

from collections.abc import Callable
from datetime import date, datetime
from typing import Annotated, Any

import msgspec
import strawberry

from service.assessments import schemas as s
from service.assessments import services
from service.assessments.screening import form
from service.clients.auth import require
from service.clients.scopes import Scope
from service.db.tenancy import tenant_session
from service.graphql.answers import AssessmentAnswers
from service.graphql.catalog import SlugEnums
from service.graphql.connections import Connection, check_first
from service.graphql.context import Info
from service.graphql.inputs import idempotency_key_of, named_as_arguments, plain, to_struct
from service.graphql.owned import erase
from service.graphql.permissions import requires
from service.lib.errors import Invalid, NotFound
from service.lib.pagination import DEFAULT_LIMIT, MAX_LIMIT

# strawberry.enum registers each enum class itself (and returns it): the names below are the classes, so mypy
# takes them as types.
for _enum in (
    s.AgeBand,
    s.ActivityLevel,
    s.TrainingExperience,
    s.PainRegion,
    s.PainDuration,
    s.Compensation,
    s.ThomasResult,
    s.AssessmentStatus,
    s.ClinicianRole,
):
    strawberry.enum(_enum)
# Renamed where the catalogue already has the name (its Level is a training level).
strawberry.enum(s.ConcernLevel, name="ConcernLevel")
strawberry.enum(s.Band, name="PatternBand")
strawberry.enum(s.Side, name="FindingSide")
strawberry.enum(s.OneSide, name="BodySide")
AgeBand = s.AgeBand
ActivityLevel = s.ActivityLevel
TrainingExperience = s.TrainingExperience
PainRegion = s.PainRegion
PainDuration = s.PainDuration
Compensation = s.Compensation
ThomasResult = s.ThomasResult
AssessmentStatus = s.AssessmentStatus
Level = s.ConcernLevel
Band = s.Band
Side = s.Side
OneSide = s.OneSide
ClinicianRole = s.ClinicianRole


@strawberry.input
class LifestyleInput:
    sitting_hours_per_day: float | None = None
    activity_level: ActivityLevel | None = None
    training_experience: TrainingExperience | None = None


@strawberry.input
class PainInput:
    regions: list[PainRegion] | None = None
    intensity: int | None = None
    duration: PainDuration | None = None
    new_pain: bool | None = None
    trauma: bool | None = None


@strawberry.input(description="One screening answer: `GET /v1/screening` (or the `screening` query) lists the codes.")
class ScreeningAnswerInput:
    code: str
    answer: bool


@strawberry.input
class PregnancyInput:
    pregnant: bool
    weeks: int | None = None
    trimester: int | None = None
    obstetric_clearance: bool | None = None


@strawberry.input
class RedFlagsInput:
    saddle_numbness: bool | None = None
    bladder_or_bowel_dysfunction: bool | None = None
    progressive_leg_weakness_or_numbness: bool | None = None
    significant_trauma: bool | None = None
    fever_or_unexplained_weight_loss: bool | None = None
    history_of_cancer: bool | None = None
    constant_night_pain: bool | None = None
    diagnosed_acute_disc_injury: bool | None = None


@strawberry.input
class MovementScreenInput:
    overhead_squat: list[Compensation] | None = None
    weight_shift_to: OneSide | None = None


@strawberry.input
class SidesDegreesInput:
    left: float | None = None
    right: float | None = None


@strawberry.input
class SidesThomasInput:
    left: ThomasResult | None = None
    right: ThomasResult | None = None


@strawberry.input
class SidesSecondsInput:
    left: float | None = None
    right: float | None = None


@strawberry.input
class FieldTestsInput:
    straight_leg_raise_deg: SidesDegreesInput | None = None
    thomas_test: SidesThomasInput | None = None
    sit_and_reach_cm: float | None = None
    single_leg_bridge_seconds: SidesSecondsInput | None = None


@strawberry.type
class Evidence:
    rule: str
    inputs: list[str]
    summary: str = strawberry.field(description="For the person, in plain second-person words.")
    basis: str = strawberry.field(
        description=(
            "For a trainer or clinician: the test or screen, its source and the muscles in the source's terms. "
            "Empty on assessments made before ruleset 2026.12.3."
        )
    )


@strawberry.type
class Referral:
    reasons: list[str]
    message: str
    urgent: bool
    evidence: list[Evidence]
    level: Level | None


@strawberry.type
class PatternFinding:
    slug: str
    name: str
    score: float
    evidence: list[Evidence]
    band: Band | None


@strawberry.type
class MuscleFinding:
    muscle: str
    reasons: list[Evidence]
    side: Side


@strawberry.type
class MissingAnswer:
    field: str
    code: str
    question: str
    screen: str


@strawberry.type
class InferredCondition:
    condition: str
    reason: str
    inputs: list[str]


@strawberry.type
class Note:
    code: str
    message: str
    inputs: list[str]


@strawberry.type
class Asymmetry:
    test: str
    side: Side
    left: float
    right: float
    difference: str
    muscles: list[str]
    summary: str


@strawberry.type
class Restrictions:
    conditions: list[str]
    exercises: list[str]


@strawberry.type
class AppliedClearance:
    role: ClinicianRole
    date: date
    cleared: list[str]
    restrictions: Restrictions


@strawberry.type
class Assessment:
    id: strawberry.ID
    created_at: datetime
    subject_ref: str | None
    status: AssessmentStatus
    referral: Referral | None
    patterns: list[PatternFinding]
    overactive: list[MuscleFinding]
    underactive: list[MuscleFinding]
    trigger_points: list[str]
    ruleset_version: str
    input: AssessmentAnswers
    level: Level | None
    screens: list[str]
    missing: list[MissingAnswer]
    safety_netting: list[str]
    conditions: list[InferredCondition]
    asymmetries: list[Asymmetry]
    notes: list[Note]
    clearance: AppliedClearance | None

    @classmethod
    def from_domain(cls, a: s.Assessment) -> "Assessment":
        def evidence(items: list[s.Evidence]) -> list[Evidence]:
            return [Evidence(rule=e.rule, inputs=e.inputs, summary=e.summary, basis=e.basis) for e in items]

        def muscles(items: list[s.MuscleFinding]) -> list[MuscleFinding]:
            return [MuscleFinding(muscle=m.muscle, reasons=evidence(m.reasons), side=m.side) for m in items]

        referral = a.referral
        return cls(
            id=strawberry.ID(str(a.id)),
            created_at=a.created_at,
            subject_ref=a.subject_ref,
            status=a.status,
            referral=Referral(
                reasons=referral.reasons,
                message=referral.message,
                urgent=referral.urgent,
                evidence=evidence(referral.evidence),
                level=referral.level,
            )
            if referral
            else None,
            patterns=[
                PatternFinding(slug=p.slug, name=p.name, score=p.score, evidence=evidence(p.evidence), band=p.band)
                for p in a.patterns
            ],
            overactive=muscles(a.overactive),
            underactive=muscles(a.underactive),
            trigger_points=a.trigger_points,
            ruleset_version=a.ruleset_version,
            input=AssessmentAnswers.from_domain(a.input),
            level=a.level,
            screens=a.screens,
            missing=[
                MissingAnswer(field=m.field, code=m.code, question=m.question, screen=m.screen) for m in a.missing
            ],
            safety_netting=a.safety_netting,
            conditions=[
                InferredCondition(condition=c.condition, reason=c.reason, inputs=c.inputs) for c in a.conditions
            ],
            asymmetries=[
                Asymmetry(
                    test=x.test,
                    side=x.side,
                    left=x.left,
                    right=x.right,
                    difference=x.difference,
                    muscles=x.muscles,
                    summary=x.summary,
                )
                for x in a.asymmetries
            ],
            notes=[Note(code=n.code, message=n.message, inputs=n.inputs) for n in a.notes],
            clearance=AppliedClearance(
                role=a.clearance.role,
                date=a.clearance.date,
                cleared=a.clearance.cleared,
                restrictions=Restrictions(
                    conditions=a.clearance.restrictions.conditions, exercises=a.clearance.restrictions.exercises
                ),
            )
            if a.clearance
            else None,
        )


@strawberry.type
class FormQuestion:
    code: str
    question: str
    level: Level
    source: str


@strawberry.type
class FormField:
    field: str
    question: str


@strawberry.type
class FormScreen:
    slug: str
    title: str
    questions: list[FormQuestion]
    may_also_need: list[FormField]


@strawberry.type(
    description="The screening questions a person must answer, screen by screen (REST: GET /v1/screening)."
)
class ScreeningForm:
    ruleset_version: str
    screens: list[FormScreen]
    undecided: list[FormField]

    @classmethod
    def from_domain(cls, f: s.ScreeningForm) -> "ScreeningForm":
        def fields(items: list[s.FormField]) -> list[FormField]:
            return [FormField(field=x.field, question=x.question) for x in items]

        return cls(
            ruleset_version=f.ruleset_version,
            screens=[
                FormScreen(
                    slug=x.slug,
                    title=x.title,
                    questions=[FormQuestion(**msgspec.structs.asdict(q)) for q in x.questions],
                    may_also_need=fields(x.may_also_need),
                )
                for x in f.screens
            ],
            undecided=fields(f.undecided),
        )


@strawberry.input
class AssessmentFilter:
    subject_ref: str | None = None
    status: AssessmentStatus | None = None
    pattern: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None


@strawberry.type
class AssessmentQuery:
    @strawberry.field(
        description=(
            "The screening questions that apply to a person: their codes are the `screening` answers of "
            "createAssessment. Public, like the catalogue's reference data."
        )
    )
    def screening(
        self, info: Info, regions: list[PainRegion] | None = None, pregnant: bool = False, injury: bool | None = None
    ) -> ScreeningForm:
        rules = info.context.runtime.assessment_rules
        chosen = list(dict.fromkeys(r.value for r in regions or []))
        return ScreeningForm.from_domain(form(rules.screening, rules.version, chosen, pregnant=pregnant, injury=injury))

    @strawberry.field(
        description="One of your assessments, or null.", permission_classes=[requires(Scope.assessments_read)]
    )
    async def assessment(self, info: Info, id: strawberry.ID) -> Assessment | None:
        principal = require(info.context.principal, Scope.assessments_read)
        async with tenant_session(info.context.session_factory, principal.client_id) as session:
            try:
                found = await services.get(session, str(id))
            except NotFound:
                return None
        return Assessment.from_domain(found)

    @strawberry.field(
        description="Your assessments, newest first.", permission_classes=[requires(Scope.assessments_read)]
    )
    async def assessments(
        self,
        info: Info,
        filter: AssessmentFilter | None = None,
        first: Annotated[int, strawberry.argument(description=f"Page size, 1 to {MAX_LIMIT}.")] = DEFAULT_LIMIT,
        after: Annotated[str | None, strawberry.argument(description="An `endCursor`.")] = None,
    ) -> Connection[Assessment]:
        check_first(first)
        principal = require(info.context.principal, Scope.assessments_read)
        flt = services.AssessmentFilter(
            subject_ref=filter.subject_ref if filter else None,
            status=filter.status.value if filter and filter.status else None,
            pattern=filter.pattern if filter else None,
            created_after=filter.created_after if filter else None,
            created_before=filter.created_before if filter else None,
        )
        async with tenant_session(info.context.session_factory, principal.client_id) as session:
            with named_as_arguments("filter"):
                page = await services.list_assessments(session, flt, limit=first, cursor=after)
        return Connection.of(page, Assessment.from_domain)


def _screening_as_map(body: dict[str, Any]) -> dict[str, Any]:
    """GraphQL has no maps: its screening answers come as a list of {code, answer}, REST's as an object."""
    answers = body.get("screening")
    if answers is None:
        return body
    by_code: dict[str, bool] = {}
    for index, item in enumerate(answers):
        if item["code"] in by_code:
            raise Invalid.field(f"screening[{index}]", f"code {item['code']!r} is answered twice")
        by_code[item["code"]] = item["answer"]
    return {**body, "screening": by_code}


def _screening_paths(body: dict[str, Any]) -> Callable[[str], str]:
    """REST names a screening answer by its code (`screening.<code>`), GraphQL's list by its index."""
    index = {item["code"]: i for i, item in enumerate(body.get("screening") or ())}

    def rewrite(path: str) -> str:
        head, _, code = path.partition(".")
        return f"screening[{index[code]}]" if head == "screening" and code in index else path

    return rewrite


def assessment_mutation(enums: SlugEnums) -> type:
    """Mutations on assessments; tender spots and conditions are typed as the catalogue's slugs."""
    TenderSpotSlug, ConditionSlug = enums.tender_spot, enums.condition

    @strawberry.input
    class RestrictionsInput:
        conditions: list[ConditionSlug] | None = None  # type: ignore[valid-type]
        exercises: list[str] | None = None

    @strawberry.input
    class ClearanceInput:
        role: ClinicianRole
        date: date
        restrictions: RestrictionsInput | None = None

    @strawberry.input(description="The same fields as the REST body, in camelCase; ranges are checked the same way.")
    class AssessmentInput:
        subject_ref: str | None = strawberry.field(
            default=None, description="Your opaque reference for the person; never a name or an email."
        )
        age_band: AgeBand | None = None
        lifestyle: LifestyleInput | None = None
        pain: PainInput | None = None
        red_flags: RedFlagsInput | None = None
        screening: list[ScreeningAnswerInput] | None = strawberry.field(
            default=None, description="Screening answers; each code once."
        )
        pregnancy: PregnancyInput | None = None
        conditions: list[ConditionSlug] | None = None  # type: ignore[valid-type]
        clearance: ClearanceInput | None = None
        movement_screen: MovementScreenInput | None = None
        tests: FieldTestsInput | None = None
        tender_spots: list[TenderSpotSlug] | None = None  # type: ignore[valid-type]

    @strawberry.type
    class AssessmentMutation:
        @strawberry.mutation(
            description=(
                "Assess a person; a non-empty `idempotencyKey` makes retries safe, as the REST header does "
                "(GraphQL and REST keys are separate)."
            ),
            permission_classes=[requires(Scope.assessments_write)],
        )
        async def create_assessment(
            self, info: Info, input: AssessmentInput, idempotency_key: str | None = None
        ) -> Assessment:
            principal = require(info.context.principal, Scope.assessments_write)
            body = plain(input)
            runtime = info.context.runtime
            with named_as_arguments("input", rewrite=_screening_paths(body)):
                created = await services.create(
                    runtime.statements,
                    principal.client_id,
                    to_struct(_screening_as_map(body), s.AssessmentInput),
                    idempotency_key_of(idempotency_key),
                    rules=runtime.assessment_rules,
                    anatomy=runtime.anatomy,
                )
            return Assessment.from_domain(msgspec.convert(created.body, s.Assessment))

        @strawberry.mutation(
            description="Erase one of your assessments and everything derived from it; false when there is none.",
            permission_classes=[requires(Scope.assessments_write)],
        )
        async def delete_assessment(self, info: Info, id: strawberry.ID) -> bool:
            return await erase(info, Scope.assessments_write, services.delete, str(id))

    return AssessmentMutation
