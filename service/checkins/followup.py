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
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import msgspec
from sqlalchemy import bindparam, func, select
from sqlalchemy.dialects.postgresql.asyncpg import dialect as asyncpg_dialect
from sqlalchemy.ext.asyncio import AsyncSession

from service.assessments import services as assessments
from service.assessments.screening import ScreeningRules
from service.checkins import models
from service.checkins import schemas as s
from service.checkins.decisions import Situation, Summary, decide
from service.checkins.history import History, history_of, history_select, limits_of, read_history, with_notable
from service.checkins.outcomes import Taken, changes_of
from service.checkins.revisions import CHANGES_PROGRAM, Revised, revise
from service.checkins.rules import CheckInRules
from service.checkins.validation import check_in_problems
from service.db.engine import json_text
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


async def locked_with_history(
    session: AsyncSession, program_id: uuid.UUID, on: date, rules: CheckInRules
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
    return program, await read_history(session, program, on, rules)


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
    earlier: dict[int, Exercises]  # the exercises of its earlier revisions
    history: History


@functools.cache
def _state_sql() -> tuple[str, tuple[str, ...], dict[str, Any]]:
    """The reading statement of `read_state` for asyncpg, the names of its parameters in order and the values of those
    it fixes: built and compiled once."""
    program, revisions = _Program, models.ProgramRevision
    # Every earlier revision's exercises, not only those the notable check-ins were done against: a program has one
    # revision per decision that changed it, and finding which of them its check-ins name would read every check-in.
    earlier = (
        select(func.json_agg(func.json_build_array(revisions.number, revisions.outline["exercises"])))
        .where(
            revisions.client_id == program.client_id,
            revisions.program_id == program.id,
            revisions.number != program.revision,
        )
        .scalar_subquery()
    )
    query = history_select(*_STATE, program.outline, earlier).where(
        program.id == bindparam("program_id"), program.client_id == bindparam("client_id")
    )
    compiled = query.compile(dialect=asyncpg_dialect())
    return str(compiled), tuple(compiled.positiontup or ()), compiled.params


async def read_state(
    driver: Any, client_id: uuid.UUID, program_id: uuid.UUID, on: date, rules: CheckInRules
) -> ProgramState | None:
    """The client's program with its outline, its version and what a decision on `on` reads, in one statement on
    `driver` (an asyncpg connection) that names the client in every table it reads (no tenant session here), and
    locks nothing. None when the client has no such program."""
    sql, names, fixed = _state_sql()
    given = {**fixed, "program_id": program_id, "client_id": client_id, "on": on, **limits_of(rules)}
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
        history=await with_notable(driver, client_id, program_id, history_of(row[_OUTLINE + 2]), on, rules),
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
    notable: list[s.CheckInInput],
    on: date,
    follow: FollowUp,
    *,
    added: s.CheckInInput | None = None,
    measure: Taken | None = None,
) -> s.Decision:
    """The decision over a program (`outline`) on `on`, from its check-ins as `history` read them (`notable`: its
    notable ones, in current ids), with `added` (a check-in not stored yet) among them, and its assessment's measures
    with `measure` (one not stored yet)."""
    assert outline.starts_on is not None  # every served program has its start day (shape 3 on)
    taken = [Taken(taken_on, answers) for taken_on, answers in history.measures]
    baseline = history.baseline_pain or 0
    summary = Summary(history.days, notable)
    if added is not None:
        summary = summary.adding(added, on, baseline, follow.rules)
    situation = Situation(
        starts_on=outline.starts_on,
        on=on,
        baseline_pain=baseline,
        sessions_per_week=outline.sessions_per_week,
        session_minutes=outline.session_minutes,
        summary=summary,
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
        history = await read_history(session, program, on, follow.rules)
    earlier = await _earlier_exercises(session, program, history.notable)
    outline = msgspec.convert(program.outline, Outline)
    notable = in_current_ids(outline.exercises, earlier, program.revision, history.notable)
    decision = decide_over(outline, history, notable, on, follow, added=added, measure=measure)
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
