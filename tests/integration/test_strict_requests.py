"""Issue 17, item 9: strictness where integrators expect it. An undeclared query parameter is a 400 naming it (and
the closest declared name) instead of being ignored; a body that is not declared as JSON is a 415 instead of being
read as JSON; an idempotent replay answers the very bytes of the first answer. An `Accept` header that rules out JSON
is a 406, as the problem registry always said."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from devkit.keys import make_key
from devkit.personas import DESK_WORKER
from service.settings import Settings

Client = AsyncTestClient[Litestar]
Headers = dict[str, str]


@pytest.fixture(scope="module")
async def writer(settings: Settings) -> Headers:
    scopes = ["assessments:read", "assessments:write", "programs:read", "programs:write"]
    return {"Authorization": f"Bearer {await make_key(settings, 'strict-requests', scopes)}"}


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem: dict[str, Any] = response.json()
    assert problem["status"] == status
    return problem


async def _count(client: Client, headers: Headers, subject: str) -> int:
    response = await client.get("/v1/assessments", params={"subject_ref": subject, "limit": 500}, headers=headers)
    assert response.status_code == 200, response.text
    return len(response.json()["items"])


async def test_a_misspelt_filter_is_a_400_suggesting_the_declared_name(client: Client) -> None:
    problem = _problem(await client.get("/v1/exercises?musle=glutes"), 400)
    assert [e["field"] for e in problem["errors"]] == ["musle"]
    assert "did you mean `muscle`?" in problem["errors"][0]["message"]
    assert "musle" in problem["detail"]
    # The declared name, and every declared parameter together, still filter as before.
    filtered = await client.get("/v1/exercises?muscle=glutes&limit=3")
    assert filtered.status_code == 200, filtered.text
    assert 0 < len(filtered.json()["items"]) <= 3


async def test_every_unknown_parameter_is_named_and_one_far_from_any_gets_no_guess(client: Client) -> None:
    problem = _problem(await client.get("/v1/muscles?limt=5&zzzzzz=1&limit=5"), 400)
    errors = {e["field"]: e["message"] for e in problem["errors"]}
    assert set(errors) == {"limt", "zzzzzz"}
    assert "did you mean `limit`?" in errors["limt"]
    assert "did you mean" not in errors["zzzzzz"]


async def test_an_unknown_parameter_on_a_create_creates_nothing(client: Client, writer: Headers) -> None:
    subject = f"strict-{uuid.uuid4().hex[:12]}"
    body = {**DESK_WORKER, "subject_ref": subject}
    problem = _problem(await client.post("/v1/assessments?dry_run=true", json=body, headers=writer), 400)
    assert [e["field"] for e in problem["errors"]] == ["dry_run"]
    assert await _count(client, writer, subject) == 0


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"])
async def test_a_body_not_declared_as_json_is_a_415_and_creates_nothing(
    client: Client, writer: Headers, content_type: str
) -> None:
    subject = f"strict-{uuid.uuid4().hex[:12]}"
    body = json.dumps({"subject_ref": subject}).encode()
    for path in ("/v1/assessments", "/v1/programs"):
        response = await client.post(path, content=body, headers={**writer, "Content-Type": content_type})
        problem = _problem(response, 415)
        assert problem["type"].endswith("/unsupported-media-type")
        assert content_type in problem["detail"]
    assert await _count(client, writer, subject) == 0


async def test_json_with_parameters_or_a_json_suffix_is_accepted(client: Client, writer: Headers) -> None:
    for content_type in ("application/json; charset=utf-8", "Application/JSON", "application/vnd.realign+json"):
        subject = f"strict-{uuid.uuid4().hex[:12]}"
        body = json.dumps({"subject_ref": subject}).encode()
        response = await client.post("/v1/assessments", content=body, headers={**writer, "Content-Type": content_type})
        assert response.status_code == 201, (content_type, response.text)


@pytest.mark.parametrize("accept", ["text/csv", "text/html, application/xml", "application/json;q=0", "*/*;q=0"])
async def test_an_accept_header_that_rules_out_json_is_a_406_and_creates_nothing(
    client: Client, writer: Headers, accept: str
) -> None:
    problem = _problem(await client.get("/v1/exercises", headers={"Accept": accept}), 406)
    assert problem["type"].endswith("/not-acceptable")
    assert accept in problem["detail"]
    subject = f"strict-{uuid.uuid4().hex[:12]}"
    response = await client.post("/v1/assessments", json={"subject_ref": subject}, headers={**writer, "Accept": accept})
    _problem(response, 406)
    assert await _count(client, writer, subject) == 0


@pytest.mark.parametrize(
    "accept",
    [
        "application/json",
        "application/*",
        "*/*",
        "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",  # a browser's
        "text/csv, application/problem+json;q=0.1",
        "application/json; charset=utf-8",
        "not a media range",  # ignored, as if absent
        "",
    ],
)
async def test_an_accept_header_that_admits_json_gets_the_answer(client: Client, accept: str) -> None:
    response = await client.get("/v1/exercises?limit=1", headers={"Accept": accept})
    assert response.status_code == 200, (accept, response.text)


async def test_an_operation_answering_204_takes_any_accept_header(client: Client, writer: Headers) -> None:
    """A delete sends no representation, so there is nothing for `Accept` to rule out."""
    created = await client.post("/v1/assessments", json={"subject_ref": "strict-delete"}, headers=writer)
    assert created.status_code == 201, created.text
    path = f"/v1/assessments/{created.json()['id']}"
    deleted = await client.delete(path, headers={**writer, "Accept": "text/csv"})
    assert deleted.status_code == 204, deleted.text
    assert (await client.get(path, headers=writer)).status_code == 404


async def test_an_idempotent_replay_answers_the_first_answers_bytes(client: Client, writer: Headers) -> None:
    key = str(uuid.uuid4())
    headers = {**writer, "Idempotency-Key": key}
    body = {**DESK_WORKER, "subject_ref": f"strict-{key[:12]}"}
    first = await client.post("/v1/assessments", json=body, headers=headers)
    assert first.status_code == 201, first.text
    program_request = {"assessment_id": first.json()["id"], "weeks": 4}
    for path, request in (("/v1/assessments", body), ("/v1/programs", program_request)):
        original = first if path == "/v1/assessments" else await client.post(path, json=request, headers=headers)
        assert original.status_code == 201, original.text
        replay = await client.post(path, json=request, headers=headers)
        assert replay.status_code == 201 and replay.headers["idempotent-replayed"] == "true"
        assert replay.content == original.content
        assert replay.headers["content-type"] == original.headers["content-type"]
        assert replay.headers["location"] == original.headers["location"]


async def test_the_contract_declares_these_refusals(client: Client) -> None:
    document = (await client.get("/schema/openapi.json")).json()
    operations = [op for methods in document["paths"].values() for op in methods.values()]
    assert operations
    for operation in operations:  # any operation refuses an undeclared query parameter
        assert "400" in operation["responses"], operation["operationId"]
    with_body = [op for op in operations if "requestBody" in op]
    assert {op["operationId"] for op in with_body} >= {"createAssessment", "createProgram"}
    for operation in with_body:
        assert "415" in operation["responses"], operation["operationId"]
