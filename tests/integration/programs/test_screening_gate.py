"""Screening over HTTP, end to end (issue 14): an app renders the form from `GET /v1/screening` (or the GraphQL
`screening` query), sends the answers, and only an `ok` assessment gets a program; `incomplete` and `refer` are
refused with a problem that says why, and a clinician's clearance reaches the program as restrictions."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient

from devkit.personas import DESK_WORKER

Client = AsyncTestClient[Litestar]
Headers = dict[str, str]

FORM_QUERY = """
query ($regions: [PainRegion!], $pregnant: Boolean!) {
  screening(regions: $regions, pregnant: $pregnant) {
    rulesetVersion
    screens { slug title questions { code question level source } mayAlsoNeed { field question } }
  }
}
"""


async def _form(client: Client, **params: Any) -> dict[str, Any]:
    response = await client.get("/v1/screening", params=params)  # public: no key
    assert response.status_code == 200, response.text
    form: dict[str, Any] = response.json()
    return form


def _all_no(form: dict[str, Any]) -> dict[str, bool]:
    return {q["code"]: False for screen in form["screens"] for q in screen["questions"]}


async def _assess(client: Client, headers: Headers, body: dict[str, Any]) -> dict[str, Any]:
    response = await client.post("/v1/assessments", json=body, headers=headers)
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def _program(client: Client, headers: Headers, body: dict[str, Any]) -> Any:
    return await client.post("/v1/programs", json=body, headers={**headers, "Idempotency-Key": str(uuid.uuid4())})


def _neck_pain(answers: dict[str, bool], **changes: Any) -> dict[str, Any]:
    return {
        "subject_ref": "neck-pain-app-user",
        "age_band": "30_49",
        "pain": {"regions": ["neck"], "intensity": 3, "duration": "chronic"},
        "screening": answers,
        "movement_screen": {"overhead_squat": ["arms_fall_forward"]},
        "tender_spots": ["upper_trapezius", "levator_scapulae"],
        **changes,
    }


async def test_an_app_renders_the_form_from_the_api_and_its_answers_get_a_program(
    client: Client, planner: Headers
) -> None:
    form = await _form(client, regions="neck")
    assert [s["slug"] for s in form["screens"]] == ["readiness", "cervical", "nerve_root"]
    for screen in form["screens"]:
        assert screen["title"] and screen["questions"]
        assert all(q["question"].endswith("?") and q["source"] and q["level"] for q in screen["questions"])
    assessment = await _assess(client, planner, _neck_pain(_all_no(form)))
    assert assessment["status"] == "ok" and assessment["level"] == "proceed", assessment
    assert assessment["screens"] == ["readiness", "cervical", "nerve_root"]
    assert assessment["ruleset_version"] == form["ruleset_version"]
    assert assessment["safety_netting"]
    response = await _program(client, planner, {"assessment_id": assessment["id"], "weeks": 2})
    assert response.status_code == 201, response.text


async def test_the_graphql_form_is_the_rest_form(client: Client) -> None:
    rest = await _form(client, regions=["lower_back", "headache"], pregnant="true")
    response = await client.post(
        "/graphql", json={"query": FORM_QUERY, "variables": {"regions": ["lower_back", "headache"], "pregnant": True}}
    )
    assert response.status_code == 200, response.text
    graphql = response.json()["data"]["screening"]
    assert graphql["rulesetVersion"] == rest["ruleset_version"]
    assert [s["slug"] for s in graphql["screens"]] == [s["slug"] for s in rest["screens"]]
    assert "pregnancy" in [s["slug"] for s in rest["screens"]] and "headache" in [s["slug"] for s in rest["screens"]]
    assert [[q["code"] for q in s["questions"]] for s in graphql["screens"]] == [
        [q["code"] for q in s["questions"]] for s in rest["screens"]
    ]


async def test_an_unknown_region_is_a_problem(client: Client) -> None:
    response = await client.get("/v1/screening", params={"regions": ["neck", "elbowz"]})
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert "regions" in response.text


async def test_an_unanswered_question_is_incomplete_and_gets_no_program(client: Client, planner: Headers) -> None:
    """Issue 14: unanswered meant "no", and `{"subject_ref": "x"}` got a program."""
    form = await _form(client, regions="neck")
    answers = _all_no(form)
    del answers["dizziness_or_drop_attacks"], answers["chest_pain"]
    assessment = await _assess(client, planner, _neck_pain(answers))
    assert assessment["status"] == "incomplete" and assessment["level"] is None
    assert {m["field"] for m in assessment["missing"]} == {
        "screening.dizziness_or_drop_attacks",
        "screening.chest_pain",
    }
    assert assessment["overactive"] == [] and assessment["patterns"] == []
    empty = await _assess(client, planner, {"subject_ref": "x"})
    assert empty["status"] == "incomplete" and empty["missing"]

    for incomplete in (assessment, empty):
        response = await _program(client, planner, {"assessment_id": incomplete["id"]})
        assert response.status_code == 422, response.text
        problem = response.json()
        assert problem["type"].endswith("/screening-incomplete")
        assert {e["field"] for e in problem["errors"]} == {m["field"] for m in incomplete["missing"]}


async def test_a_condition_named_only_on_the_program_request_is_screened(client: Client, planner: Headers) -> None:
    """Issue 14: `conditions: ["acute_disc_injury"]` on a program request gave a 201 program."""
    assessment = await _assess(client, planner, DESK_WORKER)
    assert assessment["status"] == "ok"
    disc = await _program(client, planner, {"assessment_id": assessment["id"], "conditions": ["acute_disc_injury"]})
    assert disc.status_code == 422, disc.text
    assert disc.json()["type"].endswith("/referral-required")
    assert disc.json()["reasons"] == ["diagnosed_acute_disc_injury"]
    pregnant = await _program(client, planner, {"assessment_id": assessment["id"], "conditions": ["pregnancy"]})
    assert pregnant.status_code == 422, pregnant.text
    assert pregnant.json()["type"].endswith("/screening-incomplete")
    assert "screening.vaginal_bleeding" in {e["field"] for e in pregnant.json()["errors"]}


async def test_a_clearance_lifts_a_routine_referral_and_its_restrictions_reach_the_program(
    client: Client, planner: Headers
) -> None:
    """Issue 14: `history_of_cancer` with no pain referred for ever; there was no clearance path."""
    flagged = {**DESK_WORKER, "age_band": "30_49", "red_flags": {**DESK_WORKER["red_flags"], "history_of_cancer": True}}
    referred = await _assess(client, planner, flagged)
    assert referred["status"] == "refer" and referred["level"] == "routine"
    refused = await _program(client, planner, {"assessment_id": referred["id"]})
    assert refused.status_code == 422 and refused.json()["type"].endswith("/referral-required")
    cleared_on = (datetime.now(UTC).date() - timedelta(days=10)).isoformat()

    async def cleared_program(restrictions: dict[str, list[str]]) -> dict[str, Any]:
        clearance = {"role": "physician", "date": cleared_on, "restrictions": restrictions}
        cleared = await _assess(client, planner, {**flagged, "clearance": clearance})
        assert cleared["status"] == "ok", cleared
        assert cleared["clearance"]["cleared"] == ["history_of_cancer"]
        response = await _program(client, planner, {"assessment_id": cleared["id"], "weeks": 2})
        assert response.status_code == 201, response.text
        program: dict[str, Any] = response.json()
        return program

    def prescribed(program: dict[str, Any]) -> set[str]:
        return {item["exercise"]["slug"] for phase in program["phases"] for item in phase["items"]}

    control = await cleared_program({})
    strengthen = next(phase for phase in control["phases"] if phase["key"] == "strengthen")
    ruled_out = strengthen["items"][0]["exercise"]["slug"]
    restricted = await cleared_program({"exercises": [ruled_out]})
    assert ruled_out not in prescribed(restricted)
    [why] = [x["reason"] for x in restricted["excluded"] if x["exercise"] == ruled_out]
    assert why == f"Left out by the physician's clearance of {cleared_on}."
