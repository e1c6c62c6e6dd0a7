"""Programs: check the request, generate from one of the caller's assessments, store, read back.

Sessions passed in here are tenant sessions (service.db.tenancy): every query below, the assessment's lookup
included, is scoped to the calling client by the session itself, which is why none of them filters by client.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

import asyncpg
import msgspec
from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from service.assessments import schemas as assessment_schemas
from service.assessments import services as assessments
from service.assessments.anatomy import Anatomy
from service.assessments.rules import RuleSet
from service.db.engine import json_text
from service.db.oneshot import StatementPool, never_sent, on_driver_connection
from service.idempotency import services as idempotency
from service.idempotency.services import NewRow
from service.lib.errors import Invalid, NotFound, ReferralRequired, Retired
from service.lib.ids import parse_uuid
from service.lib.pagination import newest_first
from service.programs import generator, models, outline, schemas
from service.programs.catalog_index import CatalogIndex
from service.programs.index_cache import CatalogIndexCache
from service.programs.rules import ProgramRules

OPERATION = "createProgram"


def _resource(row: models.Program) -> schemas.Program:
    """The stored program as the API shows it: the body as generated, plus its identity. A program of an older
    shape (before program rules 2026.12.10) is no longer served."""
    return as_revision(row, row.body, row.revision)


def as_revision(row: models.Program, body: dict[str, Any], revision: int) -> schemas.Program:
    """The program as revision `revision` made it (`body`, as stored), with the program's identity and status: a
    past revision read whole (Retired for an older shape)."""
    check_served(row)
    identity = {
        "id": str(row.id),
        "created_at": row.created_at.isoformat(),
        "subject_ref": row.subject_ref,
        "revision": revision,
        "status": _status(row),
        "paused": row.paused,
    }
    return msgspec.convert({**body, **identity}, schemas.Program)


def check_served(row: models.Program) -> None:
    """Retired when the program is of a shape this API no longer serves."""
    refuse_retired(row.id, row.assessment_id, row.ruleset_version)


def refuse_retired(program_id: uuid.UUID, assessment_id: uuid.UUID, ruleset_version: str) -> None:
    """check_served, for a program read without its ORM row."""
    if schemas.retired(ruleset_version):
        raise Retired(
            f"Program '{program_id}' was made in an older program shape, which this API no longer serves: generate a "
            f"new one from assessment '{assessment_id}' (POST /v1/programs)."
        )


def _status(row: models.Program) -> schemas.ProgramStatus:
    if schemas.retired(row.ruleset_version):
        return schemas.ProgramStatus.retired
    return schemas.ProgramStatus.active if row.paused is None else schemas.ProgramStatus.paused


async def _assessment(
    statements: StatementPool, client_id: uuid.UUID, assessment_id: uuid.UUID
) -> assessment_schemas.Assessment:
    try:
        return await assessments.clients_one(statements, client_id, assessment_id)
    except NotFound:
        raise assessments.not_yours(assessment_id) from None


def _repeats(request: schemas.ProgramRequest) -> list[tuple[str, str]]:
    """(field, message) for every slug listed again in a list the contract says holds each once (uniqueItems)."""
    problems = []
    for name in ("available_equipment", "exclude_exercises", "conditions"):
        seen: set[str] = set()
        for i, value in enumerate(getattr(request, name) or ()):
            if value in seen:
                problems.append((f"{name}[{i}]", f"'{value}' is listed twice"))
            seen.add(value)
    return problems


async def new_row(
    statements: StatementPool,
    client_id: uuid.UUID,
    request: schemas.ProgramRequest,
    catalog: CatalogIndex,
    rules: ProgramRules,
    screening: Screening,
) -> NewRow:
    """The program for `request`, ready to insert: checked, generated from the caller's assessment (read on a
    connection of `statements`), with its id and time chosen here (service.idempotency.services.insert_once)."""
    # Slugs first: a request that cannot be right whatever the assessment is a 400, before any lookup.
    problems = _repeats(request) + generator.validate_request(request, catalog)
    if problems:
        raise Invalid(problems)
    assessment = await _assessment(statements, client_id, request.assessment_id)
    created_at = datetime.now(UTC)
    if request.starts_on is None:
        request = msgspec.structs.replace(request, starts_on=created_at.date())
    assessments.check_programmable(
        assessment, request.conditions, rules=screening.rules, anatomy=screening.anatomy, on=created_at.date()
    )
    try:
        body = generator.generate(assessment, request, catalog, rules)
    except generator.ReferralRequired as exc:  # check_programmable refused it first; kept as the generator's own guard
        raise ReferralRequired(exc.message, exc.reasons) from None
    answer = schemas.Program(
        **msgspec.structs.asdict(body),
        id=uuid.uuid4(),
        created_at=created_at,
        subject_ref=assessment.subject_ref,
        revision=1,
        status=schemas.ProgramStatus.active,
        paused=None,
    )
    stored = msgspec.json.encode(body)
    values = {
        "id": answer.id,
        "client_id": client_id,
        "assessment_id": assessment.id,
        "subject_ref": assessment.subject_ref,
        "ruleset_version": body.ruleset_version,
        "parameters": json_text(body.parameters),
        "body": stored.decode(),
        "outline": outline.stored(body),
        **prescribed(body),
        "created_at": answer.created_at,
    }
    table = cast(Table, models.Program.__table__)
    return NewRow(table=table, values=values, answer=answer, encoded=answer_json(stored, answer))


# A program's answer is its body's fields, then these: its JSON is the body's JSON with them added at the end.
_AFTER_BODY = schemas.Program.__struct_fields__[len(schemas.ProgramBody.__struct_fields__) :]
assert schemas.Program.__struct_fields__[: -len(_AFTER_BODY)] == schemas.ProgramBody.__struct_fields__


def answer_json(body_json: bytes, answer: schemas.Program) -> bytes:
    """The JSON of `answer` from its body's JSON (`body_json`, what the row stores) and its own few fields, byte for
    byte what encoding `answer` whole gives: the body is encoded once (a 45 KB body: 30 µs a time)."""
    own = msgspec.json.encode({name: getattr(answer, name) for name in _AFTER_BODY})
    return body_json[:-1] + b"," + own[1:]


def prescribed(body: schemas.ProgramBody) -> dict[str, list[str]]:
    """The columns that list a body's prescriptions for the stats counters, in the body's order: stored with every
    body a program is given (here and on a revision)."""
    pairs = [(phase.key.value, item.exercise.slug) for phase in body.phases for item in phase.items]
    return {"prescribed_phases": [p for p, _ in pairs], "prescribed_exercises": [e for _, e in pairs]}


async def _row(session: AsyncSession, program_id: str) -> models.Program:
    parsed = parse_uuid(program_id)
    row = await session.get(models.Program, parsed) if parsed else None
    if row is None:
        raise NotFound(f"No program with id '{program_id}'.")
    return row


async def get(session: AsyncSession, program_id: str) -> schemas.Program:
    return _resource(await _row(session, program_id))


def is_served(row: models.Program) -> bool:
    return not schemas.retired(row.ruleset_version)


async def served(session: AsyncSession, program_id: str) -> models.Program:
    """The caller's program row, if this API still serves it (NotFound, Retired)."""
    row = await _row(session, program_id)
    check_served(row)
    return row


def body_of(row: models.Program) -> schemas.ProgramBody:
    """The program as its current revision is (the row keeps the current one)."""
    return msgspec.convert(row.body, schemas.ProgramBody)


async def by_ids(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, schemas.Program]:
    """Those of `ids` the session's tenant owns and this API still serves (not retired), in one statement (GraphQL's
    batched loads)."""
    rows = await session.scalars(select(models.Program).where(models.Program.id.in_(ids)))
    return {row.id: _resource(row) for row in rows if not schemas.retired(row.ruleset_version)}


@dataclass(frozen=True)
class Screening:
    """What screens an assessment again for a program request's conditions (assessments.check_programmable)."""

    rules: RuleSet
    anatomy: Anatomy


@dataclass(frozen=True)
class ProgramFilter:
    assessment_id: uuid.UUID | None = None
    subject_ref: str | None = None


@dataclass(frozen=True)
class ProgramPage:
    items: list[schemas.ProgramSummary]
    cursors: list[str]
    next_cursor: str | None


async def list_programs(session: AsyncSession, flt: ProgramFilter, *, limit: int, cursor: str | None) -> ProgramPage:
    """Newest first, keyset-paged on (created_at, id)."""
    assessments.check_text_filter("subject_ref", flt.subject_ref)
    table = models.Program
    query = select(table).options(defer(table.body))  # a list shows summaries: the bodies stay in the database
    if flt.assessment_id is not None:
        query = query.where(table.assessment_id == flt.assessment_id)
    if flt.subject_ref is not None:
        query = query.where(table.subject_ref == flt.subject_ref)
    rows, cursors, next_cursor = await newest_first(session, table, query, limit=limit, cursor=cursor)
    return ProgramPage(items=[summary(row) for row in rows], cursors=cursors, next_cursor=next_cursor)


def summary(row: models.Program) -> schemas.ProgramSummary:
    parameters = row.parameters
    retired = schemas.retired(row.ruleset_version)
    summary = {
        "id": row.id,
        "assessment_id": row.assessment_id,
        "subject_ref": row.subject_ref,
        "created_at": row.created_at,
        "ruleset_version": row.ruleset_version,
        "weeks": parameters["weeks"],
        "sessions_per_week": parameters["sessions_per_week"],
        "days": [] if retired else parameters["days"],
        "starts_on": None if retired else parameters["starts_on"],
        "revision": row.revision,
        "status": _status(row),
    }
    return msgspec.convert(summary, schemas.ProgramSummary)


async def delete(session: AsyncSession, program_id: str) -> None:
    """Erase the program and the stored idempotent reply that contains it."""
    row = await _row(session, program_id)
    await session.delete(row)
    await idempotency.forget_resource(session, row.id)


async def create(
    statements: StatementPool,
    client_id: uuid.UUID,
    request: schemas.ProgramRequest,
    key: idempotency.Key | None,
    *,
    catalogs: CatalogIndexCache,
    rules: ProgramRules,
    assessment_rules: RuleSet,
    anatomy: Anatomy,
) -> idempotency.Created:
    """Generate and store, once per idempotency key of its door (REST and GraphQL alike): the assessment is read,
    and the program written by one statement, on connections of `statements`."""
    catalog = await catalogs.current()
    row = await new_row(statements, client_id, request, catalog, rules, Screening(assessment_rules, anatomy))
    digest = idempotency.request_digest(request)
    try:
        return await on_driver_connection(
            statements,
            lambda driver: idempotency.insert_once(driver, client_id, OPERATION, key, digest, row),
            retry_if=never_sent,
        )
    except asyncpg.ForeignKeyViolationError:
        # The assessment was erased between its lookup and this insert (the foreign key caught it).
        raise assessments.not_yours(request.assessment_id) from None
