"""Assessments: validate, run the rules, store, read back — for the caller's tenant only.

Sessions passed in here are tenant sessions (service.clients.tenancy): every query below is scoped to the
calling client by the session itself, which is why none of them filters by client by hand.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import msgspec
from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from service.assessments import models, schemas
from service.assessments.engine import assess, validate_input
from service.assessments.rules import RuleSet
from service.clients.tenancy import tenant_session
from service.idempotency import services as idempotency
from service.pagination import decode_cursor, encode_cursor
from service.problems import FieldError, ProblemError, bad_request

OPERATION = "createAssessment"


def _resource(row: models.Assessment) -> schemas.Assessment:
    return msgspec.convert(
        {
            **row.result,
            "id": str(row.id),
            "created_at": row.created_at.isoformat(),
            "subject_ref": row.subject_ref,
            "input": row.input,
        },
        schemas.Assessment,
    )


async def create(
    session: AsyncSession, data: schemas.AssessmentInput, rules: RuleSet, known_muscles: frozenset[str]
) -> schemas.Assessment:
    problems = validate_input(data, known_muscles)
    if problems:
        errors = [FieldError(field=field, message=message) for field, message in problems]
        raise ProblemError(400, "; ".join(f"{e.field}: {e.message}" for e in errors), errors=errors)
    result = assess(data, rules)
    row = models.Assessment(
        subject_ref=data.subject_ref,
        status=result.status,
        ruleset_version=result.ruleset_version,
        pattern_slugs=[pattern.slug for pattern in result.patterns],
        input=msgspec.to_builtins(data),
        result=msgspec.to_builtins(result),
    )
    session.add(row)
    await session.flush()
    await session.refresh(row, ["created_at"])
    return _resource(row)


def _parse_id(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


async def get(session: AsyncSession, assessment_id: str) -> schemas.Assessment:
    parsed = _parse_id(assessment_id)
    row = await session.get(models.Assessment, parsed) if parsed else None
    if row is None:
        raise ProblemError(404, f"No assessment with id '{assessment_id}'.")
    return _resource(row)


@dataclass(frozen=True)
class AssessmentFilter:
    subject_ref: str | None = None
    status: str | None = None
    pattern: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None


@dataclass(frozen=True)
class AssessmentPage:
    items: list[schemas.Assessment]
    cursors: list[str]
    next_cursor: str | None


async def list_assessments(
    session: AsyncSession, flt: AssessmentFilter, *, limit: int, cursor: str | None
) -> AssessmentPage:
    """Newest first, keyset-paged on (created_at, id)."""
    table = models.Assessment
    query = select(table)
    if flt.subject_ref is not None:
        query = query.where(table.subject_ref == flt.subject_ref)
    if flt.status is not None:
        query = query.where(table.status == flt.status)
    if flt.pattern is not None:
        query = query.where(table.pattern_slugs.contains([flt.pattern]))
    if flt.created_after is not None:
        query = query.where(table.created_at > flt.created_after)
    if flt.created_before is not None:
        query = query.where(table.created_at < flt.created_before)
    if cursor:
        position = decode_cursor(cursor, keys={"t", "id"})
        try:
            at, after_id = datetime.fromisoformat(position["t"]), uuid.UUID(position["id"])
        except (TypeError, ValueError):
            raise bad_request("cursor", "not a cursor returned by this API") from None
        query = query.where(or_(table.created_at < at, and_(table.created_at == at, table.id < after_id)))
    rows: Sequence[models.Assessment] = (
        await session.scalars(query.order_by(table.created_at.desc(), table.id.desc()).limit(limit + 1))
    ).all()
    page = list(rows[:limit])
    cursors = [encode_cursor({"t": row.created_at.isoformat(), "id": str(row.id)}) for row in page]
    return AssessmentPage(
        items=[_resource(row) for row in page],
        cursors=cursors,
        next_cursor=cursors[-1] if len(rows) > limit else None,
    )


async def delete(session: AsyncSession, assessment_id: str) -> None:
    """Erase the assessment and what was derived from it (programs cascade; stored idempotent replies go too)."""
    parsed = _parse_id(assessment_id)
    row = await session.get(models.Assessment, parsed) if parsed else None
    if row is None:
        raise ProblemError(404, f"No assessment with id '{assessment_id}'.")
    await session.delete(row)
    await idempotency.forget_resource(session, row.id)


@dataclass(frozen=True)
class Created:
    status: int
    body: dict[str, Any]
    replayed: bool


async def create_idempotently(
    factory: async_sessionmaker[AsyncSession],
    client_id: uuid.UUID,
    data: schemas.AssessmentInput,
    rules: RuleSet,
    known_muscles: frozenset[str],
    key: str | None,
    request_digest: str,
) -> Created:
    """Create once per Idempotency-Key: a retry replays the first answer (shared by REST and GraphQL)."""
    if key is not None:
        async with factory() as session:
            replay = await idempotency.claim(session, client_id, OPERATION, key, request_digest)
        if replay is not None:
            return Created(status=replay.status, body=replay.body, replayed=True)
    try:
        async with tenant_session(factory, client_id) as session, session.begin():
            created = await create(session, data, rules, known_muscles)
            body = msgspec.to_builtins(created)
            if key is not None:
                await idempotency.complete(session, client_id, OPERATION, key, 201, body, created.id)
    except BaseException:
        if key is not None:
            async with factory() as session:
                await idempotency.release(session, client_id, OPERATION, key)
        raise
    return Created(status=201, body=body, replayed=False)
