"""Assessments: validate, run the rules, store, read back — for the caller's tenant only.

Sessions passed in here are tenant sessions (service.db.tenancy): every query below is scoped to the
calling client by the session itself, which is why none of them filters by client by hand.
"""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from service.assessments import models, schemas
from service.assessments.engine import assess, validate_input
from service.assessments.rules import RuleSet
from service.idempotency import services as idempotency
from service.lib.ids import parse_uuid
from service.lib.pagination import newest_first
from service.programs.models import Program
from service.web.problems import ProblemError, bad_request, check_instant, invalid_request

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
        raise invalid_request(problems)
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
    # The result and input as they are, plus the row's identity: no round trip through the stored dicts.
    return schemas.Assessment(
        **msgspec.structs.asdict(result), id=row.id, created_at=row.created_at, subject_ref=row.subject_ref, input=data
    )


async def _row(session: AsyncSession, assessment_id: str) -> models.Assessment:
    parsed = parse_uuid(assessment_id)
    row = await session.get(models.Assessment, parsed) if parsed else None
    if row is None:
        raise ProblemError(404, f"No assessment with id '{assessment_id}'.")
    return row


async def get(session: AsyncSession, assessment_id: str) -> schemas.Assessment:
    return _resource(await _row(session, assessment_id))


async def by_ids(session: AsyncSession, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, schemas.Assessment]:
    """Those of `ids` the session's tenant owns, in one statement (GraphQL's batched loads)."""
    rows = await session.scalars(select(models.Assessment).where(models.Assessment.id.in_(ids)))
    return {row.id: _resource(row) for row in rows}


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


# check_text_filter's rule as a pattern, for the OpenAPI document of the REST filters (Cc: C0, DEL and C1).
NO_CONTROL_CHARACTERS = r"^[^\x00-\x1f\x7f-\x9f]*$"


def check_text_filter(field: str, value: str | None) -> None:
    """A text filter names stored text (a subject reference, a pattern slug), which never holds control
    characters (validate_input, the rules); PostgreSQL refuses a NUL outright and UTF-8 a lone surrogate, so one
    is a 400 here rather than a database error."""
    if value is not None and any(unicodedata.category(c) in ("Cc", "Cs") for c in value):
        raise bad_request(field, "must not contain control characters")


async def list_assessments(
    session: AsyncSession, flt: AssessmentFilter, *, limit: int, cursor: str | None
) -> AssessmentPage:
    """Newest first, keyset-paged on (created_at, id)."""
    check_text_filter("subject_ref", flt.subject_ref)
    check_text_filter("pattern", flt.pattern)
    table = models.Assessment
    query = select(table)
    if flt.subject_ref is not None:
        query = query.where(table.subject_ref == flt.subject_ref)
    if flt.status is not None:
        query = query.where(table.status == flt.status)
    if flt.pattern is not None:
        query = query.where(table.pattern_slugs.contains([flt.pattern]))
    # Checked here too, not only when REST parses them: GraphQL's DateTime arrives as a datetime already.
    if flt.created_after is not None:
        query = query.where(table.created_at > check_instant("created_after", flt.created_after))
    if flt.created_before is not None:
        query = query.where(table.created_at < check_instant("created_before", flt.created_before))
    rows, cursors, next_cursor = await newest_first(session, table, query, limit=limit, cursor=cursor)
    return AssessmentPage(items=[_resource(row) for row in rows], cursors=cursors, next_cursor=next_cursor)


async def delete(session: AsyncSession, assessment_id: str) -> None:
    """Erase the assessment and what was derived from it (programs cascade; stored idempotent replies go too)."""
    row = await _row(session, assessment_id)
    # The database erases the programs (ON DELETE CASCADE); their stored replies must not outlive them either.
    program_ids = (await session.scalars(select(Program.id).where(Program.assessment_id == row.id))).all()
    await session.delete(row)
    await idempotency.forget_resource(session, row.id, *program_ids)


async def create_idempotently(
    factory: async_sessionmaker[AsyncSession],
    client_id: uuid.UUID,
    data: schemas.AssessmentInput,
    rules: RuleSet,
    known_muscles: frozenset[str],
    key: idempotency.Key | None,
    request_digest: str,
) -> idempotency.Created:
    """Create once per idempotency key (shared by REST and GraphQL, each with its own key namespace)."""
    return await idempotency.create_once(
        factory, client_id, OPERATION, key, request_digest, lambda session: create(session, data, rules, known_muscles)
    )
