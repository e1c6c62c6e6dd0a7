"""Assessments over GraphQL: the same service as REST, with typed input."""

from __future__ import annotations

import uuid
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

from devkit.personas import DESK_WORKER

Client = AsyncTestClient[Litestar]

CREATE = """
mutation ($input: AssessmentInput!, $key: String) {
  createAssessment(input: $input, idempotencyKey: $key) {
    id status subjectRef rulesetVersion triggerPoints
    referral { reasons message urgent }
    patterns { slug score evidence { rule inputs summary } }
    overactive { muscle reasons { inputs } }
    underactive { muscle }
    input { subjectRef tenderSpots }
  }
}
"""

DESK_WORKER_INPUT: dict[str, Any] = {
    "subjectRef": "gql-desk-worker",
    "lifestyle": {"sittingHoursPerDay": 10, "activityLevel": "sedentary"},
    "pain": {"regions": ["lower_back"], "intensity": 4, "duration": "chronic"},
    "movementScreen": {"overheadSquat": ["low_back_arches", "excessive_forward_lean"]},
    "tests": {
        "straightLegRaiseDeg": {"left": 60, "right": 62},
        "thomasTest": {"left": "positive", "right": "negative"},
        "singleLegBridgeSeconds": {"left": 12, "right": 20},
    },
    "tenderSpots": ["gastrocnemius", "iliotibial_band", "piriformis", "gluteus_minimus", "hamstrings"],
    # GraphQL has no maps: the screening answers are a list of {code, answer}.
    "screening": [
        {"code": code, "answer": answer}
        for code, answer in {**DESK_WORKER["red_flags"], **DESK_WORKER["screening"]}.items()
    ],
}


async def _gql(client: Client, headers: dict[str, str], query: str, variables: dict[str, Any]) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_create_read_list_delete(client: Client, assessor: dict[str, str]) -> None:
    created = (await _gql(client, assessor, CREATE, {"input": DESK_WORKER_INPUT}))["data"]["createAssessment"]
    assert created["status"] == "ok" and created["patterns"][0]["slug"] == "lower_crossed_syndrome"
    assert "hamstrings" in {m["muscle"] for m in created["overactive"]}
    assert created["input"]["tenderSpots"] == DESK_WORKER_INPUT["tenderSpots"]
    rest = (await client.get(f"/v1/assessments/{created['id']}", headers=assessor)).json()
    assert rest["patterns"][0]["score"] == created["patterns"][0]["score"]

    one = await _gql(client, assessor, "query ($id: ID!) { assessment(id: $id) { id status } }", {"id": created["id"]})
    assert one["data"]["assessment"] == {"id": created["id"], "status": "ok"}
    listed = await _gql(
        client,
        assessor,
        'query { assessments(first: 5, filter: {subjectRef: "gql-desk-worker"}) { edges { node { id } } } }',
        {},
    )
    assert created["id"] in [e["node"]["id"] for e in listed["data"]["assessments"]["edges"]]
    gone = await _gql(client, assessor, "mutation ($id: ID!) { deleteAssessment(id: $id) }", {"id": created["id"]})
    assert gone["data"]["deleteAssessment"] is True
    again = await _gql(client, assessor, "mutation ($id: ID!) { deleteAssessment(id: $id) }", {"id": created["id"]})
    assert again["data"]["deleteAssessment"] is False


async def test_red_flag_refers_and_idempotency_key_replays(client: Client, assessor: dict[str, str]) -> None:
    answers = [{**a, "answer": a["code"] == "significant_trauma"} for a in DESK_WORKER_INPUT["screening"]]
    body = {**DESK_WORKER_INPUT, "screening": answers}
    key = f"gql-{uuid.uuid4()}"
    first = (await _gql(client, assessor, CREATE, {"input": body, "key": key}))["data"]["createAssessment"]
    second = (await _gql(client, assessor, CREATE, {"input": body, "key": key}))["data"]["createAssessment"]
    assert first["status"] == "refer" and first["referral"]["reasons"] == ["significant_trauma"]
    assert second["id"] == first["id"]


async def test_out_of_range_input_is_a_client_error(client: Client, assessor: dict[str, str]) -> None:
    result = await _gql(client, assessor, CREATE, {"input": {"pain": {"intensity": 11}}})
    error = result["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["errors"][0]["field"] == "input.pain.intensity"


async def test_writing_needs_the_scope(client: Client) -> None:
    result = await _gql(client, {}, CREATE, {"input": DESK_WORKER_INPUT})
    assert result["data"] is None and result["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
