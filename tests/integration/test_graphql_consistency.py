"""Issue 17, item 10: GraphQL consistent with itself and with REST. `Assessment.input` is typed and camelCase (it was
an untyped JSON in REST's snake_case); error `field`s name the GraphQL argument path in camelCase (REST's body
fields before); every enum's values are lower case (StatsBucket's were upper); a DateTime ends in `Z` like REST's
(`+00:00` before); `stats.totals` is one object (a one-item list before)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from devkit.keys import make_key
from devkit.personas import DESK_WORKER
from service.settings import Settings

Client = AsyncTestClient[Litestar]
Headers = dict[str, str]

SCREENING = [{"code": c, "answer": a} for c, a in {**DESK_WORKER["red_flags"], **DESK_WORKER["screening"]}.items()]
PERSON: dict[str, Any] = {
    "subjectRef": "gql-consistency",
    "ageBand": "age_30_49",
    "lifestyle": {"sittingHoursPerDay": 9.5, "activityLevel": "sedentary"},
    "pain": {"regions": ["lower_back"], "intensity": 4, "duration": "chronic", "newPain": False},
    "movementScreen": {"overheadSquat": ["low_back_arches"], "weightShiftTo": None},
    "tests": {
        "straightLegRaiseDeg": {"left": 60.0, "right": 62.0},
        "thomasTest": {"left": "positive", "right": "negative"},
        "sitAndReachCm": None,
        "singleLegBridgeSeconds": None,
    },
    "tenderSpots": ["hamstrings", "piriformis"],
    "screening": SCREENING,
}
CREATE = """
mutation ($input: AssessmentInput!) {
  createAssessment(input: $input) {
    id createdAt
    input {
      subjectRef ageBand
      lifestyle { sittingHoursPerDay activityLevel }
      pain { regions intensity duration newPain }
      movementScreen { overheadSquat weightShiftTo }
      tests {
        straightLegRaiseDeg { left right } thomasTest { left right } sitAndReachCm
        singleLegBridgeSeconds { left right }
      }
      tenderSpots screening { code answer } pregnancy { pregnant } clearance { role }
    }
  }
}
"""
CREATE_ID = "mutation ($input: AssessmentInput!) { createAssessment(input: $input) { id createdAt } }"


@pytest.fixture(scope="module")
async def writer(settings: Settings) -> Headers:
    scopes = ["assessments:read", "assessments:write", "programs:read", "programs:write", "stats:read"]
    return {"Authorization": f"Bearer {await make_key(settings, 'gql-consistency', scopes)}"}


async def gql(client: Client, headers: Headers, query: str, variables: dict[str, Any] | None = None) -> Any:
    response = await client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def field_of(result: dict[str, Any]) -> str:
    (error,) = result["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    return str(error["extensions"]["errors"][0]["field"])


async def test_assessment_input_is_typed_and_camel_case(client: Client, writer: Headers) -> None:
    result = await gql(client, writer, CREATE, {"input": PERSON})
    assert "errors" not in result, result
    answers = result["data"]["createAssessment"]["input"]
    assert answers == {**PERSON, "pregnancy": None, "clearance": None}
    again = await gql(
        client,
        writer,
        "query ($id: ID!) { assessment(id: $id) { input { tests { thomasTest { left } } screening { code } } } }",
        {"id": result["data"]["createAssessment"]["id"]},
    )
    stored = again["data"]["assessment"]["input"]
    assert stored["tests"]["thomasTest"] == {"left": "positive"}
    assert sorted(a["code"] for a in stored["screening"]) == sorted(a["code"] for a in SCREENING)


async def test_date_times_end_in_z_as_in_rest(client: Client, writer: Headers) -> None:
    created = (await gql(client, writer, CREATE_ID, {"input": PERSON}))["data"]["createAssessment"]
    assert created["createdAt"].endswith("Z") and "+00:00" not in created["createdAt"]
    rest = (await client.get(f"/v1/assessments/{created['id']}", headers=writer)).json()
    assert created["createdAt"] == rest["created_at"]
    exercise = await gql(client, writer, '{ exercise(slug: "dead_bug") { updatedAt } }')
    assert exercise["data"]["exercise"]["updatedAt"].endswith("Z")


async def test_every_enum_is_lower_case(client: Client) -> None:
    result = await gql(client, {}, "{ __schema { types { name kind enumValues { name } } } }")
    types = result["data"]["__schema"]["types"]
    ours = {
        t["name"]: [v["name"] for v in t["enumValues"]]
        for t in types
        if t["kind"] == "ENUM" and not t["name"].startswith("__")  # not introspection's own
    }
    assert "StatsBucket" in ours and "ConcernLevel" in ours
    upper = {name: [v for v in values if v != v.lower()] for name, values in ours.items()}
    assert {name: values for name, values in upper.items() if values} == {}


async def test_stats_totals_is_one_object_and_buckets_are_lower_case(client: Client, writer: Headers) -> None:
    today = datetime.now(UTC).date()
    query = """query ($from: Date!, $to: Date!) {
      stats(from: $from, to: $to, bucket: day) { bucket series { start } totals { start assessments client { id } } }
    }"""
    variables = {"from": str(today - timedelta(days=2)), "to": str(today + timedelta(days=1))}
    result = await gql(client, writer, query, variables)
    assert "errors" not in result, result
    stats = result["data"]["stats"]
    assert stats["bucket"] == "day" and len(stats["series"]) == 3
    assert isinstance(stats["totals"], dict) and stats["totals"]["start"] == variables["from"]
    assert stats["totals"]["assessments"] >= 0 and stats["totals"]["client"] is None


async def test_error_fields_name_the_graphql_argument_path(client: Client, writer: Headers) -> None:
    out_of_range = {**PERSON, "tests": {"straightLegRaiseDeg": {"left": 900}}}
    assert (
        field_of(await gql(client, writer, CREATE_ID, {"input": out_of_range}))
        == "input.tests.straightLegRaiseDeg.left"
    )
    # REST names a screening answer by its code; GraphQL's answers are a list, named by index.
    contradiction = {**PERSON, "redFlags": {"saddleNumbness": True}}
    index = next(i for i, a in enumerate(SCREENING) if a["code"] == "saddle_numbness")
    assert field_of(await gql(client, writer, CREATE_ID, {"input": contradiction})) == f"input.screening[{index}]"
    blank = {**PERSON, "subjectRef": "   "}
    assert field_of(await gql(client, writer, CREATE_ID, {"input": blank})) == "input.subjectRef"
    listed = '{ assessments(filter: {subjectRef: "a\\u0001b"}) { edges { cursor } } }'
    assert field_of(await gql(client, writer, listed)) == "filter.subjectRef"
    page = '{ programs(after: "garbage") { edges { cursor } } }'
    assert field_of(await gql(client, writer, page)) == "after"
    since = '{ exercises(filter: {updatedSince: "0001-01-01T00:00:00+03:00"}) { edges { cursor } } }'
    assert field_of(await gql(client, {}, since)) == "filter.updatedSince"
