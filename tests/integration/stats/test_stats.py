"""Stats over GraphQL: aggregates against expectations computed from the records created here; tenant scoping; the
operator's client dimension; counters that follow deletions and agree with a rebuild from the base tables."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from devkit.keys import make_key
from devkit.personas import DESK_WORKER, UPPER_CROSSED
from service.clients.scopes import ALL_SCOPES
from service.settings import Settings

Client = AsyncTestClient[Litestar]
Headers = dict[str, str]

STATS = """
query ($from: Date!, $to: Date!, $bucket: StatsBucket!, $byClient: Boolean!) {
  stats(from: $from, to: $to, bucket: $bucket, byClient: $byClient) {
    from to bucket
    series { start client { name } assessments referrals programs byStatus { key count } byPattern { key count } }
    totals { ...range }
    clientTotals { ...range }
  }
}
fragment range on StatsPoint {
  client { id name } assessments referrals referralRate programs
  byStatus { key count } byPattern { key count }
  referralReasons { key count }
  overactiveMuscles(limit: 100) { key count }
  underactiveMuscles(limit: 100) { key count }
  topExercises(limit: 100) { phase exercises { key count } }
}
"""
REFERRED = {**DESK_WORKER, "red_flags": {**DESK_WORKER["red_flags"], "constant_night_pain": True}}


async def stats(
    client: Client,
    headers: Headers,
    *,
    start: date | None = None,
    end: date | None = None,
    bucket: str = "week",
    by_client: bool = False,
) -> dict[str, Any]:
    today = datetime.now(UTC).date()  # read per call: a run may cross midnight UTC
    start = start or today - timedelta(days=30)
    end = end or today + timedelta(days=1)
    variables = {"from": str(start), "to": str(end), "bucket": bucket, "byClient": by_client}
    response = await client.post("/graphql", json={"query": STATS, "variables": variables}, headers=headers)
    assert response.status_code == 200, response.text
    return dict(response.json())


def as_dict(pairs: list[dict[str, Any]]) -> dict[str, int]:
    return {pair["key"]: pair["count"] for pair in pairs}


@pytest.fixture(scope="module")
async def keys(settings: Settings) -> dict[str, Headers]:
    names = {"a": "stats-client-a", "b": "stats-client-b"}
    made = {k: await make_key(settings, name, list(ALL_SCOPES)) for k, name in names.items()}
    made["operator"] = await make_key(settings, "stats-operator", ["stats:read"], internal=True)
    made["no_stats"] = await make_key(settings, "stats-no-scope", ["assessments:read"])
    return {k: {"Authorization": f"Bearer {v}"} for k, v in made.items()}


@pytest.fixture(scope="module")
async def seeded(client: Client, keys: dict[str, Headers]) -> dict[str, Any]:
    """Client A: two desk workers, one upper crossed, one referral, and a program; client B: one desk worker."""
    a_assessments = []
    for body in (DESK_WORKER, DESK_WORKER, UPPER_CROSSED, REFERRED):
        response = await client.post("/v1/assessments", json=body, headers=keys["a"])
        assert response.status_code == 201, response.text
        a_assessments.append(response.json())
    program = await client.post("/v1/programs", json={"assessment_id": a_assessments[0]["id"]}, headers=keys["a"])
    assert program.status_code == 201, program.text
    response = await client.post("/v1/assessments", json=DESK_WORKER, headers=keys["b"])
    assert response.status_code == 201
    days = {datetime.fromisoformat(a["created_at"]).astimezone(UTC).date() for a in a_assessments}
    assert len(days) == 1
    return {"a": a_assessments, "program": program.json(), "b": [response.json()], "day": days.pop()}


def expected_totals(assessments: list[dict[str, Any]], programs: list[dict[str, Any]]) -> dict[str, Any]:
    """The aggregates, computed by hand from the API's own records."""
    prescribed: dict[str, Counter[str]] = {}
    for program in programs:
        for phase in program["phases"]:
            prescribed.setdefault(phase["key"], Counter()).update(i["exercise"]["slug"] for i in phase["items"])
    return {
        "assessments": len(assessments),
        "byStatus": Counter(a["status"] for a in assessments),
        "byPattern": Counter(p["slug"] for a in assessments for p in a["patterns"]),
        "referrals": sum(a["status"] == "refer" for a in assessments),
        "referralReasons": Counter(r for a in assessments if a["referral"] for r in a["referral"]["reasons"]),
        "overactive": Counter(f["muscle"] for a in assessments for f in a["overactive"]),
        "underactive": Counter(f["muscle"] for a in assessments for f in a["underactive"]),
        "programs": len(programs),
        "prescribed": prescribed,
    }


def check(totals: dict[str, Any], expected: dict[str, Any]) -> None:
    assert totals["assessments"] == expected["assessments"]
    assert as_dict(totals["byStatus"]) == expected["byStatus"]
    assert as_dict(totals["byPattern"]) == expected["byPattern"]
    assert totals["referrals"] == expected["referrals"]
    assert totals["referralRate"] == round(expected["referrals"] / expected["assessments"], 4)
    assert as_dict(totals["referralReasons"]) == expected["referralReasons"]
    assert as_dict(totals["overactiveMuscles"]) == expected["overactive"]
    assert as_dict(totals["underactiveMuscles"]) == expected["underactive"]
    assert totals["programs"] == expected["programs"]
    top = {p["phase"]: as_dict(p["exercises"]) for p in totals["topExercises"]}
    assert top == expected["prescribed"]
    if expected["programs"]:
        assert [p["phase"] for p in totals["topExercises"]] == ["release", "lengthen", "strengthen", "integrate"]


async def test_a_client_sees_exactly_its_own_aggregates(
    client: Client, keys: dict[str, Headers], seeded: dict[str, Any]
) -> None:
    body = await stats(client, keys["a"])
    assert "errors" not in body, body
    result = body["data"]["stats"]
    assert result["totals"]["client"] is None and result["clientTotals"] == []
    check(result["totals"], expected_totals(seeded["a"], [seeded["program"]]))
    counts = [m["count"] for m in result["totals"]["overactiveMuscles"]]
    assert counts == sorted(counts, reverse=True)  # most frequent first

    other = (await stats(client, keys["b"]))["data"]["stats"]["totals"]
    check(other, expected_totals(seeded["b"], []))  # B never sees A's counts


async def test_weekly_series_puts_everything_in_this_week(
    client: Client, keys: dict[str, Headers], seeded: dict[str, Any]
) -> None:
    day = seeded["day"]  # the records' UTC day, not the clock's: a run may cross midnight
    result = (await stats(client, keys["a"], start=day - timedelta(weeks=6), end=day + timedelta(days=1)))["data"][
        "stats"
    ]
    monday = day - timedelta(days=day.weekday())
    weeks = [p["start"] for p in result["series"]]
    assert weeks == sorted(weeks) and weeks[-1] == str(monday) and len(weeks) in (7, 8)
    this_week = result["series"][-1]
    assert this_week["assessments"] == 4 and this_week["programs"] == 1
    assert as_dict(this_week["byPattern"]) == {"lower_crossed_syndrome": 2, "upper_crossed_syndrome": 1}
    assert all(p["assessments"] == 0 for p in result["series"][:-1])  # empty weeks are there, at zero

    one_day = {"start": day, "end": day + timedelta(days=1)}
    daily = (await stats(client, keys["a"], **one_day, bucket="day"))["data"]["stats"]["series"]
    assert [p["start"] for p in daily] == [str(day)] and daily[0]["assessments"] == 4
    monthly = (await stats(client, keys["a"], **one_day, bucket="month"))["data"]["stats"]["series"]
    assert [p["start"] for p in monthly] == [str(day.replace(day=1))] and monthly[0]["assessments"] == 4


async def test_the_operator_sees_every_client_and_can_group_by_client(
    client: Client, keys: dict[str, Headers], seeded: dict[str, Any]
) -> None:
    grouped = (await stats(client, keys["operator"], by_client=True))["data"]["stats"]
    by_name = {t["client"]["name"]: t for t in grouped["clientTotals"]}
    check(by_name["stats-client-a"], expected_totals(seeded["a"], [seeded["program"]]))
    check(by_name["stats-client-b"], expected_totals(seeded["b"], []))
    assert {p["client"]["name"] for p in grouped["series"]} >= {"stats-client-a", "stats-client-b"}
    overall = (await stats(client, keys["operator"]))["data"]["stats"]["totals"]
    assert overall["assessments"] == sum(t["assessments"] for t in grouped["clientTotals"])
    assert grouped["totals"]["assessments"] == overall["assessments"]  # grouped or not, one total of the range
    # A client's key asking for the client dimension still sees only itself.
    own = (await stats(client, keys["a"], by_client=True))["data"]["stats"]["clientTotals"]
    assert [t["client"]["name"] for t in own] == ["stats-client-a"]


async def test_counters_follow_deletions(client: Client, keys: dict[str, Headers], settings: Settings) -> None:
    created = (await client.post("/v1/assessments", json=UPPER_CROSSED, headers=keys["b"])).json()
    program = await client.post("/v1/programs", json={"assessment_id": created["id"]}, headers=keys["b"])
    assert program.status_code == 201
    before = (await stats(client, keys["b"]))["data"]["stats"]["totals"]
    assert (await client.delete(f"/v1/assessments/{created['id']}", headers=keys["b"])).status_code == 204
    after = (await stats(client, keys["b"]))["data"]["stats"]["totals"]
    assert after["assessments"] == before["assessments"] - 1
    assert after["programs"] == before["programs"] - 1  # the program went with its assessment (cascade)
    assert as_dict(after["byPattern"]).get("upper_crossed_syndrome", 0) == (
        as_dict(before["byPattern"])["upper_crossed_syndrome"] - 1
    )


async def test_counters_equal_a_rebuild_from_the_base_tables(engine: AsyncEngine, seeded: dict[str, Any]) -> None:
    snapshot = (
        "SELECT client_id, day, metric, key, sum(count) FROM activity_counts GROUP BY 1, 2, 3, 4 "
        "HAVING sum(count) <> 0 ORDER BY 1, 2, 3, 4"
    )
    async with engine.connect() as connection:
        transaction = await connection.begin()
        # What is counted is the counters plus the queued changes not folded into them yet.
        await connection.execute(text("SELECT fold_activity_count_changes()"))
        kept = (await connection.execute(text(snapshot))).all()
        await connection.execute(text("SELECT rebuild_activity_counts()"))
        rebuilt = (await connection.execute(text(snapshot))).all()
        await transaction.rollback()
    assert kept and kept == rebuilt


async def test_a_write_queues_one_change_and_the_stats_fold_it_before_reading(
    client: Client, keys: dict[str, Headers], engine: AsyncEngine, seeded: dict[str, Any]
) -> None:
    """A create adds one row to the queue, whatever the number of counters it touches, and no counter row; the
    stats' next read has folded it in (migration 9d4e2b7c1a85)."""
    await stats(client, keys["a"])  # folds whatever earlier tests queued
    counters = "SELECT count(*), coalesce(sum(count), 0) FROM activity_counts"
    async with engine.connect() as connection:
        before = (await connection.execute(text(counters))).one()
        queued = await connection.scalar(text("SELECT count(*) FROM activity_count_changes"))
    assert queued == 0
    before_stats = (await stats(client, keys["a"]))["data"]["stats"]["totals"]
    made = await client.post("/v1/assessments", json=UPPER_CROSSED, headers=keys["a"])
    assert made.status_code == 201, made.text
    async with engine.connect() as connection:
        assert (await connection.execute(text(counters))).one() == before
        change = (await connection.execute(text("SELECT delta, metrics, keys FROM activity_count_changes"))).all()
    assert len(change) == 1 and change[0].delta == 1
    assert len(change[0].metrics) > 5 and "status" in change[0].metrics  # many counters, one row
    after = (await stats(client, keys["a"]))["data"]["stats"]["totals"]
    assert after["assessments"] == before_stats["assessments"] + 1
    pattern = made.json()["patterns"][0]["slug"]
    assert as_dict(after["byPattern"])[pattern] == as_dict(before_stats["byPattern"]).get(pattern, 0) + 1
    async with engine.connect() as connection:
        assert await connection.scalar(text("SELECT count(*) FROM activity_count_changes")) == 0


async def test_bad_ranges_and_missing_scope_are_client_errors(client: Client, keys: dict[str, Headers]) -> None:
    today = datetime.now(UTC).date()
    backwards = await stats(client, keys["a"], start=today, end=today - timedelta(days=1))
    assert backwards["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    too_many = await stats(client, keys["a"], start=today - timedelta(days=5000), bucket="day")
    assert "1000 buckets" in too_many["errors"][0]["message"]
    refused = await stats(client, keys["no_stats"])
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN" and refused["data"] is None


def test_stats_hold_aggregates_only() -> None:
    from service.graphql.stats import Stats, StatsClient, StatsPoint

    fields = {f.name for t in (Stats, StatsPoint, StatsClient) for f in t.__strawberry_definition__.fields}
    assert not fields & {"subject_ref", "input", "evidence"}
