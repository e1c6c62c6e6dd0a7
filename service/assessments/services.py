"""Assessments: validate, run the rules, store, read back — for the caller's tenant only.

Sessions passed in here are tenant sessions (service.db.tenancy): every query below is scoped to the
calling client by the session itself, which is why none of them filters by client by hand. A create is one
statement that names its client explicitly (`new_row`), on the one-statement engine.
"""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import cast

import msgspec
from sqlalchemy import Table, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.assessments import models, schemas
from service.assessments.engine import assess, validate_input
from service.assessments.rules import RuleSet
from service.db.engine import json_text
from service.db.oneshot import StatementPool, never_sent, on_driver_connection
from service.idempotency import services as idempotency
from service.idempotency.services import NewRow
from service.lib.errors import Invalid, NotFound
from service.lib.ids import parse_uuid
from service.lib.instants import check_instant
from service.lib.pagination import newest_first

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


def new_row(
    client_id: uuid.UUID, data: schemas.AssessmentInput, rules: RuleSet, known_muscles: frozenset[str]
) -> NewRow:
    """The assessment of `data`, ready to insert: checked, assessed, with its id and time chosen here, so that the
    answer is complete before the one statement that stores it (service.idempotency.services.insert_once)."""
    problems = validate_input(data, known_muscles)
    if problems:
        raise Invalid(problems)
    result = assess(data, rules)
    answer = schemas.Assessment(
        **msgspec.structs.asdict(result),
        id=uuid.uuid4(),
        created_at=datetime.now(UTC),
        subject_ref=data.subject_ref,
        input=data,
    )
    values = {
        "id": answer.id,
        "client_id": client_id,
        "subject_ref": data.subject_ref,
        "status": result.status,
        "ruleset_version": result.ruleset_version,
        "pattern_slugs": [pattern.slug for pattern in result.patterns],
        "input": json_text(data),
        "result": json_text(result),
        "created_at": answer.created_at,
    }
    return NewRow(table=cast(Table, models.Assessment.__table__), values=values, body=msgspec.to_builtins(answer))


async def _row(session: AsyncSession, assessment_id: str) -> models.Assessment:
    parsed = parse_uuid(assessment_id)
    row = await session.get(models.Assessment, parsed) if parsed else None
    if row is None:
        raise NotFound(f"No assessment with id '{assessment_id}'.")
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
        raise Invalid.field(field, "must not contain control characters")


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
    await session.delete(row)
    await idempotency.forget_resource(session, row.id)
    # The database erases the programs derived from it (ON DELETE CASCADE); their stored answers, which name it,
    # must not outlive them either.
    await idempotency.forget_answers_naming(session, row.client_id, "assessment_id", str(row.id))


async def create(
    statements: StatementPool,
    client_id: uuid.UUID,
    data: schemas.AssessmentInput,
    key: idempotency.Key | None,
    *,
    rules: RuleSet,
    known_muscles: frozenset[str],
) -> idempotency.Created:
    """Assess and store, once per idempotency key of its door (REST and GraphQL alike): one statement on a
    connection of `statements` (service.db.oneshot)."""
    row = new_row(client_id, data, rules, known_muscles)
    digest = idempotency.request_digest(data)
    return await on_driver_connection(
        statements,
        lambda driver: idempotency.insert_once(driver, client_id, OPERATION, key, digest, row),
        retry_if=never_sent,
    )
