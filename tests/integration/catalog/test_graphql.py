"""The catalogue over GraphQL: same answers as REST, batched loads, abuse limits."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import event

Client = AsyncTestClient[Litestar]

EXERCISES_WITH_LINKS = """
query ($first: Int!) {
  exercises(first: $first) {
    edges { cursor node { slug primaryMuscles muscleDetails { slug name role } equipmentDetails { slug name }
                          contraindicationDetails { name } relationDetails { name level } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


async def _query(client: Client, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": query, "variables": variables or {}})
    assert response.status_code == 200, response.text
    return response.json()


@contextmanager
def count_statements(app: Litestar) -> Iterator[list[str]]:
    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    sync_engine = app.runtime.engine.sync_engine
    event.listen(sync_engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(sync_engine, "before_cursor_execute", record)


def query_statements(statements: list[str]) -> list[str]:
    """Without the catalogue version check: it runs at most every 2 s on any request, so it is not the query's own."""
    return [s for s in statements if "max(" not in s.lower()]


async def test_a_hundred_exercises_cost_the_same_statements_as_twenty(client: Client, app: Litestar) -> None:
    await _query(client, EXERCISES_WITH_LINKS, {"first": 1})  # warm the pool
    with count_statements(app) as small_page:
        small = await _query(client, EXERCISES_WITH_LINKS, {"first": 20})
    with count_statements(app) as large_page:
        large = await _query(client, EXERCISES_WITH_LINKS, {"first": 100})
    for page, size in ((small, 20), (large, 100)):
        nodes = [e["node"] for e in page["data"]["exercises"]["edges"]]
        assert len(nodes) == size and all(n["muscleDetails"] for n in nodes)
        # Both pages use every batched field, so the counts compare like with like.
        assert any(n["contraindicationDetails"] for n in nodes) and any(n["relationDetails"] for n in nodes)
    twenty, hundred = query_statements(small_page), query_statements(large_page)
    assert 0 < len(hundred) == len(twenty) <= 6, hundred


async def test_connection_pages_match_rest(client: Client) -> None:
    rest = (await client.get("/v1/exercises", params={"limit": 500, "muscle": "glutes"})).json()["items"]
    slugs: list[str] = []
    after = None
    query = """query ($after: String) { exercises(first: 10, after: $after, filter: {muscle: glutes}) {
        edges { node { slug } } pageInfo { hasNextPage endCursor } } }"""
    while True:
        page = (await _query(client, query, {"after": after}))["data"]["exercises"]
        slugs += [e["node"]["slug"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert slugs == [i["slug"] for i in rest]


async def test_exercise_fields_mirror_rest_in_camel_case(client: Client) -> None:
    rest = (await client.get("/v1/exercises/step_up")).json()
    data = await _query(
        client,
        """{ exercise(slug: "step_up") { slug name modality phases primaryMuscles secondaryMuscles equipment level
             spinalLoad contraindications { condition reason } dose { sets reps holdSeconds perSide restSeconds }
             regressions progressions alternatives source positions demands } }""",
    )
    gql = data["data"]["exercise"]
    assert (
        (gql["positions"], gql["demands"]) == (rest["positions"], rest["demands"]) == (["standing"], ["balance_demand"])
    )
    assert gql["primaryMuscles"] == rest["primary_muscles"] and gql["spinalLoad"] == rest["spinal_load"]
    assert gql["dose"]["restSeconds"] == rest["dose"]["rest_seconds"]
    assert gql["contraindications"] == rest["contraindications"]
    assert (await _query(client, '{ exercise(slug: "nope") { slug } }'))["data"]["exercise"] is None


async def test_linked_details_match_rest(client: Client) -> None:
    listed = (await client.get("/v1/exercises", params={"limit": 500})).json()["items"]
    linked = [x["slug"] for x in listed if x["contraindications"] and (x["regressions"] or x["alternatives"])][:10]
    assert linked
    query = """query ($slug: String!) { exercise(slug: $slug) {
        contraindicationDetails { condition name reason } relationDetails { relation slug name level } } }"""
    for slug in linked:
        rest = (await client.get(f"/v1/exercises/{slug}")).json()
        gql = (await _query(client, query, {"slug": slug}))["data"]["exercise"]
        assert gql["contraindicationDetails"] == rest["contraindication_details"]
        assert gql["relationDetails"] == rest["relation_details"]


async def test_muscle_with_its_exercises_and_taxonomy_lists(client: Client) -> None:
    query = """{ muscle(slug: "glutes") { slug kind children exercises(role: primary) { slug primaryMuscles } }
                 muscles { slug } equipment { slug } conditions { slug } patterns { slug overactive } }"""
    data = (await _query(client, query))["data"]
    glutes = data["muscle"]
    assert glutes["children"] == ["gluteus_maximus", "gluteus_medius", "gluteus_minimus"]
    assert glutes["exercises"]
    for exercise in glutes["exercises"]:
        assert {"glutes", *glutes["children"]} & set(exercise["primaryMuscles"])
    assert len(data["muscles"]) > 50 and data["equipment"] and data["conditions"] and len(data["patterns"]) == 2


async def test_muscles_with_exercises_are_batched(client: Client, app: Litestar) -> None:
    query = "{ muscles { slug exercises { slug } } }"
    with count_statements(app) as statements:
        data = await _query(client, query)
    assert len(data["data"]["muscles"]) > 50
    assert len(statements) <= 4, statements


async def test_bad_arguments_are_client_errors_naming_the_field(client: Client) -> None:
    unknown = await _query(client, "{ exercises(filter: {muscle: not_a_muscle}) { edges { node { slug } } } }")
    assert unknown["data"] is None and "not_a_muscle" in unknown["errors"][0]["message"]
    for query, field in (
        ("{ exercises(first: 501) { edges { node { slug } } } }", "first"),
        ("{ exercises(first: 0) { edges { node { slug } } } }", "first"),
        ('{ exercises(after: "garbage") { edges { node { slug } } } }', "after"),
    ):
        error = (await _query(client, query))["errors"][0]
        assert error["extensions"]["code"] == "BAD_USER_INPUT" and error["extensions"]["status"] == 400
        assert error["extensions"]["errors"][0]["field"] == field


async def test_filter_slugs_are_typed_enums(client: Client) -> None:
    query = """{ exercises(first: 500, filter: {availableEquipment: [bodyweight], excludeCondition: [low_back_pain]})
                 { edges { node { slug equipment contraindications { condition } } } } }"""
    edges = (await _query(client, query))["data"]["exercises"]["edges"]
    assert edges
    for edge in edges:
        assert edge["node"]["equipment"] == ["bodyweight"]
        assert "low_back_pain" not in [c["condition"] for c in edge["node"]["contraindications"]]


async def test_depth_and_alias_limits(client: Client) -> None:
    deep = "{ exercises { edges { node { muscleDetails { slug } } } } }"
    assert "errors" not in await _query(client, deep)
    aliases = "{ " + " ".join(f'a{i}: exercise(slug: "step_up") {{ slug }}' for i in range(20)) + " }"
    data = await _query(client, aliases)
    assert data.get("errors") and data.get("data") is None
