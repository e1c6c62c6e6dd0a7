"""Outcome measures over GraphQL (issue 18): recorded against an assessment, scored and compared with the first
taking, and decided on, by the same calls as REST (service.checkins.measures, service.outcomes.services).

REST's body is a union tagged by `measure`; GraphQL has no input unions, so `OutcomeInput` is one input with a
`measure` and the fields of every measure, each optional. It becomes REST's tagged body, with the fields given, and is
validated by the same msgspec struct and scoring: a field another measure uses is refused as REST refuses it, and
every error names its GraphQL path (`input.answers[3]`). The answers read back the same way: one type with the
measure and its fields, the others null."""

import datetime as dt
import uuid
from typing import Annotated, Any

import msgspec
import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from service.checkins import measures
from service.checkins import schemas as checkin_schemas
from service.clients.auth import require
from service.clients.scopes import Scope
from service.db.tenancy import tenant_session
from service.graphql.context import Info
from service.graphql.decisions import Decision
from service.graphql.inputs import IDEMPOTENCY_KEY, idempotency_key_of, named_as_arguments, plain, to_struct
from service.graphql.owned import erase
from service.graphql.permissions import requires
from service.outcomes import schemas as s
from service.outcomes import services as outcomes

strawberry.enum(s.Measure, description="nprs, odi, ndi, psfs or start_back (CLINICAL.md §8).")
strawberry.enum(s.Bothersome, description="STarT Back item 9: how bothersome the pain was in the last 2 weeks.")
Measure = s.Measure
Bothersome = s.Bothersome


@strawberry.type(description="A PSFS activity: what the person named, and how well they can do it.")
class Activity:
    name: str = strawberry.field(description="The activity, in the person's words.")
    score: int = strawberry.field(description="0: unable to do it; 10: able as before.")


@strawberry.type(description="A measure's answers as sent: `measure` and its own fields; the other fields are null.")
class OutcomeAnswers:
    measure: Measure = strawberry.field(description="Which measure was answered.")
    value: int | None = strawberry.field(description="NPRS: pain now, 0-10.")
    answers: list[int | None] | None = strawberry.field(
        description="ODI and NDI: sections (items) 1-10 in order, 0-5 each, null if skipped."
    )
    activities: list[Activity] | None = strawberry.field(description="PSFS: 3 to 5 activities, each scored 0-10.")
    agree: list[bool] | None = strawberry.field(description="STarT Back: items 1-8 in order, agreed (true) or not.")
    bothersome: Bothersome | None = strawberry.field(description="STarT Back: item 9.")

    @classmethod
    def from_domain(cls, a: s.OutcomeInput) -> "OutcomeAnswers":
        fields: dict[str, Any] = {name: getattr(a, name) for name in a.__struct_fields__}
        if isinstance(a, s.Psfs):
            fields["activities"] = [Activity(name=x.name, score=x.score) for x in a.activities]
        unset = dict.fromkeys(("value", "answers", "activities", "agree", "bothersome"))
        return cls(measure=s.Measure(str(a.__struct_config__.tag)), **{**unset, **fields})


@strawberry.type(description="A measure's score under the outcome rules of `rulesetVersion`, with what it means.")
class OutcomeScore:
    measure: Measure = strawberry.field(description="Which measure.")
    ruleset_version: str = strawberry.field(description="The version of the outcome rules that scored it.")
    score: float = strawberry.field(
        description=(
            "NPRS: 0-10; ODI and NDI: % (0-100) of the sections answered; PSFS: the mean (0-10); STarT Back: the "
            "total (0-9)."
        )
    )
    answered: int | None = strawberry.field(description="Sections, items or activities counted.")
    band: str | None = strawberry.field(description="ODI and NDI: the disability band.")
    subscale: int | None = strawberry.field(description="STarT Back: the psychosocial subscale (0-5).")
    risk: str | None = strawberry.field(description="STarT Back: low, medium or high.")
    advice: str | None = strawberry.field(description="STarT Back: what the risk stratum means.")


@strawberry.type(description="A score against the first taking's, in the direction the measure counts as better.")
class OutcomeChange:
    baseline: float = strawberry.field(description="The first taking's score.")
    current: float = strawberry.field(description="This taking's score.")
    absolute: float = strawberry.field(description="current - baseline.")
    percent: float | None = strawberry.field(description="Of the baseline; null when the baseline is 0.")
    improved: bool = strawberry.field(description="Moved in the measure's better direction.")
    mcid_reached: bool = strawberry.field(
        description="An improvement of at least the measure's minimal clinically important difference."
    )
    explanation: str = strawberry.field(description="The change, in plain words.")


def change_of(change: s.Change | None) -> OutcomeChange | None:
    return OutcomeChange(**msgspec.structs.asdict(change)) if change is not None else None


@strawberry.type(
    description=(
        "An outcome measure: what was answered, on which day, its score, and its change against the first taking "
        "of the same measure for the assessment."
    )
)
class Outcome:
    id: strawberry.ID = strawberry.field(description="The measure's id (a UUID).")
    assessment_id: strawberry.ID = strawberry.field(description="The assessment it measures.")
    taken_on: dt.date = strawberry.field(description="The day it was answered.")
    created_at: dt.datetime = strawberry.field(description="When it was recorded.")
    answers: OutcomeAnswers = strawberry.field(description="The answers as sent.")
    score: OutcomeScore = strawberry.field(description="Its score and interpretation.")
    change: OutcomeChange | None = strawberry.field(
        description="Against the first taking of the same measure; null for that one and for STarT Back."
    )

    @classmethod
    def fields_of(cls, o: s.Outcome) -> dict[str, Any]:
        return {
            "id": strawberry.ID(str(o.id)),
            "assessment_id": strawberry.ID(str(o.assessment_id)),
            "taken_on": o.taken_on,
            "created_at": o.created_at,
            "answers": OutcomeAnswers.from_domain(o.answers),
            "score": OutcomeScore(**msgspec.structs.asdict(o.score)),
            "change": change_of(o.change),
        }

    @classmethod
    def from_domain(cls, o: s.Outcome) -> "Outcome":
        return cls(**cls.fields_of(o))


@strawberry.type(description="A decision made over one program after an outcome measure was recorded.")
class ProgramDecision:
    program_id: strawberry.ID = strawberry.field(description="The program it is about.")
    decision: Decision = strawberry.field(description="What that program does next, and why.")


@strawberry.type(description="An outcome measure as just recorded, with the decisions made after it.")
class RecordedOutcome(Outcome):
    decisions: list[ProgramDecision] = strawberry.field(
        description=(
            "One per program of the assessment that runs on `takenOn` and is not paused: what each does next. Also "
            "in each program's `progress`."
        )
    )

    @classmethod
    def from_recorded(cls, o: checkin_schemas.RecordedOutcome) -> "RecordedOutcome":
        decisions = [
            ProgramDecision(program_id=strawberry.ID(str(d.program_id)), decision=Decision.from_domain(d.decision))
            for d in o.decisions
        ]
        return cls(**cls.fields_of(o), decisions=decisions)


async def assessment_outcomes(root: Any, info: Info) -> list[Outcome]:
    """`Assessment.outcomes`: batched across the assessments of a list."""
    taken = await info.context.loaders.outcomes.load(uuid.UUID(str(root.id)))
    return [Outcome.from_domain(o) for o in taken]


def outcomes_field() -> Any:
    """An assessment's `outcomes` (a field of `Assessment`, kept here with the rest of the measures)."""
    return strawberry.field(
        resolver=assessment_outcomes,
        description="Its outcome measures, in the order taken, each with its score and change (batched).",
        permission_classes=[requires(Scope.assessments_read)],
    )


@strawberry.input(description="A PSFS activity: what the person names, and how well they can do it.")
class ActivityInput:
    name: str = strawberry.field(description="The activity, in the person's words (1 to 120 characters).")
    score: int = strawberry.field(description="0: unable to do it; 10: able as before.")


@strawberry.input(
    description=(
        "One outcome measure as the person answered it: `measure`, and that measure's fields only (nprs: `value`; "
        "odi, ndi: `answers`; psfs: `activities`; start_back: `agree` and `bothersome`)."
    )
)
class OutcomeInput:
    taken_on: dt.date = strawberry.field(description="The day it was answered; the first taking is the baseline.")
    measure: Measure = strawberry.field(description="Which measure was answered.")
    value: int | None = strawberry.field(default=None, description="NPRS: pain now, 0-10.")
    answers: list[int | None] | None = strawberry.field(
        default=None, description="ODI and NDI: the 10 sections (items) in order, 0-5 each, null if skipped."
    )
    activities: list[ActivityInput] | None = strawberry.field(
        default=None, description="PSFS: 3 to 5 activities; the same names each time."
    )
    agree: list[bool] | None = strawberry.field(
        default=None, description="STarT Back: items 1-8 in order, agreed (true) or not."
    )
    bothersome: Bothersome | None = strawberry.field(
        default=None, description="STarT Back: item 9, how bothersome the pain was in the last 2 weeks."
    )


def _as_request(input: OutcomeInput) -> s.OutcomeRequest:
    """REST's body: the measure's fields under `answers`, tagged by `measure` (a null inside `answers`, a section
    skipped, is kept: plain() drops only the fields left unset)."""
    body = plain(input)
    taken_on = body.pop("taken_on")
    return to_struct({"taken_on": taken_on, "answers": body}, s.OutcomeRequest)


def _measure_path(path: str) -> str:
    """REST names a measure's fields under its `answers` object (`answers.answers[3]`); GraphQL's are the input's
    own (`answers[3]`)."""
    return path.removeprefix("answers.")


@strawberry.type
class OutcomeMutation:
    @strawberry.mutation(
        description=(
            "Record an outcome measure of one of your assessments: it is scored (CLINICAL.md §8), compared with the "
            "first taking of the same measure, and each of the assessment's programs running on `takenOn` is "
            "decided on (`decisions`). A non-empty `idempotencyKey` makes retries safe, as the REST header does "
            "(GraphQL and REST keys are separate)."
        ),
        permission_classes=[requires(Scope.assessments_write)],
    )
    async def record_outcome(
        self,
        info: Info,
        assessment_id: Annotated[strawberry.ID, strawberry.argument(description="One of your assessments.")],
        input: Annotated[OutcomeInput, strawberry.argument(description="The measure, its answers and its day.")],
        idempotency_key: Annotated[str | None, strawberry.argument(description=IDEMPOTENCY_KEY)] = None,
    ) -> RecordedOutcome:
        principal = require(info.context.principal, Scope.assessments_write)
        runtime = info.context.runtime
        with named_as_arguments("input", rewrite=_measure_path):
            request = _as_request(input)
            async with tenant_session(runtime.session_factory, principal.client_id) as session, session.begin():
                created = await measures.record(
                    session,
                    principal.client_id,
                    str(assessment_id),
                    request,
                    idempotency_key_of(idempotency_key),
                    runtime.follow_up,
                )
        return RecordedOutcome.from_recorded(created.as_(checkin_schemas.RecordedOutcome))

    @strawberry.mutation(
        description=(
            "Erase an outcome measure of one of your assessments; later measures' changes are then against the next "
            "first taking, and decisions already made stay. False when there is none."
        ),
        permission_classes=[requires(Scope.assessments_write)],
    )
    async def delete_outcome(
        self,
        info: Info,
        assessment_id: Annotated[strawberry.ID, strawberry.argument(description="The assessment it measures.")],
        id: Annotated[strawberry.ID, strawberry.argument(description="The measure's id.")],
    ) -> bool:
        async def delete(session: AsyncSession, outcome_id: str) -> None:
            await outcomes.delete(session, measures.assessment_id_of(str(assessment_id)), outcome_id)

        return await erase(info, Scope.assessments_write, delete, str(id))
