"""Following a program up (issue 18, item 3): the decision after a check-in or an outcome measure, and what it does to
the program — a new revision (regress, simplify) or a pause (refer).

`plan` reads everything the decision reads (the program's check-ins up to the day, its assessment's baseline pain and
measures, its last simplification and its regressed exercises) and works the decision and the revised program out,
writing nothing; `record_plan` writes them. The split lets a check-in's answer carry its decision before the one
statement that stores it (service.checkins.services.create). Most check-ins do not revise the program: for them,
`read_state` reads the program's outline (not its body) and everything the decision reads in one statement on a
plain asyncpg connection, and `decide_over` decides; `plan` is the same decision with a session, and the revision.
Every write that a decision reads moves the program's `version` on (`moved_on`): a check-in decided over what
`read_state` read is inserted only if the version is still the one it read (service.checkins.services.create).

Prescription ids belong to a revision: a revision generates the program again and may number it differently. A
check-in keeps the revision it was done against, and its items are read here in the current revision's ids (by
exercise); an exercise no longer in the program (already regressed) cannot be regressed again, so it is left out.
"""

from __future__ import annotations

import functools
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import msgspec
from sqlalchemy import Date, Text, bindparam, case, cast, func, literal_column, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.ext.asyncio import AsyncSession

from service.assessments import models as assessment_models
from service.assessments import services as assessments
from service.assessments.screening import ScreeningRules
from service.checkins import models
from service.checkins import schemas as s
from service.checkins.decisions import WINDOW, Situation, decide
from service.checkins.outcomes import Taken, changes_of
from service.checkins.revisions import CHANGES_PROGRAM, Revised, revise
from service.checkins.rules import CheckInRules
from service.checkins.validation import check_in_problems
from service.db.engine import json_text
from service.outcomes import models as outcome_models
from service.outcomes import schemas as outcome_schemas
from service.outcomes.rules import OutcomeRules
from service.programs import models as program_models
from service.programs import services as programs
from service.programs.index_cache import CatalogIndexCache
from service.programs.outline import Exercises, Outline, outline_of
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

    def check_in_problems(self, check_in: s.CheckInInput, program: Outline, today: date) -> list[tuple[str, str]]:
        return check_in_problems(check_in, program, self.screening, today)


@dataclass(frozen=True)
class Planned:
    decision: s.Decision  # with `revision` set when it revises the program
    decision_id: uuid.UUID
    revised: Revised | None


class History(msgspec.Struct, frozen=True):
    """What a decision reads from the database besides the program (`_history_columns`)."""

    check_ins: list[tuple[int, s.CheckInInput]]
    """(the revision it was done against, the check-in) up to the day, in no particular order; the items only of
    those of the decision's window, the 7 days up to it."""
    simplified_on: date | None
    baseline_pain: int | None
    measures: list[tuple[date, outcome_schemas.OutcomeInput]]  # in the order taken


_ON = bindparam("on", type_=Date)  # the day of the decision, given when the statement runs


@functools.cache
def _history_columns() -> list[Any]:
    """What a decision reads besides the program, as ONE correlated subquery of a select of the program's row, its
    `History` as JSON text: its check-ins up to the day (`_ON`), the day of its last simplification, its
    assessment's baseline pain and outcome measures. With the program they are ONE statement (four more before: each
    cost more in the ORM than in the database, and a check-in is decided on every request). Built once: building it
    cost more than running it. As text, decoded straight into a History: a program's check-ins run to a hundred and
    more, and decoding them to dicts first and converting those took twice as long (150 check-ins: 1.0 ms, 0.44)."""
    program = program_models.Program
    check_ins, decisions, outcomes = models.CheckIn, models.ProgramDecision, outcome_models.Outcome
    assessments_table = assessment_models.Assessment

    def listed(*columns: Any, where: Any, order: Sequence[Any] = ()) -> Any:
        row = func.json_build_array(*columns)
        aggregated = func.json_agg(aggregate_order_by(row, *order) if order else row)
        return func.coalesce(select(aggregated).where(where).scalar_subquery(), literal_column("'[]'::json"))

    # Each subquery names the program's client itself: the tenant's criterion (service.db.tenancy) does not reach
    # every shape of subquery (SQLAlchemy 2.0 left some of these out); the program's row is the tenant's.
    history = func.json_build_object(
        literal_column("'check_ins'"),
        listed(
            check_ins.revision,
            # Items only in the decision's window: no rule reads the items of a check-in before it (decisions.py).
            case(
                (check_ins.date > _ON - literal_column(str(WINDOW)), check_ins.input),
                else_=check_ins.input.op("-")(literal_column("'items'")),
            ),
            where=(check_ins.client_id == program.client_id)
            & (check_ins.program_id == program.id)
            & (check_ins.date <= _ON),
            # In no order: a decision does not depend on the order of the check-ins (decisions.py; a property test
            # shuffles them), and sorting a program's 155 check-ins was a fifth of this statement (0.51 -> 0.42 ms).
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
        select(assessments_table.input["pain"]["intensity"].as_integer())
        .where(assessments_table.client_id == program.client_id, assessments_table.id == program.assessment_id)
        .scalar_subquery(),
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


def _history_of(values: Sequence[Any]) -> History:
    (text,) = values
    return _history_decoder.decode(text)


async def _history(session: AsyncSession, program: program_models.Program, on: date) -> History:
    table = program_models.Program
    query = select(table.id, *_history_columns()).where(table.id == program.id)
    row = (await session.execute(query, {"on": on})).one()
    return _history_of(row[1:])


async def locked_with_history(
    session: AsyncSession, program_id: uuid.UUID, on: date
) -> tuple[program_models.Program, History] | None:
    """The caller's program, its row locked until the transaction ends and its version moved on (a write follows),
    with what a decision on `on` reads, read by a statement of its own once the row is locked: a statement sees what
    was committed when it started, so a read that waited for the lock would miss what the holder committed meanwhile.
    None when the caller has no such program."""
    table = program_models.Program
    program = await session.scalar(select(table).where(table.id == program_id).with_for_update())
    if program is None:
        return None
    moved_on(program)
    return program, await _history(session, program, on)


def moved_on(program: program_models.Program) -> None:
    """Mark a write to what the program's decisions read, made while its row is locked: its `version` moves on, and
    a check-in decided meanwhile over what it read before (services.create) is decided again."""
    program.version += 1


_Program = program_models.Program
_STATE = (
    _Program.id,
    _Program.assessment_id,
    _Program.ruleset_version,
    _Program.revision,
    _Program.paused,
    _Program.version,
)
_OUTLINE = len(_STATE)  # where the outline and the earlier revisions' exercises come in the row, then the history


@dataclass(frozen=True)
class ProgramState:
    """A program's row as a check-in reads it (`read_state`): its outline, not its body."""

    id: uuid.UUID
    assessment_id: uuid.UUID
    ruleset_version: str
    revision: int
    paused: dict[str, Any] | None
    version: int
    outline: Any  # the stored outline (JSON), read by `Outline` once the program is known to be served
    earlier: dict[int, Exercises]  # the exercises of the earlier revisions its check-ins were done against
    history: History


@functools.cache
def _state_sql() -> tuple[str, tuple[str, ...], dict[str, Any]]:
    """The reading statement of `read_state` for asyncpg, the names of its parameters in order and the values of those
    it fixes: built and compiled once."""
    program, revisions, check_ins = _Program, models.ProgramRevision, models.CheckIn
    earlier = (
        select(func.json_agg(func.json_build_array(revisions.number, revisions.outline["exercises"])))
        .where(
            revisions.client_id == program.client_id,
            revisions.program_id == program.id,
            revisions.number != program.revision,
            revisions.number.in_(
                # Correlated to the program explicitly: two levels down, SQLAlchemy would list `programs` in this
                # subquery's FROM instead, and read every program's check-ins.
                select(check_ins.revision)
                .where(check_ins.client_id == program.client_id, check_ins.program_id == program.id)
                .correlate(program)
            ),
        )
        .scalar_subquery()
    )
    query = select(*_STATE, program.outline, earlier, *_history_columns()).where(
        program.id == bindparam("program_id"), program.client_id == bindparam("client_id")
    )
    compiled = query.compile(dialect=asyncpg_dialect())
    return str(compiled), tuple(compiled.positiontup or ()), compiled.params


async def read_state(driver: Any, client_id: uuid.UUID, program_id: uuid.UUID, on: date) -> ProgramState | None:
    """The client's program with its outline, its version and what a decision on `on` reads, in one statement on
    `driver` (an asyncpg connection) that names the client in every table it reads (no tenant session here), and
    locks nothing. None when the client has no such program."""
    sql, names, fixed = _state_sql()
    given = {**fixed, "program_id": program_id, "client_id": client_id, "on": on}
    row = await driver.fetchrow(sql, *(given[name] for name in names))
    if row is None:
        return None
    earlier = row[_OUTLINE + 1]
    return ProgramState(
        id=row["id"],
        assessment_id=row["assessment_id"],
        ruleset_version=row["ruleset_version"],
        revision=row["revision"],
        paused=row["paused"],
        version=row["version"],
        outline=row[_OUTLINE],
        earlier={number: tuple(map(tuple, pairs)) for number, pairs in earlier or ()},
        history=_history_of(row[_OUTLINE + 2 :]),
    )


def in_current_ids(
    exercises: Exercises, earlier: Mapping[int, Exercises], revision: int, recorded: list[tuple[int, s.CheckInInput]]
) -> list[s.CheckInInput]:
    """The check-ins with their items in the current revision's prescription ids (`exercises`; `earlier`: those of
    the earlier revisions they were done against), by exercise; an item whose exercise the program no longer holds
    is left out."""
    current = {slug: pid for pid, slug in reversed(exercises)}
    renamed = {
        number: {pid: current[slug] for pid, slug in pairs if slug in current}
        for number, pairs in [*earlier.items(), (revision, exercises)]
    }
    found = []
    for number, check_in in recorded:
        names = renamed.get(number, {})
        if all(names.get(item.prescription) == item.prescription for item in check_in.items):
            found.append(check_in)  # already in the current ids (most are: done against this revision)
            continue
        items = [
            msgspec.structs.replace(item, prescription=names[item.prescription])
            for item in check_in.items
            if item.prescription in names
        ]
        found.append(msgspec.structs.replace(check_in, items=items))
    return found


async def _earlier_exercises(
    session: AsyncSession, program: program_models.Program, recorded: list[tuple[int, s.CheckInInput]]
) -> dict[int, Exercises]:
    """The exercises of the earlier revisions `recorded` was done against: their outlines alone, in one statement
    (the revisions' bodies stay in the database)."""
    numbers = {revision for revision, _ in recorded} - {program.revision}
    if not numbers:
        return {}
    revisions = models.ProgramRevision
    rows = await session.execute(
        select(revisions.number, revisions.outline).where(
            revisions.program_id == program.id, revisions.number.in_(numbers)
        )
    )
    return {number: msgspec.convert(stored, Outline).exercises for number, stored in rows}


def decide_over(
    outline: Outline,
    history: History,
    check_ins: list[s.CheckInInput],
    on: date,
    follow: FollowUp,
    measure: Taken | None = None,
) -> s.Decision:
    """The decision over a program (`outline`) on `on`, from its check-ins (in current ids, the new one among them)
    and its assessment's measures (`measure`: one not stored yet)."""
    assert outline.starts_on is not None  # every served program has its start day (shape 3 on)
    taken = [Taken(taken_on, answers) for taken_on, answers in history.measures]
    situation = Situation(
        starts_on=outline.starts_on,
        on=on,
        baseline_pain=history.baseline_pain or 0,
        sessions_per_week=outline.sessions_per_week,
        session_minutes=outline.session_minutes,
        check_ins=check_ins,
        changes=changes_of([*taken, *([measure] if measure is not None else [])], follow.outcomes),
        simplified_on=history.simplified_on,
    )
    return decide(situation, follow.rules, follow.outcomes, follow.screening)


async def plan(
    session: AsyncSession,
    program: program_models.Program,
    body: ProgramBody,
    on: date,
    follow: FollowUp,
    *,
    added: s.CheckInInput | None = None,
    measure: Taken | None = None,
    history: History | None = None,
) -> Planned:
    """The decision over `program` on `on`, with `added` (a check-in not stored yet) among its check-ins and
    `measure` (an outcome measure not stored yet) among its assessment's, and the revision it makes, if any. Writes
    nothing. `history` is what locked_with_history read with the program's row (read here when not given)."""
    if history is None:
        history = await _history(session, program, on)
    earlier = await _earlier_exercises(session, program, history.check_ins)
    outline = msgspec.convert(program.outline, Outline)
    check_ins = in_current_ids(outline.exercises, earlier, program.revision, history.check_ins)
    if added is not None:
        check_ins.append(added)
    decision = decide_over(outline, history, check_ins, on, follow, measure)
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


def decision_values(
    client_id: uuid.UUID, program_id: uuid.UUID, planned: Planned, check_in_id: uuid.UUID
) -> dict[str, Any]:
    """The decision after a check-in as the columns of its row, for the statement that inserts the check-in
    (service.idempotency.services.NewRow.with_rows); `created_at` is the database's."""
    decision = planned.decision
    return {
        "id": planned.decision_id,
        "client_id": client_id,
        "program_id": program_id,
        "made_on": decision.made_on,
        "kind": decision.kind.value,
        "decision": json_text(decision),
        "check_in_id": check_in_id,
        "revision": decision.revision,
    }


def pause_of(decision: s.Decision) -> Pause | None:
    """What a decision that refers the person to a clinician writes on the program: it takes no more check-ins."""
    if decision.refer is None:
        return None
    return Pause(
        made_on=decision.made_on, level=decision.refer.level, message=decision.refer.message, reasons=decision.reasons
    )


async def record_plan(
    session: AsyncSession,
    program: program_models.Program,
    planned: Planned,
    *,
    check_in_id: uuid.UUID | None = None,
    outcome_id: uuid.UUID | None = None,
) -> None:
    """Store the decision, and what it does to the program (`apply_plan`)."""
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
    await apply_plan(session, program, planned)


async def apply_plan(session: AsyncSession, program: program_models.Program, planned: Planned) -> None:
    """What a stored decision does to the program: a revision, or a pause. (A check-in's decision is stored by the
    statement that inserts the check-in, `decision_values`; the others by record_plan.)"""
    decision = planned.decision
    if (pause := pause_of(decision)) is not None:
        program.paused = msgspec.to_builtins(pause)
    if planned.revised is not None and decision.revision is not None:
        if program.revision == 1:  # the program as generated is kept before its body is replaced
            session.add(
                models.ProgramRevision(
                    program_id=program.id,
                    number=1,
                    decision_id=None,
                    body=program.body,
                    outline=program.outline,
                    regressed={},
                    changes=[],
                    created_at=program.created_at,
                )
            )
        revised = planned.revised.body
        revised_outline = msgspec.to_builtins(outline_of(revised), order="deterministic")
        session.add(
            models.ProgramRevision(
                program_id=program.id,
                number=decision.revision,
                decision_id=planned.decision_id,
                body=msgspec.to_builtins(revised),
                outline=revised_outline,
                regressed=planned.revised.regressed,
                changes=planned.revised.changes,
            )
        )
        program.body = msgspec.to_builtins(revised)
        program.outline = revised_outline
        listed = programs.prescribed(revised)  # what the stats count of it (the recount trigger compares these)
        program.prescribed_phases = listed["prescribed_phases"]
        program.prescribed_exercises = listed["prescribed_exercises"]
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
        moved_on(program)  # each of them reads the assessment's measures
        if program.paused is not None or not programs.is_served(program):
            continue
        body = programs.body_of(program)
        p = body.parameters
        if p.starts_on is None or not p.starts_on <= measure.taken_on < p.starts_on + timedelta(weeks=p.weeks):
            continue
        planned.append((program, await plan(session, program, body, measure.taken_on, follow, measure=measure)))
    return planned
