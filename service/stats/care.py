"""Check-ins, decisions and adherence by time bucket (issue 18): aggregates only, read from the base tables.

Read at query time, not kept by triggers like the activity counters (service.stats.models), because adherence is
not a sum of per-row increments: a program-week's sessions are distinct days, capped at what the week scheduled,
and the week scheduled depends on the program revision in force (a `simplify` decision lowers it). A trigger would
have to recompute the whole program-week on every check-in written, edited or erased. Each aggregate below is one
SQL statement (two for the kinds) whatever the number of rows, grouped in PostgreSQL; Python adds up at most one row
per bucket, client and kind.

Adherence, precisely (CLINICAL.md §8: "≥ 80 % of sessions done"; service.checkins.decisions uses the same rule
over its 7-day window):

- A program-week is week n of a program: the 7 days from `starts_on + 7 (n - 1)`, for n from 1 to the program's
  `weeks` (`starts_on` is the program's parameter, or the day it was generated where an old program has none).
- A program-week counts when at least one check-in of the program (a routine or a session) is dated in it: the app
  was reporting for that program that week. A week without any check-in is left out, not counted as zero: the
  stats cannot tell a week skipped from an app that does not send check-ins (most programs made before issue 18),
  and `programWeeks` says how many weeks the rate stands on.
- Done: the distinct days with a `session` check-in in the week (two check-ins of one day are one session), capped
  at the sessions the week scheduled. Scheduled: `sessions_per_week` of the latest revision any of the week's
  check-ins was done against (revision 1 is the program as generated, later ones are in `program_revisions`).
- The rate of a bucket (or of the range) is the sum of its weeks' capped sessions done over the sum of its weeks'
  sessions scheduled: each program-week counts at most 1, and a week of 4 sessions weighs more than a week of 2.
- A program-week belongs to the bucket its first day falls in, and counts only once it is over (its last day is
  before `today`): a week still running would read as missed sessions.

Check-ins are counted by kind on their `date`, decisions by kind on the day they were made (`made_on`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Date, Integer, and_, cast, func, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from service.checkins.models import CheckIn, ProgramDecision, ProgramRevision
from service.programs.models import Program
from service.stats.buckets import Bucket, truncated

WEEK = 7  # days
CHECK_IN = "check_in"
DECISION = "decision"

Key = tuple[date, uuid.UUID | None]  # a bucket's first day, and the client when grouped by client


@dataclass
class Adherence:
    program_weeks: int = 0
    sessions_done: int = 0  # each week's capped at its sessions scheduled
    sessions_scheduled: int = 0

    def add(self, other: Adherence) -> None:
        self.program_weeks += other.program_weeks
        self.sessions_done += other.sessions_done
        self.sessions_scheduled += other.sessions_scheduled

    @property
    def rate(self) -> float | None:
        return round(self.sessions_done / self.sessions_scheduled, 4) if self.sessions_scheduled else None


@dataclass
class Activity:
    """Check-ins and decisions by kind, and adherence, of one bucket (or of the whole range)."""

    check_ins: dict[str, int] = field(default_factory=dict)
    decisions: dict[str, int] = field(default_factory=dict)
    adherence: Adherence = field(default_factory=Adherence)

    def add(self, other: Activity) -> None:
        for mine, theirs in ((self.check_ins, other.check_ins), (self.decisions, other.decisions)):
            for kind, count in theirs.items():
                mine[kind] = mine.get(kind, 0) + count
        self.adherence.add(other.adherence)


def _client(column: Any, by_client: bool) -> list[Any]:
    return [column.label("client_id")] if by_client else []


async def kinds(
    session: AsyncSession, start: date, end: date, bucket: Bucket, *, by_client: bool
) -> dict[Key, Activity]:
    """Check-ins by kind and decisions by kind per bucket: two statements. Not one UNION ALL: the tenant criterion
    (service.db.tenancy) is added to ORM statements and their subqueries, not to the members of a compound select,
    which would read every tenant's rows."""
    found: dict[Key, Activity] = {}
    for family, table, day in ((CHECK_IN, CheckIn, CheckIn.date), (DECISION, ProgramDecision, ProgramDecision.made_on)):
        start_column = truncated(day, bucket).label("start")
        client = _client(table.client_id, by_client)
        query = (
            select(start_column, *client, table.kind, func.count().label("n"))
            .where(day >= start, day < end)
            .group_by(start_column, *client, table.kind)
        )
        for row in (await session.execute(query)).all():
            activity = found.setdefault((row.start, row.client_id if by_client else None), Activity())
            counts = activity.check_ins if family == CHECK_IN else activity.decisions
            counts[row.kind] = counts.get(row.kind, 0) + int(row.n)
    return found


async def adherence(
    session: AsyncSession, start: date, end: date, bucket: Bucket, today: date, *, by_client: bool
) -> dict[Key, Adherence]:
    """Adherence per bucket (see the module's docstring): one statement over the check-ins of the program-weeks that
    begin in [start, end) and are over by `today`."""
    program, check_in = Program, CheckIn
    last = min(end, today - timedelta(days=WEEK - 1))  # a week is over once its 7th day is before today
    # First one row per program and day (a session that day or not, the latest revision): the days are what counts,
    # and grouping them by hash before the programs' parameters are read cut the statement from 0.9 s to 0.3 s on
    # 378,000 check-ins of a year.
    days = (
        select(
            check_in.program_id,
            check_in.date,
            func.bool_or(check_in.kind == "session").label("session"),
            func.max(check_in.revision).label("revision"),
        )
        # The days of the weeks that can begin in [start, last): a cheap bound before the exact one below.
        .where(check_in.date >= start, check_in.date < last + timedelta(days=WEEK - 1))
        .group_by(check_in.program_id, check_in.date)
        .subquery("days")
    )
    starts_on = func.coalesce(
        cast(program.parameters["starts_on"].astext, Date), cast(func.timezone("UTC", program.created_at), Date)
    )
    weeks = cast(program.parameters["weeks"].astext, Integer)
    # date - date is a number of days in PostgreSQL; integer division gives the week's index from 0.
    index = type_coerce(days.c.date - starts_on, Integer) // WEEK
    week_start = (starts_on + index * WEEK).label("week_start")
    per_week = (
        select(
            week_start,
            program.client_id.label("client_id"),
            program.id.label("program_id"),
            cast(program.parameters["sessions_per_week"].astext, Integer).label("generated"),
            func.count().filter(days.c.session).label("done"),
            func.max(days.c.revision).label("revision"),
        )
        .select_from(days)
        .join(program, program.id == days.c.program_id)
        .where(days.c.date >= starts_on, index < weeks)
        .group_by(week_start, program.id)
        .having(and_(week_start >= start, week_start < last))
        .subquery("per_week")
    )
    revision = aliased(ProgramRevision, name="revision")
    scheduled = func.coalesce(
        cast(revision.body["parameters"]["sessions_per_week"].astext, Integer), per_week.c.generated
    )
    start_column = truncated(per_week.c.week_start, bucket).label("start")
    client = _client(per_week.c.client_id, by_client)
    query = (
        select(
            start_column,
            *client,
            func.count().label("weeks"),
            func.sum(func.least(per_week.c.done, scheduled)).label("done"),
            func.sum(scheduled).label("scheduled"),
        )
        .select_from(per_week)
        .outerjoin(revision, and_(revision.program_id == per_week.c.program_id, revision.number == per_week.c.revision))
        .where(scheduled > 0)
        .group_by(start_column, *client)
    )
    if last <= start:
        return {}
    return {
        (row.start, row.client_id if by_client else None): Adherence(int(row.weeks), int(row.done), int(row.scheduled))
        for row in (await session.execute(query)).all()
    }
