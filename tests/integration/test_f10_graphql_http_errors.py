"""Security review F10 (issue 12): every 4xx of the service is an RFC 9457 problem document, never plain text.

Strawberry's Litestar view answered its own HTTP-level refusals (a batch, a mutation over GET, an unsupported
content type, a body that is not JSON, no query) as `text/plain`; the rest of the service's 4xx (unknown paths and
methods, malformed REST bodies) are swept here too, so that a new plain-text 4xx shows up as a failing test.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

Client = AsyncTestClient[Litestar]


def assert_problem(response: httpx.Response, status: int, detail_contains: str = "") -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json"), response.headers
    problem: dict[str, Any] = response.json()
    assert problem["status"] == status
    assert problem["type"].startswith("http://localhost:8000/problems/") and problem["title"] and problem["detail"]
    assert detail_contains.lower() in problem["detail"].lower(), problem
    return problem


@pytest.fixture
def auth(full_access_key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {full_access_key}"}


async def test_f10_graphql_batching_is_a_problem(client: Client, auth: dict[str, str]) -> None:
    response = await client.post("/graphql", json=[{"query": "{ __typename }"}], headers=auth)
    assert_problem(response, 400, "Batching is not enabled")


async def test_f10_graphql_mutation_over_get_is_a_problem(client: Client, auth: dict[str, str]) -> None:
    response = await client.get(
        "/graphql",
        params={"query": 'mutation { deleteAssessment(id: "00000000-0000-0000-0000-000000000000") }'},
        headers={**auth, "Accept": "application/json"},
    )
    assert_problem(response, 400, "mutations are not allowed when using GET")


async def test_f10_graphql_unsupported_content_type_is_a_problem(client: Client, auth: dict[str, str]) -> None:
    response = await client.post("/graphql", content=b"{ __typename }", headers={**auth, "Content-Type": "text/plain"})
    assert_problem(response, 400, "Unsupported content type")


async def test_f10_graphql_body_that_is_not_json_is_a_problem(client: Client, auth: dict[str, str]) -> None:
    response = await client.post(
        "/graphql", content=b'{"query": ', headers={**auth, "Content-Type": "application/json"}
    )
    assert_problem(response, 400, "Unable to parse request body as JSON")


@pytest.mark.parametrize("method", ["POST", "GET"])
async def test_f10_graphql_without_a_query_is_a_problem(client: Client, auth: dict[str, str], method: str) -> None:
    if method == "POST":
        response = await client.post("/graphql", json={"variables": {}}, headers=auth)
    else:
        response = await client.get(
            "/graphql", params={"variables": "{}"}, headers={**auth, "Accept": "application/json"}
        )
    assert_problem(response, 400, "No GraphQL query found")


async def test_f10_graphql_problems_keep_the_request_id_and_security_headers(
    client: Client, auth: dict[str, str]
) -> None:
    response = await client.post("/graphql", json=[], headers=auth)
    assert_problem(response, 400)
    assert response.headers["x-request-id"] and response.headers["x-content-type-options"] == "nosniff"


# The sweep: 4xx answered by Litestar itself or by the REST front doors.
SWEEP = [
    ("GET", "/no-such-path", None, 404),
    ("GET", "/v1/no-such-resource", None, 404),
    ("PUT", "/v1/exercises", None, 405),
    ("PATCH", "/v1/assessments", None, 405),
    ("DELETE", "/graphql", None, 405),
    ("PUT", "/graphql", None, 405),
    ("POST", "/v1/assessments", b'{"subject_ref": ', 400),
    ("POST", "/v1/programs", b"not json", 400),
    ("POST", "/v1/assessments", b"[]", 400),
    ("GET", "/v1/exercises?limit=0", None, 400),
    ("GET", "/v1/exercises?limit=abc", None, 400),
    ("GET", "/v1/exercises/no_such_exercise", None, 404),
]


@pytest.mark.parametrize(("method", "path", "body", "status"), SWEEP)
async def test_f10_sweep_other_4xx_are_problems(
    client: Client, auth: dict[str, str], method: str, path: str, body: bytes | None, status: int
) -> None:
    headers = {**auth, "Content-Type": "application/json"} if body is not None else auth
    response = await client.request(method, path, content=body, headers=headers)
    assert_problem(response, status)


async def test_f10_sweep_missing_key_and_bad_key_are_problems(client: Client) -> None:
    assert_problem(await client.get("/v1/assessments"), 401)
    assert_problem(await client.get("/v1/assessments", headers={"Authorization": "Bearer nope"}), 401)
