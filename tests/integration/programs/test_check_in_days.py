"""Issue 18: a check-in's decision reads its program's other check-ins as totals by day (check_in_days, kept by a
trigger as check-ins are inserted, changed and deleted) and the few notable ones in full (service.checkins.followup).
Over random check-ins, changes and deletions in real PostgreSQL, the totals equal those of the stored check-ins, and
what the decision reads equals `decisions.summarize` of them all, and so decides the same."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncEngine

from devkit.programs import ASSESSMENT_RULES
from service.checkins import models
from service.checkins.decisions import Situation, Summary, decide, summarize
from service.checkins.history import read_history
from service.checkins.rules import load_checkin_rules
from service.checkins.schemas import CheckInInput, CheckInKind, ItemDone
from service.db.engine import create_session_factory
from service.db.tenancy import tenant_session
from service.outcomes.rules import load_outcome_rules
from service.programs.models import Program
from tests.integration.programs.conftest import Client, Headers, create_assessment

SCREENING = ASSESSMENT_RULES.screening
RULES = load_checkin_rules(SCREENING)
OUTCOMES = load_outcome_rules()
STARTS_ON = datetime.now(UTC).date() - timedelta(days=40)


@pytest.fixture(scope="module")
async def own(client: Client, planner: Headers) -> tuple[uuid.UUID, uuid.UUID]:
    """The planner's client and a program of theirs (a desk worker's: baseline pain 4)."""
    assessment = await create_assessment(client, planner)
    request = {"assessment_id": assessment["id"], "starts_on": STARTS_ON.isoformat()}
    made = await client.post("/v1/programs", json=request, headers=planner)
    assert made.status_code == 201, made.text
    tenant = uuid.UUID((await client.get("/v1/me", headers=planner)).json()["client"]["id"])
    return tenant, uuid.UUID(made.json()["id"])


CHECK_INS = st.builds(
    CheckInInput,
    date=st.integers(0, 30).map(lambda day: STARTS_ON + timedelta(days=day)),
    kind=st.sampled_from(list(CheckInKind)),
    items=st.lists(st.integers(1, 30).map(lambda n: ItemDone(prescription=f"p{n}", sets=1)), max_size=3),
    pain_before=st.integers(0, 10),
    pain_during=st.integers(0, 10),
    pain_after=st.integers(0, 10),
    pain_next_morning=st.none() | st.integers(0, 10),
    symptoms=st.dictionaries(st.sampled_from(["chest_pain", "saddle_numbness"]), st.booleans(), max_size=2)
    | st.just({}),
)
# What happens to a stored check-in after it is inserted: kept, changed into another (any field), or deleted.
FATES = st.one_of(st.just("kept"), st.just("deleted"), CHECK_INS)


def _days_of(check_ins: list[CheckInInput]) -> dict[date, tuple[Any, ...]]:
    """The totals the trigger keeps, worked out from the check-ins."""
    by_day: dict[date, list[CheckInInput]] = {}
    for c in check_ins:
        by_day.setdefault(c.date, []).append(c)
    found = {}
    for day, these in by_day.items():
        sessions = [c for c in these if c.kind is CheckInKind.session]
        during = Counter(c.pain_during for c in these)
        mornings = Counter(11 if c.pain_next_morning is None else c.pain_next_morning for c in these)
        found[day] = (
            len(these),
            sum(c.pain_before for c in these),
            sum(c.pain_during for c in these),
            len(sessions),
            sum(c.pain_next_morning is None for c in sessions),
            sum(any(c.symptoms.values()) for c in these),
            tuple(during[p] for p in range(11)),
            tuple(mornings[p] for p in range(12)),
        )
    return found


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    history=st.lists(st.tuples(CHECK_INS, FATES), max_size=25),
    on=st.integers(0, 32).map(lambda day: STARTS_ON + timedelta(days=day)),
)
async def test_the_days_and_the_notable_check_ins_are_those_of_the_stored_check_ins(
    engine: AsyncEngine, own: tuple[uuid.UUID, uuid.UUID], history: list[tuple[CheckInInput, Any]], on: date
) -> None:
    tenant, program_id = own
    async with tenant_session(create_session_factory(engine), tenant) as session:
        transaction = await session.begin()
        try:
            rows = [
                models.CheckIn(
                    id=uuid.uuid4(),
                    client_id=tenant,
                    program_id=program_id,
                    revision=1,
                    date=c.date,
                    kind=c.kind.value,
                    input=msgspec.to_builtins(c),
                )
                for c, _ in history
            ]
            session.add_all(rows)
            await session.flush()
            stored = []
            for row, (_, fate) in zip(rows, history, strict=True):
                if fate == "deleted":
                    await session.execute(delete(models.CheckIn).where(models.CheckIn.id == row.id))
                    continue
                if isinstance(fate, CheckInInput):
                    changed = {"date": fate.date, "kind": fate.kind.value, "input": msgspec.to_builtins(fate)}
                    await session.execute(update(models.CheckIn).where(models.CheckIn.id == row.id).values(**changed))
                stored.append(fate if isinstance(fate, CheckInInput) else msgspec.convert(row.input, CheckInInput))

            days = models.CheckInDay
            kept = await session.execute(
                select(
                    days.date, days.count, days.pain_before, days.pain_during, days.sessions, days.unsettled,
                    days.said_yes, days.during, days.next_morning,
                ).where(days.program_id == program_id, days.count > 0)
            )  # fmt: skip
            assert {row.date: (*row[1:7], tuple(row.during), tuple(row.next_morning)) for row in kept} == _days_of(
                stored
            )

            program = await session.get(Program, program_id)
            assert program is not None
            read = await read_history(session, program, on, RULES)
        finally:
            await transaction.rollback()

    baseline = read.baseline_pain or 0
    expected = summarize(stored, on, baseline, RULES)
    assert sorted(read.days, key=lambda d: d.date) == sorted(expected.days, key=lambda d: d.date)
    notable = [c for _, c in read.notable]
    assert sorted(map(_said, notable)) == sorted(
        _said(_without_items_before_the_window(c, on)) for c in expected.notable
    )
    situation = Situation(
        starts_on=STARTS_ON, on=on, baseline_pain=baseline, sessions_per_week=3, session_minutes=45, check_ins=stored
    )
    read_back = replace(situation, check_ins=(), summary=Summary(read.days, notable))
    from_the_database = decide(read_back, RULES, OUTCOMES, SCREENING)
    assert msgspec.json.encode(from_the_database) == msgspec.json.encode(decide(situation, RULES, OUTCOMES, SCREENING))


def _said(check_in: CheckInInput) -> bytes:
    """A check-in's JSON with its symptoms in one order (JSONB keeps them in its own)."""
    return msgspec.json.encode(msgspec.to_builtins(check_in, order="deterministic"))


def _without_items_before_the_window(check_in: CheckInInput, on: date) -> CheckInInput:
    """As the history reads a check-in: its items only in the decision's window."""
    if check_in.date > on - timedelta(days=7):
        return check_in
    return msgspec.structs.replace(check_in, items=[])
