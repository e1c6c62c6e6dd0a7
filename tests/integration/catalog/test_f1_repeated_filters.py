"""Issue 12, F1: repeated filter values were an anonymous denial of service (one SQL subquery per value).

Each repeat is now dropped before the query is built, every repeatable parameter is capped at its vocabulary's
size (and says so as `maxItems`), the statement has one shape whatever the number of values, and a statement the
server cancels is a 503 problem, not a 500.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.catalog.records import load_catalog
from service.settings import Settings
from tests.integration.catalog.test_graphql import count_statements, query_statements

Client = AsyncTestClient[Litestar]

REPEATABLE = {"equipment": "equipment", "available_equipment": "equipment", "exclude_condition": "conditions"}


def _vocabulary_size(kind: str) -> int:
    return len(getattr(load_catalog(), kind))


_page_sizes = iter(range(400, 300, -1))


async def _uncached_exercise_statements(client: Client, app: Litestar, params: list[tuple[str, str]]) -> list[str]:
    # A page size not asked for before misses the response cache (its key is the raw query string) while the
    # statement's text stays the same (the size is a bound parameter).
    with count_statements(app) as statements:
        response = await client.get("/v1/exercises", params=[*params, ("limit", str(next(_page_sizes)))])
    assert response.status_code == 200, response.text
    return [s for s in query_statements(statements) if "FROM exercises" in s]


async def test_f1_repeats_give_the_same_statement_and_answer_as_one_value(client: Client, app: Litestar) -> None:
    once = [("equipment", "bodyweight")]
    twenty = [("equipment", "bodyweight")] * 20
    assert (await client.get("/v1/exercises", params=[*once, ("limit", "500")])).json() == (
        await client.get("/v1/exercises", params=[*twenty, ("limit", "500")])
    ).json()
    single = await _uncached_exercise_statements(client, app, once)
    repeated = await _uncached_exercise_statements(client, app, twenty)
    assert single and repeated == single


async def test_f1_several_required_items_are_one_statement_shape(client: Client, app: Litestar) -> None:
    two = await _uncached_exercise_statements(client, app, [("equipment", "dumbbell"), ("equipment", "bench")])
    three = await _uncached_exercise_statements(
        client, app, [("equipment", "dumbbell"), ("equipment", "bench"), ("equipment", "bodyweight")]
    )
    assert two == three
    items = (await client.get("/v1/exercises", params=[("equipment", "dumbbell"), ("equipment", "bench")])).json()
    assert items["items"], "some exercise needs a dumbbell and a bench"
    assert all({"dumbbell", "bench"} <= set(item["equipment"]) for item in items["items"])


@pytest.mark.parametrize("name", sorted(REPEATABLE))
async def test_f1_more_values_than_the_vocabulary_is_a_400_problem(client: Client, name: str) -> None:
    cap = _vocabulary_size(REPEATABLE[name])
    value = "bodyweight" if REPEATABLE[name] == "equipment" else "low_back_pain"
    response = await client.get("/v1/exercises", params=[(name, value)] * (cap + 1))
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert any(error["field"] == name for error in response.json()["errors"])
    at_cap = await client.get("/v1/exercises", params=[(name, value)] * cap)
    assert at_cap.status_code == 200, at_cap.text


async def test_f1_the_caps_are_published_as_max_items(client: Client) -> None:
    document = (await client.get("/schema/openapi.json")).json()
    parameters = {p["name"]: p for p in document["paths"]["/v1/exercises"]["get"]["parameters"]}
    for name, kind in REPEATABLE.items():
        schema = parameters[name]["schema"]
        arrays = [schema, *schema.get("oneOf", []), *schema.get("anyOf", [])]
        assert any(s.get("maxItems") == _vocabulary_size(kind) for s in arrays), (name, schema)


async def test_f1_graphql_list_inputs_are_capped_too(client: Client) -> None:
    query = "query ($f: ExerciseFilter) { exercises(filter: $f) { edges { node { slug } } } }"
    for name, kind in (("equipment", "equipment"), ("availableEquipment", "equipment")):
        flood = {name: ["bodyweight"] * 300}
        response = await client.post("/graphql", json={"query": query, "variables": {"f": flood}})
        body = response.json()
        assert response.status_code == 200 and body.get("data") is None, body
        error = body["errors"][0]
        assert error["extensions"]["code"] == "BAD_USER_INPUT", error
        assert "at most" in error["message"] and str(_vocabulary_size(kind)) in error["message"], error
    flood = {"excludeCondition": ["low_back_pain"] * 300}
    body = (await client.post("/graphql", json={"query": query, "variables": {"f": flood}})).json()
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", body
    repeated = {"equipment": ["bodyweight"] * 10}
    body = (await client.post("/graphql", json={"query": query, "variables": {"f": repeated}})).json()
    assert "errors" not in body and body["data"]["exercises"]["edges"], body


@pytest.fixture
async def impatient_client(settings: Settings) -> AsyncIterator[Client]:
    """An app whose statements the server cancels after 300 ms."""
    app = create_app(replace(settings, db_statement_timeout_ms=300))
    async with AsyncTestClient(app=app) as test_client:
        yield test_client


async def test_f1_a_cancelled_statement_is_a_503_problem(impatient_client: Client, database_url: str) -> None:
    # A lock held elsewhere keeps the read waiting until the statement timeout cancels it (QueryCanceledError).
    locker = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        transaction = locker.transaction()
        await transaction.start()
        await locker.execute("LOCK TABLE exercises IN ACCESS EXCLUSIVE MODE")
        try:
            response = await asyncio.wait_for(
                impatient_client.get("/v1/exercises", params={"q": "cancelled on purpose"}), timeout=30
            )
        finally:
            await transaction.rollback()
    finally:
        await locker.close()
    assert response.status_code == 503, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["retry-after"]
    problem: dict[str, Any] = response.json()
    assert problem["status"] == 503 and problem["type"].endswith("/unavailable")
