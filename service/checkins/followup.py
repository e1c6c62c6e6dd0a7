"""Following a program up (issue 18, item 3): the decision after a check-in or an outcome measure, and what it does to
the program — a new revision (regress, simplify) or a pause (refer).

`plan` reads everything the decision reads (the program's check-ins up to the day, its assessment's baseline pain and
measures, its last simplification and its regressed exercises) and works the decision and the revised program out,
writing nothing; `record_plan` writes them. The split lets a check-in's answer carry its decision before the one
statement that stores it (service.checkins.services.create).

Prescription ids belong to a revision: a revision generates the program again and may number it differently. A
check-in keeps the revision it was done against, and its items are read here in the current revision's ids (by
exercise); an exercise no longer in the program (already regressed) cannot be regressed again, so it is left out.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

import msgspec
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.assessments import services as assessments
from service.assessments.screening import ScreeningRules
from service.checkins import models
from service.checkins import schemas as s
from service.checkins.decisions import MeasureChange, Situation, decide
from service.checkins.outcomes import Taken, changes_of
from service.checkins.revisions import CHANGES_PROGRAM, Revised, revise
from service.checkins.rules import CheckInRules
from service.checkins.validation import check_in_problems
from service.outcomes import models as outcome_models
from service.outcomes import schemas as outcome_schemas
from service.outcomes.rules import OutcomeRules
from service.programs import models as program_models
from service.programs import services as programs
from service.programs.index_cache import CatalogIndexCache
from service.programs.rules import ProgramRules
from service.programs.schemas import Pause, ProgramBody


@dataclass(frozen=True)
class FollowUp:
    """What decisions and revisions read besides the database: the rules and the catalogue."""

    rules: CheckInRules
    outcomes: OutcomeRules
    screening: ScreeningRules
    program_rules: ProgramRules
    catalogs: CatalogIndexCache

    def check_in_problems(self, check_in: s.CheckInInput, body: ProgramBody, today: date) -> list[tuple[str, str]]:
        return check_in_problems(check_in, body, self.screening, today)


@dataclass(frozen=True)
class Planned:
    decision: s.Decision  # with `revision` set when it revises the program
    decision_id: uuid.UUID
    revised: Revised | None


async def _check_ins(
    session: AsyncSession, program: program_models.Program, body: ProgramBody, on: date
) -> list[s.CheckInInput]:
    """The program's check-ins up to `on`, their items in the current revision's prescription ids."""
    table = models.CheckIn
    query = select(table.revision, table.input).where(table.program_id == program.id, table.date <= on)
    recorded = [(revision, raw) for revision, raw in await session.execute(query)]
    now = body.exercises()
    current = {exercise.slug: pid for pid, exercise in reversed(now.items())}
    slugs_of = {program.revision: {pid: e.slug for pid, e in now.items()}}
    for number in {revision for revision, _ in recorded} - slugs_of.keys():
        older = await session.get(models.ProgramRevision, (program.id, number))
        exercises = msgspec.convert(older.body, ProgramBody).exercises() if older is not None else {}
        slugs_of[number] = {pid: e.slug for pid, e in exercises.items()}
    found = []
    for revision, raw in recorded:
        check_in = msgspec.convert(raw, s.CheckInInput)
        slugs = slugs_of[revision]
        items = [
            msgspec.structs.replace(item, prescription=current[slugs[item.prescription]])
            for item in check_in.items
            if slugs.get(item.prescription) in current
        ]
        found.append(msgspec.structs.replace(check_in, items=items))
    return found


async def _measure_changes(
    session: AsyncSession, assessment_id: uuid.UUID, rules: OutcomeRules, added: Taken | None
) -> list[MeasureChange]:
    table = outcome_models.Outcome
    rows = await session.execute(
        select(table.taken_on, table.answers)
        .where(table.assessment_id == assessment_id)
        .order_by(table.taken_on, table.created_at, table.id)
    )
    taken = [Taken(taken_on, msgspec.convert(answers, outcome_schemas.OutcomeInput)) for taken_on, answers in rows]
    return changes_of([*taken, *([added] if added is not None else [])], rules)


async def plan(
    session: AsyncSession,
    program: program_models.Program,
    body: ProgramBody,
    on: date,
    follow: FollowUp,
    *,
    added: s.CheckInInput | None = None,
    measure: Taken | None = None,
) -> Planned:
    """The decision over `program` on `on`, with `added` (a check-in not stored yet) among its check-ins and
    `measure` (an outcome measure not stored yet) among its assessment's, and the revision it makes, if any. Writes
    nothing."""
    check_ins = await _check_ins(session, program, body, on)
    if added is not None:
        check_ins.append(added)
    decisions = models.ProgramDecision
    simplified_on = await session.scalar(
        select(func.max(decisions.made_on)).where(
            decisions.program_id == program.id, decisions.kind == "simplify", decisions.revision.is_not(None)
        )
    )
    p = body.parameters
    assert p.starts_on is not None  # every served program has its start day (shape 3 on)
    situation = Situation(
        starts_on=p.starts_on,
        on=on,
        baseline_pain=await assessments.pain_intensity(session, program.assessment_id),
        sessions_per_week=p.sessions_per_week,
        session_minutes=p.session_minutes,
        check_ins=check_ins,
        changes=await _measure_changes(session, program.assessment_id, follow.outcomes, measure),
        simplified_on=simplified_on,
    )
    decision = decide(situation, follow.rules, follow.outcomes, follow.screening)
    revised = None
    if decision.kind in CHANGES_PROGRAM:
        regressed: dict[str, str] = {}
        if program.revision > 1:
            latest = await session.get(models.ProgramRevision, (program.id, program.revision))
            regressed = dict(latest.regressed) if latest is not None else {}
        assessment = await assessments.get(session, str(program.assessment_id))
        catalog = await follow.catalogs.current()
        made = revise(body, decision, assessment, catalog, follow.program_rules, regressed)
        if made is not None and made.changes:
            revised = made
            decision = msgspec.structs.replace(decision, revision=program.revision + 1)
    return Planned(decision=decision, decision_id=uuid.uuid4(), revised=revised)


async def record_plan(
    session: AsyncSession,
    program: program_models.Program,
    planned: Planned,
    *,
    check_in_id: uuid.UUID | None = None,
    outcome_id: uuid.UUID | None = None,
) -> None:
    """Store the decision, and what it does to the program: a revision, or a pause."""
    decision = planned.decision
    session.add(
        models.ProgramDecision(
            id=planned.decision_id,
            program_id=program.id,
            made_on=decision.made_on,
            kind=decision.kind.value,
            decision=msgspec.to_builtins(decision),
            check_in_id=check_in_id,
            outcome_id=outcome_id,
            revision=decision.revision,
        )
    )
    await session.flush()  # the revision names the decision
    if decision.refer is not None:
        pause = Pause(
            made_on=decision.made_on,
            level=decision.refer.level,
            message=decision.refer.message,
            reasons=decision.reasons,
        )
        program.paused = msgspec.to_builtins(pause)
    if planned.revised is not None and decision.revision is not None:
        if program.revision == 1:  # the program as generated is kept before its body is replaced
            session.add(
                models.ProgramRevision(
                    program_id=program.id,
                    number=1,
                    decision_id=None,
                    body=program.body,
                    regressed={},
                    changes=[],
                    created_at=program.created_at,
                )
            )
        revised = planned.revised.body
        session.add(
            models.ProgramRevision(
                program_id=program.id,
                number=decision.revision,
                decision_id=planned.decision_id,
                body=msgspec.to_builtins(revised),
                regressed=planned.revised.regressed,
                changes=planned.revised.changes,
            )
        )
        program.body = msgspec.to_builtins(revised)
        program.parameters = msgspec.to_builtins(revised.parameters)
        program.ruleset_version = revised.ruleset_version
        program.revision = decision.revision
    await session.flush()


async def plan_after_outcome(
    session: AsyncSession, assessment_id: uuid.UUID, measure: Taken, follow: FollowUp
) -> list[tuple[program_models.Program, Planned]]:
    """The decision over each of the assessment's programs that runs on the day `measure` (not stored yet) was taken
    and is neither paused nor of a retired shape; their rows are locked until the transaction ends. Writes nothing."""
    table = program_models.Program
    rows = await session.scalars(
        select(table).where(table.assessment_id == assessment_id).order_by(table.id).with_for_update()
    )
    planned = []
    for program in rows:
        if program.paused is not None or not programs.is_served(program):
            continue
        body = programs.body_of(program)
        p = body.parameters
        if p.starts_on is None or not p.starts_on <= measure.taken_on < p.starts_on + timedelta(weeks=p.weeks):
            continue
        planned.append((program, await plan(session, program, body, measure.taken_on, follow, measure=measure)))
    return planned
