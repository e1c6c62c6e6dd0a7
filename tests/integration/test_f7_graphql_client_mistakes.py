"""Security review F7 (issue 12): a client's mistake is answered as one (a GraphQL error with a code and a useful
message, or a 400 problem at the HTTP level) and is not logged as an ERROR, as a bug of ours would be.

Before: a lone surrogate in a GraphQL variable, a problem raised by a resolver without its own translation
(`overactiveMuscles(limit: 0)`), stats buckets in year 9999 (OverflowError) answered "Unexpected error." and logged
as errors; a JSON body that is not an object made POST /graphql a 500.
"""

from __future__ import annotations

import json
import logging
import uuid
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from devkit.keys import make_key
from devkit.personas import DESK_WORKER
from service.settings import Settings

Client = AsyncTestClient[Litestar]
Headers = dict[str, str]

CREATE = """
mutation ($input: AssessmentInput!, $key: String) {
  createAssessment(input: $input, idempotencyKey: $key) { id subjectRef }
}
"""
STATS = """
query ($from: Date!, $to: Date!, $bucket: StatsBucket!) {
  stats(from: $from, to: $to, bucket: $bucket) { series { start assessments } totals { assessments } }
}
"""


@pytest.fixture(scope="module")
async def writer(settings: Settings) -> Headers:
    key = await make_key(settings, "f7-writer", ["assessments:read", "assessments:write", "stats:read"])
    return {"Authorization": f"Bearer {key}"}


def no_errors_logged(caplog: pytest.LogCaptureFixture) -> None:
    logged = [f"{r.name}: {r.getMessage()}" for r in caplog.records if r.levelno >= logging.ERROR]
    assert not logged, logged


async def gql(client: Client, headers: Headers, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    # json.dumps escapes a lone surrogate as JSON allows ("\ud800"); httpx's json= would fail to encode it in UTF-8.
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    response = await client.post("/graphql", content=body, headers={**headers, "Content-Type": "application/json"})
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def client_error(result: dict[str, Any]) -> dict[str, Any]:
    """The one error of `result`, checked to be a client error with the conventional code."""
    assert result.get("errors"), result
    error: dict[str, Any] = result["errors"][0]
    assert error["message"] != "Unexpected error.", error
    assert error["extensions"]["code"] == "BAD_USER_INPUT", error
    assert error["extensions"]["status"] == 400, error
    return error


async def count_assessments(client: Client, headers: Headers) -> int:
    listed = (await client.get("/v1/assessments?limit=500", headers=headers)).json()
    return len(listed["items"])


async def test_f7_lone_surrogate_in_graphql_idempotency_key(
    client: Client, writer: Headers, caplog: pytest.LogCaptureFixture
) -> None:
    before = await count_assessments(client, writer)
    caplog.set_level(logging.INFO)
    result = await gql(client, writer, CREATE, {"input": {"subjectRef": "f7-key"}, "key": "retry-\ud800"})
    error = client_error(result)
    assert "surrogate" in error["message"] and "$key" in error["message"], error
    assert error["extensions"]["errors"][0]["field"] == "key"
    no_errors_logged(caplog)
    assert await count_assessments(client, writer) == before  # changes nothing


async def test_f7_lone_surrogate_in_graphql_subject_ref(
    client: Client, writer: Headers, caplog: pytest.LogCaptureFixture
) -> None:
    before = await count_assessments(client, writer)
    caplog.set_level(logging.INFO)
    result = await gql(client, writer, CREATE, {"input": {"subjectRef": "\udc00abc"}, "key": str(uuid.uuid4())})
    error = client_error(result)
    assert "surrogate" in error["message"] and "$input" in error["message"], error
    assert error["extensions"]["errors"][0]["field"] == "input.subjectRef"
    no_errors_logged(caplog)
    assert await count_assessments(client, writer) == before


async def test_f7_lone_surrogate_in_a_graphql_filter(
    client: Client, writer: Headers, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    query = "query ($p: String) { assessments(filter: {pattern: $p}) { edges { cursor } } }"
    error = client_error(await gql(client, writer, query, {"p": "\ud83d"}))
    assert error["extensions"]["errors"][0]["field"] == "p"
    no_errors_logged(caplog)


async def test_f7_lone_surrogate_in_rest_subject_ref_is_a_400(
    client: Client, writer: Headers, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    headers = {**writer, "Content-Type": "application/json"}
    for body in (b'{"subject_ref": "\\ud800"}', b'{"subject_ref": "\\udc00"}', b'{"subject_ref": "\xed\xa0\x80"}'):
        response = await client.post("/v1/assessments", content=body, headers=headers)
        assert response.status_code == 400, response.text
        assert response.headers["content-type"] == "application/problem+json"
    no_errors_logged(caplog)


async def test_f7_non_ascii_rest_idempotency_key_header_is_a_400(
    client: Client, writer: Headers, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    # The bytes of a UTF-8-encoded surrogate: a header is bytes, so this is as close as REST gets to F7's key.
    headers = [*writer.items(), ("Content-Type", "application/json"), ("Idempotency-Key", b"\xed\xa0\x80")]
    response = await client.post("/v1/assessments", json=DESK_WORKER, headers=headers)  # type: ignore[arg-type]
    assert response.status_code == 400, response.text
    assert response.json()["errors"][0]["field"] == "Idempotency-Key"
    no_errors_logged(caplog)


@pytest.mark.parametrize("field", ["overactiveMuscles", "underactiveMuscles", "referralReasons"])
@pytest.mark.parametrize("limit", [0, 101, -1])
async def test_f7_problem_inside_a_nested_resolver_is_a_client_error(
    client: Client, writer: Headers, caplog: pytest.LogCaptureFixture, field: str, limit: int
) -> None:
    caplog.set_level(logging.INFO)
    query = f'{{ stats(from: "2026-01-01", to: "2026-02-01") {{ totals {{ {field}(limit: {limit}) {{ key }} }} }} }}'
    error = client_error(await gql(client, writer, query))
    assert "limit" in error["message"] and error["extensions"]["errors"][0]["field"] == "limit"
    assert error["path"] == ["stats", "totals", field]
    no_errors_logged(caplog)


@pytest.mark.parametrize(
    ("bucket", "start", "end", "first_bucket", "last_bucket"),
    [
        ("week", "9999-12-01", "9999-12-31", "9999-11-29", "9999-12-27"),
        ("month", "9999-10-15", "9999-12-31", "9999-10-01", "9999-12-01"),
        ("day", "9999-12-29", "9999-12-31", "9999-12-29", "9999-12-30"),
        ("week", "0001-01-01", "0001-01-15", "0001-01-01", "0001-01-08"),
    ],
)
async def test_f7_stats_buckets_at_the_ends_of_the_calendar(
    client: Client,
    writer: Headers,
    caplog: pytest.LogCaptureFixture,
    bucket: str,
    start: str,
    end: str,
    first_bucket: str,
    last_bucket: str,
) -> None:
    caplog.set_level(logging.INFO)
    result = await gql(client, writer, STATS, {"from": start, "to": end, "bucket": bucket})
    assert not result.get("errors"), result
    series = result["data"]["stats"]["series"]
    assert series[0]["start"] == first_bucket and series[-1]["start"] == last_bucket
    assert result["data"]["stats"]["totals"] == {"assessments": 0}
    no_errors_logged(caplog)


@pytest.mark.parametrize("body", [b"null", b'"{ __typename }"', b"1", b"true", b"[]", b"[1]"])
async def test_f7_graphql_body_that_is_not_an_object_is_a_400_problem(
    client: Client, writer: Headers, caplog: pytest.LogCaptureFixture, body: bytes
) -> None:
    caplog.set_level(logging.INFO)
    response: httpx.Response = await client.post(
        "/graphql", content=body, headers={**writer, "Content-Type": "application/json"}
    )
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 400
    no_errors_logged(caplog)


async def test_f7_lone_surrogate_in_operation_name_is_a_400_problem(
    client: Client, writer: Headers, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    body = json.dumps({"query": "query a { __typename }", "operationName": "\ud800"}).encode()
    response = await client.post("/graphql", content=body, headers={**writer, "Content-Type": "application/json"})
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert "Unknown operation named" in response.json()["detail"]
    no_errors_logged(caplog)
