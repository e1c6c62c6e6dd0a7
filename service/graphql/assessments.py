"""Assessments over GraphQL: the same service calls as REST, scoped to the caller's tenant."""

from datetime import datetime
from typing import Annotated

import msgspec
import strawberry
from strawberry.scalars import JSON

from service.assessments import schemas as s
from service.assessments import services
from service.clients.auth import require
from service.clients.scopes import Scope
from service.db.tenancy import tenant_session
from service.graphql.catalog import SlugEnums
from service.graphql.connections import Connection, check_first
from service.graphql.context import Info
from service.graphql.inputs import idempotency_key_of, to_struct
from service.graphql.owned import erase
from service.graphql.permissions import requires
from service.lib.errors import NotFound
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
):
    strawberry.enum(_enum)
AgeBand = s.AgeBand
ActivityLevel = s.ActivityLevel
TrainingExperience = s.TrainingExperience
PainRegion = s.PainRegion
PainDuration = s.PainDuration
Compensation = s.Compensation
ThomasResult = s.ThomasResult
AssessmentStatus = s.AssessmentStatus


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
    summary: str


@strawberry.type
class Referral:
    reasons: list[str]
    message: str
    urgent: bool
    evidence: list[Evidence]


@strawberry.type
class PatternFinding:
    slug: str
    name: str
    score: float
    evidence: list[Evidence]


@strawberry.type
class MuscleFinding:
    muscle: str
    reasons: list[Evidence]


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
    input: JSON

    @classmethod
    def from_domain(cls, a: s.Assessment) -> "Assessment":
        def evidence(items: list[s.Evidence]) -> list[Evidence]:
            return [Evidence(rule=e.rule, inputs=e.inputs, summary=e.summary) for e in items]

        def muscles(items: list[s.MuscleFinding]) -> list[MuscleFinding]:
            return [MuscleFinding(muscle=m.muscle, reasons=evidence(m.reasons)) for m in items]

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
            )
            if referral
            else None,
            patterns=[
                PatternFinding(slug=p.slug, name=p.name, score=p.score, evidence=evidence(p.evidence))
                for p in a.patterns
            ],
            overactive=muscles(a.overactive),
            underactive=muscles(a.underactive),
            trigger_points=a.trigger_points,
            ruleset_version=a.ruleset_version,
            input=msgspec.to_builtins(a.input),
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
            page = await services.list_assessments(session, flt, limit=first, cursor=after)
        return Connection.of(page, Assessment.from_domain)


def assessment_mutation(enums: SlugEnums) -> type:
    """Mutations on assessments; tender spots are typed as the catalogue's muscle slugs."""
    MuscleSlug = enums.muscle

    @strawberry.input(description="The same fields as the REST body, in camelCase; ranges are checked the same way.")
    class AssessmentInput:
        subject_ref: str | None = strawberry.field(
            default=None, description="Your opaque reference for the person; never a name or an email."
        )
        age_band: AgeBand | None = None
        lifestyle: LifestyleInput | None = None
        pain: PainInput | None = None
        red_flags: RedFlagsInput | None = None
        movement_screen: MovementScreenInput | None = None
        tests: FieldTestsInput | None = None
        tender_spots: list[MuscleSlug] | None = None  # type: ignore[valid-type]

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
            data = to_struct(input, s.AssessmentInput)
            runtime = info.context.runtime
            created = await services.create(
                runtime.statements,
                principal.client_id,
                data,
                idempotency_key_of(idempotency_key),
                rules=runtime.assessment_rules,
                known_muscles=runtime.known_muscles,
            )
            return Assessment.from_domain(msgspec.convert(created.body, s.Assessment))

        @strawberry.mutation(
            description="Erase one of your assessments and everything derived from it; false when there is none.",
            permission_classes=[requires(Scope.assessments_write)],
        )
        async def delete_assessment(self, info: Info, id: strawberry.ID) -> bool:
            return await erase(info, Scope.assessments_write, services.delete, str(id))

    return AssessmentMutation
