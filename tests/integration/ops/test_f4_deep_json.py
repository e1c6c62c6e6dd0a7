"""Issue 12, F4: JSON nested 1,000 deep was a 500 (RecursionError in the decoders), and the next request on the same
keep-alive connection was logged under the previous request's id."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from devkit.net import free_port
from service.settings import Settings
from service.web.json_depth import MAX_JSON_DEPTH, json_depth_exceeds
from tests.conftest import PROJECT_ROOT, wait_until_healthy

Client = AsyncTestClient[Litestar]

DEEP = "[" * 1000 + "]" * 1000


def nested(depth: int) -> str:
    return '{"a":' * (depth - 1) + "[]" + "}" * (depth - 1)


def test_f4_depth_counts_arrays_and_objects_but_not_brackets_in_strings() -> None:
    assert not json_depth_exceeds(nested(MAX_JSON_DEPTH).encode())
    assert json_depth_exceeds(nested(MAX_JSON_DEPTH + 1).encode())
    assert json_depth_exceeds(DEEP.encode())
    in_strings = json.dumps({"text": "[{" * 5000, "escaped": '\\"[[[[' * 100, "list": [1, 2]})
    assert not json_depth_exceeds(in_strings.encode())
    assert not json_depth_exceeds(b"[]," * 10_000)  # many brackets, shallow
    assert not json_depth_exceeds(b"not json [[[ at all", limit=3)


def _assert_depth_problem(response: Any, field: str) -> None:
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert [e["field"] for e in problem["errors"]] == [field]
    assert str(MAX_JSON_DEPTH) in problem["detail"]


@pytest.mark.parametrize("path", ["/v1/assessments", "/v1/programs"])
async def test_f4_a_deeply_nested_rest_body_is_a_400_problem(client: Client, full_access_key: str, path: str) -> None:
    headers = {"Authorization": f"Bearer {full_access_key}", "Content-Type": "application/json"}
    _assert_depth_problem(await client.post(path, content=DEEP, headers=headers), "body")
    body = '{"subject_ref": "deep", "tender_spots": ' + DEEP + "}"
    _assert_depth_problem(await client.post(path, content=body, headers=headers), "body")


async def test_f4_deeply_nested_graphql_variables_are_a_400_problem(client: Client) -> None:
    document = '{"query": "query ($f: ExerciseFilter) { exercises(filter: $f) { edges { node { slug } } } }", '
    response = await client.post(
        "/graphql", content=document + '"variables": {"f": ' + DEEP + "}}", headers={"Content-Type": "application/json"}
    )
    _assert_depth_problem(response, "body")
    response = await client.get(
        "/graphql",
        params={
            "query": "query ($f: ExerciseFilter) { exercises(filter: $f) { edges { node { slug } } } }",
            "variables": '{"f": ' + DEEP + "}",
        },
    )
    _assert_depth_problem(response, "variables")


async def test_f4_bodies_within_the_limit_still_decode(client: Client) -> None:
    query = "query ($f: ExerciseFilter) { exercises(first: 1, filter: $f) { edges { node { slug } } } }"
    response = await client.post("/graphql", json={"query": query, "variables": {"f": {"equipment": ["bodyweight"]}}})
    assert response.status_code == 200 and response.json()["data"]["exercises"]["edges"], response.text


def _log_lines(path: str) -> list[dict[str, Any]]:
    with open(path) as log:
        return [json.loads(line) for line in log if line.startswith("{")]


def test_f4_request_ids_never_leak_to_the_next_request_on_a_connection(settings: Settings) -> None:
    """Requests pipelined on one keep-alive connection through the real server: every access-log line carries the
    id of its own request. uvicorn starts a request's task inside the previous response's `send`; a request
    answered outside the route middleware (a 404 no route matched, a 400 raised before the handler) used to be
    logged under the previous request's id."""
    port = free_port()
    with tempfile.NamedTemporaryFile("w+", suffix=".log", delete=False) as stderr:
        server = subprocess.Popen(
            [sys.executable, "-m", "service", "serve", "--port", str(port)],
            cwd=PROJECT_ROOT,
            env={**os.environ, "DATABASE_URL": settings.database_url, "REALIGN_KEY_PEPPER": settings.key_pepper},
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    try:
        wait_until_healthy(f"http://127.0.0.1:{port}", server)
        requests = [
            ("first", b"GET /v1/equipment/trap_bar HTTP/1.1\r\nHost: t\r\n"),
            ("second", b"GET /no/such/path HTTP/1.1\r\nHost: t\r\n"),
            ("third", b"POST /graphql HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"),
            ("fourth", b"GET /v1/muscles/no_such_muscle HTTP/1.1\r\nHost: t\r\n"),
        ]
        pipelined = b""
        for rid, head in requests:
            body = DEEP.encode() if head.startswith(b"POST") else b""
            pipelined += head + f"X-Request-ID: leak-{rid}\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body
        with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
            connection.sendall(pipelined)
            received = b""
            while received.count(b"HTTP/1.1 ") < len(requests):
                chunk = connection.recv(65536)
                assert chunk, "the server closed the connection early"
                received += chunk
        time.sleep(0.5)  # the access-log lines are written as the responses go out
    finally:
        server.terminate()
        server.wait(timeout=15)
    lines = [line for line in _log_lines(stderr.name) if line["logger"] == "uvicorn.access"]
    os.unlink(stderr.name)
    paths = {
        "first": "/v1/equipment/trap_bar",
        "second": "/no/such/path",
        "third": "/graphql",
        "fourth": "/v1/muscles/no_such_muscle",
    }
    for rid, path in paths.items():
        logged = [line for line in lines if f" {path} " in line["message"]]
        assert len(logged) == 1, lines
        assert logged[0].get("request_id") == f"leak-{rid}", logged[0]
