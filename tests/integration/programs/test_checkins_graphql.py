"""Issue 18 over GraphQL: check-ins, decisions, revisions, progress and outcome measures answer what REST answers
(the same domain calls), with REST's problem types in `extensions.type`, idempotent replays, and batched loads
across a list of programs. Through the real app and PostgreSQL."""

from __future__ import annotations

import copy
import json
import re
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from litestar import Litestar

from devkit.personas import DESK_WORKER
from tests.integration.catalog.test_graphql import count_statements, query_statements
from tests.integration.programs.conftest import Client, Headers

TODAY = datetime.now(UTC).date()
STARTS_ON = TODAY - timedelta(days=21)  # in week 4 today

DECISION = """
  kind rulesetVersion madeOn week explanation reasons adherence regress
  simplify { sessionsPerWeek sessionMinutes } refer { level message } revision
"""
CHECK_IN = f"""
  id programId revision date kind items {{ prescription sets reps seconds loadKg }}
  painBefore painDuring painAfter painNextMorning effort symptoms {{ code answer }}
  createdAt updatedAt decision {{ {DECISION} }}
"""
RECORD = f"""
mutation ($program: ID!, $input: CheckInInput!, $key: String) {{
  recordCheckIn(programId: $program, input: $input, idempotencyKey: $key) {{ {CHECK_IN} }}
}}
"""
CHANGE = "baseline current absolute percent improved mcidReached explanation"
OUTCOME = f"""
  id assessmentId takenOn createdAt
  answers {{ measure value answers activities {{ name score }} agree bothersome }}
  score {{ measure rulesetVersion score answered band subscale risk advice }}
  change {{ {CHANGE} }}
"""
RECORD_OUTCOME = f"""
mutation ($assessment: ID!, $input: OutcomeInput!, $key: String) {{
  recordOutcome(assessmentId: $assessment, input: $input, idempotencyKey: $key) {{
    {OUTCOME} decisions {{ programId decision {{ {DECISION} }} }}
  }}
}}
"""
PROGRESS = f"""
  programId revision status
  weeks {{
    week startsOn sessionsScheduled sessionsDone routinesDone adherence painBefore painDuringWorst painNextMorning
  }}
  outcomes {{ measure takenOn score change {{ {CHANGE} }} }}
  decisions {{ decision {{ {DECISION} }} checkInId outcomeId createdAt }}
"""


async def _gql(client: Client, headers: Headers, query: str, variables: dict[str, Any]) -> Any:
    response = await client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def _data(client: Client, headers: Headers, query: str, variables: dict[str, Any]) -> Any:
    result = await _gql(client, headers, query, variables)
    assert "errors" not in result, result
    return result["data"]


async def _program(client: Client, headers: Headers, **changes: Any) -> dict[str, Any]:
    response = await client.post("/v1/assessments", json={**DESK_WORKER, **changes}, headers=headers)
    assert response.status_code == 201, response.text
    request = {"assessment_id": response.json()["id"], "starts_on": STARTS_ON.isoformat()}
    response = await client.post("/v1/programs", json=request, headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def _items(program: dict[str, Any]) -> list[str]:
    session = program["schedule"]["weeks"][0]["sessions"][0]
    return [*session["preparation"], *session["items"]]


def _check_in(day: date, items: list[str], during: int = 2, **changes: Any) -> dict[str, Any]:
    """A check-in in GraphQL's spelling."""
    return {
        "date": day.isoformat(),
        "kind": "session",
        "items": [{"prescription": pid, "sets": 2, "reps": 10} for pid in items],
        "painBefore": 3,
        "painDuring": during,
        "painAfter": 3,
        **changes,
    }


def _snake(value: Any) -> Any:
    """GraphQL's answer in REST's spelling: snake_case keys, {code, answer} lists as objects by code."""
    if isinstance(value, list):
        if value and all(isinstance(x, dict) and set(x) == {"code", "answer"} for x in value):
            return {x["code"]: x["answer"] for x in value}
        return [_snake(x) for x in value]
    if isinstance(value, dict):
        return {re.sub(r"([A-Z])", lambda m: "_" + m.group(1).lower(), k): _snake(v) for k, v in value.items()}
    return value


def _shape(value: Any) -> Any:
    """Without what one door leaves out and the other spells empty or null (REST omits a decision's defaults)."""
    if isinstance(value, list):
        return [_shape(x) for x in value]
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items() if v not in (None, [], {})}
    return value


async def test_graphql_and_rest_record_and_read_the_same_check_ins(client: Client, planner: Headers) -> None:
    program = await _program(client, planner)
    pid, items = program["id"], _items(program)
    given = _check_in(STARTS_ON, items, effort=5, symptoms=[{"code": "chest_pain", "answer": False}])
    recorded = (await _data(client, planner, RECORD, {"program": pid, "input": given}))["recordCheckIn"]
    rest = await client.get(f"/v1/programs/{pid}/check-ins/{recorded['id']}", headers=planner)
    assert rest.status_code == 200, rest.text
    assert _shape(_snake(recorded)) == _shape(rest.json())
    assert recorded["createdAt"].endswith("Z") and recorded["decision"]["kind"] == "hold"

    body = {"date": STARTS_ON.isoformat(), "kind": "routine", "pain_before": 2, "pain_during": 1, "pain_after": 2}
    posted = await client.post(f"/v1/programs/{pid}/check-ins", json=body, headers=planner)
    assert posted.status_code == 201, posted.text
    one = f"query ($p: ID!, $id: ID!) {{ checkIn(programId: $p, id: $id) {{ {CHECK_IN} }} }}"
    read = (await _data(client, planner, one, {"p": pid, "id": posted.json()["id"]}))["checkIn"]
    assert _shape(_snake(read)) == _shape(posted.json())

    listed = f"""query ($id: ID!) {{ program(id: $id) {{
      checkIns(first: 1) {{ edges {{ node {{ {CHECK_IN} }} }} pageInfo {{ hasNextPage endCursor }} }} }} }}"""
    page = (await _data(client, planner, listed, {"id": pid}))["program"]["checkIns"]
    rest_page = (await client.get(f"/v1/programs/{pid}/check-ins", params={"limit": 1}, headers=planner)).json()
    assert [_shape(_snake(e["node"])) for e in page["edges"]] == [_shape(x) for x in rest_page["items"]]
    assert page["pageInfo"] == {"hasNextPage": True, "endCursor": rest_page["next_cursor"]}
    forged = 'query ($id: ID!) { program(id: $id) { checkIns(after: "forged") { edges { cursor } } } }'
    refused = await _gql(client, planner, forged, {"id": pid})
    assert refused["errors"][0]["extensions"]["errors"][0]["field"] == "after"

    update = f"""mutation ($p: ID!, $id: ID!, $input: CheckInUpdateInput!) {{
      updateCheckIn(programId: $p, id: $id, input: $input) {{ {CHECK_IN} }} }}"""
    changed = await _data(client, planner, update, {"p": pid, "id": recorded["id"], "input": {"painNextMorning": 6}})
    assert (
        changed["updateCheckIn"]["painNextMorning"] == 6 and changed["updateCheckIn"]["decision"]["kind"] == "regress"
    )
    nothing = await _gql(client, planner, update, {"p": pid, "id": recorded["id"], "input": {}})
    assert nothing["errors"][0]["extensions"]["errors"][0]["field"] == "input"

    progress = f"query ($id: ID!) {{ program(id: $id) {{ progress {{ {PROGRESS} }} }} }}"
    via_graphql = (await _data(client, planner, progress, {"id": pid}))["program"]["progress"]
    via_rest = (await client.get(f"/v1/programs/{pid}/progress", headers=planner)).json()
    assert _shape(_snake(via_graphql)) == _shape(via_rest)

    delete = "mutation ($p: ID!, $id: ID!) { deleteCheckIn(programId: $p, id: $id) }"
    assert (await _data(client, planner, delete, {"p": pid, "id": recorded["id"]}))["deleteCheckIn"] is True
    assert (await _data(client, planner, delete, {"p": pid, "id": recorded["id"]}))["deleteCheckIn"] is False
    gone = await client.get(f"/v1/programs/{pid}/check-ins/{recorded['id']}", headers=planner)
    assert gone.status_code == 404


async def test_a_flare_up_makes_revision_2_visible_in_revisions(client: Client, planner: Headers) -> None:
    program = await _program(client, planner)
    pid, items = program["id"], _items(program)
    await _data(client, planner, RECORD, {"program": pid, "input": _check_in(STARTS_ON, items)})
    flare = _check_in(STARTS_ON + timedelta(days=2), items, during=7)
    decision = (await _data(client, planner, RECORD, {"program": pid, "input": flare}))["recordCheckIn"]["decision"]
    assert (decision["kind"], decision["revision"]) == ("regress", 2)

    query = f"""query ($id: ID!) {{ program(id: $id) {{
      revision revisions {{ number createdAt changes decision {{ {DECISION} }}
        program {{ id revision phases {{ key items {{ id exercise {{ slug }} }} }} }} }} }} }}"""
    shown = (await _data(client, planner, query, {"id": pid}))["program"]
    assert shown["revision"] == 2
    revisions = shown["revisions"]
    assert [r["number"] for r in revisions] == [1, 2]
    assert revisions[0]["decision"] is None and revisions[1]["decision"]["kind"] == "regress"
    rest = (await client.get(f"/v1/programs/{pid}/revisions", headers=planner)).json()["items"]
    bare = [{k: v for k, v in r.items() if k != "program"} for r in revisions]
    assert _shape(_snake(bare)) == _shape(rest)
    for revision in revisions:
        whole = (await client.get(f"/v1/programs/{pid}/revisions/{revision['number']}", headers=planner)).json()
        assert revision["program"]["revision"] == revision["number"] and revision["program"]["id"] == pid
        assert _snake(revision["program"]["phases"]) == [
            {
                "key": p["key"],
                "items": [{"id": i["id"], "exercise": {"slug": i["exercise"]["slug"]}} for i in p["items"]],
            }
            for p in whole["program"]["phases"]
        ]
    assert revisions[0]["program"]["phases"] != revisions[1]["program"]["phases"]


async def test_a_red_flag_pauses_the_program_and_the_next_check_in_is_refused(client: Client, planner: Headers) -> None:
    program = await _program(client, planner)
    pid, items = program["id"], _items(program)
    flagged = _check_in(STARTS_ON, items, symptoms=[{"code": "chest_pain", "answer": True}])
    decision = (await _data(client, planner, RECORD, {"program": pid, "input": flagged}))["recordCheckIn"]["decision"]
    assert decision["kind"] == "refer" and decision["refer"]["level"] == "emergency"
    status = "query ($id: ID!) { program(id: $id) { status paused { level } progress { status } } }"
    shown = (await _data(client, planner, status, {"id": pid}))["program"]
    assert (shown["status"], shown["paused"]["level"], shown["progress"]["status"]) == ("paused", "emergency", "paused")

    refused = await _gql(client, planner, RECORD, {"program": pid, "input": _check_in(STARTS_ON, items)})
    assert refused["data"] is None
    extensions = refused["errors"][0]["extensions"]
    assert extensions["type"].endswith("/program-paused") and extensions["status"] == 409
    rest = await client.post(f"/v1/programs/{pid}/check-ins", json=_snake(_check_in(STARTS_ON, items)), headers=planner)
    assert rest.json()["type"] == extensions["type"], "the same problem type as REST"
    bad = _check_in(STARTS_ON, items, symptoms=[{"code": "ok", "answer": False}, {"code": "made_up", "answer": True}])
    invalid = await _gql(client, planner, RECORD, {"program": pid, "input": bad})
    fields = [e["field"] for e in invalid["errors"][0]["extensions"]["errors"]]
    assert sorted(fields) == ["input.symptoms[0]", "input.symptoms[1]"], fields


async def test_a_replayed_check_in_answers_the_same_and_is_recorded_once(client: Client, planner: Headers) -> None:
    program = await _program(client, planner)
    pid, items = program["id"], _items(program)
    variables = {"program": pid, "input": _check_in(STARTS_ON, items, during=7), "key": "gql-flare-1"}
    first = await _data(client, planner, RECORD, variables)
    replay = await _data(client, planner, RECORD, variables)
    assert replay == first
    listed = (await client.get(f"/v1/programs/{pid}/check-ins", headers=planner)).json()["items"]
    assert [c["id"] for c in listed] == [first["recordCheckIn"]["id"]]
    revisions = (await client.get(f"/v1/programs/{pid}/revisions", headers=planner)).json()["items"]
    assert [r["number"] for r in revisions] == [1, 2], "the replay made no second revision"
    other = await _gql(client, planner, RECORD, {**variables, "input": {**variables["input"], "painAfter": 4}})
    assert other["errors"][0]["extensions"]["status"] == 422


async def test_outcome_measures_are_scored_with_their_meaningful_change(client: Client, planner: Headers) -> None:
    program = await _program(client, planner)
    aid = program["assessment_id"]
    baseline = {"takenOn": STARTS_ON.isoformat(), "measure": "odi", "answers": [2] * 10}
    first = (await _data(client, planner, RECORD_OUTCOME, {"assessment": aid, "input": baseline}))["recordOutcome"]
    assert first["score"]["score"] == 40.0 and first["change"] is None
    assert [d["programId"] for d in first["decisions"]] == [program["id"]]
    later = {"takenOn": (STARTS_ON + timedelta(days=20)).isoformat(), "measure": "odi", "answers": [1] * 9 + [None]}
    variables = {"assessment": aid, "input": later, "key": "gql-odi-week-3"}
    second = (await _data(client, planner, RECORD_OUTCOME, variables))["recordOutcome"]
    change = second["change"]
    assert (change["baseline"], change["current"], change["mcidReached"]) == (40.0, 20.0, True)
    assert (await _data(client, planner, RECORD_OUTCOME, variables))["recordOutcome"] == second

    query = f"query ($id: ID!) {{ assessment(id: $id) {{ outcomes {{ {OUTCOME} }} }} }}"
    taken = (await _data(client, planner, query, {"id": aid}))["assessment"]["outcomes"]
    rest = (await client.get(f"/v1/assessments/{aid}/outcomes", headers=planner)).json()["items"]
    assert [o["id"] for o in taken] == [first["id"], second["id"]]
    assert [_shape(_snake(o)) for o in taken] == [_shape(o) for o in rest]

    wrong = {"takenOn": TODAY.isoformat(), "measure": "odi", "answers": [7] + [None] * 9}
    refused = await _gql(client, planner, RECORD_OUTCOME, {"assessment": aid, "input": wrong})
    fields = {e["field"] for e in refused["errors"][0]["extensions"]["errors"]}
    assert fields == {"input.answers[0]", "input.answers"}, fields
    mixed = {"takenOn": TODAY.isoformat(), "measure": "odi", "answers": [1] * 10, "value": 3}
    refused = await _gql(client, planner, RECORD_OUTCOME, {"assessment": aid, "input": mixed})
    assert [e["field"] for e in refused["errors"][0]["extensions"]["errors"]] == ["input.value"]

    delete = "mutation ($a: ID!, $id: ID!) { deleteOutcome(assessmentId: $a, id: $id) }"
    assert (await _data(client, planner, delete, {"a": aid, "id": first["id"]}))["deleteOutcome"] is True
    assert (await _data(client, planner, delete, {"a": aid, "id": first["id"]}))["deleteOutcome"] is False
    assert [
        o["change"] for o in (await client.get(f"/v1/assessments/{aid}/outcomes", headers=planner)).json()["items"]
    ] == [None]


FOLLOW_UP = """
query ($subject: String!) {
  programs(first: 50, subjectRef: $subject) {
    edges { node {
      id
      checkIns { edges { node { id decision { kind } } } pageInfo { hasNextPage } }
      progress { weeks { week sessionsDone } outcomes { score } decisions { decision { kind } } }
      revisions { number decision { kind } }
      assessment { outcomes { score { score } } }
    } }
  }
}
"""


async def test_follow_up_is_batched_whatever_the_number_of_programs(
    client: Client, app: Litestar, planner: Headers
) -> None:
    subject = f"follow-{uuid.uuid4()}"
    counts = []
    for programs in (1, 4):
        while True:
            listed = await _data(client, planner, FOLLOW_UP, {"subject": subject})
            if len(listed["programs"]["edges"]) >= programs:
                break
            program = await _program(client, planner, subject_ref=subject)
            check_in = _check_in(STARTS_ON, _items(program))
            await _data(client, planner, RECORD, {"program": program["id"], "input": check_in})
            measure = {"takenOn": STARTS_ON.isoformat(), "measure": "nprs", "value": 4}
            await _data(client, planner, RECORD_OUTCOME, {"assessment": program["assessment_id"], "input": measure})
        with count_statements(app) as statements:
            result = await _data(client, planner, FOLLOW_UP, {"subject": subject})
        nodes = [edge["node"] for edge in result["programs"]["edges"]]
        assert len(nodes) == programs
        assert all(len(n["checkIns"]["edges"]) == 1 and n["progress"]["weeks"] for n in nodes)
        assert all(len(n["progress"]["decisions"]) == 2 and n["revisions"][0]["number"] == 1 for n in nodes)
        assert all(len(n["assessment"]["outcomes"]) == 1 for n in nodes)
        counts.append(len(query_statements(statements)))
    assert counts[0] == counts[1], counts


async def test_an_activity_name_postgresql_cannot_store_is_refused_naming_it(client: Client, planner: Headers) -> None:
    program = await _program(client, planner)
    aid = program["assessment_id"]
    activities = [
        {"name": "stairs\u0000", "score": 3},
        {"name": "walking", "score": 4},
        {"name": "lifting", "score": 5},
    ]
    given = {"takenOn": STARTS_ON.isoformat(), "measure": "psfs", "activities": activities}
    refused = await _gql(client, planner, RECORD_OUTCOME, {"assessment": aid, "input": given})
    assert [e["field"] for e in refused["errors"][0]["extensions"]["errors"]] == ["input.activities[0].name"]
    body = {"taken_on": STARTS_ON.isoformat(), "answers": {"measure": "psfs", "activities": activities}}
    rest = await client.post(f"/v1/assessments/{aid}/outcomes", json=body, headers=planner)
    assert rest.status_code == 400 and rest.json()["errors"][0]["field"] == "answers.activities[0].name", rest.text


async def test_hostile_values_in_any_field_are_client_errors(client: Client, planner: Headers) -> None:
    """Each field of a check-in and a measure given each hostile value: answered, as a client error where the value
    is wrong (one that leaves the input valid is recorded, as it should be), never as "Unexpected error."."""
    from tests.integration.test_fuzz_hostile_inputs import HOSTILE_VALUES

    program = await _program(client, planner)
    pid, aid, items = program["id"], program["assessment_id"], _items(program)
    valid = _check_in(STARTS_ON, items[:1], symptoms=[{"code": "chest_pain", "answer": False}])
    psfs = [{"name": "stairs", "score": 4}, {"name": "walking", "score": 6}, {"name": "lifting", "score": 3}]
    measure = {"takenOn": STARTS_ON.isoformat(), "measure": "psfs", "activities": psfs}
    cases: list[tuple[str, dict[str, Any], list[tuple[str, ...]]]] = [
        (RECORD, {"program": pid, "input": valid}, [(k,) for k in valid] + [("items", "0", "prescription")]),
        (
            RECORD_OUTCOME,
            {"assessment": aid, "input": measure},
            [(k,) for k in measure] + [("activities", "0", "name")],
        ),
    ]
    for document, variables, paths in cases:
        for path in paths:
            for hostile in HOSTILE_VALUES:
                spoiled: Any = {**variables, "input": copy.deepcopy(variables["input"])}
                at: Any = spoiled["input"]
                for step in path[:-1]:
                    at = at[int(step)] if isinstance(at, list) else at[step]
                at[int(path[-1]) if isinstance(at, list) else path[-1]] = hostile
                body = json.dumps({"query": document, "variables": spoiled})  # escapes a lone surrogate
                headers = {**planner, "Content-Type": "application/json"}
                response = await client.post("/graphql", content=body, headers=headers)
                assert response.status_code < 500, (path, hostile, response.text)
                for error in response.json().get("errors") or []:
                    assert error["message"] != "Unexpected error.", (path, hostile, error)
