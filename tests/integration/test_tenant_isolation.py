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
    collection: str  # its collection's route, a nested one with its parents' ids: `/v1/programs/{program_id}/check-ins`
    create: Callable[[Client, Headers], Awaitable[dict[str, str]]]  # A's record: a value for each path placeholder
    key: str  # the placeholder that names the record itself
    graphql_one: str  # a query taking $id (and its parents' ids as $programId…), the record or null under `one`
    graphql_many: str  # a query listing every such record of the caller under `many`
    graphql_delete: str  # a mutation taking $id (and its parents' ids), returning a boolean under `gone`


async def _create_assessment(client: Client, headers: Headers) -> dict[str, str]:
    response = await client.post("/v1/assessments", json=DESK_WORKER, headers=headers)
    assert response.status_code == 201, response.text
    return {"assessment_id": str(response.json()["id"])}


async def _create_program(client: Client, headers: Headers) -> dict[str, str]:
    assessment_id = (await _create_assessment(client, headers))["assessment_id"]
    response = await client.post("/v1/programs", json={"assessment_id": assessment_id, "weeks": 1}, headers=headers)
    assert response.status_code == 201, response.text
    return {"program_id": str(response.json()["id"]), "number": "1"}


async def _create_check_in(client: Client, headers: Headers) -> dict[str, str]:
    program_id = (await _create_program(client, headers))["program_id"]
    path = f"/v1/programs/{program_id}/check-ins"
    response = await client.post(path, json=_valid_body("POST", path), headers=headers)
    assert response.status_code == 201, response.text
    return {"program_id": program_id, "check_in_id": str(response.json()["id"])}


async def _create_outcome(client: Client, headers: Headers) -> dict[str, str]:
    assessment_id = (await _create_assessment(client, headers))["assessment_id"]
    path = f"/v1/assessments/{assessment_id}/outcomes"
    response = await client.post(path, json=_valid_body("POST", path), headers=headers)
    assert response.status_code == 201, response.text
    return {"assessment_id": assessment_id, "outcome_id": str(response.json()["id"])}


RESOURCES = [
    TenantResource(
        name="assessment",
        collection="/v1/assessments",
        create=_create_assessment,
        key="assessment_id",
        graphql_one="query ($id: ID!) { one: assessment(id: $id) { id status } }",
        graphql_many="{ many: assessments(first: 500) { edges { node { id } } } }",
        graphql_delete="mutation ($id: ID!) { gone: deleteAssessment(id: $id) }",
    ),
    TenantResource(
        name="program",
        collection="/v1/programs",
        create=_create_program,
        key="program_id",
        graphql_one="query ($id: ID!) { one: program(id: $id) { id assessmentId } }",
        graphql_many="{ many: programs(first: 500) { edges { node { id } } } }",
        graphql_delete="mutation ($id: ID!) { gone: deleteProgram(id: $id) }",
    ),
    TenantResource(
        name="check-in",
        collection="/v1/programs/{program_id}/check-ins",
        create=_create_check_in,
        key="check_in_id",
        graphql_one="query ($programId: ID!, $id: ID!) { one: checkIn(programId: $programId, id: $id) { id } }",
        graphql_many=(
            "{ many: programs(first: 500) { edges { node { checkIns(first: 500) { edges { node { id } } } } } } }"
        ),
        graphql_delete="mutation ($programId: ID!, $id: ID!) { gone: deleteCheckIn(programId: $programId, id: $id) }",
    ),
    TenantResource(
        name="outcome",
        collection="/v1/assessments/{assessment_id}/outcomes",
        create=_create_outcome,
        key="outcome_id",
        graphql_one="query ($assessmentId: ID!) { one: assessment(id: $assessmentId) { outcomes { id } } }",
        graphql_many="{ many: assessments(first: 500) { edges { node { outcomes { id } } } } }",
        graphql_delete=(
            "mutation ($assessmentId: ID!, $id: ID!) { gone: deleteOutcome(assessmentId: $assessmentId, id: $id) }"
        ),
    ),
]

_PLACEHOLDER = re.compile(r"\{(\w+)(?::[^}]*)?\}")


def _template(path: str) -> str:
    """A route's path without its parameters' types: `/v1/programs/{program_id:str}` → `/v1/programs/{program_id}`."""
    return _PLACEHOLDER.sub(r"{\1}", path)


def _tenant_routes(app: Litestar) -> Iterator[tuple[str, str]]:
    for route in app.routes:
        for handler in getattr(route, "route_handlers", []):
            if handler.opt.get("tenant_owned"):
                for method in sorted(handler.http_methods - {"OPTIONS", "HEAD"}):
                    yield method, _template(route.path)


def _owner(path: str) -> TenantResource | None:
    """The resource a route belongs to: the one with the longest collection the path is or is under (a check-in's
    routes are the check-in's, not its program's)."""
    owners = [r for r in RESOURCES if path == r.collection or path.startswith(r.collection + "/")]
    return max(owners, key=lambda r: len(r.collection), default=None)


def _filled(path: str, ids: dict[str, str]) -> str:
    """`path` with each placeholder replaced by A's id of that name (the resource's `create` must give them all)."""

    def value(match: re.Match[str]) -> str:
        assert match.group(1) in ids, f"{path}: the resource's `create` gives no value for {match.group(0)}"
        return ids[match.group(1)]

    return _PLACEHOLDER.sub(value, path)


def _variables(resource: TenantResource, ids: dict[str, str]) -> dict[str, str]:
    """GraphQL's arguments naming the record: `id` for itself, its parents' ids camelCased (`programId`)."""
    parents = {re.sub(r"_(\w)", lambda m: m.group(1).upper(), k): v for k, v in ids.items() if k != resource.key}
    return {**parents, "id": ids[resource.key]}


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
    ids = await resource.create(client, a)
    record_id, record = ids[resource.key], _filled(f"{resource.collection}/{{{resource.key}}}", ids)
    before = (await client.get(record, headers=a)).json()
    tried = 0
    for method, path in _tenant_routes(app):
        if _owner(path) is not resource:
            continue
        url = _filled(path, ids)  # nested routes with A's real parent and record ids
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

    variables = _variables(resource, ids)
    assert (await _graphql(client, b, resource.graphql_one, variables))["one"] is None
    assert record_id not in str(await _graphql(client, b, resource.graphql_many))
    assert (await _graphql(client, b, resource.graphql_delete, variables))["gone"] is False

    after = await client.get(record, headers=a)
    assert after.status_code == 200 and after.json() == before, "client B changed client A's record"
    assert record_id in str((await _graphql(client, a, resource.graphql_one, variables))["one"])
    assert record_id in str(await _graphql(client, a, resource.graphql_many))
