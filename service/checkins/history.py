"""What a decision over a program's check-ins reads from the database besides the program (issue 18): its check-ins
totalled by day and its notable ones in full (service.checkins.decisions.Summary), the day of its last
simplification, its assessment's baseline pain and outcome measures, as ONE correlated subquery of a select of the
program's row (`history_columns`), read with the program by service.checkins.followup."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import date
from typing import Any

import msgspec
from sqlalchemy import Date, Integer, Text, any_, bindparam, case, cast, func, literal_column, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession

from service.assessments import models as assessment_models
from service.checkins import models
from service.checkins import schemas as s
from service.checkins.decisions import WINDOW, Day
from service.checkins.rules import CheckInRules
from service.outcomes import models as outcome_models
from service.outcomes import schemas as outcome_schemas
from service.programs import models as program_models


class History(msgspec.Struct, frozen=True):
    """What a decision reads from the database besides the program (`history_columns`)."""

    days: list[Day]
    """The totals of the check-ins up to the day, by day (decisions.Summary)."""
    notable: list[tuple[int, s.CheckInInput]]
    """(the revision it was done against, the check-in) of the notable check-ins up to the day (decisions.is_notable:
    those of the window that broke the pain limits, those that answered yes to a re-screen question), in no
    particular order; the items only of those of the window."""
    simplified_on: date | None
    baseline_pain: int | None
    measures: list[tuple[date, outcome_schemas.OutcomeInput]]  # in the order taken


_ON = bindparam("on", type_=Date)  # the day of the decision, given when the statement runs
# The pain limits of the check-in rules (rules.yaml `pain`), given when the statement runs: `limits_of`.
_DURING_AT_MOST = bindparam("during_at_most", type_=Integer)
_ABOVE_BASELINE_AT_MOST = bindparam("above_baseline_at_most", type_=Integer)


def limits_of(rules: CheckInRules) -> dict[str, int]:
    return {"during_at_most": rules.pain.during_at_most, "above_baseline_at_most": rules.pain.above_baseline_at_most}


@functools.cache
def history_columns() -> list[Any]:
    """What a decision reads besides the program, as ONE correlated subquery of a select of the program's row, its
    `History` as JSON text: the totals by day of its check-ins up to the day (`_ON`) and its notable ones in full,
    the day of its last simplification, its assessment's baseline pain and outcome measures. With the program they
    are ONE statement (four more before: each cost more in the ORM than in the database, and a check-in is decided on
    every request). Built once: building it cost more than running it. As text, decoded straight into a History.

    Totals by day (check_in_days, kept by a trigger), not every check-in: with every check-in in full, a check-in
    cost ~3 µs of PostgreSQL's CPU and ~3 µs of the worker's for each one its program already had (CPU of the
    workers and PostgreSQL, 1.8 ms a check-in with 30 before it, 2.7 ms with 184, on the bench's 200 programs); with
    the totals, 1.9-2.0 ms from the first to the 227th (2026-12-06; the trigger costs an insert ~50 µs)."""
    program = program_models.Program
    check_ins, decisions, outcomes = models.CheckIn, models.ProgramDecision, outcome_models.Outcome
    assessments_table = assessment_models.Assessment

    def listed(*columns: Any, where: Any, order: Sequence[Any] = ()) -> Any:
        row = func.json_build_array(*columns)
        aggregated = func.json_agg(aggregate_order_by(row, *order) if order else row)
        return func.coalesce(select(aggregated).where(where).scalar_subquery(), literal_column("'[]'::json"))

    def pain(name: str) -> Any:
        return check_ins.input[name].astext.cast(Integer)

    # Each subquery names the program's client itself: the tenant's criterion (service.db.tenancy) does not reach
    # every shape of subquery (SQLAlchemy 2.0 left some of these out); the program's row is the tenant's.
    days_table = models.CheckInDay
    days_up_to_the_day = (
        (days_table.client_id == program.client_id)
        & (days_table.program_id == program.id)
        & (days_table.date <= _ON)
        & (days_table.count > 0)
    )
    days = func.coalesce(
        select(
            func.json_agg(
                func.json_build_array(
                    days_table.date,
                    days_table.count,
                    days_table.pain_before,
                    days_table.pain_during,
                    days_table.sessions > 0,
                    days_table.unsettled > 0,
                )
            )
        )
        .where(days_up_to_the_day)
        .scalar_subquery(),
        literal_column("'[]'::json"),
    )
    baseline = (
        select(assessments_table.input["pain"]["intensity"].as_integer())
        .where(assessments_table.client_id == program.client_id, assessments_table.id == program.assessment_id)
        # Correlated explicitly: two levels down (in `notable_days`), SQLAlchemy would list `programs` in its FROM.
        .correlate(program)
        .scalar_subquery()
    )
    usual = func.coalesce(baseline, 0)
    during_limit = func.least(_DURING_AT_MOST, usual + _ABOVE_BASELINE_AT_MOST)
    in_window = check_ins.date > _ON - literal_column(str(WINDOW))

    def any_over(counts: Any, limit: Any) -> Any:
        """Whether a day's counts by pain (`during`, `next_morning`) count a check-in with a pain over `limit`."""
        return func.cardinality(func.array_remove(counts[limit + 2 : 11], 0)) > 0

    # decisions.is_notable, asked of the stored check-ins: a yes to a re-screen question, or in the window and over
    # a pain limit (decisions._broken_limits; a test holds the two to each other). Only the days that hold one are
    # read check-in by check-in.
    notable_days = (
        select(days_table.date)
        .where(
            days_up_to_the_day,
            (days_table.said_yes > 0)
            | (
                (days_table.date > _ON - literal_column(str(WINDOW)))
                & (any_over(days_table.during, during_limit) | any_over(days_table.next_morning, usual))
            ),
        )
        .correlate(program)
    )
    said_yes = check_ins.input.op("@?", is_comparison=True)(literal_column("'$.symptoms.* ? (@ == true)'::jsonpath"))
    over_a_limit = (pain("pain_during") > during_limit) | (pain("pain_next_morning") > usual)
    notable = (
        (check_ins.client_id == program.client_id)
        & (check_ins.program_id == program.id)
        # `= ANY(ARRAY(…))`, not `IN (…)`: the days are looked up in the index, not the program's check-ins scanned.
        & (check_ins.date == any_(func.array(notable_days.scalar_subquery())))
        & (said_yes | (in_window & over_a_limit))
    )
    history = func.json_build_object(
        literal_column("'days'"),
        days,
        literal_column("'notable'"),
        listed(
            check_ins.revision,
            # Items only in the decision's window: no rule reads the items of a check-in before it (decisions.py).
            case((in_window, check_ins.input), else_=check_ins.input.op("-")(literal_column("'items'"))),
            where=notable,
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
    return [cast(history, Text)]


_history_decoder = msgspec.json.Decoder(History)


def history_of(values: Sequence[Any]) -> History:
    (text,) = values
    return _history_decoder.decode(text)


async def read_history(
    session: AsyncSession, program: program_models.Program, on: date, rules: CheckInRules
) -> History:
    table = program_models.Program
    query = select(table.id, *history_columns()).where(table.id == program.id)
    row = (await session.execute(query, {"on": on, **limits_of(rules)})).one()
    return history_of(row[1:])
