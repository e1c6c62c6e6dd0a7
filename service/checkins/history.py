"""What a decision over a program's check-ins reads from the database besides the program (issue 18): its check-ins
totalled by day and its notable ones in full (service.checkins.decisions.Summary), the day of its last
simplification, its assessment's baseline pain and outcome measures, as ONE correlated subquery of a select of the
program's row (`history_select`), read with the program by service.checkins.followup; then, only when some day
holds one, the notable check-ins in full (`with_notable`)."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Sequence
from datetime import date
from typing import Any

import msgspec
from sqlalchemy import Date, Integer, Select, Text, any_, bindparam, case, cast, func, literal_column, select
from sqlalchemy.dialects.postgresql import ARRAY, aggregate_order_by
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.ext.asyncio import AsyncSession

from service.assessments import models as assessment_models
from service.checkins import models
from service.checkins import schemas as s
from service.checkins.decisions import WINDOW, Day
from service.checkins.rules import CheckInRules
from service.db.oneshot import driver_of
from service.outcomes import models as outcome_models
from service.outcomes import schemas as outcome_schemas
from service.programs import models as program_models


class History(msgspec.Struct, frozen=True):
    """What a decision reads from the database besides the program (`history_select`, then `with_notable`)."""

    days: list[Day]
    """The totals of the check-ins up to the day, by day (decisions.Summary)."""
    notable_days: list[date]
    """The days that hold a notable check-in (decisions.is_notable: in the window and over a pain limit, or with a
    yes to a re-screen question)."""
    simplified_on: date | None
    baseline_pain: int | None
    measures: list[tuple[date, outcome_schemas.OutcomeInput]]  # in the order taken
    notable: list[tuple[int, s.CheckInInput]] = []
    """(the revision it was done against, the check-in) of the notable check-ins, in no particular order, the items
    only of those of the window: read by `with_notable`, and only when there are `notable_days`."""


_ON = bindparam("on", type_=Date)  # the day of the decision, given when the statement runs
# The pain limits of the check-in rules (rules.yaml `pain`), given when the statement runs: `limits_of`.
_DURING_AT_MOST = bindparam("during_at_most", type_=Integer)
_ABOVE_BASELINE_AT_MOST = bindparam("above_baseline_at_most", type_=Integer)
_SAID_YES: Any = literal_column("'$.symptoms.* ? (@ == true)'::jsonpath")  # a yes to a re-screen question


def limits_of(rules: CheckInRules) -> dict[str, int]:
    return {"during_at_most": rules.pain.during_at_most, "above_baseline_at_most": rules.pain.above_baseline_at_most}


def _during_limit(baseline: Any) -> Any:
    """The worst pain during above which a check-in broke a limit (decisions._broken_limits)."""
    return func.least(_DURING_AT_MOST, baseline + _ABOVE_BASELINE_AT_MOST)


def history_select(*leading: Any) -> Select[Any]:
    """A select of `leading` columns of a program's row and then its `History` as JSON text."""
    return select(*leading, _history()).select_from(program_models.Program)


@functools.cache
def _history() -> Any:
    """What a decision reads besides the program, as ONE correlated subquery of a select of the program's row, its
    `History` as JSON text: the totals by day of its check-ins up to the day (`_ON`) and which days hold a notable
    check-in, the day of its last simplification, its assessment's baseline pain and outcome measures. With the
    program they are ONE statement (four more before: each cost more in the ORM than in the database, and a check-in
    is decided on every request). Built once: building it cost more than running it. As text, decoded straight into
    a History.

    Totals by day (check_in_days, kept by a trigger), not every check-in: with every check-in in full, a check-in
    cost ~3 µs of PostgreSQL's CPU and ~3 µs of the worker's for each one its program already had (CPU of the
    workers and PostgreSQL, 1.8 ms a check-in with 30 before it, 2.7 ms with 184, on the bench's 200 programs); with
    the totals, 1.9-2.0 ms from the first to the 227th (2026-12-06; the trigger costs an insert ~50 µs). The notable
    check-ins themselves are read by a statement of their own, only when there are some (`with_notable`): in this
    one, their subquery cost PostgreSQL 120 µs of the statement's 230, when there were none."""
    program = program_models.Program
    decisions, outcomes = models.ProgramDecision, outcome_models.Outcome
    assessments_table = assessment_models.Assessment
    baseline = (
        select(assessments_table.input["pain"]["intensity"].as_integer())
        .where(assessments_table.client_id == program.client_id, assessments_table.id == program.assessment_id)
        .correlate(program)  # also where it is read two levels down
        .scalar_subquery()
    )
    usual = func.coalesce(baseline, 0)

    def listed(*columns: Any, where: Any, order: Sequence[Any] = ()) -> Any:
        row = func.json_build_array(*columns)
        aggregated = func.json_agg(aggregate_order_by(row, *order) if order else row)
        return func.coalesce(
            select(aggregated).where(where).correlate(program).scalar_subquery(), literal_column("'[]'::json")
        )

    # Each subquery names the program's client itself: the tenant's criterion (service.db.tenancy) does not reach
    # every shape of subquery (SQLAlchemy 2.0 left some of these out); the program's row is the tenant's.
    days = models.CheckInDay
    up_to_the_day = (
        (days.client_id == program.client_id) & (days.program_id == program.id) & (days.date <= _ON) & (days.count > 0)
    )

    def any_over(counts: Any, limit: Any) -> Any:
        """Whether a day's counts by pain (`during`, `next_morning`) count a check-in with a pain over `limit`."""
        return func.cardinality(func.array_remove(counts[limit + 2 : 11], 0)) > 0

    # decisions.is_notable, asked of the days: a yes to a re-screen question, or in the window and over a pain limit
    # (decisions._broken_limits; a test holds the two to each other).
    notable = (days.said_yes > 0) | (
        (days.date > _ON - literal_column(str(WINDOW)))
        & (any_over(days.during, _during_limit(usual)) | any_over(days.next_morning, usual))
    )
    history = func.json_build_object(
        literal_column("'days'"),
        listed(
            days.date,
            days.count,
            days.pain_before,
            days.pain_during,
            days.sessions > 0,
            days.unsettled > 0,
            where=up_to_the_day,
        ),
        literal_column("'notable_days'"),
        func.coalesce(
            select(func.json_agg(days.date)).where(up_to_the_day & notable).correlate(program).scalar_subquery(),
            literal_column("'[]'::json"),
        ),
        literal_column("'simplified_on'"),
        select(func.max(decisions.made_on))
        .where(
            decisions.client_id == program.client_id,
            decisions.program_id == program.id,
            # Literally, not as a parameter: a generic plan could not use the partial index on this condition.
            decisions.kind == literal_column("'simplify'"),
            decisions.revision.is_not(None),
        )
        .correlate(program)
        .scalar_subquery(),
        literal_column("'baseline_pain'"),
        baseline,
        literal_column("'measures'"),
        listed(
            outcomes.taken_on,
            outcomes.answers,
            where=(outcomes.client_id == program.client_id) & (outcomes.assessment_id == program.assessment_id),
            order=(outcomes.taken_on, outcomes.created_at, outcomes.id),
        ),
    )
    return cast(history, Text)


_history_decoder = msgspec.json.Decoder(History)


def history_of(text: str) -> History:
    return _history_decoder.decode(text)


@functools.cache
def _notable_sql() -> tuple[str, tuple[str, ...], dict[str, Any]]:
    """The statement of `with_notable` for asyncpg, the names of its parameters in order and the values of those it
    fixes: built and compiled once."""
    check_ins = models.CheckIn
    baseline = bindparam("baseline", type_=Integer)
    in_window = check_ins.date > _ON - literal_column(str(WINDOW))

    def pain(name: str) -> Any:
        return check_ins.input[name].astext.cast(Integer)

    over_a_limit = (pain("pain_during") > _during_limit(baseline)) | (pain("pain_next_morning") > baseline)
    row = func.json_build_array(
        check_ins.revision,
        # Items only in the decision's window: no rule reads the items of a check-in before it (decisions.py).
        case((in_window, check_ins.input), else_=check_ins.input.op("-")(literal_column("'items'"))),
    )
    query = select(cast(func.json_agg(row), Text)).where(
        check_ins.client_id == bindparam("client_id"),
        check_ins.program_id == bindparam("program_id"),
        check_ins.date == any_(bindparam("days", type_=ARRAY(Date))),
        check_ins.input.op("@?", is_comparison=True)(_SAID_YES) | (in_window & over_a_limit),
    )
    compiled = query.compile(dialect=asyncpg_dialect())
    return str(compiled), tuple(compiled.positiontup or ()), compiled.params


_notable_decoder = msgspec.json.Decoder(list[tuple[int, s.CheckInInput]])


async def with_notable(
    driver: Any, client_id: uuid.UUID, program_id: uuid.UUID, history: History, on: date, rules: CheckInRules
) -> History:
    """`history` with its notable check-ins, read on `driver` (an asyncpg connection) from the days that hold them.
    Without a transaction, this statement may see writes the first did not: the program's version, read by the
    first, then tells the check-in to decide again (service.checkins.services.create)."""
    if not history.notable_days:
        return history
    sql, names, fixed = _notable_sql()
    given = {
        **fixed,
        "client_id": client_id,
        "program_id": program_id,
        "days": history.notable_days,
        "on": on,
        "baseline": history.baseline_pain or 0,
        **limits_of(rules),
    }
    text = await driver.fetchval(sql, *(given[name] for name in names))
    return msgspec.structs.replace(history, notable=_notable_decoder.decode(text) if text else [])


async def read_history(
    session: AsyncSession, program: program_models.Program, on: date, rules: CheckInRules
) -> History:
    """What a decision on `on` over `program` reads, in the session's transaction."""
    table = program_models.Program
    query = history_select(table.id).where(table.id == program.id)
    row = (await session.execute(query, {"on": on, **limits_of(rules)})).one()
    history = history_of(row[1])
    return await with_notable(await driver_of(session), program.client_id, program.id, history, on, rules)
