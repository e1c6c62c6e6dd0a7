"""Security review F6 (issue 12): input PostgreSQL (or asyncpg, encoding it) would refuse is a 400 problem naming
the field over REST, and a BAD_USER_INPUT error naming it over GraphQL; never a 500.

Before: a NUL in the `pattern` filter, instants whose UTC falls outside years 1-9999 (in `created_after`,
`created_before`, `updated_since` and inside cursors), a search cursor whose offset is beyond PostgreSQL's bigint
and a keyset cursor holding a NUL all reached the database and failed there.
"""

from __future__ import annotations

import base64
import json
import logging
from typing import Any
from urllib.parse import quote

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from devkit.keys import make_key
from service.settings import Settings

Client = AsyncTestClient[Litestar]
Headers = dict[str, str]

# Each is a valid RFC 3339 instant whose UTC is in year 0 or year 10000.
OUT_OF_RANGE = ["0001-01-01T00:00:00+03:05", "9999-12-31T23:59:59-01:00"]
ZERO_ID = "00000000-0000-0000-0000-000000000000"


def cursor(position: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(position).encode()).rstrip(b"=").decode()


@pytest.fixture(scope="module")
async def reader(settings: Settings) -> Headers:
    scopes = ["assessments:read", "assessments:write", "programs:read", "programs:write", "catalog:read"]
    key = await make_key(settings, "f6-reader", scopes)
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture(autouse=True)
def no_errors_logged(caplog: pytest.LogCaptureFixture) -> Any:
    caplog.set_level(logging.INFO)
    yield
    logged = [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.ERROR]
    assert not logged, logged


async def rest_400(client: Client, headers: Headers, path: str, field: str) -> None:
    response = await client.get(path, headers=headers)
    assert response.status_code == 400, f"{path}: {response.status_code} {response.text}"
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["field"] for e in response.json()["errors"]] == [field], response.json()


async def graphql_bad_input(
    client: Client, headers: Headers, query: str, variables: dict[str, Any], field: str
) -> None:
    response = await client.post("/graphql", json={"query": query, "variables": variables}, headers=headers)
    assert response.status_code == 200, response.text
    result = response.json()
    assert result.get("errors"), result
    error = result["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert error["extensions"]["status"] == 400
    assert [e["field"] for e in error["extensions"]["errors"]] == [field], error


ASSESSMENTS = (
    "query ($f: AssessmentFilter, $after: String) { assessments(filter: $f, after: $after) { edges { cursor } } }"
)
PROGRAMS = "query ($after: String) { programs(after: $after) { edges { cursor } } }"
EXERCISES = "query ($f: ExerciseFilter, $after: String) { exercises(filter: $f, after: $after) { edges { cursor } } }"


@pytest.mark.parametrize("value", ["\x00", "lower_crossed\x00syndrome"])
async def test_f6_nul_in_pattern_filter(client: Client, reader: Headers, value: str) -> None:
    await rest_400(client, reader, f"/v1/assessments?pattern={quote(value)}", "pattern")
    await graphql_bad_input(client, reader, ASSESSMENTS, {"f": {"pattern": value}}, "filter.pattern")


async def test_f6_other_text_filters_with_nul_are_client_errors(client: Client, reader: Headers) -> None:
    await rest_400(client, reader, "/v1/assessments?subject_ref=%00", "subject_ref")
    await rest_400(client, reader, "/v1/programs?subject_ref=%00", "subject_ref")
    await graphql_bad_input(client, reader, ASSESSMENTS, {"f": {"subjectRef": "\x00"}}, "filter.subjectRef")
    # Catalogue text filters either refuse a NUL or match nothing: never a database error.
    for path in ("/v1/exercises?q=%00", "/v1/exercises?source=%00", "/v1/exercises/%00", "/v1/muscles/%00"):
        assert (await client.get(path, headers=reader)).status_code in (200, 400, 404), path


@pytest.mark.parametrize("instant", OUT_OF_RANGE)
@pytest.mark.parametrize("field", ["created_after", "created_before"])
async def test_f6_assessment_instants_outside_years_1_to_9999_in_utc(
    client: Client, reader: Headers, instant: str, field: str
) -> None:
    await rest_400(client, reader, f"/v1/assessments?{field}={quote(instant)}", field)
    camel = {"created_after": "createdAfter", "created_before": "createdBefore"}[field]
    await graphql_bad_input(client, reader, ASSESSMENTS, {"f": {camel: instant}}, f"filter.{camel}")


@pytest.mark.parametrize("instant", OUT_OF_RANGE)
async def test_f6_exercises_updated_since_outside_years_1_to_9999_in_utc(
    client: Client, reader: Headers, instant: str
) -> None:
    await rest_400(client, reader, f"/v1/exercises?updated_since={quote(instant)}", "updated_since")
    await graphql_bad_input(client, reader, EXERCISES, {"f": {"updatedSince": instant}}, "filter.updatedSince")


async def test_f6_instants_at_the_ends_of_the_range_still_work(client: Client, reader: Headers) -> None:
    for path in (
        "/v1/assessments?created_after=0001-01-01T00:00:00Z&created_before=9999-12-31T23:59:59Z",
        "/v1/assessments?created_after=0001-01-01T03:05:00%2B03:05",
        "/v1/exercises?updated_since=0001-01-01T00:00:00Z&limit=1",
    ):
        response = await client.get(path, headers=reader)
        assert response.status_code == 200, f"{path}: {response.text}"


@pytest.mark.parametrize(
    "position",
    [
        {"t": OUT_OF_RANGE[0], "id": ZERO_ID},
        {"t": OUT_OF_RANGE[1], "id": ZERO_ID},
        {"t": "2026-01-01T00:00:00", "id": ZERO_ID},  # no offset: not one of ours
        {"t": "2026-01-01T00:00:00+00:00\x00", "id": ZERO_ID},
    ],
)
async def test_f6_keyset_cursor_with_an_instant_postgres_cannot_take(
    client: Client, reader: Headers, position: dict[str, str]
) -> None:
    after = cursor(position)
    await rest_400(client, reader, f"/v1/assessments?cursor={after}", "cursor")
    await rest_400(client, reader, f"/v1/programs?cursor={after}", "cursor")
    await graphql_bad_input(client, reader, ASSESSMENTS, {"after": after}, "after")
    await graphql_bad_input(client, reader, PROGRAMS, {"after": after}, "after")


@pytest.mark.parametrize("offset", [2**63, 2**64 - 1, 2**64, True])
async def test_f6_search_cursor_offset_beyond_bigint(client: Client, reader: Headers, offset: int) -> None:
    after = cursor({"offset": offset})
    await rest_400(client, reader, f"/v1/exercises?q=squat&cursor={after}", "cursor")
    await graphql_bad_input(client, reader, EXERCISES, {"f": {"q": "squat"}, "after": after}, "after")


async def test_f6_search_cursor_offset_at_the_bigint_limit_is_an_empty_page(client: Client, reader: Headers) -> None:
    response = await client.get(f"/v1/exercises?q=squat&cursor={cursor({'offset': 2**63 - 1})}", headers=reader)
    assert response.status_code == 200, response.text
    assert response.json() == {"items": [], "next_cursor": None}


@pytest.mark.parametrize("after", ["\x00", "squat\x00"])
async def test_f6_slug_cursor_with_nul(client: Client, reader: Headers, after: str) -> None:
    position = cursor({"after": after})
    await rest_400(client, reader, f"/v1/exercises?cursor={position}", "cursor")
    await graphql_bad_input(client, reader, EXERCISES, {"after": position}, "after")


@pytest.mark.parametrize("path", ["/v1/muscles", "/v1/equipment", "/v1/conditions", "/v1/patterns"])
async def test_f6_index_cursor_beyond_bigint(client: Client, reader: Headers, path: str) -> None:
    await rest_400(client, reader, f"{path}?cursor={cursor({'i': 2**63})}", "cursor")
