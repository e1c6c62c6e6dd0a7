"""Repeated catalogue-only GraphQL queries come from memory, per catalogue version; nothing else does."""

from __future__ import annotations

import asyncio
import json
from dataclasses import replace
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from devkit.keys import make_key
from service.app import create_app
from service.catalog.records import load_catalog
from service.catalog.vocabulary import Vocabulary
from service.graphql.cache import CATALOG_ROOT_FIELDS, is_catalog_only
from service.graphql.schema import build_schema
from service.settings import Settings
from tests.integration.catalog.test_catalog_cache import _set_description
from tests.integration.catalog.test_graphql import count_statements, query_statements

Client = AsyncTestClient[Litestar]
PAGE = "{ exercises(first: 3) { edges { node { slug name equipmentDetails { name } } } } }"


@pytest.fixture
async def fresh(settings: Settings) -> Any:
    app = create_app(replace(settings, catalog_check_seconds=3600))
    async with AsyncTestClient(app=app) as client:
        yield app, client


async def test_a_repeated_catalogue_query_runs_no_sql(fresh: tuple[Litestar, Client]) -> None:
    app, client = fresh
    body = {"query": PAGE, "variables": {}}
    with count_statements(app) as first_statements:
        first = await client.post("/graphql", json=body)
    with count_statements(app) as again_statements:
        again = await client.post("/graphql", json=body, headers={"X-Request-ID": "gql-cached"})
    assert first.status_code == again.status_code == 200
    assert again.content == first.content and len(first.json()["data"]["exercises"]["edges"]) == 3
    assert query_statements(first_statements) and not query_statements(again_statements)
    assert again.headers["x-request-id"] == "gql-cached" and again.headers["x-frame-options"] == "DENY"
    assert again.headers["content-type"] == first.headers["content-type"]
    # Another spelling (variables, operation name, whitespace) is another entry, executed on its own.
    with count_statements(app) as other:
        await client.post("/graphql", json={"query": PAGE, "variables": {"unused": 1}})
    assert query_statements(other)


async def test_a_changed_catalogue_empties_the_graphql_cache(settings: Settings) -> None:
    app = create_app(replace(settings, catalog_check_seconds=0.0))
    query = {"query": "{ equipment { slug description } }"}
    async with AsyncTestClient(app=app) as client:
        first = (await client.post("/graphql", json=query)).json()
        (await client.post("/graphql", json=query)).json()
        assert len(app.runtime.graphql_cache) == 1
        original = next(e["description"] for e in first["data"]["equipment"] if e["slug"] == "foam_roller")
        await _set_description(settings, "foam_roller", original + " (edited)")
        try:
            changed = (await client.post("/graphql", json=query)).json()
            edited = next(e["description"] for e in changed["data"]["equipment"] if e["slug"] == "foam_roller")
            assert edited.endswith("(edited)")
        finally:
            await _set_description(settings, "foam_roller", original)


@pytest.mark.parametrize(
    "query",
    [
        "{ exercises(first: 0) { edges { node { slug } } } }",  # a bad argument
        "{ exercise(slug: 12) { slug } }",  # invalid document
        "{ muscles { slug exercises { slug exercises_are_not_here } } }",  # unknown field
        "{ " + " ".join(f"a{i}: patterns {{ slug }}" for i in range(20)) + " }",  # over the alias limit
        '{ muscle(slug: "glutes") { exercises { slug } } ' + "x" * 5 + " }",  # syntax error
    ],
)
async def test_errors_are_never_cached(fresh: tuple[Litestar, Client], query: str) -> None:
    app, client = fresh
    for _ in range(2):
        response = await client.post("/graphql", json={"query": query})
        assert response.json().get("errors"), response.text
    assert len(app.runtime.graphql_cache) == 0


async def test_depth_limit_still_applies_to_catalogue_queries(settings: Settings) -> None:
    app = create_app(replace(settings, graphql_max_depth=2))
    deep = "{ muscles { exercises { muscleDetails { slug } } } }"
    async with AsyncTestClient(app=app) as client:
        for _ in range(2):
            answer = (await client.post("/graphql", json={"query": deep})).json()
            assert answer.get("errors") and "depth" in answer["errors"][0]["message"]
        assert len(app.runtime.graphql_cache) == 0


async def test_only_catalogue_queries_are_kept(fresh: tuple[Litestar, Client], settings: Settings) -> None:
    app, client = fresh
    key = await make_key(settings, "graphql-cache-tenant", ["assessments:read", "catalog:read"])
    headers = {"Authorization": f"Bearer {key}"}
    mixed = "{ patterns { slug } assessments(first: 1) { edges { node { id } } } }"
    for _ in range(2):
        assert (await client.post("/graphql", json={"query": mixed}, headers=headers)).json()["data"]
    introspection = "{ __schema { queryType { name } } }"
    for _ in range(2):
        assert (await client.post("/graphql", json={"query": introspection})).json()["data"]
    assert len(app.runtime.graphql_cache) == 0
    await client.post("/graphql", json={"query": "{ patterns { slug } }"}, headers=headers)
    assert len(app.runtime.graphql_cache) == 1


async def test_a_cached_answer_still_checks_keys_and_counts_requests(settings: Settings) -> None:
    app = create_app(replace(settings, anonymous_rate_limit="3/3600"))
    query = {"query": "{ conditions { slug } }"}
    async with AsyncTestClient(app=app) as client:
        answers = [await client.post("/graphql", json=query) for _ in range(4)]
        bad_key = await client.post("/graphql", json=query, headers={"Authorization": "Bearer rl_live_" + "D" * 36})
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert [a.headers["ratelimit"].split(";")[1] for a in answers] == ["r=2", "r=1", "r=0", "r=0"]
    assert answers[1].content == answers[0].content
    assert bad_key.status_code == 401 and bad_key.headers["www-authenticate"].startswith("Bearer")


async def test_a_private_catalogue_needs_catalog_read_for_a_cached_answer(settings: Settings) -> None:
    private = replace(settings, public_catalog=False)
    reader = await make_key(settings, "graphql-cache-reader", ["catalog:read"])
    other = await make_key(settings, "graphql-cache-other", ["stats:read"])
    query = {"query": "{ patterns { slug } }"}
    app = create_app(private)
    async with AsyncTestClient(app=app) as client:
        for _ in range(2):
            granted = await client.post("/graphql", json=query, headers={"Authorization": f"Bearer {reader}"})
            assert granted.json()["data"]["patterns"]
        assert len(app.runtime.graphql_cache) == 1
        anonymous = (await client.post("/graphql", json=query)).json()
        assert anonymous["data"] is None and "key" in anonymous["errors"][0]["message"]
        denied = (await client.post("/graphql", json=query, headers={"Authorization": f"Bearer {other}"})).json()
        assert denied["data"] is None and "catalog:read" in denied["errors"][0]["message"]


def test_catalogue_root_fields_are_the_schemas(settings: Settings) -> None:
    """Every root query field is either a catalogue field (cacheable) or a tenant's: a new one needs a decision."""
    schema = build_schema(settings, Vocabulary.from_catalog(load_catalog()))
    root_fields = set(schema._schema.query_type.fields)
    # `screening` is public but follows the assessment rules, not the catalogue's version: not cached here.
    assert root_fields - CATALOG_ROOT_FIELDS == {
        "assessment",
        "assessments",
        "program",
        "programs",
        "checkIn",
        "stats",
        "screening",
    }
    assert root_fields >= CATALOG_ROOT_FIELDS


@pytest.mark.parametrize(
    ("query", "kept"),
    [
        (PAGE, True),
        ('query Q { muscle(slug: "glutes") { name } __typename }', True),
        ("query A { patterns { slug } } query B { equipment { slug } }", True),
        ("{ assessments(first: 1) { edges { node { id } } } }", False),
        ('{ patterns { slug } assessment(id: "x") { id } }', False),
        ('mutation { deleteAssessment(id: "x") }', False),
        ('query A { patterns { slug } } mutation B { deleteAssessment(id: "x") }', False),
        ("{ ...F } fragment F on Query { patterns { slug } }", False),
        ("{ __schema { types { name } } }", False),
        ("{ patterns { slug ", False),
        ("fragment F on Query { patterns { slug } }", False),
    ],
)
def test_what_counts_as_catalogue_only(query: str, kept: bool) -> None:
    assert is_catalog_only(query) is kept


async def _post_directly(app: Litestar, body: bytes) -> tuple[int, bytes]:
    """One POST /graphql straight into the ASGI app (so that several can really overlap)."""
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"test"), (b"content-type", b"application/json")],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 80),
        "state": {},
    }
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop()
        await asyncio.sleep(3600)
        raise AssertionError

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    await app(scope, receive, send)  # type: ignore[arg-type]
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


async def test_identical_queries_arriving_together_execute_once(
    fresh: tuple[Litestar, Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    app, _ = fresh
    from service.catalog import services

    executions: list[int] = []
    list_patterns = services.list_patterns

    async def counting(*args: Any, **kwargs: Any) -> Any:
        executions.append(1)
        await asyncio.sleep(0.05)  # the other requests arrive while it executes
        return await list_patterns(*args, **kwargs)

    monkeypatch.setattr(services, "list_patterns", counting)
    body = json.dumps({"query": "{ patterns { slug name } }"}).encode()
    answers = await asyncio.gather(*(_post_directly(app, body) for _ in range(6)))
    assert {status for status, _ in answers} == {200} and len({content for _, content in answers}) == 1
    assert len(executions) == 1
    # When the first answer is not kept (an error), the others execute on their own.
    executions.clear()
    bad = json.dumps({"query": "{ patterns { slug } exercises(first: 0) { edges { cursor } } }"}).encode()
    answers = await asyncio.gather(*(_post_directly(app, bad) for _ in range(3)))
    assert all(json.loads(content)["errors"] for _, content in answers)
    assert len(executions) == 3
