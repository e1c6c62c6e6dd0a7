"""Programs over GraphQL: the same service and the same answers as REST, batched related loads."""

from __future__ import annotations

import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit

from litestar import Litestar
from litestar.testing import AsyncTestClient

from devkit.personas import DESK_WORKER
from tests.integration.catalog.test_graphql import count_statements, query_statements

Client = AsyncTestClient[Litestar]
Headers = dict[str, str]
NewAssessment = Callable[..., Awaitable[dict[str, Any]]]

DOSE = "sets reps holdSeconds durationSeconds perSide tempo restSeconds intensity weakerSide"
PROGRAM = f"""
  id createdAt subjectRef assessmentId rulesetVersion revision status paused {{ madeOn level message reasons }}
  parameters {{
    weeks sessionsPerWeek sessionMinutes level availableEquipment excludeExercises conditions irritability
    days startsOn
  }}
  findings {{ id type target rules summary }}
  phases {{
    key order title goal focusMuscles
    items {{
      id exercise {{ slug name }} dose {{ {DOSE} }} rationale alternatives instructions cues media {{ kind url }}
      finding alsoServes
      startWith {{
        id exercise {{ slug name }} untilWeek dose {{ {DOSE} }} reason instructions cues media {{ kind url }}
      }}
    }}
    gaps {{ muscle reason }}
  }}
  schedule {{
    days warmUp {{ minutes steps }}
    weeks {{
      week stage lighter moveOnWhen restDays noStrengthWork routine {{ items estimatedMinutes }}
      sessions {{ day preparation items estimatedMinutes }}
    }}
    doseChanges {{ prescriptions fromWeek toWeek dose {{ {DOSE} }} }}
    reassessments {{ week date tests }}
  }}
  excluded {{ exercise reason }}
  safetyNotes
  education {{ topic title text }}
  unaddressed {{ finding reason }}
"""
GENERATE = f"""
mutation ($input: ProgramInput!, $key: String) {{
  generateProgram(input: $input, idempotencyKey: $key) {{ {PROGRAM} }}
}}
"""


async def _gql(client: Client, headers: Headers, query: str, variables: dict[str, Any]) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _snake(value: Any) -> Any:
    """A GraphQL answer in the REST resource's spelling, to compare the two field for field (REST leaves a dose's
    fields at their defaults out; GraphQL answers every field asked for)."""
    if isinstance(value, dict):
        return {
            re.sub(r"[A-Z]", lambda m: "_" + m.group(0).lower(), k): (
                {f: x for f, x in _snake(v).items() if x not in (None, False, 0)} if k == "dose" else _snake(v)
            )
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_snake(item) for item in value]
    return value


async def test_generate_read_list_delete_mirror_rest(
    client: Client, planner: Headers, new_assessment: NewAssessment
) -> None:
    assessment = await new_assessment(subject_ref=f"gql-{uuid.uuid4()}")
    variables = {
        "input": {
            "assessmentId": assessment["id"],
            "weeks": 3,
            "days": ["tue", "wed", "sat"],
            "availableEquipment": ["foam_roller", "step"],
        }
    }
    result = await _gql(client, planner, GENERATE, variables)
    assert "errors" not in result, result
    created = result["data"]["generateProgram"]
    rest = (await client.get(f"/v1/programs/{created['id']}", headers=planner)).json()
    as_rest = _snake(created)
    assert as_rest.pop("created_at").replace("+00:00", "Z") == rest.pop("created_at").replace("+00:00", "Z")
    assert as_rest == {k: v for k, v in rest.items() if k != "created_at"}

    one = await _gql(
        client, planner, "query ($id: ID!) { program(id: $id) { id assessmentId } }", {"id": created["id"]}
    )
    assert one["data"]["program"] == {"id": created["id"], "assessmentId": assessment["id"]}
    # A client asks for exactly the week it renders, and the doses that hold in it.
    week_two = await _gql(
        client,
        planner,
        "query ($id: ID!) { program(id: $id) { schedule { weeks(number: 2) { week sessions { day items } } "
        "doseChanges(week: 2) { prescriptions fromWeek toWeek dose { sets reps durationSeconds } } } } }",
        {"id": created["id"]},
    )
    schedule = week_two["data"]["program"]["schedule"]
    assert [w["week"] for w in schedule["weeks"]] == [2]
    assert [s["day"] for s in schedule["weeks"][0]["sessions"]] == ["tue", "wed", "sat"]
    assert schedule["doseChanges"] == [
        {
            "prescriptions": c["prescriptions"],
            "fromWeek": c["from_week"],
            "toWeek": c["to_week"],
            "dose": {
                "sets": c["dose"].get("sets"),
                "reps": c["dose"].get("reps"),
                "durationSeconds": c["dose"].get("duration_seconds"),
            },
        }
        for c in rest["schedule"]["dose_changes"]
        if c["from_week"] <= 2 <= c["to_week"]
    ]
    unknown = await _gql(client, planner, "query ($id: ID!) { program(id: $id) { id } }", {"id": "nope"})
    assert unknown["data"]["program"] is None
    listed = await _gql(
        client,
        planner,
        "query ($a: ID, $s: String) { programs(first: 5, assessmentId: $a, subjectRef: $s) "
        "{ edges { cursor node { id days status } } pageInfo { hasNextPage endCursor } } }",
        {"a": assessment["id"], "s": assessment["subject_ref"]},
    )
    connection = listed["data"]["programs"]
    assert [e["node"] for e in connection["edges"]] == [
        {"id": created["id"], "days": ["tue", "wed", "sat"], "status": "active"}
    ]
    assert connection["pageInfo"] == {"hasNextPage": False, "endCursor": connection["edges"][0]["cursor"]}
    for other in ("not-a-uuid", str(uuid.uuid4())):
        empty = await _gql(
            client, planner, "query ($a: ID) { programs(assessmentId: $a) { edges { cursor } } }", {"a": other}
        )
        assert empty["data"]["programs"]["edges"] == []

    delete = "mutation ($id: ID!) { deleteProgram(id: $id) }"
    assert (await _gql(client, planner, delete, {"id": created["id"]}))["data"]["deleteProgram"] is True
    assert (await _gql(client, planner, delete, {"id": created["id"]}))["data"]["deleteProgram"] is False


async def test_idempotency_key_replays(client: Client, planner: Headers, new_assessment: NewAssessment) -> None:
    assessment = await new_assessment()
    variables = {"input": {"assessmentId": assessment["id"], "weeks": 2}, "key": f"gql-{uuid.uuid4()}"}
    first = (await _gql(client, planner, GENERATE, variables))["data"]["generateProgram"]
    second = (await _gql(client, planner, GENERATE, variables))["data"]["generateProgram"]
    assert second == first


async def test_referral_is_a_client_error_saying_why(
    client: Client, planner: Headers, new_assessment: NewAssessment
) -> None:
    assessment = await new_assessment(red_flags={**DESK_WORKER["red_flags"], "saddle_numbness": True})
    result = await _gql(client, planner, GENERATE, {"input": {"assessmentId": assessment["id"]}})
    assert result["data"] is None
    error = result["errors"][0]
    assert error["message"] == assessment["referral"]["message"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT" and error["extensions"]["status"] == 422
    assert error["extensions"]["type"].endswith("/referral-required")
    assert error["extensions"]["reasons"] == ["saddle_numbness"]
    # The same absolute, resolvable problem type REST answers with (issue 17, item 8).
    rest = await client.post("/v1/programs", json={"assessment_id": assessment["id"]}, headers=planner)
    assert rest.status_code == 422 and error["extensions"]["type"] == rest.json()["type"]
    assert (await client.get(urlsplit(rest.json()["type"]).path)).status_code == 200


async def test_invalid_input_names_the_field(client: Client, planner: Headers, new_assessment: NewAssessment) -> None:
    assessment = await new_assessment()
    cases = [
        # The GraphQL argument path, camelCase (issue 17, item 10), not the REST body's field.
        ({"weeks": 0}, "input.weeks", 400),
        ({"excludeExercises": ["no_such_exercise"]}, "input.excludeExercises[0]", 400),
        ({"availableEquipment": ["step", "step"]}, "input.availableEquipment[1]", 400),
        ({"assessmentId": "not-a-uuid"}, "input.assessmentId", 400),
        ({"assessmentId": str(uuid.uuid4())}, "input.assessmentId", 422),
    ]
    for changes, field, status in cases:
        result = await _gql(client, planner, GENERATE, {"input": {"assessmentId": assessment["id"], **changes}})
        extensions = result["errors"][0]["extensions"]
        assert extensions["code"] == "BAD_USER_INPUT" and extensions["status"] == status, (changes, result)
        assert extensions["errors"][0]["field"] == field, (changes, result)
    unknown_slug = await _gql(
        client, planner, GENERATE, {"input": {"assessmentId": assessment["id"], "availableEquipment": ["jetpack"]}}
    )
    assert "jetpack" in unknown_slug["errors"][0]["message"]  # an enum: refused before any resolver runs


async def test_fields_need_their_scopes(client: Client, new_assessment: NewAssessment) -> None:
    assessment = await new_assessment()
    result = await _gql(client, {}, GENERATE, {"input": {"assessmentId": assessment["id"]}})
    assert result["data"] is None and result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    listed = await _gql(client, {}, "{ programs { edges { cursor } } }", {})
    assert listed["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


RELATED = """
query ($subject: String!) {
  programs(first: 50, subjectRef: $subject) {
    edges { node {
      id assessment { id status }
      program { phases { items { exercise { slug details { slug modality } } } } }
    } }
  }
}
"""


async def test_related_data_is_batched_whatever_the_number_of_programs(
    client: Client, app: Litestar, planner: Headers, new_assessment: NewAssessment
) -> None:
    subject = f"batch-{uuid.uuid4()}"
    counts = []
    for programs in (1, 4):
        while True:
            listed = await _gql(client, planner, RELATED, {"subject": subject})
            if len(listed["data"]["programs"]["edges"]) >= programs:
                break
            assessment = await new_assessment(subject_ref=subject)
            response = await client.post(
                "/v1/programs", json={"assessment_id": assessment["id"], "weeks": 1}, headers=planner
            )
            assert response.status_code == 201, response.text
        with count_statements(app) as statements:
            result = await _gql(client, planner, RELATED, {"subject": subject})
        assert "errors" not in result, result
        nodes = [edge["node"] for edge in result["data"]["programs"]["edges"]]
        assert len(nodes) == programs
        assert all(node["assessment"]["status"] == "ok" for node in nodes)
        details = [
            item["exercise"]["details"]
            for node in nodes
            for phase in node["program"]["phases"]
            for item in phase["items"]
        ]
        assert details and all(d is not None for d in details)
        counts.append(len(query_statements(statements)))
    assert counts[0] == counts[1], counts


async def test_a_subject_filter_no_subject_can_have_is_a_client_error(client: Client, planner: Headers) -> None:
    result = await _gql(
        client, planner, "query ($s: String) { programs(subjectRef: $s) { edges { cursor } } }", {"s": "a\x00b"}
    )
    extensions = result["errors"][0]["extensions"]
    assert extensions["code"] == "BAD_USER_INPUT" and extensions["errors"][0]["field"] == "subjectRef"
