"""Programs: check the request, generate from one of the caller's assessments, store, read back.

Sessions passed in here are tenant sessions (service.db.tenancy): every query below, the assessment's lookup
included, is scoped to the calling client by the session itself, which is why none of them filters by client.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import msgspec
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from service.assessments import schemas as assessment_schemas
from service.assessments import services as assessments
from service.idempotency import services as idempotency
from service.lib.ids import parse_uuid
from service.lib.pagination import newest_first
from service.programs import models, schemas
from service.programs.catalog_index import CatalogIndex
from service.programs.generator import ReferralRequired, generate, validate_request
from service.programs.index_cache import CatalogIndexCache
from service.programs.rules import ProgramRules
from service.web.problems import FieldError, ProblemError, invalid_request, referral_required

OPERATION = "createProgram"


def _resource(row: models.Program) -> schemas.Program:
    """The stored program as the API shows it: the body as generated, plus its identity."""
    return msgspec.convert(
        {**row.body, "id": str(row.id), "created_at": row.created_at.isoformat(), "subject_ref": row.subject_ref},
        schemas.Program,
    )


def _unknown_assessment(assessment_id: uuid.UUID) -> ProblemError:
    # The same answer whether the id is unknown or another client's: existence elsewhere is never revealed.
    message = "no assessment of yours has this id"
    return ProblemError(
        422,
        f"assessment_id: {message} ('{assessment_id}')",
        errors=[FieldError(field="assessment_id", message=message)],
    )


async def _assessment(session: AsyncSession, assessment_id: uuid.UUID) -> assessment_schemas.Assessment:
    try:
        return await assessments.get(session, str(assessment_id))
    except ProblemError as exc:
        if exc.status_code == 404:
            raise _unknown_assessment(assessment_id) from None
        raise


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


async def create(
    session: AsyncSession, request: schemas.ProgramRequest, catalog: CatalogIndex, rules: ProgramRules
) -> schemas.Program:
    # Slugs first: a request that cannot be right whatever the assessment is a 400, before any lookup.
    problems = _repeats(request) + validate_request(request, catalog)
    if problems:
        raise invalid_request(problems)
    assessment = await _assessment(session, request.assessment_id)
    try:
        body = generate(assessment, request, catalog, rules)
    except ReferralRequired as exc:
        raise referral_required(exc.message, exc.reasons) from None
    row = models.Program(
        assessment_id=assessment.id,
        subject_ref=assessment.subject_ref,
        ruleset_version=body.ruleset_version,
        parameters=msgspec.to_builtins(body.parameters),
        body=msgspec.to_builtins(body),
    )
    session.add(row)
    try:
        await session.flush()
    except IntegrityError:
        # The assessment was erased between its lookup and this insert (the foreign key caught it).
        raise _unknown_assessment(assessment.id) from None
    await session.refresh(row, ["created_at"])
    # The generated body plus its identity: no round trip through the stored dict (the body is ~110 KB).
    return schemas.Program(
        **msgspec.structs.asdict(body), id=row.id, created_at=row.created_at, subject_ref=row.subject_ref
    )


async def _row(session: AsyncSession, program_id: str) -> models.Program:
    parsed = parse_uuid(program_id)
    row = await session.get(models.Program, parsed) if parsed else None
    if row is None:
        raise ProblemError(404, f"No program with id '{program_id}'.")
    return row


async def get(session: AsyncSession, program_id: str) -> schemas.Program:
    return _resource(await _row(session, program_id))


@dataclass(frozen=True)
class ProgramFilter:
    assessment_id: uuid.UUID | None = None
    subject_ref: str | None = None


@dataclass(frozen=True)
class ProgramPage:
    items: list[schemas.Program]
    cursors: list[str]
    next_cursor: str | None


async def list_programs(session: AsyncSession, flt: ProgramFilter, *, limit: int, cursor: str | None) -> ProgramPage:
    """Newest first, keyset-paged on (created_at, id)."""
    assessments.check_text_filter("subject_ref", flt.subject_ref)
    table = models.Program
    query = select(table)
    if flt.assessment_id is not None:
        query = query.where(table.assessment_id == flt.assessment_id)
    if flt.subject_ref is not None:
        query = query.where(table.subject_ref == flt.subject_ref)
    rows, cursors, next_cursor = await newest_first(session, table, query, limit=limit, cursor=cursor)
    return ProgramPage(items=[_resource(row) for row in rows], cursors=cursors, next_cursor=next_cursor)


async def delete(session: AsyncSession, program_id: str) -> None:
    """Erase the program and the stored idempotent reply that contains it."""
    row = await _row(session, program_id)
    await session.delete(row)
    await idempotency.forget_resource(session, row.id)


async def create_idempotently(
    factory: async_sessionmaker[AsyncSession],
    client_id: uuid.UUID,
    request: schemas.ProgramRequest,
    catalogs: CatalogIndexCache,
    rules: ProgramRules,
    key: idempotency.Key | None,
    request_digest: str,
) -> idempotency.Created:
    """Create once per idempotency key (shared by REST and GraphQL, each with its own key namespace)."""
    catalog = await catalogs.current()
    return await idempotency.create_once(
        factory, client_id, OPERATION, key, request_digest, lambda session: create(session, request, catalog, rules)
    )
