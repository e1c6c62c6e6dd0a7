"""Programs over REST: the desk worker's program stored and read back, lists, validation, referral, idempotency,
scopes and erasure."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from devkit.keys import make_key
from devkit.personas import DESK_WORKER
from service.settings import Settings
from tests.integration.programs.conftest import create_assessment

Client = AsyncTestClient[Litestar]
Headers = dict[str, str]
NewAssessment = Callable[..., Awaitable[dict[str, Any]]]
HOME = ["foam_roller", "resistance_band", "dumbbell", "step"]


async def _create(client: Client, headers: Headers, body: dict[str, Any], **extra: str) -> Any:
    return await client.post("/v1/programs", json=body, headers={**headers, **extra})


async def _all(client: Client, headers: Headers, **params: Any) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    cursor = None
    while True:
        query = {**params, "limit": 500, **({"cursor": cursor} if cursor else {})}
        response = await client.get("/v1/programs", params=query, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        items += page["items"]
        cursor = page["next_cursor"]
        if cursor is None:
            return items


async def test_the_desk_worker_gets_the_four_phases_and_a_get_returns_the_post(
    client: Client, planner: Headers, new_assessment: NewAssessment
) -> None:
    assessment = await new_assessment()
    response = await _create(client, planner, {"assessment_id": assessment["id"], "available_equipment": HOME})
    assert response.status_code == 201, response.text
    program = response.json()
    assert response.headers["location"] == f"/v1/programs/{program['id']}"
    assert program["assessment_id"] == assessment["id"]
    assert program["subject_ref"] == DESK_WORKER["subject_ref"]
    assert program["ruleset_version"]
    assert [p["key"] for p in program["phases"]] == ["release", "lengthen", "strengthen", "integrate"]
    assert [p["order"] for p in program["phases"]] == [1, 2, 3, 4]
    assert all(phase["items"] for phase in program["phases"])
    parameters = program["parameters"]
    assert (parameters["weeks"], parameters["sessions_per_week"], parameters["session_minutes"]) == (8, 3, 45)
    assert set(parameters["available_equipment"]) == {*HOME, "bodyweight"}
    assert len(program["schedule"]["weeks"]) == 8
    assert parameters["days"] == ["mon", "wed", "fri"] and parameters["starts_on"] == program["created_at"][:10]
    assert program["safety_notes"] and program["education"]
    excluded = {x["exercise"] for x in program["excluded"]}
    assert {"leg_press", "leg_extension"} <= excluded

    again = await client.get(f"/v1/programs/{program['id']}", headers=planner)
    assert again.status_code == 200 and again.json() == program
    listed = await _all(client, planner, assessment_id=assessment["id"])
    assert listed == [
        {
            "id": program["id"],
            "assessment_id": assessment["id"],
            "subject_ref": program["subject_ref"],
            "created_at": program["created_at"],
            "ruleset_version": program["ruleset_version"],
            "weeks": 8,
            "sessions_per_week": 3,
            "days": ["mon", "wed", "fri"],
            "starts_on": parameters["starts_on"],
            "revision": 1,
            "status": "active",
        }
    ]


async def test_the_same_assessment_and_parameters_give_the_same_program(
    client: Client, planner: Headers, new_assessment: NewAssessment
) -> None:
    assessment = await new_assessment()
    body = {"assessment_id": assessment["id"], "weeks": 4, "session_minutes": 30, "available_equipment": HOME}
    first, second = [(await _create(client, planner, body)).json() for _ in range(2)]
    assert first["id"] != second["id"]
    identity = {"id", "created_at"}
    assert {k: v for k, v in first.items() if k not in identity} == {
        k: v for k, v in second.items() if k not in identity
    }


async def test_list_filters_and_pages_newest_first(
    client: Client, planner: Headers, new_assessment: NewAssessment
) -> None:
    subject = f"lister-{uuid.uuid4()}"
    a = await new_assessment(subject_ref=subject)
    b = await new_assessment(subject_ref=subject)
    created = []
    for assessment, weeks in ((a, 2), (b, 3), (a, 4)):
        response = await _create(client, planner, {"assessment_id": assessment["id"], "weeks": weeks})
        assert response.status_code == 201, response.text
        created.append(response.json())
    newest_first = [p["id"] for p in reversed(created)]

    params: dict[str, Any] = {"subject_ref": subject, "limit": 2}
    first = (await client.get("/v1/programs", params=params, headers=planner)).json()
    second = (
        await client.get("/v1/programs", params={**params, "cursor": first["next_cursor"]}, headers=planner)
    ).json()
    assert [p["id"] for p in first["items"] + second["items"]] == newest_first
    assert second["next_cursor"] is None
    assert [p["id"] for p in await _all(client, planner, assessment_id=a["id"])] == [created[2]["id"], created[0]["id"]]
    assert [p["id"] for p in await _all(client, planner, assessment_id=b["id"], subject_ref=subject)] == [
        created[1]["id"]
    ]
    assert await _all(client, planner, assessment_id=str(uuid.uuid4())) == []
    assert await _all(client, planner, subject_ref=f"nobody-{uuid.uuid4()}") == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"subject_ref": "a\x00b"}, "subject_ref"),
        ({"subject_ref": "jane@example.com"}, "subject_ref"),
        ({"cursor": "not-a-cursor"}, "cursor"),
        ({"assessment_id": "not-a-uuid"}, "assessment_id"),
        ({"limit": 501}, "limit"),
    ],
)
async def test_bad_list_parameters_are_400(
    client: Client, planner: Headers, params: dict[str, Any], field: str
) -> None:
    response = await client.get("/v1/programs", params=params, headers=planner)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert field in response.text


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        (
            {"available_equipment": ["foam_roler", "step", "rowing_machine"]},
            {"available_equipment[0]", "available_equipment[2]"},
        ),
        ({"exclude_exercises": ["step_up", "stepup"]}, {"exclude_exercises[1]"}),
        ({"conditions": ["bad_knees"]}, {"conditions[0]"}),
        ({"available_equipment": ["step", "step"]}, {"available_equipment[1]"}),
        ({"exclude_exercises": ["Step Up"]}, {"exclude_exercises[0]"}),
        ({"favourite_colour": "blue"}, {"favourite_colour"}),
        ({"weeks": 0}, {"weeks"}),
        ({"weeks": 13}, {"weeks"}),
        ({"weeks": "8"}, {"weeks"}),
        ({"sessions_per_week": 5}, {"sessions_per_week"}),
        ({"sessions_per_week": 1}, {"sessions_per_week"}),
        ({"days": ["mon"]}, {"days"}),
        ({"days": ["mon", "someday"]}, {"days[1]"}),
        ({"days": ["mon", "wed", "mon"]}, {"days[2]"}),
        ({"days": ["mon", "wed"], "sessions_per_week": 3}, {"days"}),
        ({"starts_on": "tomorrow"}, {"starts_on"}),
        ({"session_minutes": 15}, {"session_minutes"}),
        ({"level": "expert"}, {"level"}),
        ({"assessment_id": "not-a-uuid"}, {"assessment_id"}),
    ],
)
async def test_invalid_requests_are_400_naming_each_field_and_store_nothing(
    client: Client, planner: Headers, new_assessment: NewAssessment, changes: dict[str, Any], fields: set[str]
) -> None:
    assessment = await new_assessment()
    response = await _create(client, planner, {"assessment_id": assessment["id"], **changes})
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert {error["field"] for error in response.json()["errors"]} == fields
    assert await _all(client, planner, assessment_id=assessment["id"]) == []


async def test_integral_numbers_count_as_integers_as_json_schema_says(
    client: Client, planner: Headers, new_assessment: NewAssessment
) -> None:
    assessment = await new_assessment()
    accepted = await _create(client, planner, {"assessment_id": assessment["id"], "weeks": 2.0, "session_minutes": 3e1})
    assert accepted.status_code == 201, accepted.text
    assert (accepted.json()["parameters"]["weeks"], accepted.json()["parameters"]["session_minutes"]) == (2, 30)
    refused = await _create(client, planner, {"assessment_id": assessment["id"], "weeks": 2.5})
    assert refused.status_code == 400 and refused.json()["errors"][0]["field"] == "weeks"


@pytest.mark.parametrize("body", [b"", b"{", b"[]", b'{"weeks": 4}', b"null"])
async def test_a_body_that_is_no_request_is_400(client: Client, planner: Headers, body: bytes) -> None:
    response = await client.post("/v1/programs", content=body, headers={**planner, "Content-Type": "application/json"})
    assert response.status_code == 400, response.text


async def test_an_unknown_assessment_and_another_clients_look_the_same(
    client: Client, planner: Headers, other_planner: Headers
) -> None:
    theirs = await create_assessment(client, other_planner)
    answers = []
    for assessment_id in (str(uuid.uuid4()), theirs["id"]):
        response = await _create(client, planner, {"assessment_id": assessment_id})
        assert response.status_code == 422, response.text
        problem = response.json()
        assert problem["errors"] == [{"field": "assessment_id", "message": "no assessment of yours has this id"}]
        answers.append({k: v for k, v in problem.items() if k != "detail"})
        assert (
            problem["detail"].replace(assessment_id, "ID") == "assessment_id: no assessment of yours has this id ('ID')"
        )
    assert answers[0] == answers[1]
    assert await _all(client, other_planner, assessment_id=theirs["id"]) == []


async def test_a_referred_person_gets_no_program_but_a_problem_saying_why(
    client: Client, planner: Headers, new_assessment: NewAssessment
) -> None:
    assessment = await new_assessment(red_flags={**DESK_WORKER["red_flags"], "saddle_numbness": True})
    assert assessment["status"] == "refer"
    key = f"refer-{uuid.uuid4()}"
    for _ in range(2):  # the failed attempt releases its key: a retry is refused the same way, not a 409
        response = await _create(client, planner, {"assessment_id": assessment["id"]}, **{"Idempotency-Key": key})
        assert response.status_code == 422, response.text
        assert response.headers["content-type"].startswith("application/problem+json")
        problem = response.json()
        assert problem["type"].endswith("/referral-required")
        assert problem["title"] == "Referral required"
        assert problem["reasons"] == ["saddle_numbness"] == assessment["referral"]["reasons"]
        assert problem["detail"] == assessment["referral"]["message"]
    assert await _all(client, planner, assessment_id=assessment["id"]) == []


async def test_an_idempotency_key_replays_and_rejects_another_body(
    client: Client, planner: Headers, new_assessment: NewAssessment
) -> None:
    assessment = await new_assessment()
    key = f"retry-{uuid.uuid4()}"
    body = {"assessment_id": assessment["id"], "weeks": 2}
    first = await _create(client, planner, body, **{"Idempotency-Key": key})
    second = await _create(client, planner, body, **{"Idempotency-Key": key})
    assert first.status_code == second.status_code == 201
    assert "idempotent-replayed" not in first.headers
    assert second.json() == first.json() and second.headers["idempotent-replayed"] == "true"
    assert second.headers["location"] == first.headers["location"]
    other = await _create(client, planner, {**body, "weeks": 3}, **{"Idempotency-Key": key})
    assert other.status_code == 422 and other.json()["type"].endswith("/idempotency-key-reused")
    assert len(await _all(client, planner, assessment_id=assessment["id"])) == 1
    blank = await _create(client, planner, body, **{"Idempotency-Key": " "})
    assert blank.status_code == 400


async def test_deleting_a_program(client: Client, planner: Headers, new_assessment: NewAssessment) -> None:
    assessment = await new_assessment()
    key = f"erase-{uuid.uuid4()}"
    body = {"assessment_id": assessment["id"], "weeks": 2}
    program = (await _create(client, planner, body, **{"Idempotency-Key": key})).json()
    assert (await client.delete(f"/v1/programs/{program['id']}", headers=planner)).status_code == 204
    assert (await client.get(f"/v1/programs/{program['id']}", headers=planner)).status_code == 404
    assert (await client.delete(f"/v1/programs/{program['id']}", headers=planner)).status_code == 404
    # The stored answer went with it: the key now creates afresh instead of replaying the erased program.
    again = await _create(client, planner, body, **{"Idempotency-Key": key})
    assert again.status_code == 201 and again.json()["id"] != program["id"]
    assert (await client.get(f"/v1/assessments/{assessment['id']}", headers=planner)).status_code == 200


async def test_erasing_the_assessment_erases_its_programs_and_their_replays(
    client: Client, planner: Headers, new_assessment: NewAssessment
) -> None:
    assessment = await new_assessment()
    key = f"cascade-{uuid.uuid4()}"
    body = {"assessment_id": assessment["id"], "weeks": 2}
    kept = (await _create(client, planner, body, **{"Idempotency-Key": key})).json()
    other = (await _create(client, planner, {**body, "weeks": 3})).json()
    assert (await client.delete(f"/v1/assessments/{assessment['id']}", headers=planner)).status_code == 204
    for program in (kept, other):
        assert (await client.get(f"/v1/programs/{program['id']}", headers=planner)).status_code == 404
    assert await _all(client, planner, assessment_id=assessment["id"]) == []
    # No replay of an erased program: the key runs again and finds no assessment.
    retried = await _create(client, planner, body, **{"Idempotency-Key": key})
    assert retried.status_code == 422 and retried.json()["errors"][0]["field"] == "assessment_id"


@pytest.mark.parametrize("program_id", ["not-a-uuid", str(uuid.uuid4()), "%00"])
async def test_unknown_ids_are_404(client: Client, planner: Headers, program_id: str) -> None:
    assert (await client.get(f"/v1/programs/{program_id}", headers=planner)).status_code == 404
    assert (await client.delete(f"/v1/programs/{program_id}", headers=planner)).status_code == 404


async def test_scopes_are_enforced(
    client: Client, settings: Settings, planner: Headers, new_assessment: NewAssessment
) -> None:
    assessment = await new_assessment()
    program = (await _create(client, planner, {"assessment_id": assessment["id"], "weeks": 2})).json()
    body = {"assessment_id": assessment["id"]}
    one = f"/v1/programs/{program['id']}"
    calls = [("POST", "/v1/programs", body), ("GET", "/v1/programs", None), ("GET", one, None), ("DELETE", one, None)]
    for method, url, json in calls:
        response = await client.request(method, url, json=json)
        assert response.status_code == 401, (method, url)
        assert response.headers["www-authenticate"].startswith("Bearer")
    reader = {"Authorization": f"Bearer {await make_key(settings, 'program-reader', ['programs:read'])}"}
    assert (await client.get(one, headers=reader)).status_code in {200, 404}  # another client: its own view
    assert (await client.get("/v1/programs", headers=reader)).status_code == 200
    assert (await _create(client, reader, body)).status_code == 403
    assert (await client.delete(one, headers=reader)).status_code == 403
    assessor = {"Authorization": f"Bearer {await make_key(settings, 'assessor-only', ['assessments:read'])}"}
    response = await client.get("/v1/programs", headers=assessor)
    assert response.status_code == 403 and "programs:read" in response.json()["detail"]
    assert (await client.get(one, headers=planner)).status_code == 200


async def test_the_list_of_twenty_programs_is_small(
    client: Client, planner: Headers, new_assessment: NewAssessment
) -> None:
    """Issue 16: a page of 20 was about 2 MB of whole programs; it is summaries now (the goal: 20 KB at most)."""
    subject = f"many-{uuid.uuid4()}"
    assessment = await new_assessment(subject_ref=subject)
    for _ in range(20):
        response = await _create(client, planner, {"assessment_id": assessment["id"]})
        assert response.status_code == 201, response.text
    page = await client.get("/v1/programs", params={"subject_ref": subject, "limit": 20}, headers=planner)
    assert page.status_code == 200 and len(page.json()["items"]) == 20
    assert len(page.content) <= 20_000, len(page.content)


@pytest.mark.parametrize("ruleset", ["2026.12.7", "2026.12.9"])
async def test_a_program_of_an_older_shape_is_listed_as_retired_and_answers_410(
    client: Client, planner: Headers, new_assessment: NewAssessment, engine: AsyncEngine, ruleset: str
) -> None:
    """Programs stored in shape 1 (before program rules 2026.12.9) or 2 (whole doses in `schedule.doses`, 2026.12.9)
    are not served in their old shape nor made up in the new one: the list says `retired` and the GET says what to do
    instead."""
    assessment = await new_assessment(subject_ref=f"old-{uuid.uuid4()}")
    program = (await _create(client, planner, {"assessment_id": assessment["id"], "weeks": 2})).json()
    async with engine.begin() as connection:
        await connection.execute(
            text(
                "update programs set ruleset_version = :ruleset, body = (body::jsonb - 'findings')::json, "
                "parameters = parameters - 'days' where id = :id"
            ),
            {"id": program["id"], "ruleset": ruleset},
        )
    gone = await client.get(f"/v1/programs/{program['id']}", headers=planner)
    assert gone.status_code == 410, gone.text
    assert gone.headers["content-type"].startswith("application/problem+json")
    assert gone.json()["type"].endswith("/program-retired") and assessment["id"] in gone.json()["detail"]
    [summary] = await _all(client, planner, assessment_id=assessment["id"])
    assert (summary["status"], summary["days"], summary["starts_on"]) == ("retired", [], None)
