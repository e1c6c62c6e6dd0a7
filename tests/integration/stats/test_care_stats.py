"""Issue 18 in stats: check-ins, decisions, adherence and outcome changes, on a dataset built here and worked out by
hand below; tenant scope; zeros and nulls for an empty scope; a fixed number of statements whatever the rows.

The write paths of check-ins and outcomes are not part of this branch: programs and assessments are made through the
API, check-ins, decisions, revisions and outcome measures are written straight through the ORM, in the tenant's
session, as those paths will write them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import msgspec
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from devkit.keys import make_key
from devkit.personas import DESK_WORKER
from service.checkins.models import CheckIn, ProgramDecision, ProgramRevision
from service.clients.scopes import ALL_SCOPES
from service.db.engine import create_session_factory
from service.db.tenancy import tenant_session
from service.outcomes import schemas as s
from service.outcomes.models import Outcome
from service.outcomes.rules import load_outcome_rules
from service.outcomes.scoring import score
from service.settings import Settings
from service.stats import services
from service.stats.buckets import Bucket

Client = AsyncTestClient[Litestar]
Headers = dict[str, str]
RULES = load_outcome_rules()
FROM, TO = date(2025, 1, 1), date(2025, 3, 1)
JAN = {d: date(2025, 1, d) for d in range(1, 32)}
FEB = {d: date(2025, 2, d) for d in range(1, 29)}

CARE = """
query ($from: Date!, $to: Date!, $bucket: StatsBucket!, $byClient: Boolean!) {
  stats(from: $from, to: $to, bucket: $bucket, byClient: $byClient) {
    series { start client { name } ...care }
    totals { ...care }
    clientTotals { client { name } ...care }
  }
}
fragment care on StatsPoint {
  checkIns checkInsByKind { key count } decisions decisionsByKind { key count }
  adherence { programWeeks sessionsDone sessionsScheduled rate }
  outcomeChanges { measure followUps meanChange mcidReached mcidReachedRate }
}
"""


async def care(
    client: Client, headers: Headers, *, bucket: str = "week", by_client: bool = False, start: date = FROM
) -> dict[str, Any]:
    variables = {"from": str(start), "to": str(TO), "bucket": bucket, "byClient": by_client}
    response = await client.post("/graphql", json={"query": CARE, "variables": variables}, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return dict(body["data"]["stats"])


def kinds(pairs: list[dict[str, Any]]) -> dict[str, int]:
    return {pair["key"]: pair["count"] for pair in pairs}


def changes(point: dict[str, Any]) -> dict[str, tuple[int, float | None, int]]:
    return {c["measure"]: (c["followUps"], c["meanChange"], c["mcidReached"]) for c in point["outcomeChanges"]}


def week(point: dict[str, Any]) -> tuple[int, int, int, float | None]:
    a = point["adherence"]
    return a["programWeeks"], a["sessionsDone"], a["sessionsScheduled"], a["rate"]


async def _client(client: Client, settings: Settings, name: str) -> tuple[uuid.UUID, Headers]:
    key = await make_key(settings, name, list(ALL_SCOPES))
    headers = {"Authorization": f"Bearer {key}"}
    me = (await client.get("/v1/me", headers=headers)).json()
    return uuid.UUID(me["client"]["id"]), headers


async def _assessment(client: Client, headers: Headers) -> uuid.UUID:
    response = await client.post("/v1/assessments", json=DESK_WORKER, headers=headers)
    assert response.status_code == 201, response.text
    return uuid.UUID(response.json()["id"])


async def _program(client: Client, headers: Headers, starts_on: date, sessions: int, weeks: int) -> uuid.UUID:
    body = {
        "assessment_id": str(await _assessment(client, headers)),
        "starts_on": str(starts_on),
        "sessions_per_week": sessions,
        "weeks": weeks,
    }
    response = await client.post("/v1/programs", json=body, headers=headers)
    assert response.status_code == 201, response.text
    return uuid.UUID(response.json()["id"])


def check_in(program: uuid.UUID, day: date, kind: str, revision: int = 1) -> CheckIn:
    sent = {"date": str(day), "kind": kind, "pain_before": 2, "pain_during": 2, "pain_after": 2, "items": []}
    return CheckIn(program_id=program, revision=revision, date=day, kind=kind, input=sent)


def decision(program: uuid.UUID, day: date, kind: str, revision: int | None = None) -> ProgramDecision:
    made = {
        "kind": kind,
        "made_on": str(day),
        "ruleset_version": "2026.12.1",
        "week": 1,
        "explanation": "",
        "reasons": [],
    }
    return ProgramDecision(
        id=uuid.uuid4(), program_id=program, made_on=day, kind=kind, decision=made, revision=revision
    )


def outcome(assessment: uuid.UUID, day: date, answers: dict[str, Any]) -> Outcome:
    taken: s.OutcomeInput = msgspec.convert(answers, s.OutcomeInput)  # type: ignore[arg-type]
    scored = score(taken, RULES)
    return Outcome(
        assessment_id=assessment,
        measure=scored.measure.value,
        taken_on=day,
        ruleset_version=scored.ruleset_version,
        answers=msgspec.to_builtins(taken),
        score=msgspec.to_builtins(scored),
    )


def nprs(value: int) -> dict[str, Any]:
    return {"measure": "nprs", "value": value}


def index(measure: str, every: int) -> dict[str, Any]:
    return {"measure": measure, "answers": [every] * 10}


def psfs(*scores: tuple[str, int]) -> dict[str, Any]:
    return {"measure": "psfs", "activities": [{"name": n, "score": v} for n, v in scores]}


START_BACK = {"measure": "start_back", "agree": [True] * 8, "bothersome": "extremely"}


@pytest.fixture(scope="module")
async def dataset(client: Client, settings: Settings, engine: AsyncEngine) -> dict[str, Any]:
    """Client A: two programs and three assessments' measures; client B: one program and one measure; client C:
    nothing. The expectations of the tests below are worked out from these rows by hand."""
    suffix = uuid.uuid4().hex[:8]
    a, a_headers = await _client(client, settings, f"care-a-{suffix}")
    b, b_headers = await _client(client, settings, f"care-b-{suffix}")
    _, c_headers = await _client(client, settings, f"care-c-{suffix}")
    operator = await make_key(settings, f"care-operator-{suffix}", ["stats:read"], internal=True)
    # P1 starts on Monday 6 January, 3 sessions a week for 8 weeks; P2 on Wednesday 8 January, 2 a week for 4 weeks.
    p1 = await _program(client, a_headers, JAN[6], 3, 8)
    p2 = await _program(client, a_headers, JAN[8], 2, 4)
    x1, x2, x3 = [await _assessment(client, a_headers) for _ in range(3)]
    pb = await _program(client, b_headers, JAN[6], 2, 4)
    xb = await _assessment(client, b_headers)
    factory = create_session_factory(engine)
    simplified = decision(p1, JAN[26], "simplify", revision=2)
    a_rows: list[Any] = [
        # P1 week 1 (6-12 Jan): sessions on the 6th and twice on the 8th, a routine on the 7th: 2 of 3.
        check_in(p1, JAN[6], "session"),
        check_in(p1, JAN[7], "routine"),
        check_in(p1, JAN[8], "session"),
        check_in(p1, JAN[8], "session"),
        # P1 week 2 (13-19 Jan): four sessions, capped at the 3 scheduled.
        *(check_in(p1, JAN[d], "session") for d in (13, 14, 15, 16)),
        # P1 week 3 (20-26 Jan): a routine only: 0 of 3. Week 4 (27 Jan-2 Feb): nothing, not counted.
        check_in(p1, JAN[21], "routine"),
        # P1 week 5 (3-9 Feb), on revision 2 (2 sessions a week): 2 of 2.
        check_in(p1, FEB[3], "session", revision=2),
        check_in(p1, FEB[5], "session", revision=2),
        # P2: before its start (no week), week 1 (8-14 Jan, in the ISO week of 6 Jan): 1 of 2, after its end.
        check_in(p2, JAN[7], "session"),
        check_in(p2, JAN[9], "session"),
        check_in(p2, FEB[10], "session"),
        decision(p1, JAN[12], "hold"),
        decision(p1, JAN[19], "progress"),
        simplified,
        decision(p2, JAN[15], "regress"),
        # x1: NPRS 6 → 4 (-2: reached) → 5 (-1, 17 %: not); ODI 40 → 28 (reached); PSFS 4.0 → 4.67 (one activity
        # +3, named with other spaces and capitals: reached); STarT Back twice (no change).
        outcome(x1, JAN[6], nprs(6)),
        outcome(x1, JAN[20], nprs(4)),
        outcome(x1, FEB[3], nprs(5)),
        outcome(x1, JAN[6], index("odi", 2)),
        outcome(x1, JAN[27], {"measure": "odi", "answers": [1, 2, 1, 2, 1, 2, 1, 2, 1, 1]}),
        outcome(x1, JAN[6], psfs(("Walking", 3), ("stairs", 4), ("lifting", 5))),
        outcome(x1, FEB[3], psfs(("  walking ", 6), ("Stairs", 4), ("lifting", 4))),
        outcome(x1, JAN[6], START_BACK),
        outcome(x1, FEB[3], START_BACK),
        # x2: NPRS 3 → 2 (-1 is 33 %: reached); NDI 60 → 40 (reached); PSFS 5.0 → 5.33 (+2 at most: not).
        outcome(x2, JAN[13], nprs(3)),
        outcome(x2, JAN[27], nprs(2)),
        outcome(x2, JAN[13], index("ndi", 3)),
        outcome(x2, FEB[3], index("ndi", 2)),
        outcome(x2, JAN[13], psfs(("a", 5), ("b", 5), ("c", 5))),
        outcome(x2, JAN[20], psfs(("a", 7), ("b", 4), ("c", 5))),
        # x3: baselines before the range: NPRS 8 → 5 (reached); ODI 20 → 40 (worse).
        outcome(x3, date(2024, 12, 1), nprs(8)),
        outcome(x3, JAN[8], nprs(5)),
        outcome(x3, date(2024, 12, 2), index("odi", 1)),
        outcome(x3, JAN[9], index("odi", 2)),
    ]
    async with tenant_session(factory, a) as session, session.begin():
        session.add_all(a_rows)
        await session.flush()
        session.add(
            ProgramRevision(
                program_id=p1,
                number=2,
                decision_id=simplified.id,
                body={"parameters": {"sessions_per_week": 2}},
                outline={},  # a stub: the stats read none of it
                regressed={},
                changes=[],
            )
        )
    b_rows = [
        check_in(pb, JAN[6], "session"),
        check_in(pb, JAN[7], "session"),
        decision(pb, JAN[12], "progress"),
        outcome(xb, JAN[6], nprs(7)),
        outcome(xb, JAN[20], nprs(2)),
    ]
    async with tenant_session(factory, b) as session, session.begin():
        session.add_all(b_rows)
    return {
        "a": a_headers,
        "b": b_headers,
        "c": c_headers,
        "operator": {"Authorization": f"Bearer {operator}"},
        "names": {"a": f"care-a-{suffix}", "b": f"care-b-{suffix}"},
        "tenant_a": a,
    }


A_TOTALS = {
    "check_ins": (14, {"session": 12, "routine": 2}),
    "decisions": (4, {"hold": 1, "progress": 1, "simplify": 1, "regress": 1}),
    # 2/3 + 1/2 (week of 6 Jan), 3/3 (13 Jan), 0/3 (20 Jan), 2/2 (3 Feb): 8 of 13.
    "adherence": (5, 8, 13, round(8 / 13, 4)),
    "changes": {
        "nprs": (4, round((3 + 2 + 1 + 1) / 4, 2), 3),  # x3 +3, x1 +2 and +1, x2 +1 (33 %)
        "odi": (2, round((12 - 20) / 2, 2), 1),
        "ndi": (1, 20.0, 1),
        "psfs": (2, round((0.33 + 0.67) / 2, 2), 1),
    },
}


async def test_a_client_sees_its_own_aggregates_worked_by_hand(client: Client, dataset: dict[str, Any]) -> None:
    result = await care(client, dataset["a"])
    totals = result["totals"]
    assert (totals["checkIns"], kinds(totals["checkInsByKind"])) == A_TOTALS["check_ins"]
    assert (totals["decisions"], kinds(totals["decisionsByKind"])) == A_TOTALS["decisions"]
    assert week(totals) == A_TOTALS["adherence"]
    assert changes(totals) == A_TOTALS["changes"]
    assert [c["measure"] for c in totals["outcomeChanges"]] == ["nprs", "odi", "ndi", "psfs"]
    assert totals["outcomeChanges"][0]["mcidReachedRate"] == 0.75

    by_week = {p["start"]: p for p in result["series"]}
    assert result["series"][0]["start"] == "2024-12-30"  # the ISO week of 1 January
    assert week(by_week["2025-01-06"]) == (2, 3, 5, 0.6)  # P1 week 1 and P2 week 1 (it starts on the 8th)
    assert week(by_week["2025-01-13"]) == (1, 3, 3, 1.0)
    assert week(by_week["2025-01-20"]) == (1, 0, 3, 0.0)
    assert week(by_week["2025-01-27"]) == (0, 0, 0, None)  # no check-in in P1's week 4
    assert week(by_week["2025-02-03"]) == (1, 2, 2, 1.0)  # revision 2's two sessions
    assert by_week["2025-01-06"]["checkIns"] == 6 and by_week["2025-02-10"]["checkIns"] == 1
    assert kinds(by_week["2025-01-13"]["decisionsByKind"]) == {"progress": 1, "regress": 1}
    assert changes(by_week["2025-01-06"]) == {
        "nprs": (1, 3.0, 1),
        "odi": (1, -20.0, 0),
        "ndi": (0, None, 0),
        "psfs": (0, None, 0),
    }
    assert changes(by_week["2025-02-03"]) == {
        "nprs": (1, 1.0, 0),
        "odi": (0, None, 0),
        "ndi": (1, 20.0, 1),
        "psfs": (1, 0.67, 1),
    }
    # Monthly buckets hold the same rows: January and February add up to the totals.
    months = {p["start"]: p for p in (await care(client, dataset["a"], bucket="month"))["series"]}
    assert week(months["2025-01-01"]) == (4, 6, 11, round(6 / 11, 4))
    assert week(months["2025-02-01"]) == (1, 2, 2, 1.0)
    assert months["2025-01-01"]["checkIns"] + months["2025-02-01"]["checkIns"] == 14


async def test_another_client_never_sees_them(client: Client, dataset: dict[str, Any]) -> None:
    totals = (await care(client, dataset["b"]))["totals"]
    assert (totals["checkIns"], totals["decisions"]) == (2, 1)
    assert week(totals) == (1, 2, 2, 1.0)
    assert changes(totals)["nprs"] == (1, 5.0, 1)
    assert sum(c["followUps"] for c in totals["outcomeChanges"]) == 1
    # Asking for the client dimension still shows B alone.
    grouped = await care(client, dataset["b"], by_client=True)
    assert [t["client"]["name"] for t in grouped["clientTotals"]] == [dataset["names"]["b"]]


async def test_the_operator_sees_each_client_and_all_together(client: Client, dataset: dict[str, Any]) -> None:
    grouped = await care(client, dataset["operator"], by_client=True)
    by_name = {t["client"]["name"]: t for t in grouped["clientTotals"]}
    a, b = by_name[dataset["names"]["a"]], by_name[dataset["names"]["b"]]
    assert week(a) == A_TOTALS["adherence"] and changes(a) == A_TOTALS["changes"]
    assert week(b) == (1, 2, 2, 1.0)
    everyone = (await care(client, dataset["operator"]))["totals"]
    assert everyone["checkIns"] == sum(t["checkIns"] for t in grouped["clientTotals"]) >= 16
    assert everyone["adherence"]["programWeeks"] == sum(t["adherence"]["programWeeks"] for t in by_name.values())


async def test_an_empty_scope_gives_zeros_and_nulls(client: Client, dataset: dict[str, Any]) -> None:
    for headers, start in ((dataset["c"], FROM), (dataset["a"], date(2025, 2, 20))):
        result = await care(client, headers, start=start)
        for point in [result["totals"], *result["series"]]:
            assert (point["checkIns"], point["decisions"], point["checkInsByKind"]) == (0, 0, [])
            assert week(point) == (0, 0, 0, None)
            assert changes(point) == {m: (0, None, 0) for m in ("nprs", "odi", "ndi", "psfs")}
            assert all(c["mcidReachedRate"] is None for c in point["outcomeChanges"])


async def test_a_program_week_counts_once_it_is_over(engine: AsyncEngine, dataset: dict[str, Any]) -> None:
    factory = create_session_factory(engine)
    async with tenant_session(factory, dataset["tenant_a"]) as session:
        # On 20 January, P1's week 2 (13-19 January) is over and its week 3 is not.
        report = await services.report(
            session, FROM, TO, Bucket.week, by_client=False, outcome_rules=RULES, today=JAN[20]
        )
    adherence = report.total.care.activity.adherence
    assert (adherence.program_weeks, adherence.sessions_done, adherence.sessions_scheduled) == (3, 6, 8)


@contextmanager
def count_statements(app: Litestar) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        # The catalogue's version check (service.catalog.cache) runs every few seconds on whichever request comes:
        # not the stats' work, and in a long test run it lands in a counted request now and then.
        if "max(muscles.updated_at)" not in statement:
            statements.append(statement)

    sync_engine = app.runtime.engine.sync_engine  # type: ignore[attr-defined]
    event.listen(sync_engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(sync_engine, "before_cursor_execute", record)


async def test_the_statements_do_not_grow_with_the_rows(client: Client, app: Litestar, dataset: dict[str, Any]) -> None:
    await care(client, dataset["c"])  # warm up
    counted = {}
    for name in ("c", "a", "operator"):
        for by_client in (False, True):
            with count_statements(app) as statements:
                await care(client, dataset[name], by_client=by_client)
            counted[name, by_client] = len(statements)
    # The counters, the check-ins, the decisions, adherence, the outcome changes (and the clients' names).
    assert counted["c", False] == counted["a", False] == counted["operator", False] == 5, counted
    assert counted["a", True] == counted["operator", True] == 6, counted


def test_the_new_stats_hold_aggregates_only() -> None:
    from service.graphql.stats_care import StatsAdherence, StatsOutcomeChange

    fields = {f.name for t in (StatsAdherence, StatsOutcomeChange) for f in t.__strawberry_definition__.fields}
    assert fields == {
        "program_weeks",
        "sessions_done",
        "sessions_scheduled",
        "rate",
        "measure",
        "follow_ups",
        "mean_change",
        "mcid_reached",
        "mcid_reached_rate",
    }  # counts, sums and rates: no id, subject reference, answer or date of a person
