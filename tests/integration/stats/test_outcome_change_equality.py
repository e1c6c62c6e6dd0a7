"""The stats' outcome changes, worked out in SQL (service.stats.outcome_changes), equal those of the stored outcomes
(service.outcomes.services.for_assessment, through service.outcomes.scoring.change) on generated takings: the same
follow-ups, the same changes in the better direction, the same MCIDs reached, bucket by bucket.

Each example writes its takings in a transaction that is rolled back, for a client of its own whose assessments
have no other measure."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncEngine

from devkit.keys import make_key
from devkit.personas import DESK_WORKER
from service.db.engine import create_session_factory
from service.db.tenancy import tenant_session
from service.outcomes import schemas as s
from service.outcomes import services as outcomes
from service.outcomes.models import Outcome
from service.outcomes.rules import load_outcome_rules
from service.outcomes.scoring import score
from service.settings import Settings
from service.stats.buckets import Bucket, bucket_start
from service.stats.outcome_changes import changes

RULES = load_outcome_rules()
FIRST_DAY = date(2024, 1, 1)
ASSESSMENTS = 3
# Activities a person may name twice in different ways (spaces, capitals, non-ASCII letters, Unicode spaces).
SPELLINGS = [
    ["walking", " Walking", "WALKING\u00a0"],  # a name holds no control character (a tab)
    ["stairs", "Stairs "],
    ["gärtnern", "GÄRTNERN"],
    ["lifting\u3000", "Lifting"],
    ["sitting", "SITTING "],
]
NAMES = [name for names in SPELLINGS for name in names]


def _activities() -> st.SearchStrategy[list[dict[str, Any]]]:
    activity = st.fixed_dictionaries({"name": st.sampled_from(NAMES), "score": st.integers(0, 10)})
    return st.lists(activity, min_size=3, max_size=5, unique_by=lambda a: a["name"].strip().lower())


@st.composite
def _psfs_pair(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, Any]]:
    """A PSFS and its follow-up naming the same activities, spelled either way, each moved by -3 to +4: one
    activity's rise of 3 decides the MCID often."""
    groups = draw(st.lists(st.sampled_from(SPELLINGS), min_size=3, max_size=5, unique_by=lambda g: g[0]))
    before = [draw(st.integers(0, 10)) for _ in groups]
    after = [min(10, max(0, b + draw(st.integers(-3, 4)))) for b in before]
    return tuple(  # type: ignore[return-value]
        {
            "measure": "psfs",
            "activities": [{"name": draw(st.sampled_from(g)), "score": v} for g, v in zip(groups, vs, strict=True)],
        }
        for vs in (before, after)
    )


def _index(measure: str) -> st.SearchStrategy[dict[str, Any]]:
    answers = st.lists(st.one_of(st.integers(0, 5), st.none()), min_size=10, max_size=10).filter(
        lambda a: a.count(None) <= 2
    )
    return st.fixed_dictionaries({"measure": st.just(measure), "answers": answers})


ANSWERS = st.one_of(
    st.fixed_dictionaries({"measure": st.just("nprs"), "value": st.integers(0, 10)}),
    _index("odi"),
    _index("ndi"),
    st.fixed_dictionaries({"measure": st.just("psfs"), "activities": _activities()}),
    st.fixed_dictionaries(
        {
            "measure": st.just("start_back"),
            "agree": st.lists(st.booleans(), min_size=8, max_size=8),
            "bothersome": st.sampled_from([b.value for b in s.Bothersome]),
        }
    ),
)
# A few measures per assessment, so that most takings have a baseline; days over three months.
TAKINGS = st.lists(st.tuples(st.integers(0, ASSESSMENTS - 1), st.integers(0, 90), ANSWERS), max_size=40)
PSFS_PAIRS = st.lists(st.tuples(st.integers(0, ASSESSMENTS - 1), st.integers(0, 90), _psfs_pair()), max_size=6)


@pytest.fixture(scope="module")
async def own(client: AsyncTestClient[Litestar], settings: Settings) -> tuple[uuid.UUID, list[uuid.UUID]]:
    key = await make_key(settings, f"equality-{uuid.uuid4()}", ["assessments:read", "assessments:write"])
    headers = {"Authorization": f"Bearer {key}"}
    tenant = uuid.UUID((await client.get("/v1/me", headers=headers)).json()["client"]["id"])
    made = []
    for _ in range(ASSESSMENTS):
        response = await client.post("/v1/assessments", json=DESK_WORKER, headers=headers)
        assert response.status_code == 201, response.text
        made.append(uuid.UUID(response.json()["id"]))
    return tenant, made


def _row(assessment: uuid.UUID, day: date, body: dict[str, Any]) -> Outcome:
    answers: s.OutcomeInput = msgspec.convert(body, s.OutcomeInput)  # type: ignore[arg-type]
    scored = score(answers, RULES)
    return Outcome(
        assessment_id=assessment,
        measure=scored.measure.value,
        taken_on=day,
        ruleset_version=scored.ruleset_version,
        answers=msgspec.to_builtins(answers),
        score=msgspec.to_builtins(scored),
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(takings=TAKINGS, pairs=PSFS_PAIRS, bucket=st.sampled_from(list(Bucket)), skip=st.integers(0, 60))
async def test_outcome_changes_equal_the_stored_outcomes(
    engine: AsyncEngine,
    own: tuple[uuid.UUID, list[uuid.UUID]],
    takings: list[tuple[int, int, dict[str, Any]]],
    pairs: list[tuple[int, int, tuple[dict[str, Any], dict[str, Any]]]],
    bucket: Bucket,
    skip: int,
) -> None:
    tenant, assessments = own
    for i, day, (first, then) in pairs:  # the first PSFS of an assessment, then its follow-up 0-30 days on
        takings = [(i, min(day, 60), first), (i, min(day, 60) + 30, then), *takings]
    start, end = FIRST_DAY + timedelta(days=skip), FIRST_DAY + timedelta(days=91)  # baselines may lie before
    factory = create_session_factory(engine)
    async with tenant_session(factory, tenant) as session:
        transaction = await session.begin()
        try:
            session.add_all(_row(assessments[i], FIRST_DAY + timedelta(days=d), body) for i, d, body in takings)
            await session.flush()
            found = await changes(session, start, end, bucket, RULES, by_client=False)
            stored = [o for a in assessments for o in await outcomes.for_assessment(session, a, RULES)]
        finally:
            await transaction.rollback()

    expected: dict[tuple[date, str], list[Any]] = defaultdict(lambda: [0, 0.0, 0])
    for taken in stored:
        if taken.change is None or not start <= taken.taken_on < end:
            continue
        measure = taken.score.measure.value
        better = getattr(RULES.measures, measure).better
        sums = expected[bucket_start(taken.taken_on, bucket), measure]
        sums[0] += 1
        sums[1] += -taken.change.absolute if better == "lower" else taken.change.absolute
        sums[2] += taken.change.mcid_reached
    got = {
        (day, measure): [moved.follow_ups, float(moved.change_sum), moved.mcid_reached]
        for (day, _), measures in found.items()
        for measure, moved in measures.items()
    }
    assert got.keys() == expected.keys()
    for key, (count, total, reached) in expected.items():
        assert got[key][0] == count and got[key][2] == reached, key
        assert got[key][1] == pytest.approx(total, abs=1e-9), key
