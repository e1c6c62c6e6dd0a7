"""Recording and reading outcome measures (issue 18, item 2), in the caller's tenant session: a measure belongs to
one of the caller's assessments, is scored when recorded (an invalid answer is an `Invalid` naming each field, and
nothing is stored), and is read back with its change against the first taking of the same measure."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.assessments import models as assessment_models
from service.assessments import services as assessments
from service.idempotency import services as idempotency
from service.lib.errors import Invalid, NotFound
from service.lib.ids import parse_uuid
from service.lib.pagination import decode_cursor, encode_cursor
from service.outcomes import models
from service.outcomes import schemas as s
from service.outcomes.rules import OutcomeRules
from service.outcomes.scoring import against_first, score


async def prepare(
    session: AsyncSession, assessment_id: uuid.UUID, taken_on: date, answers: s.OutcomeInput, rules: OutcomeRules
) -> tuple[models.Outcome, s.Outcome]:
    """A measure of one of the session tenant's assessments, scored, with its id and time chosen, and its change
    against the first taking worked out, ready to insert (an unsaved row) and as the API shows it. Writes nothing."""
    if await session.get(assessment_models.Assessment, assessment_id) is None:
        raise assessments.not_yours(assessment_id)
    scored = score(answers, rules)
    row = models.Outcome(
        id=uuid.uuid4(),
        assessment_id=assessment_id,
        measure=scored.measure.value,
        taken_on=taken_on,
        ruleset_version=scored.ruleset_version,
        answers=msgspec.to_builtins(answers),
        score=msgspec.to_builtins(scored),
        created_at=datetime.now(UTC),
    )
    taken = await _rows(session, assessment_id)
    ordered = sorted([*taken, row], key=_order)
    resource = next(outcome for outcome in _resources(ordered, rules) if outcome.id == row.id)
    return row, resource


async def record(
    session: AsyncSession, assessment_id: uuid.UUID, taken_on: date, answers: s.OutcomeInput, rules: OutcomeRules
) -> s.Outcome:
    """Score and store a measure of one of the session tenant's assessments (flushed, in the caller's transaction)."""
    row, resource = await prepare(session, assessment_id, taken_on, answers, rules)
    session.add(row)
    await session.flush()
    return resource


def _order(row: models.Outcome) -> tuple[date, datetime, uuid.UUID]:
    return (row.taken_on, row.created_at, row.id)


async def _rows(session: AsyncSession, assessment_id: uuid.UUID) -> list[models.Outcome]:
    table = models.Outcome
    rows = await session.scalars(
        select(table).where(table.assessment_id == assessment_id).order_by(table.taken_on, table.created_at, table.id)
    )
    return list(rows)


async def for_assessment(session: AsyncSession, assessment_id: uuid.UUID, rules: OutcomeRules) -> list[s.Outcome]:
    """Every measure of the assessment, in the order taken."""
    return (await for_assessments(session, [assessment_id], rules))[assessment_id]


async def for_assessments(
    session: AsyncSession, assessment_ids: Sequence[uuid.UUID], rules: OutcomeRules
) -> dict[uuid.UUID, list[s.Outcome]]:
    """Every measure of each assessment, in the order taken, in one statement whatever their number (GraphQL's
    batched loads, a list of programs' progress); an assessment without measures, or not the tenant's, has none."""
    table = models.Outcome
    rows = await session.scalars(
        select(table)
        .where(table.assessment_id.in_(assessment_ids))
        .order_by(table.assessment_id, table.taken_on, table.created_at, table.id)
    )
    taken: dict[uuid.UUID, list[models.Outcome]] = {assessment_id: [] for assessment_id in assessment_ids}
    for row in rows:
        taken[row.assessment_id].append(row)
    return {assessment_id: _resources(found, rules) for assessment_id, found in taken.items()}


async def _assessment_must_exist(session: AsyncSession, assessment_id: uuid.UUID) -> None:
    if await session.get(assessment_models.Assessment, assessment_id) is None:
        raise NotFound(f"No assessment with id '{assessment_id}'.")


async def page(
    session: AsyncSession, assessment_id: uuid.UUID, rules: OutcomeRules, *, limit: int, cursor: str | None
) -> tuple[list[s.Outcome], str | None]:
    """A page of the assessment's measures in the order taken. Each change reads the first taking, so the page is cut
    from the whole list (an assessment's measures are a handful: a few a month)."""
    await _assessment_must_exist(session, assessment_id)
    taken = await for_assessment(session, assessment_id, rules)
    start = 0
    if cursor:
        after = decode_cursor(cursor, keys={"after"})["after"]
        start = next((i + 1 for i, outcome in enumerate(taken) if str(outcome.id) == after), None)  # type: ignore[assignment]
        if start is None:
            raise Invalid.field("cursor", "not a cursor returned by this API for this assessment")
    items = taken[start : start + limit]
    more = start + limit < len(taken)
    return items, encode_cursor({"after": str(items[-1].id)}) if more and items else None


async def delete(session: AsyncSession, assessment_id: uuid.UUID, outcome_id: str) -> None:
    """Erase a measure of the assessment and the stored answer of the request that recorded it."""
    parsed = parse_uuid(outcome_id)
    row = await session.get(models.Outcome, parsed) if parsed is not None else None
    if row is None or row.assessment_id != assessment_id:
        raise NotFound(f"No outcome measure with id '{outcome_id}' of assessment '{assessment_id}'.")
    await session.delete(row)
    await idempotency.forget_resource(session, row.id)


def _resources(taken: list[models.Outcome], rules: OutcomeRules) -> list[s.Outcome]:
    """An assessment's rows, in the order taken, as resources with their changes (from the scores as stored: each
    under the rules that produced it)."""
    answered = [(msgspec.convert(row.answers, s.OutcomeInput), msgspec.convert(row.score, s.Score)) for row in taken]
    return [
        s.Outcome(
            id=row.id,
            assessment_id=row.assessment_id,
            taken_on=row.taken_on,
            created_at=row.created_at,
            answers=answers,
            score=scored,
            change=moved,
        )
        for row, (answers, scored), moved in zip(taken, answered, against_first(answered, rules), strict=True)
    ]
