"""Issue 18, items 1-3 over REST: check-ins are recorded against a program and decided on; a decision that changes the
program makes a numbered revision (old revisions stay readable, the program shows the current one), a referral
pauses it; outcome measures are recorded against the assessment, scored, compared with the first taking and decided
on. Through the real app and PostgreSQL."""

from __future__ import annotations

import asyncio
import json
import re
import threading
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import asyncpg
import pytest
from litestar import Litestar
from sqlalchemy import event, text
from sqlalchemy.ext.asyncio import AsyncEngine

from devkit.personas import DESK_WORKER
from service.checkins import services
from service.settings import Settings
from tests.integration.programs.conftest import Client, Headers

TODAY = datetime.now(UTC).date()
STARTS_ON = TODAY - timedelta(days=21)  # in week 4 today


async def _program(client: Client, headers: Headers, **changes: Any) -> dict[str, Any]:
    response = await client.post("/v1/assessments", json=DESK_WORKER, headers=headers)
    assert response.status_code == 201, response.text
    request = {"assessment_id": response.json()["id"], "starts_on": STARTS_ON.isoformat(), **changes}
    response = await client.post("/v1/programs", json=request, headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def _session_items(program: dict[str, Any], week: int = 1) -> list[str]:
    session = program["schedule"]["weeks"][week - 1]["sessions"][0]
    return [*session["preparation"], *session["items"]]


def _check_in(day: date, items: list[str], during: int = 2, **changes: Any) -> dict[str, Any]:
    return {
        "date": day.isoformat(),
        "kind": "session",
        "items": [{"prescription": pid, "sets": 2, "reps": 10} for pid in items],
        "pain_before": 3,
        "pain_during": during,
        "pain_after": 3,
        **changes,
    }


async def _post(client: Client, headers: Headers, program_id: str, body: dict[str, Any], **extra: str) -> Any:
    return await client.post(f"/v1/programs/{program_id}/check-ins", json=body, headers={**headers, **extra})


async def test_a_flare_up_regresses_the_program_into_a_new_revision(client: Client, planner: Headers) -> None:
    program = await _program(client, planner)
    pid, items = program["id"], _session_items(program)
    assert (program["revision"], program["status"], program["paused"]) == (1, "active", None)

    calm = await _post(client, planner, pid, _check_in(STARTS_ON, items))
    assert calm.status_code == 201, calm.text
    assert calm.headers["location"] == f"/v1/programs/{pid}/check-ins/{calm.json()['id']}"
    assert calm.json()["decision"]["kind"] == "hold"
    assert calm.json()["revision"] == 1

    flare = await _post(client, planner, pid, _check_in(STARTS_ON + timedelta(days=2), items, during=7))
    assert flare.status_code == 201, flare.text
    decision = flare.json()["decision"]
    assert decision["kind"] == "regress"
    assert any("7/10" in reason for reason in decision["reasons"])
    assert decision["revision"] == 2

    now = (await client.get(f"/v1/programs/{pid}", headers=planner)).json()
    assert now["revision"] == 2 and now["status"] == "active"
    revisions = (await client.get(f"/v1/programs/{pid}/revisions", headers=planner)).json()["items"]
    assert [r["number"] for r in revisions] == [1, 2]
    assert revisions[0]["decision"] is None and revisions[1]["decision"]["kind"] == "regress"
    assert revisions[1]["changes"], "a revision says what changed"
    first = (await client.get(f"/v1/programs/{pid}/revisions/1", headers=planner)).json()
    second = (await client.get(f"/v1/programs/{pid}/revisions/2", headers=planner)).json()
    assert first["program"]["phases"] == program["phases"], "the first revision is the program as generated"
    assert second["program"]["phases"] == now["phases"] != program["phases"]
    missing = await client.get(f"/v1/programs/{pid}/revisions/3", headers=planner)
    assert missing.status_code == 404 and missing.headers["content-type"] == "application/problem+json"

    # The same flare reported again changes nothing more: what hurt is already out of the program.
    again = await _post(client, planner, pid, _check_in(STARTS_ON + timedelta(days=3), [], during=7))
    assert again.json()["decision"]["kind"] == "regress" and "revision" not in again.json()["decision"]
    assert (await client.get(f"/v1/programs/{pid}", headers=planner)).json()["revision"] == 2


async def test_the_next_morning_arrives_by_patch_and_is_decided_on(client: Client, planner: Headers) -> None:
    program = await _program(client, planner)
    pid, items = program["id"], _session_items(program)
    created = (await _post(client, planner, pid, _check_in(STARTS_ON, items))).json()
    url = f"/v1/programs/{pid}/check-ins/{created['id']}"

    unsettled = await client.patch(url, json={"pain_next_morning": 6}, headers=planner)
    assert unsettled.status_code == 200, unsettled.text
    body = unsettled.json()
    assert body["pain_next_morning"] == 6 and body["pain_during"] == 2, "only the field given changes"
    assert body["decision"]["kind"] == "regress"
    assert any("had not settled" in reason for reason in body["decision"]["reasons"])
    assert (await client.get(url, headers=planner)).json()["decision"] == body["decision"]

    nothing = await client.patch(url, json={}, headers=planner)
    assert nothing.status_code == 400 and nothing.json()["errors"][0]["field"] == "body"
    frozen = await client.patch(url, json={"date": TODAY.isoformat()}, headers=planner)
    assert frozen.status_code == 400, "the date cannot change"

    listed = (await client.get(f"/v1/programs/{pid}/check-ins", headers=planner)).json()
    assert [c["id"] for c in listed["items"]] == [created["id"]] and listed["next_cursor"] is None
    assert listed["items"][0]["decision"]["kind"] == "regress"

    assert (await client.delete(url, headers=planner)).status_code == 204
    assert (await client.get(url, headers=planner)).status_code == 404


async def test_a_red_flag_refers_and_pauses_the_program(client: Client, planner: Headers) -> None:
    program = await _program(client, planner)
    pid, items = program["id"], _session_items(program)
    red_flag = _check_in(STARTS_ON, items, symptoms={"chest_pain": True})
    flagged = await _post(client, planner, pid, red_flag, **{"Idempotency-Key": "chest"})
    assert flagged.status_code == 201, flagged.text
    retried = await _post(client, planner, pid, red_flag, **{"Idempotency-Key": "chest"})
    assert retried.status_code == 201 and retried.content == flagged.content, "a retry gets the first answer"
    decision = flagged.json()["decision"]
    assert decision["kind"] == "refer" and decision["refer"]["level"] == "emergency"

    paused = (await client.get(f"/v1/programs/{pid}", headers=planner)).json()
    assert paused["status"] == "paused"
    assert paused["paused"]["level"] == "emergency" and paused["paused"]["message"] == decision["refer"]["message"]
    listed = await client.get("/v1/programs", params={"assessment_id": program["assessment_id"]}, headers=planner)
    assert listed.json()["items"][0]["status"] == "paused"

    refused = await _post(client, planner, pid, _check_in(STARTS_ON + timedelta(days=1), items))
    assert refused.status_code == 409, refused.text
    assert refused.json()["type"].endswith("/program-paused")
    assert len((await client.get(f"/v1/programs/{pid}/check-ins", headers=planner)).json()["items"]) == 1


async def test_check_ins_that_disagree_with_the_program_are_400s_naming_each(client: Client, planner: Headers) -> None:
    program = await _program(client, planner)
    pid, items = program["id"], _session_items(program)
    body = _check_in(TODAY + timedelta(days=1), [items[0], "p999", items[0]], symptoms={"made_up": True})
    response = await _post(client, planner, pid, body)
    assert response.status_code == 400, response.text
    fields = {error["field"] for error in response.json()["errors"]}
    assert {"date", "items[1].prescription", "items[2].prescription", "symptoms.made_up"} <= fields
    too_painful = await _post(client, planner, pid, _check_in(STARTS_ON, items, during=11))
    assert too_painful.status_code == 400 and too_painful.json()["errors"][0]["field"] == "pain_during"
    assert (await client.get(f"/v1/programs/{pid}/check-ins", headers=planner)).json()["items"] == []
    unknown = await _post(client, planner, "00000000-0000-4000-8000-000000000000", _check_in(STARTS_ON, items))
    assert unknown.status_code == 404


async def test_a_replayed_check_in_is_byte_identical_and_decided_once(client: Client, planner: Headers) -> None:
    program = await _program(client, planner)
    pid, items = program["id"], _session_items(program)
    body = _check_in(STARTS_ON, items, during=7)
    first = await _post(client, planner, pid, body, **{"Idempotency-Key": "flare-1"})
    replay = await _post(client, planner, pid, body, **{"Idempotency-Key": "flare-1"})
    assert first.status_code == replay.status_code == 201
    assert replay.content == first.content and replay.headers["idempotent-replayed"] == "true"
    assert len((await client.get(f"/v1/programs/{pid}/check-ins", headers=planner)).json()["items"]) == 1
    revisions = (await client.get(f"/v1/programs/{pid}/revisions", headers=planner)).json()["items"]
    assert [r["number"] for r in revisions] == [1, 2], "the replay made no second revision"
    progress = (await client.get(f"/v1/programs/{pid}/progress", headers=planner)).json()
    assert len(progress["decisions"]) == 1, "the replay wrote no second decision"  # inserted with the check-in
    other = await _post(client, planner, pid, {**body, "pain_after": 4}, **{"Idempotency-Key": "flare-1"})
    assert other.status_code == 422


async def test_another_client_reaches_none_of_it(client: Client, planner: Headers, other_planner: Headers) -> None:
    program = await _program(client, planner)
    pid, items = program["id"], _session_items(program)
    created = (await _post(client, planner, pid, _check_in(STARTS_ON, items))).json()
    url = f"/v1/programs/{pid}/check-ins/{created['id']}"
    assert (await _post(client, other_planner, pid, _check_in(STARTS_ON, items))).status_code == 404
    assert (await client.get(url, headers=other_planner)).status_code == 404
    assert (await client.patch(url, json={"effort": 5}, headers=other_planner)).status_code == 404
    assert (await client.delete(url, headers=other_planner)).status_code == 404
    assert (await client.get(f"/v1/programs/{pid}/revisions", headers=other_planner)).status_code == 404
    assert (await client.get(url, headers=planner)).status_code == 200


async def test_outcome_measures_are_scored_compared_and_decided_on(client: Client, planner: Headers) -> None:
    program = await _program(client, planner)
    aid = program["assessment_id"]
    url = f"/v1/assessments/{aid}/outcomes"
    baseline = {"taken_on": STARTS_ON.isoformat(), "answers": {"measure": "odi", "answers": [2] * 10}}
    first = await client.post(url, json=baseline, headers=planner)
    assert first.status_code == 201, first.text
    assert first.json()["score"]["score"] == 40.0 and first.json()["change"] is None
    assert [d["program_id"] for d in first.json()["decisions"]] == [program["id"]]

    later = {
        "taken_on": (STARTS_ON + timedelta(days=20)).isoformat(),
        "answers": {"measure": "odi", "answers": [1, 1, 1, 1, 1, 1, 1, 1, 1, None]},
    }
    second = await client.post(url, json=later, headers={**planner, "Idempotency-Key": "odi-week-3"})
    assert second.status_code == 201, second.text
    change = second.json()["change"]
    assert second.json()["score"]["answered"] == 9
    assert change["baseline"] == 40.0 and change["current"] == 20.0 and change["mcid_reached"] is True
    replay = await client.post(url, json=later, headers={**planner, "Idempotency-Key": "odi-week-3"})
    assert replay.content == second.content

    listed = (await client.get(url, headers=planner)).json()
    assert [o["id"] for o in listed["items"]] == [first.json()["id"], second.json()["id"]]
    one = await client.get(f"{url}/{second.json()['id']}", headers=planner)
    assert one.json()["change"] == change

    wrong = await client.post(
        url,
        json={"taken_on": TODAY.isoformat(), "answers": {"measure": "odi", "answers": [7] + [None] * 9}},
        headers=planner,
    )
    assert wrong.status_code == 400, wrong.text
    assert len((await client.get(url, headers=planner)).json()["items"]) == 2

    assert (await client.delete(f"{url}/{first.json()['id']}", headers=planner)).status_code == 204
    rest = (await client.get(url, headers=planner)).json()["items"]
    assert [o["change"] for o in rest] == [None], "the next taking is now the baseline"
    assert (
        await client.get("/v1/assessments/00000000-0000-4000-8000-000000000000/outcomes", headers=planner)
    ).status_code == 404


async def test_progress_tells_the_weeks_the_measures_and_the_decisions(client: Client, planner: Headers) -> None:
    program = await _program(client, planner)
    pid, items = program["id"], _session_items(program)
    for offset, during in ((0, 2), (2, 3), (9, 2)):
        created = await _post(client, planner, pid, _check_in(STARTS_ON + timedelta(days=offset), items, during))
        assert created.status_code == 201, created.text
    routine = {"date": STARTS_ON.isoformat(), "kind": "routine", "pain_before": 3, "pain_during": 1, "pain_after": 2}
    assert (await _post(client, planner, pid, routine)).status_code == 201
    odi = f"/v1/assessments/{program['assessment_id']}/outcomes"
    for day, answers in ((0, [2] * 10), (20, [1] * 10)):
        taken_on = (STARTS_ON + timedelta(days=day)).isoformat()
        measured = await client.post(
            odi, json={"taken_on": taken_on, "answers": {"measure": "odi", "answers": answers}}, headers=planner
        )
        assert measured.status_code == 201, measured.text

    response = await client.get(f"/v1/programs/{pid}/progress", headers=planner)
    assert response.status_code == 200, response.text
    progress = response.json()
    made = [(d["decision"]["kind"], d["decision"].get("revision")) for d in progress["decisions"]]
    # Week 1 has not run whole (hold); by day 9 one session in 7 days simplifies 3 sessions to 2 (revision 2), and
    # the routine's check-in of day 0 decides over day 0 again; no sessions in days 14-20 simplify again (revision 3).
    assert made == [("hold", None), ("hold", None), ("simplify", 2), ("hold", None), ("hold", None), ("simplify", 3)]
    assert (progress["program_id"], progress["revision"], progress["status"]) == (pid, 3, "active")
    weeks = progress["weeks"]
    assert [w["week"] for w in weeks] == [1, 2, 3, 4], "every week begun by today (week 4)"
    first, second, third = weeks[0], weeks[1], weeks[2]
    # Each week as the revision in force when it began scheduled it: 3 sessions, then 2 from week 3 on.
    assert [w["sessions_scheduled"] for w in weeks] == [3, 3, 2, 2]
    assert (first["sessions_done"], first["routines_done"]) == (2, 1)
    assert first["adherence"] == 0.67 and first["pain_during_worst"] == 3 and first["pain_before"] == 3.0
    assert (second["sessions_done"], second["adherence"]) == (1, 0.33)
    assert (third["sessions_done"], third["adherence"], third["pain_before"]) == (0, 0.0, None)
    assert [(o["measure"], o["score"]) for o in progress["outcomes"]] == [("odi", 40.0), ("odi", 20.0)]
    assert progress["outcomes"][0]["change"] is None and progress["outcomes"][1]["change"]["mcid_reached"] is True
    kinds = [(d["check_in_id"] is not None, d["outcome_id"] is not None) for d in progress["decisions"]]
    assert kinds == [(True, False)] * 4 + [(False, True)] * 2, "one decision after each check-in and each measure"
    assert progress["decisions"][-1]["decision"]["made_on"] == (STARTS_ON + timedelta(days=20)).isoformat()


async def test_erasing_the_assessment_erases_check_ins_decisions_revisions_and_measures(
    client: Client, planner: Headers, engine: AsyncEngine
) -> None:
    program = await _program(client, planner)
    pid, items = program["id"], _session_items(program)
    assert (await _post(client, planner, pid, _check_in(STARTS_ON, items, during=7))).json()["decision"][
        "revision"
    ] == 2
    odi = {"taken_on": STARTS_ON.isoformat(), "answers": {"measure": "odi", "answers": [2] * 10}}
    assert (
        await client.post(f"/v1/assessments/{program['assessment_id']}/outcomes", json=odi, headers=planner)
    ).status_code == 201

    async def left() -> list[int]:
        async with engine.connect() as connection:
            return [
                (
                    await connection.execute(text(f"SELECT count(*) FROM {table} WHERE {column} = :id"), {"id": value})
                ).scalar_one()
                for table, column, value in (
                    ("check_ins", "program_id", pid),
                    ("program_decisions", "program_id", pid),
                    ("program_revisions", "program_id", pid),
                    ("outcomes", "assessment_id", program["assessment_id"]),
                )
            ]

    assert await left() == [1, 2, 2, 1]
    assert (await client.delete(f"/v1/assessments/{program['assessment_id']}", headers=planner)).status_code == 204
    assert await left() == [0, 0, 0, 0]


async def test_a_revision_keeps_the_stats_counters_equal_to_a_rebuild(
    client: Client, planner: Headers, engine: AsyncEngine
) -> None:
    """The stats count what programs prescribe from their bodies; a revision replaces the body, so its counters
    follow (the old body's taken back, the new one's counted), as a rebuild from the base tables would count them."""
    program = await _program(client, planner)
    flare = await _post(client, planner, program["id"], _check_in(STARTS_ON, _session_items(program), during=7))
    assert flare.json()["decision"]["revision"] == 2
    snapshot = text(
        "SELECT client_id, day, metric, key, sum(count) FROM activity_counts GROUP BY 1, 2, 3, 4 "
        "HAVING sum(count) <> 0 ORDER BY 1, 2, 3, 4"
    )
    async with engine.connect() as connection:
        transaction = await connection.begin()
        # What is counted is the counters plus the queued changes not folded into them yet.
        await connection.execute(text("SELECT fold_activity_count_changes()"))
        kept = (await connection.execute(snapshot)).all()
        await connection.execute(text("SELECT rebuild_activity_counts()"))
        rebuilt = (await connection.execute(snapshot)).all()
        await transaction.rollback()
        # Both read the arrays kept beside the body (migration 1ee5ae1e7a56): they must list what the new body does.
        stored = (
            await connection.execute(
                text("SELECT body::text, prescribed_phases, prescribed_exercises FROM programs WHERE id = :id"),
                {"id": uuid.UUID(program["id"])},
            )
        ).one()
    assert kept and kept == rebuilt
    body = json.loads(stored.body)
    listed = [(phase["key"], item["exercise"]["slug"]) for phase in body["phases"] for item in phase["items"]]
    assert list(zip(stored.prescribed_phases, stored.prescribed_exercises, strict=True)) == listed
    generated = [(phase["key"], item["exercise"]["slug"]) for phase in program["phases"] for item in phase["items"]]
    assert listed != generated  # the revision changed what is prescribed


TENANT_TABLES = ("programs", "check_ins", "program_decisions", "program_revisions", "assessments", "outcomes")


async def test_every_table_a_check_in_reads_is_scoped_to_the_caller(
    client: Client, planner: Headers, app: Litestar, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A check-in reads its program's row and outline and the decision's history in one statement of correlated
    subqueries, on a connection of the statement pool, where no tenant session scopes anything; a check-in whose
    decision revises the program is then recorded in a tenant session, whose criterion does not reach every shape of
    subquery either. So every tenant-owned table in every statement of both paths is filtered by its client."""
    program = await _program(client, planner)
    pooled: list[str] = []
    in_session: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        in_session.append(" ".join(statement.split()))

    pool = app.runtime.statements  # type: ignore[attr-defined]
    opened = pool.connection

    def log(query: Any) -> None:
        pooled.append(" ".join(query.query.split()))

    @asynccontextmanager
    async def logged() -> AsyncIterator[Any]:
        async with opened() as connection:
            connection.add_query_logger(log)
            try:
                yield connection
            finally:
                connection.remove_query_logger(log)

    monkeypatch.setattr(pool, "connection", logged)
    engine = app.runtime.engine.sync_engine  # type: ignore[attr-defined]
    event.listen(engine, "before_cursor_execute", record)
    try:
        calm = await _post(client, planner, program["id"], _check_in(STARTS_ON, _session_items(program)))
        assert calm.status_code == 201, calm.text
        assert "revision" not in calm.json()["decision"]
        assert in_session == []  # no tenant session: the pool's transaction alone
        assert len([s for s in pooled if "json_agg" in s]) == 1, pooled  # the program and history: one statement
        day = STARTS_ON + timedelta(days=1)
        flare = await _post(client, planner, program["id"], _check_in(day, _session_items(program), during=7))
        assert flare.json()["decision"]["revision"] == 2, flare.text
        assert in_session  # recorded again in a tenant session, which regenerates the program
    finally:
        event.remove(engine, "before_cursor_execute", record)
    for statement in pooled + in_session:
        # No table joined by a comma: a subquery that lists a table its outer query has reads all of that table.
        assert not re.search(r"FROM \w+(?: AS \w+)?, ", statement), statement
        for table in TENANT_TABLES:
            for found in re.finditer(rf"FROM {table}\b(?: AS (\w+))?", statement):
                scope = found.group(1) or table
                # Each FROM of a tenant table is followed, before the next FROM, by its client condition.
                rest = statement[found.end() :].split(" FROM ")[0]
                assert f"{scope}.client_id = " in rest, (table, statement)


async def test_a_check_in_that_waited_for_the_programs_lock_is_decided_with_the_one_before_it(
    client: Client, planner: Headers, settings: Settings
) -> None:
    """Two check-ins of one program are decided one after the other, the second seeing the first. Here another
    transaction holds the program's row and records a red-flag check-in, moving the program's version on as every
    write that a decision reads does, while a check-in waits for the row: once it commits, the waiting check-in must be
    decided with it (refer). The waiting check-in read the program before the other was committed, and its insert
    waited for the row: it must find the version moved on, write nothing and decide again."""
    program = await _program(client, planner)
    locked, done = threading.Event(), threading.Event()
    url = settings.database_url.replace("postgresql+asyncpg://", "postgresql://", 1)

    async def hold() -> None:
        connection = await asyncpg.connect(url)
        try:
            async with connection.transaction():
                row = await connection.fetchrow(
                    "UPDATE programs SET version = version + 1 WHERE id = $1 RETURNING client_id, revision",
                    uuid.UUID(program["id"]),
                )
                flagged = _check_in(STARTS_ON, [], symptoms={"chest_pain": True})
                await connection.execute(
                    "INSERT INTO check_ins (id, client_id, program_id, revision, date, kind, input) "
                    "VALUES ($1, $2, $3, $4, $5, 'session', $6::jsonb)",
                    uuid.uuid4(), row["client_id"], uuid.UUID(program["id"]), row["revision"], STARTS_ON,
                    json.dumps({**flagged, "items": [], "effort": None, "pain_next_morning": None}),
                )  # fmt: skip
                locked.set()
                # Until the check-in below waits for the row (or 5 s): then commit.
                for _ in range(100):
                    await connection.execute("SELECT pg_stat_clear_snapshot()")  # the view is cached per transaction
                    waiting = await connection.fetchval(
                        "SELECT count(*) FROM pg_stat_activity "
                        "WHERE wait_event_type = 'Lock' AND datname = current_database() AND pid <> pg_backend_pid()"
                    )
                    if waiting:
                        break
                    await asyncio.sleep(0.05)
        finally:
            await connection.close()
            done.set()

    holder = threading.Thread(target=lambda: asyncio.run(hold()))
    holder.start()
    try:
        assert locked.wait(10)
        calm = await _post(client, planner, program["id"], _check_in(STARTS_ON + timedelta(days=1), []))
    finally:
        holder.join(10)
    assert done.is_set()
    assert calm.status_code == 201, calm.text
    assert calm.json()["decision"]["kind"] == "refer", calm.json()["decision"]


async def test_a_check_in_overtaken_by_other_writes_every_time_is_recorded_under_the_programs_lock(
    client: Client, planner: Headers, engine: AsyncEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each time the check-in reads its program, another write moves the program's version on before the check-in
    is inserted: each time it writes nothing and reads again, and after OPTIMISTIC_TRIES reads it is recorded under
    the program's lock, once, with its key, which then replays it."""
    program = await _program(client, planner)
    versions: list[int] = []
    read_state = services.read_state

    async def overtaken(driver: Any, client_id: uuid.UUID, program_id: uuid.UUID, on: date, rules: Any) -> Any:
        state = await read_state(driver, client_id, program_id, on, rules)
        versions.append(state.version)
        await driver.execute("UPDATE programs SET version = version + 1 WHERE id = $1", program_id)
        return state

    monkeypatch.setattr(services, "read_state", overtaken)
    body, key = _check_in(STARTS_ON, []), {"Idempotency-Key": "overtaken"}
    made = await _post(client, planner, program["id"], body, **key)
    assert made.status_code == 201, made.text
    assert versions == [versions[0] + n for n in range(services.OPTIMISTIC_TRIES)]
    async with engine.connect() as connection:
        stored = await connection.scalar(
            text("SELECT count(*) FROM check_ins WHERE program_id = :id"), {"id": uuid.UUID(program["id"])}
        )
        version = await connection.scalar(
            text("SELECT version FROM programs WHERE id = :id"), {"id": uuid.UUID(program["id"])}
        )
    assert stored == 1
    assert version == versions[-1] + 2  # the last overtaking write, then the locked recording's own
    again = await _post(client, planner, program["id"], body, **key)
    assert (again.status_code, again.headers.get("Idempotent-Replayed")) == (201, "true")
    assert again.json() == made.json()
