"""Assessments over GraphQL: the same service calls as REST, scoped to the caller's tenant."""

import datetime as dt
from datetime import datetime
from typing import Annotated

import msgspec
import strawberry

from service.assessments import schemas as s
from service.assessments import services
from service.assessments.screening import form
from service.clients.auth import require
from service.clients.scopes import Scope
from service.db.tenancy import tenant_session
from service.graphql.answers import AssessmentAnswers
from service.graphql.assessment_comparison import Comparison
from service.graphql.assessment_enums import (
    AssessmentStatus,
    Band,
    ClinicianRole,
    Level,
    PainRegion,
    Side,
)
from service.graphql.connections import Connection, check_first
from service.graphql.context import Info
from service.graphql.inputs import named_as_arguments
from service.graphql.outcomes import Outcome, outcomes_field
from service.graphql.permissions import requires
from service.lib.errors import NotFound
from service.lib.pagination import DEFAULT_LIMIT, MAX_LIMIT


@strawberry.type(description="Why a finding was made: the rule and the answers that triggered it.")
class Evidence:
    rule: str = strawberry.field(description="Id of the rule, in the ruleset of `rulesetVersion`, that made it.")
    inputs: list[str] = strawberry.field(
        description="The input paths that caused it, e.g. `tests.straight_leg_raise_deg.left` (REST's names)."
    )
    summary: str = strawberry.field(description="For the person, in plain second-person words.")
    basis: str = strawberry.field(
        description=(
            "For a trainer or clinician: the test or screen, its source and the muscles in the source's terms. "
            "Empty on assessments made before ruleset 2026.12.3."
        )
    )


@strawberry.type(description="Why the person must see a clinician before training, and how soon.")
class Referral:
    reasons: list[str] = strawberry.field(
        description="Screening codes answered yes and other referral reasons, most serious first."
    )
    message: str = strawberry.field(description="Plain-language advice: what to do and how soon.")
    urgent: bool = strawberry.field(
        description="The level is `emergency` or `urgent`: care is needed before any exercise."
    )
    evidence: list[Evidence] = strawberry.field(description="For each reason, the answers that raised it.")
    level: Level | None = strawberry.field(
        description="How soon to see a clinician. Null on assessments made before ruleset 2026.12.1."
    )


@strawberry.type(description="An imbalance pattern the assessment found, with how strongly.")
class PatternFinding:
    slug: str = strawberry.field(description="The pattern's slug.")
    name: str = strawberry.field(description="The pattern's name.")
    score: float = strawberry.field(description="Weighted evidence, 0 to 1, rounded to 2 decimals.")
    evidence: list[Evidence] = strawberry.field(description="What pointed to it.")
    band: Band | None = strawberry.field(
        description="How strongly it shows. Null on assessments made before ruleset 2026.12.1."
    )


@strawberry.type(description="A muscle found overactive or underactive, and why.")
class MuscleFinding:
    muscle: str = strawberry.field(description="The muscle's slug.")
    reasons: list[Evidence] = strawberry.field(description="What pointed to it.")
    side: Side = strawberry.field(description="The side the evidence points at; both when not one-sided.")


@strawberry.type(description="An answer the assessment still needs before it can conclude.")
class MissingAnswer:
    field: str = strawberry.field(
        description="Where the answer goes, in REST's names, e.g. `screening.saddle_numbness` or `pain.trauma`."
    )
    code: str = strawberry.field(description="The screening code, or the field's name for other inputs.")
    question: str = strawberry.field(description="The question, in words for the person.")
    screen: str = strawberry.field(description="The screen that asks it.")


@strawberry.type(description="A condition inferred from the answers, which programs will respect.")
class InferredCondition:
    condition: str = strawberry.field(description="The condition's slug.")
    reason: str = strawberry.field(description="Why, in plain words; never a diagnosis.")
    inputs: list[str] = strawberry.field(description="The input paths it came from.")


@strawberry.type(description="Something the assessment noticed and did not act on.")
class Note:
    code: str = strawberry.field(description="A stable code of what was noticed; new codes may be added.")
    message: str = strawberry.field(description="Plain words for the person or their trainer.")
    inputs: list[str] = strawberry.field(description="The input paths it concerns.")


@strawberry.type(description="A side-to-side difference big enough to train the sides apart.")
class Asymmetry:
    test: str = strawberry.field(description="The input path of the paired test.")
    side: Side = strawberry.field(description="The weaker or tighter side, which gets the extra work.")
    left: float = strawberry.field(description="The left side's measurement.")
    right: float = strawberry.field(description="The right side's measurement.")
    difference: str = strawberry.field(description="The gap, as a percentage or in degrees.")
    muscles: list[str] = strawberry.field(description="Slugs of the muscles the test measures.")
    summary: str = strawberry.field(description="The difference, in plain words for the person.")


@strawberry.type(description="What a clinician's clearance asks the program to avoid.")
class Restrictions:
    conditions: list[str] = strawberry.field(description="Condition slugs to respect.")
    exercises: list[str] = strawberry.field(description="Exercise slugs never to prescribe.")


@strawberry.type(description="A clinician's clearance to train, as the assessment applied it.")
class AppliedClearance:
    role: ClinicianRole = strawberry.field(description="Who gave the clearance.")
    date: dt.date = strawberry.field(description="The day the clinician cleared the person.")
    cleared: list[str] = strawberry.field(description="The routine referral reasons this clearance lifted.")
    restrictions: Restrictions = strawberry.field(description="What the clinician asked the program to avoid.")


@strawberry.type(
    description="An assessment: what is out of balance in a person, or why they must see a clinician first."
)
class Assessment:
    id: strawberry.ID = strawberry.field(description="Its id (a UUID).")
    created_at: datetime = strawberry.field(description="When it was made.")
    subject_ref: str | None = strawberry.field(description="Your opaque reference for the person, if you gave one.")
    status: AssessmentStatus = strawberry.field(
        description="ok: findings to act on; refer: see a clinician first; incomplete: answers missing."
    )
    referral: Referral | None = strawberry.field(description="With status `refer`: why, and how soon.")
    patterns: list[PatternFinding] = strawberry.field(description="Imbalance patterns, by score, highest first.")
    overactive: list[MuscleFinding] = strawberry.field(description="Overactive or short muscles, by slug.")
    underactive: list[MuscleFinding] = strawberry.field(description="Underactive or weak muscles, by slug.")
    trigger_points: list[str] = strawberry.field(
        description="The tender spots, deduplicated and sorted: the release phase's targets."
    )
    ruleset_version: str = strawberry.field(description="The version of the rules that made it.")
    input: AssessmentAnswers = strawberry.field(description="The answers it was made from.")
    level: Level | None = strawberry.field(
        description=(
            "The level of concern: `proceed` when status is ok, the referral's level when it is refer, null while "
            "incomplete (and on assessments made before ruleset 2026.12.1)."
        )
    )
    screens: list[str] = strawberry.field(description="The screens that applied to this person.")
    missing: list[MissingAnswer] = strawberry.field(description="With status `incomplete`: every answer still needed.")
    safety_netting: list[str] = strawberry.field(
        description="When to stop and get checked, for the screens that applied."
    )
    conditions: list[InferredCondition] = strawberry.field(
        description="Conditions programs will respect, each with where it came from."
    )
    asymmetries: list[Asymmetry] = strawberry.field(
        description="Side-to-side differences big enough to train the sides apart."
    )
    notes: list[Note] = strawberry.field(description="What the assessment noticed and did not act on.")
    clearance: AppliedClearance | None = strawberry.field(description="The clinician's clearance, as applied.")
    comparison: Comparison | None = strawberry.field(
        description=(
            "A reassessment's comparison with the assessment `input.previousAssessmentId` names. Null when none was "
            "named, or once that assessment has been erased (the comparison and the link are erased with it)."
        )
    )
    outcomes: list[Outcome] = outcomes_field()

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
            comparison=Comparison.from_domain(a.comparison) if a.comparison else None,
        )


@strawberry.type(description="A screening question, answered yes or no.")
class FormQuestion:
    code: str = strawberry.field(description="The answer's `code` in createAssessment's `screening`.")
    question: str = strawberry.field(description="The question, in words for the person.")
    level: Level = strawberry.field(
        description="The level of concern a yes implies (proceed: it changes the program, not whether)."
    )
    source: str = strawberry.field(description="The published guidance behind the question.")


@strawberry.type(description="Another assessment input a screen may need.")
class FormField:
    field: str = strawberry.field(description="The input, in REST's names, e.g. `age_band`.")
    question: str = strawberry.field(description="What to ask the person to fill it in.")


@strawberry.type(description="A screen: a group of questions for one kind of concern.")
class FormScreen:
    slug: str = strawberry.field(description="The screen's slug.")
    title: str = strawberry.field(description="The screen's title, in words for the person.")
    questions: list[FormQuestion] = strawberry.field(description="Its questions.")
    may_also_need: list[FormField] = strawberry.field(
        description="Other inputs this screen reads; an assessment names them in `missing` when needed."
    )


@strawberry.type(
    description="The screening questions a person must answer, screen by screen (REST: GET /v1/screening)."
)
class ScreeningForm:
    ruleset_version: str = strawberry.field(description="The version of the rules the form comes from.")
    screens: list[FormScreen] = strawberry.field(description="The screens that apply, in the order to ask them.")
    undecided: list[FormField] = strawberry.field(
        description="Inputs that decide whether another screen applies (e.g. `pain.trauma`)."
    )

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


@strawberry.input(description="Which assessments to list; every field given must match.")
class AssessmentFilter:
    subject_ref: str | None = strawberry.field(default=None, description="Only this subject's.")
    status: AssessmentStatus | None = strawberry.field(default=None, description="Only those with this status.")
    pattern: str | None = strawberry.field(default=None, description="Only those showing this pattern (its slug).")
    created_after: datetime | None = strawberry.field(default=None, description="Only those made after (exclusive).")
    created_before: datetime | None = strawberry.field(default=None, description="Only those made before (exclusive).")


@strawberry.type
class AssessmentQuery:
    @strawberry.field(
        description=(
            "The screening questions that apply to a person: their codes are the `screening` answers of "
            "createAssessment. Public, like the catalogue's reference data."
        )
    )
    def screening(
        self,
        info: Info,
        regions: Annotated[
            list[PainRegion] | None, strawberry.argument(description="Where the person has pain (`pain.regions`).")
        ] = None,
        pregnant: Annotated[bool, strawberry.argument(description="The person is pregnant.")] = False,
        injury: Annotated[
            bool | None,
            strawberry.argument(description="The pain began with an injury (`pain.trauma`); null when not known."),
        ] = None,
    ) -> ScreeningForm:
        rules = info.context.runtime.assessment_rules
        chosen = list(dict.fromkeys(r.value for r in regions or []))
        return ScreeningForm.from_domain(form(rules.screening, rules.version, chosen, pregnant=pregnant, injury=injury))

    @strawberry.field(
        description="One of your assessments, or null.", permission_classes=[requires(Scope.assessments_read)]
    )
    async def assessment(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="The assessment's id.")]
    ) -> Assessment | None:
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
        filter: Annotated[
            AssessmentFilter | None, strawberry.argument(description="Which assessments; all of yours when null.")
        ] = None,
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
