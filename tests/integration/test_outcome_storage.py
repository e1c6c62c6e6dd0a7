"""Issue 18, item 2 (storage; the endpoints are not built yet): outcome measures are recorded against one of the
tenant's assessments, scored when recorded (invalid answers store nothing), read back with their change against the
first taking of the same measure, invisible to other tenants, and erased with the assessment."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncEngine

from devkit.keys import make_key
from devkit.personas import DESK_WORKER
from service.assessments import services as assessments
from service.db.engine import create_session_factory
from service.db.tenancy import tenant_session
from service.lib.errors import Invalid, NotFound, Unprocessable
from service.outcomes import schemas as s
from service.outcomes import services
from service.outcomes.rules import load_outcome_rules
from service.settings import Settings

RULES = load_outcome_rules()
ODI_40 = [2, 2, 2, 2, 2, 2, 2, 2, 2, 2]
ODI_28 = [1, 2, 1, 2, 1, 2, 1, 2, 1, 1]


def answers(body: dict[str, Any]) -> s.OutcomeInput:
    return msgspec.convert(body, s.OutcomeInput)  # type: ignore[arg-type,no-any-return]


async def _tenant(client: AsyncTestClient[Litestar], settings: Settings, name: str) -> tuple[uuid.UUID, str]:
    """A client of its own, its id and one assessment of it."""
    key = await make_key(settings, f"{name}-{uuid.uuid4()}", ["assessments:read", "assessments:write"])
    headers = {"Authorization": f"Bearer {key}"}
    me = (await client.get("/v1/me", headers=headers)).json()
    created = await client.post("/v1/assessments", json=DESK_WORKER, headers=headers)
    assert created.status_code == 201, created.text
    return uuid.UUID(me["client"]["id"]), created.json()["id"]


async def test_measures_are_scored_stored_and_compared_with_their_first_taking(
    client: AsyncTestClient[Litestar], settings: Settings, engine: AsyncEngine
) -> None:
    factory = create_session_factory(engine)
    tenant, assessment = await _tenant(client, settings, "outcomes")
    other, _ = await _tenant(client, settings, "other")
    assessment_id = uuid.UUID(assessment)
    async with tenant_session(factory, tenant) as session, session.begin():
        later = await services.record(
            session, assessment_id, date(2026, 12, 28), answers({"measure": "odi", "answers": ODI_28}), RULES
        )
        first = await services.record(
            session, assessment_id, date(2026, 11, 30), answers({"measure": "odi", "answers": ODI_40}), RULES
        )
        await services.record(
            session, assessment_id, date(2026, 11, 30), answers({"measure": "nprs", "value": 4}), RULES
        )
    assert later.change is None  # recorded first, it was the first taking then
    assert first.score.score == 40.0 and first.score.band == "moderate"
    async with tenant_session(factory, tenant) as session:
        stored = await services.for_assessment(session, assessment_id, RULES)
    odi = [o for o in stored if o.score.measure is s.Measure.odi]  # in the order taken, whatever the order recorded
    assert [o.taken_on for o in odi] == [date(2026, 11, 30), date(2026, 12, 28)]
    assert odi[0].change is None  # the baseline
    assert odi[1].change is not None and odi[1].change.absolute == -12.0 and odi[1].change.mcid_reached
    [nprs] = [o for o in stored if o.score.measure is s.Measure.nprs]
    assert nprs.change is None and nprs.score.score == 4.0
    # Another tenant sees nothing and cannot record against the assessment.
    async with tenant_session(factory, other) as session, session.begin():
        assert await services.for_assessment(session, assessment_id, RULES) == []
        with pytest.raises(Unprocessable):
            await services.record(
                session, assessment_id, date(2026, 12, 1), answers({"measure": "nprs", "value": 1}), RULES
            )
        with pytest.raises(NotFound):
            await services.delete(session, assessment_id, str(odi[0].id))
    async with tenant_session(factory, tenant) as session, session.begin():
        await services.delete(session, assessment_id, str(nprs.id))
    async with tenant_session(factory, tenant) as session:
        assert [o.id for o in await services.for_assessment(session, assessment_id, RULES)] == [o.id for o in odi]
    # Erasing the assessment erases its measures.
    async with tenant_session(factory, tenant) as session, session.begin():
        await assessments.delete(session, assessment)
    async with tenant_session(factory, tenant) as session:
        assert await services.for_assessment(session, assessment_id, RULES) == []


async def test_invalid_answers_store_nothing(
    client: AsyncTestClient[Litestar], settings: Settings, engine: AsyncEngine
) -> None:
    factory = create_session_factory(engine)
    tenant, assessment = await _tenant(client, settings, "invalid-outcomes")
    assessment_id = uuid.UUID(assessment)
    with pytest.raises(Invalid) as refused:
        async with tenant_session(factory, tenant) as session, session.begin():
            await services.record(
                session,
                assessment_id,
                date(2026, 12, 1),
                answers({"measure": "odi", "answers": [9, None, None, None, 1, 1, 1, 1, 1, 1]}),
                RULES,
            )
    assert {e.field for e in refused.value.errors} == {"answers[0]", "answers"}
    async with tenant_session(factory, tenant) as session:
        assert await services.for_assessment(session, assessment_id, RULES) == []
