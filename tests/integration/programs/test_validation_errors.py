"""A bad request lists every wrong field at once, in plain words (issue 17, finding 5: validation listed only the
first error, and its messages were msgspec's: "Expected `int` <= 10", "Input data was truncated")."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.integration.programs.conftest import create_assessment

Client = AsyncTestClient[Litestar]
Headers = dict[str, str]


def _errors(body: dict[str, Any]) -> dict[str, str]:
    return {e["field"]: e["message"] for e in body["errors"]}


def _plain(messages: dict[str, str]) -> None:
    for field, message in messages.items():
        assert "Expected" not in message and "`" not in message and "$." not in message, (field, message)


async def test_a_program_request_names_every_wrong_field(client: Client, planner: Headers) -> None:
    body = {"assessment_id": "nope", "weeks": 0, "session_minutes": 5, "level": "expert", "favourite": 1}
    response = await client.post("/v1/programs", json=body, headers=planner)
    assert response.status_code == 400, response.text
    errors = _errors(response.json())
    assert set(errors) == {"assessment_id", "weeks", "session_minutes", "level", "favourite"}
    assert errors["weeks"] == "must be at least 1"
    assert errors["session_minutes"] == "must be at least 20"
    assert errors["favourite"] == "is not a field of this body"
    assert errors["assessment_id"] == "must be a UUID"
    _plain(errors)


async def test_an_assessment_names_every_wrong_nested_field(client: Client, planner: Headers) -> None:
    body = {
        "pain": {"intensity": 11, "regions": ["lower_back", "nowhere"]},
        "lifestyle": {"sitting_hours_per_day": -1, "mood": "fine"},
        "tests": {"straight_leg_raise_deg": {"left": "sixty", "right": 62}},
    }
    response = await client.post("/v1/assessments", json=body, headers=planner)
    assert response.status_code == 400, response.text
    errors = _errors(response.json())
    assert {
        "pain.intensity",
        "pain.regions[1]",
        "lifestyle.sitting_hours_per_day",
        "lifestyle.mood",
        "tests.straight_leg_raise_deg.left",
    } <= set(errors), errors
    assert errors["pain.intensity"] == "must be at most 10"
    assert errors["tests.straight_leg_raise_deg.left"] == "must be a number or null, not a string"
    _plain(errors)


async def test_a_truncated_body_says_so_plainly(client: Client, planner: Headers) -> None:
    response = await client.post(
        "/v1/programs", content=b'{"weeks": 4', headers={**planner, "Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert _errors(response.json()) == {"body": "is not complete JSON: it ends too early"}


async def test_a_query_parameter_out_of_range_is_plain(client: Client) -> None:
    response = await client.get("/v1/exercises", params={"limit": 501})
    assert response.status_code == 400
    errors = _errors(response.json())
    assert errors == {"limit": "must be at most 500"}, errors


async def test_graphql_names_every_wrong_input_field(client: Client, planner: Headers) -> None:
    assessment = await create_assessment(client, planner)
    query = "mutation ($input: ProgramInput!) { generateProgram(input: $input) { id } }"
    variables = {"input": {"assessmentId": assessment["id"], "weeks": 0, "sessionMinutes": 5}}
    response = await client.post("/graphql", json={"query": query, "variables": variables}, headers=planner)
    extensions = response.json()["errors"][0]["extensions"]
    errors = {e["field"]: e["message"] for e in extensions["errors"]}
    # GraphQL's argument paths, camelCase (issue 17, item 10).
    assert errors == {"input.weeks": "must be at least 1", "input.sessionMinutes": "must be at least 20"}
