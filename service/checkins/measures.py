"""Recording an outcome measure and deciding after it (issue 18, items 2 and 3).

The measure is scored and stored by the outcomes domain (service.outcomes.services); what follows from it — a
decision over each program of its assessment that is running — is this domain's, so the measures' front door is
here too. As for a check-in, everything is worked out before anything is written: with an Idempotency-Key the claim,
the measure and the answer (decisions included) are one statement, and a replay writes nothing.
"""

from __future__ import annotations

import uuid
from typing import cast

import msgspec
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession

from service.checkins import schemas as s
from service.checkins.followup import FollowUp, plan_after_outcome, record_plan
from service.checkins.outcomes import Taken
from service.db.engine import json_text
from service.db.oneshot import driver_of
from service.idempotency import services as idempotency
from service.idempotency.services import NewRow
from service.lib.errors import NotFound, Unprocessable
from service.lib.ids import parse_uuid
from service.outcomes import models as outcome_models
from service.outcomes import schemas as outcome_schemas
from service.outcomes import services as outcomes

OPERATION = "createOutcome"


class _Keyed(msgspec.Struct):
    """What an Idempotency-Key's reuse is compared by: the same body for another assessment is another request."""

    assessment_id: uuid.UUID
    outcome: outcome_schemas.OutcomeRequest


def assessment_id_of(value: str) -> uuid.UUID:
    parsed = parse_uuid(value)
    if parsed is None:
        raise NotFound(f"No assessment with id '{value}'.")
    return parsed


async def record(
    session: AsyncSession,
    client_id: uuid.UUID,
    assessment_id: str,
    request: outcome_schemas.OutcomeRequest,
    key: idempotency.Key | None,
    follow: FollowUp,
) -> idempotency.Created:
    """Score and store a measure, and decide over the assessment's running programs (in the caller's transaction)."""
    parsed = assessment_id_of(assessment_id)
    try:
        row, outcome = await outcomes.prepare(session, parsed, request.taken_on, request.answers, follow.outcomes)
    except Unprocessable:  # no assessment of yours: in a path, that is a 404
        raise NotFound(f"No assessment with id '{assessment_id}'.") from None
    planned = await plan_after_outcome(session, parsed, Taken(request.taken_on, request.answers), follow)
    answer = s.RecordedOutcome(
        **msgspec.structs.asdict(outcome),
        decisions=[s.ProgramDecision(program_id=program.id, decision=made.decision) for program, made in planned],
    )
    values = {column.name: getattr(row, column.key) for column in outcome_models.Outcome.__table__.columns}
    values |= {"client_id": client_id, "answers": json_text(row.answers), "score": json_text(row.score)}
    new = NewRow(table=cast(Table, outcome_models.Outcome.__table__), values=values, answer=answer)
    digest = idempotency.request_digest(_Keyed(parsed, request))
    created = await idempotency.insert_once(await driver_of(session), client_id, OPERATION, key, digest, new)
    if not created.replayed:
        for program, made in planned:
            await record_plan(session, program, made, outcome_id=row.id)
    return created
