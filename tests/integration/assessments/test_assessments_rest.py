"""Assessments over REST: the article's desk worker, red flags, validation, idempotency, lists and erasure."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from devkit.keys import make_key
from devkit.personas import DESK_WORKER
from service.settings import Settings

Client = AsyncTestClient[Litestar]


async def _create(client: Client, headers: dict[str, str], body: dict[str, Any], **extra: str) -> Any:
    return await client.post("/v1/assessments", json=body, headers={**headers, **extra})


async def test_the_article_desk_worker(client: Client, assessor: dict[str, str]) -> None:
    response = await _create(client, assessor, DESK_WORKER)
    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["location"] == f"/v1/assessments/{body['id']}"
    assert body["status"] == "ok" and body["referral"] is None
    assert body["patterns"][0]["slug"] == "lower_crossed_syndrome"
    assert body["patterns"][0]["evidence"]
    overactive = {m["muscle"]: m for m in body["overactive"]}
    underactive = {m["muscle"]: m for m in body["underactive"]}
    assert "hamstrings" in overactive
    assert {"calves", "gastrocnemius"} & set(overactive)
    assert {"glutes", "gluteus_maximus"} & set(underactive)
    for finding in [*overactive.values(), *underactive.values()]:
        assert finding["reasons"] and all(reason["inputs"] for reason in finding["reasons"])
    slr = [r for r in overactive["hamstrings"]["reasons"] if "tests.straight_leg_raise_deg.left" in r["inputs"]]
    assert slr, overactive["hamstrings"]
    assert set(body["trigger_points"]) == set(DESK_WORKER["tender_spots"])
    assert body["input"]["tender_spots"] == DESK_WORKER["tender_spots"]
    assert body["ruleset_version"]
    again = await client.get(f"/v1/assessments/{body['id']}", headers=assessor)
    assert again.status_code == 200 and again.json() == body


@pytest.mark.parametrize(
    "flag",
    [
        "saddle_numbness",
        "bladder_or_bowel_dysfunction",
        "progressive_leg_weakness_or_numbness",
        "significant_trauma",
        "fever_or_unexplained_weight_loss",
        "history_of_cancer",
        "constant_night_pain",
        "diagnosed_acute_disc_injury",
    ],
)
async def test_any_red_flag_refers(client: Client, assessor: dict[str, str], flag: str) -> None:
    # Under 50: a history of cancer alone is a routine concern, not the urgent cluster (which asks for the age).
    body = {**DESK_WORKER, "age_band": "30_49", "red_flags": {**DESK_WORKER["red_flags"], flag: True}}
    result = (await _create(client, assessor, body)).json()
    assert result["status"] == "refer"
    assert result["referral"]["reasons"] == [flag] and result["referral"]["message"]
    assert result["patterns"] == [] and result["overactive"] == []


async def _count(client: Client, headers: dict[str, str]) -> int:
    total, cursor = 0, None
    while True:
        params: dict[str, Any] = {"limit": 500, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/v1/assessments", params=params, headers=headers)).json()
        total += len(page["items"])
        cursor = page["next_cursor"]
        if cursor is None:
            return total


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"pain": {"intensity": 11}}, {"pain.intensity"}),
        ({"tests": {"straight_leg_raise_deg": {"left": 181}}}, {"tests.straight_leg_raise_deg.left"}),
        ({"lifestyle": {"sitting_hours_per_day": 25}}, {"lifestyle.sitting_hours_per_day"}),
        ({"movement_screen": {"overhead_squat": ["wobbles"]}}, {"movement_screen.overhead_squat[0]"}),
        ({"favourite_colour": "blue"}, {"favourite_colour"}),
        ({"tender_spots": ["hamstring", "piriformis", "glutez"]}, {"tender_spots[0]", "tender_spots[2]"}),
        ({"subject_ref": "jane@example.com"}, {"subject_ref"}),
    ],
)
async def test_invalid_input_is_a_400_naming_each_field_and_stores_nothing(
    client: Client, assessor: dict[str, str], body: dict[str, Any], fields: set[str]
) -> None:
    before = await _count(client, assessor)
    response = await _create(client, assessor, body)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    named = {error["field"] for error in response.json()["errors"]}
    assert fields <= {name.removeprefix("body.").removeprefix("$.") for name in named} | named, named
    assert await _count(client, assessor) == before


async def test_scopes_are_enforced(client: Client, settings: Settings) -> None:
    reader = await make_key(settings, "assessment-reader", ["assessments:read"])
    response = await _create(client, {"Authorization": f"Bearer {reader}"}, DESK_WORKER)
    assert response.status_code == 403
    assert (await client.post("/v1/assessments", json=DESK_WORKER)).status_code == 401


async def test_idempotency_key_replays_and_rejects_another_body(client: Client, assessor: dict[str, str]) -> None:
    key = f"retry-{uuid.uuid4()}"
    first = await _create(client, assessor, DESK_WORKER, **{"Idempotency-Key": key})
    second = await _create(client, assessor, DESK_WORKER, **{"Idempotency-Key": key})
    assert first.status_code == second.status_code == 201
    assert second.json() == first.json() and second.headers["idempotent-replayed"] == "true"
    other = await _create(client, assessor, {**DESK_WORKER, "subject_ref": "someone-else"}, **{"Idempotency-Key": key})
    assert other.status_code == 422 and other.json()["type"].endswith("/idempotency-key-reused")


async def test_fifty_concurrent_requests_with_one_key_create_one_record(
    client: Client, assessor: dict[str, str]
) -> None:
    key = f"burst-{uuid.uuid4()}"
    subject = f"burst-{uuid.uuid4()}"
    body = {**DESK_WORKER, "subject_ref": subject}
    responses = await asyncio.gather(*(_create(client, assessor, body, **{"Idempotency-Key": key}) for _ in range(50)))
    statuses = [r.status_code for r in responses]
    assert set(statuses) <= {201, 409}, statuses
    ids = {r.json()["id"] for r in responses if r.status_code == 201}
    assert len(ids) == 1
    listed = (await client.get("/v1/assessments", params={"subject_ref": subject}, headers=assessor)).json()
    assert [item["id"] for item in listed["items"]] == list(ids)


async def test_list_filters_and_pages_newest_first(client: Client, assessor: dict[str, str]) -> None:
    subject = f"lister-{uuid.uuid4()}"
    created = []
    for flags in ({}, {"history_of_cancer": True}, {}):
        body = {
            **DESK_WORKER,
            "age_band": "30_49",
            "subject_ref": subject,
            "red_flags": {**DESK_WORKER["red_flags"], **flags},
        }
        created.append((await _create(client, assessor, body)).json())
    params: dict[str, Any] = {"subject_ref": subject, "limit": 2}
    first = (await client.get("/v1/assessments", params=params, headers=assessor)).json()
    second = (
        await client.get("/v1/assessments", params={**params, "cursor": first["next_cursor"]}, headers=assessor)
    ).json()
    assert [a["id"] for a in first["items"] + second["items"]] == [a["id"] for a in reversed(created)]
    assert second["next_cursor"] is None
    refer = (
        await client.get("/v1/assessments", params={"subject_ref": subject, "status": "refer"}, headers=assessor)
    ).json()
    assert [a["id"] for a in refer["items"]] == [created[1]["id"]]
    lower = (
        await client.get(
            "/v1/assessments",
            params={"subject_ref": subject, "pattern": "lower_crossed_syndrome"},
            headers=assessor,
        )
    ).json()
    assert {a["id"] for a in lower["items"]} == {created[0]["id"], created[2]["id"]}
    after = (
        await client.get(
            "/v1/assessments",
            params={"subject_ref": subject, "created_after": created[1]["created_at"]},
            headers=assessor,
        )
    ).json()
    assert [a["id"] for a in after["items"]] == [created[2]["id"]]


async def test_delete_erases_the_assessment_and_its_stored_replay(client: Client, assessor: dict[str, str]) -> None:
    key = f"erase-{uuid.uuid4()}"
    created = (await _create(client, assessor, DESK_WORKER, **{"Idempotency-Key": key})).json()
    assert (await client.delete(f"/v1/assessments/{created['id']}", headers=assessor)).status_code == 204
    assert (await client.get(f"/v1/assessments/{created['id']}", headers=assessor)).status_code == 404
    assert (await client.delete(f"/v1/assessments/{created['id']}", headers=assessor)).status_code == 404
    # The stored answer went with it: the key now creates afresh instead of replaying the erased record.
    again = await _create(client, assessor, DESK_WORKER, **{"Idempotency-Key": key})
    assert again.status_code == 201 and again.json()["id"] != created["id"]


@pytest.mark.parametrize("assessment_id", ["not-a-uuid", str(uuid.uuid4()), "%00"])
async def test_unknown_ids_are_404(client: Client, assessor: dict[str, str], assessment_id: str) -> None:
    assert (await client.get(f"/v1/assessments/{assessment_id}", headers=assessor)).status_code == 404


@pytest.mark.parametrize("subject_ref", ["a\x00b", "jane@example.com", "tab\there"])
async def test_a_subject_filter_no_subject_can_have_is_400(
    client: Client, assessor: dict[str, str], subject_ref: str
) -> None:
    response = await client.get("/v1/assessments", params={"subject_ref": subject_ref}, headers=assessor)
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["field"] == "subject_ref"


async def test_integral_numbers_count_as_integers_as_json_schema_says(client: Client, assessor: dict[str, str]) -> None:
    body = {**DESK_WORKER, "pain": {**DESK_WORKER["pain"], "intensity": 4.0}}
    response = await _create(client, assessor, body)
    assert response.status_code == 201, response.text
    assert response.json()["input"]["pain"]["intensity"] == 4
    half = await _create(client, assessor, {**DESK_WORKER, "pain": {"intensity": 4.5}})
    assert half.status_code == 400 and half.json()["errors"][0]["field"] == "pain.intensity"
