"""Schemathesis against the real OpenAPI document and GraphQL schema, over real HTTP and real PostgreSQL.

Every default check, positive and negative data; SCHEMATHESIS_MAX_EXAMPLES sets the examples per operation
(100 in CI and by default).
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from schemathesis.generation import GenerationMode

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "100"))


@pytest.fixture(scope="session")
def rest_schema(live_server: str) -> schemathesis.BaseSchema:
    schema = schemathesis.openapi.from_url(f"{live_server}/schema/openapi.json")
    schema.config.generation.update(
        modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], max_examples=MAX_EXAMPLES, deterministic=True
    )
    return schema


@pytest.fixture(scope="session")
def graphql_schema(live_server: str) -> schemathesis.BaseSchema:
    schema = schemathesis.graphql.from_url(f"{live_server}/graphql")
    schema.config.generation.update(max_examples=MAX_EXAMPLES, deterministic=True)
    return schema


rest = schemathesis.pytest.from_fixture("rest_schema")
graphql = schemathesis.pytest.from_fixture("graphql_schema")


@rest.parametrize()
def test_rest_api_honours_its_contract(case: schemathesis.Case) -> None:
    case.call_and_validate()


@graphql.parametrize()
def test_graphql_api_never_fails(case: schemathesis.Case) -> None:
    case.call_and_validate()
