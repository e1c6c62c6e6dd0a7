"""A program's progress (issue 18, item 5), for apps and dashboards: adherence and pain week by week from its
check-ins, its assessment's outcome measures with their meaningful-change markers, and its decisions so far. Three
statements (check-ins, decisions, measures, the revisions' schedules) after the program's own, whatever the
program's length."""

from __future__ import annotations

from collections import defaultdict
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
from service.programs import services as programs
from service.programs.schemas import ProgramBody, ProgramStatus

SESSIONS_PER_WEEK = literal("$.schedule.weeks[*].sessions.size()", JSONPATH)


async def progress(
    session: AsyncSession, program_id: str, rules: OutcomeRules, today: date | None = None
) -> s.Progress:
    program = await programs.served(session, program_id)
    body = programs.body_of(program)
    table = models.CheckIn
    rows = await session.execute(
        select(table.date, table.input).where(table.program_id == program.id).order_by(table.date)
    )
    check_ins = [msgspec.convert(raw, s.CheckInInput) for _, raw in rows]
    decisions = models.ProgramDecision
    made = await session.execute(
        select(decisions.decision, decisions.check_in_id, decisions.outcome_id, decisions.created_at)
        .where(decisions.program_id == program.id)
        .order_by(decisions.created_at, decisions.id)
    )
    measured = await outcomes.for_assessment(session, program.assessment_id, rules)
    revisions, by = models.ProgramRevision, models.ProgramDecision
    # Each revision's sessions per week (not its whole body), and the day of the decision that made it.
    schedules = await session.execute(
        select(by.made_on, func.jsonb_path_query_array(revisions.body, SESSIONS_PER_WEEK))
        .select_from(revisions)
        .outerjoin(by, by.id == revisions.decision_id)
        .where(revisions.program_id == program.id)
        .order_by(revisions.number)
    )
    in_force = [(made_on, list(counts)) for made_on, counts in schedules] or [
        (None, [len(week.sessions) for week in body.schedule.weeks])
    ]
    return s.Progress(
        program_id=program.id,
        revision=program.revision,
        status=ProgramStatus.active if program.paused is None else ProgramStatus.paused,
        weeks=weeks_of(body, check_ins, today or datetime.now(UTC).date(), in_force),
        outcomes=[
            s.MeasurePoint(measure=o.score.measure.value, taken_on=o.taken_on, score=o.score.score, change=o.change)
            for o in measured
        ],
        decisions=[
            s.DecisionMade(
                decision=msgspec.convert(decision, s.Decision),
                check_in_id=check_in_id,
                outcome_id=outcome_id,
                created_at=created_at,
            )
            for decision, check_in_id, outcome_id, created_at in made
        ],
    )


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
