"""Recording and reading outcome measures (issue 18, item 2), in the caller's tenant session: a measure belongs to
one of the caller's assessments, is scored when recorded (an invalid answer is an `Invalid` naming each field, and
nothing is stored), and is read back with its change against the first taking of the same measure."""

from __future__ import annotations

import uuid
from datetime import date

import msgspec
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.assessments import models as assessment_models
from service.assessments import services as assessments
from service.lib.errors import NotFound
from service.outcomes import models
from service.outcomes import schemas as s
from service.outcomes.rules import OutcomeRules
from service.outcomes.scoring import against_first, score


async def record(
    session: AsyncSession, assessment_id: uuid.UUID, taken_on: date, answers: s.OutcomeInput, rules: OutcomeRules
) -> s.Outcome:
    """Score and store a measure of one of the session tenant's assessments (flushed, in the caller's transaction)."""
    if await session.get(assessment_models.Assessment, assessment_id) is None:
        raise assessments.not_yours(assessment_id)
    scored = score(answers, rules)
    row = models.Outcome(
        assessment_id=assessment_id,
        measure=scored.measure.value,
        taken_on=taken_on,
        ruleset_version=scored.ruleset_version,
        answers=msgspec.to_builtins(answers),
        score=msgspec.to_builtins(scored),
    )
    session.add(row)
    await session.flush()
    await session.refresh(row, ["created_at"])
    taken = await for_assessment(session, assessment_id, rules)
    return next(outcome for outcome in taken if outcome.id == row.id)


async def for_assessment(session: AsyncSession, assessment_id: uuid.UUID, rules: OutcomeRules) -> list[s.Outcome]:
    """Every measure of the assessment, in the order taken."""
    table = models.Outcome
    rows = await session.scalars(
        select(table).where(table.assessment_id == assessment_id).order_by(table.taken_on, table.created_at, table.id)
    )
    return _resources(list(rows), rules)


async def delete(session: AsyncSession, outcome_id: uuid.UUID) -> None:
    row = await session.get(models.Outcome, outcome_id)
    if row is None:
        raise NotFound(f"No outcome with id '{outcome_id}'.")
    await session.delete(row)


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
