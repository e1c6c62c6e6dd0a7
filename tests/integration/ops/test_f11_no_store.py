"""Finding F11 (issue 12), tenants' data: every answer on /v1/me, /v1/assessments*, /v1/programs* and /graphql,
errors included, says `Cache-Control: no-store`; catalogue answers keep their public caching."""

from __future__ import annotations

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

Client = AsyncTestClient[Litestar]
NO_ID = "00000000-0000-0000-0000-000000000000"


@pytest.mark.parametrize(
    ("method", "path", "body", "keyed"),
    [
        ("GET", "/v1/me", None, True),
        ("GET", "/v1/me", None, False),  # 401
        ("GET", "/v1/assessments", None, True),
        ("GET", "/v1/assessments?limit=0", None, True),  # 400
        ("GET", f"/v1/assessments/{NO_ID}", None, True),  # 404
        ("POST", "/v1/assessments", {"subject_ref": 5}, True),  # 400: invalid body
        ("DELETE", f"/v1/assessments/{NO_ID}", None, True),
        ("PUT", "/v1/assessments", None, True),  # 405
        ("GET", "/v1/programs", None, True),
        ("GET", f"/v1/programs/{NO_ID}", None, True),
        ("GET", "/v1/programs/not/routed", None, True),  # 404 from the router
        ("POST", "/graphql", {"query": "{ patterns { slug } }"}, False),
        ("POST", "/graphql", {"query": "{ assessments(first: 1) { edges { cursor } } }"}, True),
        ("POST", "/graphql", {"query": "{ nope }"}, True),
    ],
)
async def test_f11_tenant_answers_are_not_stored(
    client: Client, full_access_key: str, method: str, path: str, body: object, keyed: bool
) -> None:
    headers = {"Authorization": f"Bearer {full_access_key}"} if keyed else {}
    response = await client.request(method, path, json=body, headers=headers)
    assert response.headers.get_list("cache-control") == ["no-store"], (response.status_code, response.text)


@pytest.mark.parametrize("path", ["/v1/exercises/step_up", "/v1/patterns", "/v1/muscles?view=tree"])
async def test_f11_catalogue_answers_keep_their_caching(client: Client, path: str) -> None:
    for _ in range(2):  # built, then from the in-memory cache
        response = await client.get(path)
        assert response.status_code == 200
        assert response.headers.get_list("cache-control") == ["public, max-age=60"]
