"""A program's progress (issue 18, item 5), for apps and dashboards: adherence and pain week by week from its
check-ins, its assessment's outcome measures with their meaningful-change markers, and its decisions so far. Four
statements (check-ins, decisions, measures, the revisions' schedules) after the programs' own, whatever the
programs' length and number."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from statistics import fmean

import msgspec
from sqlalchemy import func, literal, select
from sqlalchemy.dialects.postgresql import JSONPATH
from sqlalchemy.ext.asyncio import AsyncSession

from service.checkins import models
from service.checkins import schemas as s
from service.outcomes import services as outcomes
from service.outcomes.rules import OutcomeRules
from service.programs import models as program_models
from service.programs import services as programs
from service.programs.schemas import ProgramBody, ProgramStatus

SESSIONS_PER_WEEK = literal("$.schedule.weeks[*].sessions.size()", JSONPATH)


async def progress(
    session: AsyncSession, program_id: str, rules: OutcomeRules, today: date | None = None
) -> s.Progress:
    program = await programs.served(session, program_id)
    return (await of_programs(session, [program], rules, today))[program.id]


async def by_ids(
    session: AsyncSession, ids: Sequence[uuid.UUID], rules: OutcomeRules, today: date | None = None
) -> dict[uuid.UUID, s.Progress]:
    """The progress of those of `ids` the session's tenant owns and this API still serves (GraphQL's batched
    loads): five statements whatever their number."""
    table = program_models.Program
    rows = [row for row in await session.scalars(select(table).where(table.id.in_(ids))) if programs.is_served(row)]
    return await of_programs(session, rows, rules, today)


async def of_programs(
    session: AsyncSession, rows: Sequence[program_models.Program], rules: OutcomeRules, today: date | None = None
) -> dict[uuid.UUID, s.Progress]:
    """The progress of each of these served programs, in four statements whatever their number."""
    ids = [row.id for row in rows]
    table = models.CheckIn
    check_ins: dict[uuid.UUID, list[s.CheckInInput]] = defaultdict(list)
    for program_id, raw in await session.execute(
        select(table.program_id, table.input).where(table.program_id.in_(ids)).order_by(table.date)
    ):
        check_ins[program_id].append(msgspec.convert(raw, s.CheckInInput))
    decisions = models.ProgramDecision
    made: dict[uuid.UUID, list[s.DecisionMade]] = defaultdict(list)
    for program_id, decision, check_in_id, outcome_id, created_at in await session.execute(
        select(
            decisions.program_id, decisions.decision, decisions.check_in_id, decisions.outcome_id, decisions.created_at
        )
        .where(decisions.program_id.in_(ids))
        .order_by(decisions.created_at, decisions.id)
    ):
        made[program_id].append(
            s.DecisionMade(
                decision=msgspec.convert(decision, s.Decision),
                check_in_id=check_in_id,
                outcome_id=outcome_id,
                created_at=created_at,
            )
        )
    measured = await outcomes.for_assessments(session, list({row.assessment_id for row in rows}), rules)
    revisions, by = models.ProgramRevision, models.ProgramDecision
    # Each revision's sessions per week (not its whole body), and the day of the decision that made it.
    schedules: dict[uuid.UUID, list[tuple[date | None, list[int]]]] = defaultdict(list)
    for program_id, made_on, counts in await session.execute(
        select(revisions.program_id, by.made_on, func.jsonb_path_query_array(revisions.body, SESSIONS_PER_WEEK))
        .select_from(revisions)
        .outerjoin(by, by.id == revisions.decision_id)
        .where(revisions.program_id.in_(ids))
        .order_by(revisions.number)
    ):
        schedules[program_id].append((made_on, list(counts)))
    day = today or datetime.now(UTC).date()
    found = {}
    for row in rows:
        body = programs.body_of(row)
        found[row.id] = s.Progress(
            program_id=row.id,
            revision=row.revision,
            status=ProgramStatus.active if row.paused is None else ProgramStatus.paused,
            weeks=weeks_of(body, check_ins.get(row.id, []), day, schedules.get(row.id)),
            outcomes=[
                s.MeasurePoint(measure=o.score.measure.value, taken_on=o.taken_on, score=o.score.score, change=o.change)
                for o in measured[row.assessment_id]
            ],
            decisions=made.get(row.id, []),
        )
    return found


def weeks_of(
    body: ProgramBody,
    check_ins: list[s.CheckInInput],
    today: date,
    in_force: list[tuple[date | None, list[int]]] | None = None,
) -> list[s.WeekProgress]:
    """Every week begun by `today` (all of them once the program has ended), from the check-ins dated in it. A week's
    sessions scheduled are those of the revision in force when it began: the last made (by a decision of
    `made_on`; None for the first revision) before its first day, from each revision's sessions per week in
    `in_force` (the current revision's alone by default)."""
    revisions = in_force or [(None, [len(week.sessions) for week in body.schedule.weeks])]
    starts_on = body.parameters.starts_on
    assert starts_on is not None  # every served program has its start day
    by_week: dict[int, list[s.CheckInInput]] = defaultdict(list)
    for check_in in check_ins:
        by_week[(check_in.date - starts_on).days // 7 + 1].append(check_in)
    begun = min(len(body.schedule.weeks), max(0, (today - starts_on).days // 7 + 1))
    found = []
    for week in body.schedule.weeks[:begun]:
        these = by_week.get(week.week, [])
        first_day = starts_on + timedelta(weeks=week.week - 1)
        counts = [c for made_on, c in revisions if made_on is None or made_on < first_day][-1]
        scheduled = counts[week.week - 1]
        sessions = len({c.date for c in these if c.kind is s.CheckInKind.session})
        mornings = [c.pain_next_morning for c in these if c.pain_next_morning is not None]
        found.append(
            s.WeekProgress(
                week=week.week,
                starts_on=first_day,
                sessions_scheduled=scheduled,
                sessions_done=sessions,
                routines_done=len({c.date for c in these if c.kind is s.CheckInKind.routine}),
                adherence=round(min(1.0, sessions / scheduled), 2) if scheduled else None,
                pain_before=round(fmean(c.pain_before for c in these), 1) if these else None,
                pain_during_worst=max((c.pain_during for c in these), default=None),
                pain_next_morning=round(fmean(mornings), 1) if mornings else None,
            )
        )
    return found
