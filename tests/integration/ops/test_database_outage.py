"""With the database unreachable, requests that need it get a quick 503 problem, never a 500."""

from __future__ import annotations

import pytest
from litestar.testing import AsyncTestClient

from service.app import create_app
from service.settings import Settings


async def test_unreachable_database_is_a_503_problem_with_retry_after() -> None:
    # Port 9 (discard) on loopback: nothing listens, so every connection is refused at once.
    settings = Settings(database_url="postgresql+asyncpg://nobody@127.0.0.1:9/none", key_pepper="x")
    async with AsyncTestClient(app=create_app(settings)) as client:
        response = await client.get("/v1/exercises")
        assert response.status_code == 503
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.headers["retry-after"] == "2"
        assert (await client.get("/readyz")).status_code == 503
        assert (await client.get("/healthz")).status_code == 200


async def test_f5_graphql_answers_an_unreachable_database_as_retryable_not_unexpected(
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = Settings(database_url="postgresql+asyncpg://nobody@127.0.0.1:9/none", key_pepper="x")
    async with AsyncTestClient(app=create_app(settings)) as client:
        response = await client.post("/graphql", json={"query": "{ exercises(first: 1) { edges { node { slug } } } }"})
    assert response.status_code == 200, response.text
    (error,) = response.json()["errors"]
    assert error["message"] != "Unexpected error.", error
    assert error["extensions"]["code"] == "SERVICE_UNAVAILABLE" and error["extensions"]["status"] == 503, error
    assert not [r for r in caplog.records if r.levelname == "ERROR"], "logged as a server error"
