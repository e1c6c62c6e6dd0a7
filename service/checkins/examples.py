"""The OpenAPI examples of check-ins, revisions and outcome measures, made by the real code: the desk worker's example
program (service.programs.examples) followed for two weeks — a calm first session, a next morning that had not
settled (a regression, and so revision 2), and an ODI at baseline and after two weeks — decided, revised and scored
by the real rules, so that the documented examples are what the service would answer."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import msgspec

from service.assessments.examples import DESK_WORKER, EXAMPLE_TIME, example_assessment
from service.assessments.rules import RuleSet
from service.assessments.schemas import AssessmentInput
from service.catalog.records import CatalogData
from service.checkins import schemas as s
from service.checkins.decisions import Situation, decide
from service.checkins.outcomes import Taken, changes_of
from service.checkins.progress import weeks_of
from service.checkins.revisions import revise
from service.checkins.rules import CheckInRules
from service.outcomes import schemas as outcome_schemas
from service.outcomes.rules import OutcomeRules
from service.outcomes.scoring import against_first, score
from service.programs.catalog_index import CatalogIndex
from service.programs.examples import program_examples
from service.programs.rules import ProgramRules
from service.programs.schemas import Program, ProgramBody, ProgramStatus

CHECK_IN_ID = uuid.UUID("c8a1e4f2-3b5d-4c7e-9f10-2a4b6c8d0e12")
OUTCOME_IDS = (uuid.UUID("0d7e3a91-6c2b-4f58-a3e4-9b1c5d7f2a30"), uuid.UUID("4b9f2c6e-1d8a-4e37-b5c0-7a2e9d4f6b81"))


def checkin_examples(
    catalog: CatalogData,
    assessment_rules: RuleSet,
    program_rules: ProgramRules,
    rules: CheckInRules,
    outcome_rules: OutcomeRules,
) -> dict[str, Any]:
    program: Program = program_examples(catalog, assessment_rules, program_rules)["getProgram"]["200"]
    assessment = example_assessment(msgspec.convert(DESK_WORKER, AssessmentInput), assessment_rules)
    starts_on = program.parameters.starts_on
    assert starts_on is not None
    session = program.schedule.weeks[0].sessions[0]
    request = s.CheckInInput(
        date=starts_on,
        kind=s.CheckInKind.session,
        items=[s.ItemDone(prescription=pid, sets=2, reps=10) for pid in [*session.preparation, *session.items]],
        pain_before=4,
        pain_during=3,
        pain_after=4,
        effort=6,
    )
    baseline = 4  # the desk worker's pain

    def decided(check_in: s.CheckInInput, changes: list[Any] | None = None) -> s.Decision:
        situation = Situation(
            starts_on=starts_on,
            on=check_in.date,
            baseline_pain=baseline,
            sessions_per_week=program.parameters.sessions_per_week,
            session_minutes=program.parameters.session_minutes,
            check_ins=[check_in],
            changes=changes or [],
        )
        return decide(situation, rules, outcome_rules, assessment_rules.screening)

    recorded_at = EXAMPLE_TIME + timedelta(hours=18)

    def resource(check_in: s.CheckInInput, decision: s.Decision, updated_hours: int = 18) -> s.CheckIn:
        return s.CheckIn(
            **msgspec.structs.asdict(check_in),
            id=CHECK_IN_ID,
            program_id=program.id,
            revision=1,
            created_at=recorded_at,
            updated_at=EXAMPLE_TIME + timedelta(hours=updated_hours),
            decision=decision,
        )

    created = resource(request, decided(request))
    change = s.CheckInUpdate(pain_next_morning=6)
    unsettled = msgspec.structs.replace(request, pain_next_morning=6)
    regress = decided(unsettled)
    index = CatalogIndex.from_catalog(catalog)
    body = ProgramBody(**{f: getattr(program, f) for f in ProgramBody.__struct_fields__})
    revised = revise(body, regress, assessment, index, program_rules)
    assert revised is not None and revised.changes, "a next morning that did not settle revises the example program"
    regress = msgspec.structs.replace(regress, revision=2)
    updated = resource(unsettled, regress, updated_hours=32)
    first = s.Revision(number=1, created_at=program.created_at, changes=[], decision=None)
    second = s.RevisionDetail(
        number=2, created_at=updated.updated_at, changes=revised.changes, decision=regress, program=revised.body
    )

    odi = [
        (starts_on, outcome_schemas.Odi(answers=[2] * 10)),
        (starts_on + timedelta(days=13), outcome_schemas.Odi(answers=[1, 1, 1, 1, 1, 1, 1, 1, 1, None])),
    ]
    scored = [(answers, score(answers, outcome_rules)) for _, answers in odi]
    outcomes = [
        outcome_schemas.Outcome(
            id=outcome_id,
            assessment_id=program.assessment_id,
            taken_on=taken_on,
            created_at=EXAMPLE_TIME + timedelta(days=(taken_on - starts_on).days, hours=19),
            answers=answers,
            score=result,
            change=moved,
        )
        for outcome_id, (taken_on, answers), (_, result), moved in zip(
            OUTCOME_IDS, odi, scored, against_first(scored, outcome_rules), strict=True
        )
    ]
    later = outcomes[1]
    changes = changes_of([Taken(taken_on, answers) for taken_on, answers in odi], outcome_rules)
    after_measure = decided(msgspec.structs.replace(request, date=later.taken_on), changes)
    recorded = s.RecordedOutcome(
        **msgspec.structs.asdict(later),
        decisions=[s.ProgramDecision(program_id=program.id, decision=after_measure)],
    )
    second_request = outcome_schemas.OutcomeRequest(taken_on=later.taken_on, answers=later.answers)
    progress = s.Progress(
        program_id=program.id,
        revision=2,
        status=ProgramStatus.active,
        weeks=weeks_of(revised.body, [unsettled], later.taken_on),
        outcomes=[
            s.MeasurePoint(measure=o.score.measure.value, taken_on=o.taken_on, score=o.score.score, change=o.change)
            for o in outcomes
        ],
        decisions=[
            s.DecisionMade(decision=regress, check_in_id=CHECK_IN_ID, outcome_id=None, created_at=updated.updated_at),
            s.DecisionMade(decision=after_measure, check_in_id=None, outcome_id=later.id, created_at=later.created_at),
        ],
    )
    return {
        "createCheckIn": {"request": request, "201": created},
        "listCheckIns": {"200": s.CheckInList(items=[updated], next_cursor=None)},
        "getCheckIn": {"200": updated},
        "updateCheckIn": {"request": change, "200": updated},
        "listProgramRevisions": {
            "200": s.RevisionList(
                items=[first, s.Revision(**{f: getattr(second, f) for f in s.Revision.__struct_fields__})]
            )
        },
        "getProgramRevision": {"200": second},
        "createOutcome": {"request": second_request, "201": recorded},
        "listOutcomes": {"200": outcome_schemas.OutcomeList(items=outcomes, next_cursor=None)},
        "getOutcome": {"200": later},
        "getProgramProgress": {"200": progress},
    }
