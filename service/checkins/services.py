"""Check-ins (issue 18, items 1 and 3): record, read, change and erase a program's check-ins, and after each one
decide what the program does next (service.checkins.decisions), revising it when the decision changes it
(service.checkins.revisions) or pausing it when the decision refers the person to a clinician.

Sessions passed in here are tenant sessions (service.db.tenancy): every query is scoped to the calling client by the
session itself. A check-in is mostly recorded on a plain connection of the statement pool (`create`), whose statements
name the client themselves, without a lock: it is inserted only if no other write to its program came between its
read and its insert (the program's `version`). Everything else that records runs in one transaction that first locks
the program's row and moves its version on, so that two writes to one program are decided one after the other, each
seeing the other, and revisions are numbered without gaps. A check-in's decision and revision are worked out before
anything is written, so that with an Idempotency-Key the claim, the check-in and its answer are one statement
(service.idempotency.services.insert_once) and a replay writes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

import msgspec
from sqlalchemy import Table, select, tuple_
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from service.checkins import models
from service.checkins import schemas as s
from service.checkins.followup import (
    FollowUp,
    Planned,
    apply_plan,
    decide_over,
    decision_values,
    in_current_ids,
    locked_with_history,
    moved_on,
    pause_of,
    plan,
    read_state,
    record_plan,
)
from service.checkins.revisions import CHANGES_PROGRAM
from service.db.engine import json_text
from service.db.oneshot import StatementPool, driver_of, never_sent, on_driver_connection
from service.db.tenancy import tenant_session
from service.idempotency import services as idempotency
from service.idempotency.services import NewRow, Stale
from service.lib.errors import Conflict, Invalid, NotFound
from service.lib.ids import parse_uuid
from service.lib.pagination import newest_first_each
from service.programs import models as program_models
from service.programs import services as programs
from service.programs.outline import Outline, outline_of
from service.programs.schemas import Program as ProgramResource
from service.programs.schemas import ProgramBody

OPERATION = "createCheckIn"


class _Keyed(msgspec.Struct):
    """What an Idempotency-Key's reuse is compared by: the same body for another program is another request."""

    program_id: uuid.UUID
    check_in: s.CheckInInput


async def locked_program(session: AsyncSession, program_id: str) -> program_models.Program:
    """The caller's program, its row locked until the transaction ends and its version moved on (a write follows:
    followup.moved_on), NotFound, or Retired for an old shape."""
    parsed = parse_uuid(program_id)
    row = None
    if parsed is not None:
        row = await session.scalar(
            select(program_models.Program).where(program_models.Program.id == parsed).with_for_update()
        )
    if row is None:
        raise NotFound(f"No program with id '{program_id}'.")
    programs.check_served(row)
    moved_on(row)
    return row


def _refuse_if_paused(program_id: uuid.UUID, paused: dict[str, Any] | None) -> None:
    if paused is not None:
        raise Conflict(
            f"Program '{program_id}' is paused: on {paused['made_on']} a decision referred the person to a clinician "
            f"({' '.join(paused['message'].split())}). It takes no more check-ins; after that visit, assess "
            "again and generate a new program.",
            kind="program-paused",
            title="Program paused",
        )


# How many times a check-in is decided again when other writes to its program keep coming between its read and its
# insert, before it is recorded under the program's lock.
OPTIMISTIC_TRIES = 3


async def create(
    factory: async_sessionmaker[AsyncSession],
    statements: StatementPool,
    client_id: uuid.UUID,
    program_id: str,
    check_in: s.CheckInInput,
    key: idempotency.Key | None,
    follow: FollowUp,
) -> idempotency.Created:
    """Record a check-in and decide after it.

    Most decisions leave the program as it is (progress, hold): those check-ins take two statements on a connection
    of `statements` and no transaction. The first reads the program's outline (not its body), its version and
    everything the decision reads; after the decision, the second inserts the check-in with its decision only if the
    program's version is still the one read, and moves it on. Every write that a decision reads moves the version on
    (followup.moved_on), so a check-in that another write came before is not inserted: it is decided again over what
    that write changed, and two check-ins of one program are decided one after the other, each seeing the other. A
    decision that changes the program (regress and simplify revise it, refer pauses it), or a check-in that other
    writes kept overtaking (OPTIMISTIC_TRIES), is recorded instead in a tenant session of `factory` that locks the
    program's row and decides again under the lock (the same decision, unless another write came first).

    Against the locking transaction it replaces (five round trips: BEGIN, lock, read, insert, COMMIT), on the bench's
    200 programs, alternated, CPU of the workers and PostgreSQL per check-in: 1.76-2.25 ms to 1.51-1.95 ms, 850-1,067
    to 983-1,231 req/s (2026-12-06; each range from a program's first check-ins to its ~100th)."""
    parsed = parse_uuid(program_id)
    if parsed is None:
        raise NotFound(f"No program with id '{program_id}'.")

    async def optimistically(driver: Any) -> idempotency.Created | None:
        return await _create_optimistically(driver, client_id, parsed, check_in, key, follow)

    for _ in range(OPTIMISTIC_TRIES):
        try:
            created = await on_driver_connection(statements, optimistically, retry_if=never_sent)
        except Stale:
            continue
        if created is None:
            break
        return created
    async with tenant_session(factory, client_id) as session, session.begin():
        return await _create_under_lock(session, client_id, parsed, check_in, key, follow)


async def _create_optimistically(
    driver: Any,
    client_id: uuid.UUID,
    program_id: uuid.UUID,
    check_in: s.CheckInInput,
    key: idempotency.Key | None,
    follow: FollowUp,
) -> idempotency.Created | None:
    """`create` on `driver` without a lock: None, writing nothing, when the decision would change the program; Stale
    when another write moved the program's version on after it was read."""
    state = await read_state(driver, client_id, program_id, check_in.date, follow.rules)
    if state is None:
        raise NotFound(f"No program with id '{program_id}'.")
    programs.refuse_retired(state.id, state.assessment_id, state.ruleset_version)
    program = msgspec.convert(state.outline, Outline)
    digest, first = await _admitted(driver, client_id, state.id, state.paused, program, check_in, key, follow)
    if first is not None:
        return first
    notable = in_current_ids(program.exercises, state.earlier, state.revision, state.history.notable)
    decision = decide_over(program, state.history, notable, check_in.date, follow, added=check_in)
    if decision.kind in CHANGES_PROGRAM or pause_of(decision) is not None:
        return None
    planned = Planned(decision=decision, decision_id=uuid.uuid4(), revised=None)
    row = _new_row(client_id, state.id, state.revision, check_in, planned)
    as_read = idempotency.Guard(_PROGRAMS, (("id", state.id), ("client_id", client_id)), "version", state.version)
    return await idempotency.insert_once(driver, client_id, OPERATION, key, digest, row, as_read)


_PROGRAMS = cast(Table, program_models.Program.__table__)


async def _create_under_lock(
    session: AsyncSession,
    client_id: uuid.UUID,
    program_id: uuid.UUID,
    check_in: s.CheckInInput,
    key: idempotency.Key | None,
    follow: FollowUp,
) -> idempotency.Created:
    """`create` in the caller's transaction of a tenant session, whatever the decision: it may revise the program."""
    # The program's row, locked as locked_program locks it, then what the decision reads.
    found = await locked_with_history(session, program_id, check_in.date, follow.rules)
    if found is None:
        raise NotFound(f"No program with id '{program_id}'.")
    program, history = found
    programs.check_served(program)
    body = programs.body_of(program)
    driver = await driver_of(session)
    outline = msgspec.convert(program.outline, Outline)
    digest, first = await _admitted(driver, client_id, program.id, program.paused, outline, check_in, key, follow)
    if first is not None:
        return first
    planned = await plan(session, program, body, check_in.date, follow, added=check_in, history=history)
    row = _new_row(client_id, program.id, program.revision, check_in, planned)
    created = await idempotency.insert_once(driver, client_id, OPERATION, key, digest, row)
    if not created.replayed:
        await apply_plan(session, program, planned)
    return created


async def _admitted(
    driver: Any,
    client_id: uuid.UUID,
    program_id: uuid.UUID,
    paused: dict[str, Any] | None,
    program: Outline,
    check_in: s.CheckInInput,
    key: idempotency.Key | None,
    follow: FollowUp,
) -> tuple[str, idempotency.Created | None]:
    """The check-in checked against its program (a 400 naming every problem) and refused by a paused one (a 409),
    unless it is the check-in that paused it sent again with its key: then its first answer. Returns what the key's
    reuse is compared by, and that answer."""
    problems = follow.check_in_problems(check_in, program, datetime.now(UTC).date())
    if problems:
        raise Invalid(problems)
    # What a key's reuse is compared by; without a key nothing is compared (insert_once does not read it).
    digest = idempotency.request_digest(_Keyed(program_id, check_in)) if key is not None else ""
    if paused is not None and key is not None:
        first = await idempotency.replay(driver, client_id, OPERATION, key, digest)
        if first is not None:
            return digest, first
    _refuse_if_paused(program_id, paused)
    return digest, None


def _new_row(
    client_id: uuid.UUID, program_id: uuid.UUID, revision: int, check_in: s.CheckInInput, planned: Planned
) -> NewRow:
    """The check-in's row, its answer and its decision's row, for the one statement that inserts them."""
    check_in_id, now = uuid.uuid4(), datetime.now(UTC)
    answer = s.CheckIn(
        **msgspec.structs.asdict(check_in),
        id=check_in_id,
        program_id=program_id,
        revision=revision,
        created_at=now,
        updated_at=now,
        decision=planned.decision,
    )
    return NewRow(
        table=cast(Table, models.CheckIn.__table__),
        values={
            "id": check_in_id,
            "client_id": client_id,
            "program_id": program_id,
            "revision": revision,
            "date": check_in.date,
            "kind": check_in.kind.value,
            "input": json_text(check_in),
            "created_at": now,
            "updated_at": now,
        },
        answer=answer,
        with_rows=(
            (
                cast(Table, models.ProgramDecision.__table__),
                decision_values(client_id, program_id, planned, check_in_id),
            ),
        ),
    )


async def _row(session: AsyncSession, program_id: uuid.UUID, check_in_id: str) -> models.CheckIn:
    parsed = parse_uuid(check_in_id)
    row = None
    if parsed is not None:
        row = await session.scalar(
            select(models.CheckIn).where(models.CheckIn.id == parsed, models.CheckIn.program_id == program_id)
        )
    if row is None:
        raise NotFound(f"No check-in with id '{check_in_id}' in program '{program_id}'.")
    return row


async def update(
    session: AsyncSession, program_id: str, check_in_id: str, change: s.CheckInUpdate, follow: FollowUp
) -> s.CheckIn:
    """Change a recorded check-in (the next morning's pain, usually) and decide again over its date."""
    program = await locked_program(session, program_id)
    row = await _row(session, program.id, check_in_id)
    given = {name: value for name, value in msgspec.structs.asdict(change).items() if value is not None}
    if not given:
        raise Invalid.field("body", "names nothing to change: give at least one field")
    before = msgspec.convert(row.input, s.CheckInInput)
    after = msgspec.structs.replace(before, **given)
    at_revision = await revision_body(session, program, row.revision)
    problems = follow.check_in_problems(after, outline_of(at_revision), datetime.now(UTC).date())
    if problems:
        raise Invalid(problems)
    _refuse_if_paused(program.id, program.paused)
    row.input = msgspec.to_builtins(after)
    row.updated_at = datetime.now(UTC)
    await session.flush()
    planned = await plan(session, program, programs.body_of(program), after.date, follow)
    await record_plan(session, program, planned, check_in_id=row.id)
    return _resource(row, planned.decision)


async def get(session: AsyncSession, program_id: str, check_in_id: str) -> s.CheckIn:
    program = await programs.served(session, program_id)
    row = await _row(session, program.id, check_in_id)
    return _resource(row, (await _latest_decisions(session, [row.id])).get(row.id))


async def list_check_ins(
    session: AsyncSession, program_id: str, *, limit: int, cursor: str | None
) -> tuple[list[s.CheckIn], str | None]:
    program = await programs.served(session, program_id)
    page = (await pages(session, [program.id], limit=limit, cursor=cursor))[program.id]
    return page.items, page.next_cursor


@dataclass(frozen=True)
class CheckInPage:
    items: list[s.CheckIn]
    cursors: list[str]
    next_cursor: str | None


async def pages(
    session: AsyncSession, program_ids: Sequence[uuid.UUID], *, limit: int, cursor: str | None
) -> dict[uuid.UUID, CheckInPage]:
    """The same page of each program's check-ins, most recently recorded first, in two statements whatever the
    number of programs (GraphQL's batched loads). A program that is not the tenant's has none."""
    table = models.CheckIn
    found = await newest_first_each(session, table, table.program_id, program_ids, limit=limit, cursor=cursor)
    decisions = await _latest_decisions(session, [row.id for rows, _, _ in found.values() for row in rows])
    return {
        program_id: CheckInPage([_resource(row, decisions.get(row.id)) for row in rows], cursors, next_cursor)
        for program_id, (rows, cursors, next_cursor) in found.items()
    }


async def delete(session: AsyncSession, program_id: str, check_in_id: str) -> None:
    """Erase a check-in and the stored answer of the request that recorded it. The decisions made after it stay (they
    were made, and may have revised the program), no longer pointing at it."""
    program = await programs.served(session, program_id)
    row = await _row(session, program.id, check_in_id)
    await session.delete(row)
    await idempotency.forget_resource(session, row.id)


async def revision_body(session: AsyncSession, program: program_models.Program, number: int) -> ProgramBody:
    """The program as revision `number` made it (the current one is the program's own body)."""
    if number == program.revision:
        return programs.body_of(program)
    stored = await session.get(models.ProgramRevision, (program.id, number))
    if stored is None:
        raise NotFound(f"Program '{program.id}' has no revision {number}.")
    return msgspec.convert(stored.body, ProgramBody)


async def _latest_decisions(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, s.Decision]:
    """The last decision made after each of these check-ins, in one statement."""
    if not ids:
        return {}
    table = models.ProgramDecision
    rows = await session.execute(
        select(table.check_in_id, table.decision)
        .where(table.check_in_id.in_(ids))
        .order_by(table.check_in_id, table.created_at.desc(), table.id.desc())
        .ext(distinct_on(table.check_in_id))
    )
    return {check_in_id: msgspec.convert(decision, s.Decision) for check_in_id, decision in rows}


def _resource(row: models.CheckIn, decision: s.Decision | None) -> s.CheckIn:
    recorded = msgspec.convert(row.input, s.CheckInInput)
    return s.CheckIn(
        **msgspec.structs.asdict(recorded),
        id=row.id,
        program_id=row.program_id,
        revision=row.revision,
        created_at=row.created_at,
        updated_at=row.updated_at,
        decision=decision,
    )


async def list_revisions(session: AsyncSession, program_id: str) -> list[s.Revision]:
    """Every revision, first to last (the bodies stay in the database); a program never revised has one."""
    program = await programs.served(session, program_id)
    return (await revisions_of(session, {program.id: program.created_at}))[program.id]


async def revisions_of(
    session: AsyncSession, created: Mapping[uuid.UUID, datetime]
) -> dict[uuid.UUID, list[s.Revision]]:
    """Every revision of each program (its id → when it was generated), first to last, in one statement whatever
    their number (GraphQL's batched loads); a program never revised has one, made when it was generated."""
    table, decisions = models.ProgramRevision, models.ProgramDecision
    rows = await session.execute(
        select(table.program_id, table.number, table.created_at, table.changes, decisions.decision)
        .outerjoin(decisions, decisions.id == table.decision_id)
        .where(table.program_id.in_(list(created)))
        .order_by(table.program_id, table.number)
    )
    found: dict[uuid.UUID, list[s.Revision]] = {program_id: [] for program_id in created}
    for program_id, number, created_at, changes, decision in rows:
        found[program_id].append(
            s.Revision(
                number=number,
                created_at=created_at,
                changes=changes,
                decision=msgspec.convert(decision, s.Decision) if decision is not None else None,
            )
        )
    return {
        program_id: revisions or [s.Revision(number=1, created_at=created[program_id], changes=[], decision=None)]
        for program_id, revisions in found.items()
    }


async def revision_programs(
    session: AsyncSession, keys: Sequence[tuple[uuid.UUID, int]]
) -> dict[tuple[uuid.UUID, int], ProgramResource]:
    """The whole program each (program id, revision number) made, in two statements whatever their number
    (GraphQL's batched loads); a key of no revision, of a retired program or of none of the tenant's is left out."""
    ids = list({program_id for program_id, _ in keys})
    rows = {
        row.id: row
        for row in await session.scalars(select(program_models.Program).where(program_models.Program.id.in_(ids)))
        if programs.is_served(row)
    }
    table = models.ProgramRevision
    stored = await session.execute(
        select(table.program_id, table.number, table.body).where(tuple_(table.program_id, table.number).in_(keys))
    )
    bodies = {(program_id, number): body for program_id, number, body in stored}
    found = {}
    for program_id, number in keys:
        row = rows.get(program_id)
        body = bodies.get((program_id, number))
        if row is not None and body is None and number == row.revision:  # never revised: the program's own body
            body = row.body
        if row is not None and body is not None:
            found[(program_id, number)] = programs.as_revision(row, body, number)
    return found


async def get_revision(session: AsyncSession, program_id: str, number: int) -> s.RevisionDetail:
    program = await programs.served(session, program_id)
    if number == 1 and program.revision == 1:
        return s.RevisionDetail(
            number=1, created_at=program.created_at, changes=[], decision=None, program=programs.body_of(program)
        )
    stored = await session.get(models.ProgramRevision, (program.id, number))
    if stored is None:
        raise NotFound(f"Program '{program.id}' has no revision {number}: it has {program.revision}.")
    decision = await session.get(models.ProgramDecision, stored.decision_id) if stored.decision_id else None
    return s.RevisionDetail(
        number=number,
        created_at=stored.created_at,
        changes=stored.changes,
        decision=msgspec.convert(decision.decision, s.Decision) if decision is not None else None,
        program=msgspec.convert(stored.body, ProgramBody),
    )
