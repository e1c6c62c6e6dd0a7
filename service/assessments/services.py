"""Assessments: validate, run the rules, compare with the previous one, store, read back — for the caller's tenant
only.

Sessions passed in here are tenant sessions (service.db.tenancy): every query below is scoped to the
calling client by the session itself, which is why none of them filters by client by hand. A create is one
statement that names its client explicitly (`new_row`), on the one-statement engine; a reassessment reads the
assessment it names in a tenant session first.
"""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import cast

import asyncpg
import msgspec
from sqlalchemy import Table, Text, literal, null, select, update
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects.postgresql import JSON, JSONB
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from service.assessments import models, schemas
from service.assessments.anatomy import Anatomy
from service.assessments.engine import assess
from service.assessments.reassessment import PainMcid, compare
from service.assessments.rules import RuleSet
from service.assessments.validation import validate_input
from service.db.engine import json_text
from service.db.oneshot import StatementPool, never_sent, on_driver_connection
from service.db.tenancy import tenant_session
from service.idempotency import services as idempotency
from service.idempotency.services import NewRow
from service.lib.errors import FieldError, Invalid, NotFound, ReferralRequired, Unprocessable
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
            "comparison": row.comparison,
        },
        schemas.Assessment,
    )


@dataclass(frozen=True)
class Previous:
    """What a reassessment is compared with: the assessment its `previous_assessment_id` names, as the caller's
    tenant session found it (None: no assessment of the caller has that id), and the NPRS's meaningful change."""

    assessment: schemas.Assessment | None
    pain_mcid: PainMcid


def new_row(
    client_id: uuid.UUID,
    data: schemas.AssessmentInput,
    rules: RuleSet,
    anatomy: Anatomy,
    previous: Previous | None = None,
) -> NewRow:
    """The assessment of `data`, ready to insert: checked, assessed, compared with `previous` when `data` names one,
    with its id and time chosen here, so that the answer is complete before the one statement that stores it
    (service.idempotency.services.insert_once)."""
    created_at = datetime.now(UTC)
    problems = validate_input(data, rules, anatomy, created_at.date())
    if problems:
        raise Invalid(problems)
    result = assess(data, rules, on=created_at.date(), anatomy=anatomy)
    answer = schemas.Assessment(
        **msgspec.structs.asdict(result),
        id=uuid.uuid4(),
        created_at=created_at,
        subject_ref=data.subject_ref,
        input=data,
    )
    if (previous_id := data.previous_assessment_id) is not None:
        if previous is None:
            raise TypeError("a reassessment needs the previous assessment looked up (services.create does)")
        answer = msgspec.structs.replace(answer, comparison=_compared(answer, previous_id, previous, rules))
    values = {
        "id": answer.id,
        "client_id": client_id,
        "subject_ref": data.subject_ref,
        "status": result.status,
        "ruleset_version": result.ruleset_version,
        "pattern_slugs": [pattern.slug for pattern in result.patterns],
        "overactive_muscles": [finding.muscle for finding in result.overactive],
        "underactive_muscles": [finding.muscle for finding in result.underactive],
        "referral_reasons": result.referral.reasons if result.referral is not None else [],
        "input": json_text(data),
        "result": json_text(result),
        "created_at": answer.created_at,
        "previous_assessment_id": data.previous_assessment_id,
        "comparison": json_text(answer.comparison) if answer.comparison is not None else None,
    }
    return NewRow(table=cast(Table, models.Assessment.__table__), values=values, answer=answer)


PREVIOUS = "previous_assessment_id"
PREVIOUS_FOREIGN_KEY = "fk_assessments_previous_assessment_id_assessments"  # its name by the naming convention


def _compared(
    answer: schemas.Assessment, previous_id: uuid.UUID, previous: Previous, rules: RuleSet
) -> schemas.Comparison:
    """The comparison of a reassessment with the assessment it names, which must be the caller's, made before it and
    of the same person: a subject reference on both that differs names another person."""
    before = previous.assessment
    if before is None:
        raise not_yours(previous_id, field=PREVIOUS)
    if before.created_at >= answer.created_at:
        message = "must be an assessment made before this one"
        raise Unprocessable(f"{PREVIOUS}: {message}", errors=[FieldError(field=PREVIOUS, message=message)])
    if before.subject_ref is not None and answer.subject_ref is not None and before.subject_ref != answer.subject_ref:
        raise Unprocessable(
            f"{PREVIOUS}: that assessment is of another person (its subject_ref differs from this one's)",
            errors=[
                FieldError(field=PREVIOUS, message="names an assessment of another subject_ref"),
                FieldError(field="subject_ref", message="differs from the previous assessment's subject_ref"),
            ],
        )
    return compare(before, answer, rules.reassessment, previous.pain_mcid)


SCREENING_INCOMPLETE = "screening-incomplete"


def _incomplete(detail: str, missing: list[schemas.MissingAnswer]) -> Unprocessable:
    errors = [FieldError(field=m.field, message=m.question) for m in missing]
    return Unprocessable(detail, kind=SCREENING_INCOMPLETE, title="Screening incomplete", errors=errors)


def _refuse(result: schemas.AssessmentResult | schemas.Assessment, detail: str) -> None:
    if result.status is schemas.AssessmentStatus.refer:
        referral = result.referral
        raise ReferralRequired(referral.message if referral else detail, referral.reasons if referral else [])
    if result.status is schemas.AssessmentStatus.incomplete:
        raise _incomplete(detail, result.missing)


def check_programmable(
    assessment: schemas.Assessment, conditions: list[str], *, rules: RuleSet, anatomy: Anatomy, on: date
) -> None:
    """Refuse a program for an assessment that refers or is incomplete, or that was made before screening; and
    screen the request's `conditions` too, so that a fact refers whichever field it arrives in (a diagnosed acute
    disc injury named only on the program request refers as it would in the assessment)."""
    _refuse(assessment, "This assessment does not allow a program.")
    if assessment.level is None:
        raise _incomplete(
            f"This assessment was made with ruleset {assessment.ruleset_version}, before screening by region: make a "
            "new assessment that answers the screening questions (GET /v1/screening).",
            [],
        )
    known = set(assessment.input.conditions or ())
    screened = rules.screening.condition_answers.keys() | {"pregnancy"}
    new = [c for c in conditions if c in screened and c not in known]
    if not new:
        return
    data = msgspec.structs.replace(assessment.input, conditions=[*(assessment.input.conditions or ()), *new])
    result = assess(data, rules, on=on, anatomy=anatomy)
    _refuse(
        result,
        f"The request names {', '.join(new)}, which the assessment did not screen: answer the questions below in a "
        "new assessment.",
    )


def not_yours(assessment_id: uuid.UUID, field: str = "assessment_id") -> Unprocessable:
    """What a request naming an assessment it cannot use gets (a program's, an outcome's `assessment_id`, a
    reassessment's `previous_assessment_id`): the same answer whether the id is unknown or another client's, so that
    existence elsewhere is never revealed."""
    message = "no assessment of yours has this id"
    return Unprocessable(f"{field}: {message} ('{assessment_id}')", errors=[FieldError(field=field, message=message)])


async def _row(session: AsyncSession, assessment_id: str, *, lock: bool = False) -> models.Assessment:
    parsed = parse_uuid(assessment_id)
    row = await session.get(models.Assessment, parsed, with_for_update=lock) if parsed else None
    if row is None:
        raise NotFound(f"No assessment with id '{assessment_id}'.")
    return row


async def get(session: AsyncSession, assessment_id: str) -> schemas.Assessment:
    return _resource(await _row(session, assessment_id))


# The assessment's JSON as text, each part decoded straight into its struct (twice as fast as decoding to dicts and
# converting those, for a ~20 KB result), scoped to the client by the statement itself (no tenant session here).
_CLIENTS_ONE = f"""
SELECT result::TEXT, input::TEXT, comparison::TEXT, created_at, subject_ref
FROM {models.Assessment.__tablename__} WHERE id = $1 AND client_id = $2
"""
_result = msgspec.json.Decoder(schemas.AssessmentResult)
_input = msgspec.json.Decoder(schemas.AssessmentInput)
_comparison = msgspec.json.Decoder(schemas.Comparison)


async def clients_one(statements: StatementPool, client_id: uuid.UUID, assessment_id: uuid.UUID) -> schemas.Assessment:
    """The client's assessment (NotFound), read on a connection of `statements`: for a create that reads one
    assessment whole (a program's), without a session."""
    row = await on_driver_connection(statements, lambda driver: driver.fetchrow(_CLIENTS_ONE, assessment_id, client_id))
    if row is None:
        raise NotFound(f"No assessment with id '{assessment_id}'.")
    result, data, comparison, created_at, subject_ref = row
    return schemas.Assessment(
        **msgspec.structs.asdict(_result.decode(result)),
        id=assessment_id,
        created_at=created_at,
        subject_ref=subject_ref,
        input=_input.decode(data),
        comparison=_comparison.decode(comparison) if comparison is not None else None,
    )


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
    """Erase the assessment and what was derived from it (programs cascade; stored idempotent replies go too).

    Reassessments that were compared with it keep their own findings but lose the comparison and the link (from the
    stored input too): the comparison holds this assessment's numbers, which erasure must not leave behind. Their
    stored idempotent replies, which hold the comparison as first answered, are forgotten. The row is locked first,
    so that no new reassessment can name it between the two (its foreign key check waits, then fails)."""
    row = await _row(session, assessment_id, lock=True)
    compared = await session.scalars(
        update(models.Assessment)
        .where(models.Assessment.previous_assessment_id == row.id)
        .values(
            previous_assessment_id=None,
            comparison=null(),  # SQL NULL: a None would be stored as the JSON value null
            # The input is JSON text: JSONB's `-` takes the key out, and the result is stored as text again.
            input=sql_cast(sql_cast(models.Assessment.input, JSONB).op("-")(literal(PREVIOUS, Text)), JSON),
        )
        .returning(models.Assessment.id)
        .execution_options(synchronize_session=False)
    )
    later = list(compared)
    await session.delete(row)
    await idempotency.forget_resource(session, row.id, *later)
    # The database erases the programs derived from it (ON DELETE CASCADE); their stored answers, which name it,
    # must not outlive them either.
    await idempotency.forget_answers_naming(session, row.client_id, "assessment_id", str(row.id))


async def _previous(
    factory: async_sessionmaker[AsyncSession], client_id: uuid.UUID, previous_id: uuid.UUID
) -> schemas.Assessment | None:
    """The assessment a reassessment names, if it is the caller's (a tenant session sees no other)."""
    async with tenant_session(factory, client_id) as session:
        row = await session.get(models.Assessment, previous_id)
        return _resource(row) if row is not None else None


async def create(
    factory: async_sessionmaker[AsyncSession],
    statements: StatementPool,
    client_id: uuid.UUID,
    data: schemas.AssessmentInput,
    key: idempotency.Key | None,
    *,
    rules: RuleSet,
    anatomy: Anatomy,
    pain_mcid: PainMcid,
) -> idempotency.Created:
    """Assess and store, once per idempotency key of its door (REST and GraphQL alike): one statement on a
    connection of `statements` (service.db.oneshot); a reassessment first reads the assessment it names in a tenant
    session of `factory`."""
    previous = None
    if data.previous_assessment_id is not None:
        found = await _previous(factory, client_id, data.previous_assessment_id)
        previous = Previous(found, pain_mcid)
    row = new_row(client_id, data, rules, anatomy, previous)
    # What a key's reuse is compared by; without a key nothing is compared (insert_once does not read it).
    digest = idempotency.request_digest(data) if key is not None else ""
    try:
        return await on_driver_connection(
            statements,
            lambda driver: idempotency.insert_once(driver, client_id, OPERATION, key, digest, row),
            retry_if=never_sent,
        )
    except asyncpg.ForeignKeyViolationError as exc:
        # The previous assessment was erased between its lookup and this insert (the foreign key caught it).
        if data.previous_assessment_id is None or exc.constraint_name != PREVIOUS_FOREIGN_KEY:
            raise
        raise not_yours(data.previous_assessment_id, field=PREVIOUS) from None
