"""Client B can neither see nor touch client A's data, over REST and GraphQL, on every tenant-owned route.

Generic over the routes: every route handler marked `opt={"tenant_owned": True}` is discovered from the app and
must belong to a resource registered below (a new resource fails `test_every_tenant_route_is_covered` until it is
registered); each of its routes is then tried as client B against client A's record.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from devkit.keys import make_key
from devkit.personas import DESK_WORKER
from service.clients.scopes import ALL_SCOPES
from service.settings import Settings

Client = AsyncTestClient[Litestar]
Headers = dict[str, str]


@dataclass(frozen=True)
class TenantResource:
    name: str
    collection: str
    create: Callable[[Client, Headers], Awaitable[str]]
    graphql_one: str  # a query taking $id, returning the record or null under `one`
    graphql_many: str  # a query returning `many { edges { node { id } } }`
    graphql_delete: str  # a mutation taking $id, returning a boolean under `gone`


async def _create_assessment(client: Client, headers: Headers) -> str:
    response = await client.post("/v1/assessments", json=DESK_WORKER, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


async def _create_program(client: Client, headers: Headers) -> str:
    assessment_id = await _create_assessment(client, headers)
    response = await client.post("/v1/programs", json={"assessment_id": assessment_id, "weeks": 1}, headers=headers)
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


RESOURCES = [
    TenantResource(
        name="assessment",
        collection="/v1/assessments",
        create=_create_assessment,
        graphql_one="query ($id: ID!) { one: assessment(id: $id) { id status } }",
        graphql_many="{ many: assessments(first: 500) { edges { node { id } } } }",
        graphql_delete="mutation ($id: ID!) { gone: deleteAssessment(id: $id) }",
    ),
    TenantResource(
        name="program",
        collection="/v1/programs",
        create=_create_program,
        graphql_one="query ($id: ID!) { one: program(id: $id) { id assessmentId } }",
        graphql_many="{ many: programs(first: 500) { edges { node { id } } } }",
        graphql_delete="mutation ($id: ID!) { gone: deleteProgram(id: $id) }",
    ),
]


def _tenant_routes(app: Litestar) -> Iterator[tuple[str, str]]:
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if handler.opt.get("tenant_owned"):
                for method in sorted(handler.http_methods - {"OPTIONS", "HEAD"}):
                    yield method, route.path


def _owner(path: str) -> TenantResource | None:
    return next((r for r in RESOURCES if path == r.collection or path.startswith(r.collection + "/")), None)


def _valid_body(method: str, path: str) -> dict[str, Any] | None:
    """A body that would be accepted for a record of B's own: so that only the record's owner can make it a 404."""
    today = datetime.now(UTC).date().isoformat()
    if method == "POST" and path.endswith("/check-ins"):
        return {"date": today, "kind": "routine", "pain_before": 2, "pain_during": 2, "pain_after": 2}
    if method == "POST" and path.endswith("/outcomes"):
        return {"taken_on": today, "answers": {"measure": "nprs", "value": 3}}
    if method == "PATCH" and "/check-ins/" in path:
        return {"effort": 3}
    return {} if method in {"PUT", "PATCH"} else None


def test_every_tenant_route_is_covered(app: Litestar) -> None:
    routes = list(_tenant_routes(app))
    assert routes, "no tenant-owned routes found: is the opt marker still set?"
    uncovered = [f"{method} {path}" for method, path in routes if _owner(path) is None]
    assert not uncovered, f"register these tenant-owned routes in RESOURCES: {uncovered}"


@pytest.fixture(scope="module")
async def tenants(settings: Settings) -> tuple[Headers, Headers]:
    a = await make_key(settings, "tenant-a", list(ALL_SCOPES))
    b = await make_key(settings, "tenant-b", list(ALL_SCOPES))
    return {"Authorization": f"Bearer {a}"}, {"Authorization": f"Bearer {b}"}


async def _graphql(client: Client, headers: Headers, query: str, variables: dict[str, Any] | None = None) -> Any:
    response = await client.post("/graphql", json={"query": query, "variables": variables or {}}, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert not body.get("errors"), body
    return body["data"]


@pytest.mark.parametrize("resource", RESOURCES, ids=lambda r: r.name)
async def test_client_b_cannot_reach_client_a_records(
    client: Client, app: Litestar, tenants: tuple[Headers, Headers], resource: TenantResource
) -> None:
    a, b = tenants
    record_id = await resource.create(client, a)
    before = (await client.get(f"{resource.collection}/{record_id}", headers=a)).json()
    tried = 0
    for method, path in _tenant_routes(app):
        if _owner(path) is not resource:
            continue
        url = re.sub(r"\{[^}]+\}", record_id, path)
        if "{" in path:
            response = await client.request(method, url, headers=b, json=_valid_body(method, path))
            assert response.status_code == 404, f"{method} {path} as another client: {response.status_code}"
        elif method == "GET":
            response = await client.get(url, params={"limit": 500}, headers=b)
            assert response.status_code == 200 and record_id not in response.text, f"{method} {path} leaks"
        else:
            continue  # creating in the collection makes B's own record
        tried += 1
    assert tried >= 3

    assert (await _graphql(client, b, resource.graphql_one, {"id": record_id}))["one"] is None
    assert record_id not in str(await _graphql(client, b, resource.graphql_many))
    assert (await _graphql(client, b, resource.graphql_delete, {"id": record_id}))["gone"] is False

    after = await client.get(f"{resource.collection}/{record_id}", headers=a)
    assert after.status_code == 200 and after.json() == before, "client B changed client A's record"
    assert (await _graphql(client, a, resource.graphql_one, {"id": record_id}))["one"]["id"] == record_id
