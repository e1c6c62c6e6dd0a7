"""Issue 12: hostile input at every REST operation and at the GraphQL endpoint.

Every operation of the served OpenAPI document gets, in each query, path and header parameter and in each body
field, values that are nested, huge, NUL-bearing, out of range, repeated or malformed (and whole bodies that are
not objects, not UTF-8 or nested a thousand deep). The GraphQL endpoint gets the same through variables, plus
hostile documents. Asserted for every request: no 5xx; every 4xx is an RFC 9457 problem (GraphQL: a JSON answer
whose errors are client errors, never a masked "Unexpected error."); a refused request stores nothing (a spoiled
body that is still valid, such as an optional field set to null, creates exactly what it says).

The inputs are a fixed list, so a failure names the request that caused it and reproduces every time.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Iterator
from functools import partial
from typing import Any
from urllib.parse import quote

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from devkit.keys import make_key
from devkit.personas import DESK_WORKER
from service.settings import Settings

Client = AsyncTestClient[Litestar]

DEEP = "[" * 1000 + "]" * 1000
HUGE = "x" * 100_000

# Raw (already percent-encoded where needed) values for query, path and header parameters.
HOSTILE_PARAMETERS: list[str] = [
    "%00",
    "a%00b",
    quote(HUGE[:8000]),
    "-1",
    "0",
    "99999999999999999999999",
    "1e309",
    "NaN",
    "%ED%A0%80",  # a lone surrogate, UTF-8 encoded
    "%FF%FE",  # not UTF-8
    "0001-01-01T00:00:00%2B03:05",
    "9999-12-31T23:59:59-01:00",
    quote(DEEP),
    quote('{"offset": 9223372036854775808}'),
    "..%2F..%2Fetc%2Fpasswd",
    quote("' OR 1=1 --"),
]

# Values for body fields (any JSON type is fair game).
HOSTILE_VALUES: list[Any] = [
    None,
    "",
    "\x00",
    "a\x00b",
    "\ud800",
    HUGE,
    -1,
    2**63,
    -(2**63) - 1,
    1e308,
    0.5,
    True,
    [],
    ["bodyweight"] * 300,
    [HUGE] * 3,
    {},
    {"a": {"b": {"c": {"d": "e"}}}},
    "0001-01-01T00:00:00+03:05",
]

# Whole bodies, as bytes.
HOSTILE_BODIES: list[bytes] = [
    b"",
    b"null",
    b'"a string"',
    b"42",
    b"[]",
    b"{",
    b"\xff\xfe\x00",
    DEEP.encode(),
    b'{"a":' * 900 + b"1" + b"}" * 900,
    json.dumps({"subject_ref": "x" * 900_000}).encode(),
    b'{"subject_ref": "\\ud800"}',
    b'{"subject_ref": "\\u0000"}',
]


def _operations(document: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in {"get", "post", "put", "patch", "delete"}:
                yield method.upper(), path, operation


def _query(params: list[tuple[str, str]]) -> str:
    return "&".join(f"{name}={value}" for name, value in params)


class Findings:
    def __init__(self) -> None:
        self.problems: list[str] = []
        self.created: Counter[str] = Counter()

    def expected_rows(self, before: dict[str, int]) -> dict[str, int]:
        """The rows there should be: `before` plus what the accepted creations made (each with its key)."""
        return {
            "assessments": before["assessments"] + self.created["assessments"],
            "programs": before["programs"] + self.created["programs"],
            "idempotency_keys": before["idempotency_keys"] + self.created["keys"],
        }

    def check(self, label: str, status: int, content_type: str, body: bytes) -> None:
        if status >= 500:
            self.problems.append(f"{label}: {status} {body[:200]!r}")
        elif status >= 400:
            if not content_type.startswith("application/problem+json"):
                self.problems.append(f"{label}: {status} as {content_type!r}, not a problem: {body[:200]!r}")
                return
            problem = json.loads(body)
            if not {"type", "title", "status", "detail"} <= problem.keys() or problem["status"] != status:
                self.problems.append(f"{label}: malformed problem {problem}")


@pytest.fixture(scope="module")
async def fuzz_key(settings: Settings) -> str:
    from service.clients.scopes import ALL_SCOPES

    return await make_key(settings, f"fuzz-{uuid.uuid4()}", list(ALL_SCOPES))


async def _stored(engine: AsyncEngine) -> dict[str, int]:
    async with engine.connect() as connection:
        return {
            table: (await connection.execute(text(f"SELECT count(*) FROM {table}"))).scalar_one()
            for table in ("assessments", "programs", "idempotency_keys")
        }


async def _valid_bodies(client: Client, headers: dict[str, str]) -> dict[str, dict[str, Any]]:
    """Bodies the API accepts, whose fields the fuzzer then spoils one at a time."""
    assessment = await client.post("/v1/assessments", json=DESK_WORKER, headers=headers)
    assert assessment.status_code == 201, assessment.text
    return {
        "/v1/assessments": DESK_WORKER,
        "/v1/programs": {
            "assessment_id": assessment.json()["id"],
            "weeks": 4,
            "sessions_per_week": 3,
            "session_minutes": 30,
            "level": "beginner",
            "available_equipment": ["bodyweight"],
            "exclude_exercises": ["step_up"],
        },
    }


def _spoiled(body: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """`body` with one field (top level, or one level down) replaced by each hostile value."""
    for name, value in body.items():
        targets: list[tuple[str, Any]] = [(name, None)]
        if isinstance(value, dict):
            targets += [(name, inner) for inner in value]
        for field, inner in targets:
            for hostile in HOSTILE_VALUES:
                spoiled = json.loads(json.dumps(body))
                if inner is None:
                    spoiled[field] = hostile
                else:
                    spoiled[field][inner] = hostile
                yield f"{field}{'.' + inner if inner else ''}={str(hostile)[:30]!r}", spoiled


async def _send(
    client: Client,
    findings: Findings,
    method: str,
    auth: dict[str, str],
    label: str,
    url: str,
    headers: dict[str, str],
    content: bytes | None,
) -> None:
    response = await client.request(method, url, headers={**auth, **headers}, content=content)
    label = f"{method} {label}"
    findings.check(label, response.status_code, response.headers.get("content-type", ""), response.content)
    if method == "POST" and response.status_code == 201:
        # Some spoiled values are valid (an optional field left null, say): those create what they say.
        findings.created[url.split("?")[0].rsplit("/", 1)[-1]] += 1
        findings.created["keys"] += 1  # every creating request here sends an Idempotency-Key


async def test_fuzz_every_rest_operation(client: Client, engine: AsyncEngine, fuzz_key: str) -> None:
    document = (await client.get("/schema/openapi.json")).json()
    auth = {"Authorization": f"Bearer {fuzz_key}"}
    bodies = await _valid_bodies(client, {**auth, "Idempotency-Key": str(uuid.uuid4())})
    before = await _stored(engine)
    findings = Findings()
    operations = list(_operations(document))
    assert len(operations) >= 17, "every REST operation of the document"
    for method, path, operation in operations:
        parameters = operation.get("parameters", [])
        concrete = path
        for parameter in parameters:
            if parameter["in"] == "path":
                concrete = concrete.replace("{" + parameter["name"] + "}", "step_up")

        send = partial(_send, client, findings, method, auth)
        body_headers = {"Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4())}
        valid_body = bodies.get(path)
        default_content = (
            json.dumps(
                {**valid_body, "assessment_id": str(uuid.uuid4())}
                if path == "/v1/programs"
                else {**valid_body, "tender_spots": ["no_such_muscle"]}
            ).encode()
            if valid_body
            else None
        )
        for parameter in parameters:
            name, where = parameter["name"], parameter["in"]
            for value in HOSTILE_PARAMETERS:
                headers = dict(body_headers) if valid_body else {}
                url = concrete
                if where == "query":
                    url = f"{concrete}?{_query([(name, value)])}"
                    repeatable = "array" in json.dumps(parameter["schema"])
                    if repeatable and len(value) < 100:
                        url = f"{concrete}?{_query([(name, value)] * 300)}"
                elif where == "path":
                    url = path.replace("{" + name + "}", value)
                elif where == "header":
                    if len(value) > 8000 or "%" in value:
                        continue  # a header carries no percent-encoding; the raw bytes are tried below
                    headers[name] = value
                await send(f"{url[:80]} ({name})", url, headers, default_content)
            if where == "header":
                for raw in (b"k" * 300, b"\xff\xfe", b" ", b"a" * 8000, "\u00e9".encode()):
                    raw_headers: dict[str, Any] = {**body_headers, name: raw}
                    await send(f"{path} ({name}={raw[:20]!r})", concrete, raw_headers, default_content)
        if valid_body is not None:
            for label, spoiled in _spoiled(valid_body):
                await send(
                    f"{path} {label}",
                    concrete,
                    {**body_headers, "Idempotency-Key": str(uuid.uuid4())},
                    json.dumps(spoiled).encode(),
                )
            for raw_body in HOSTILE_BODIES:
                await send(
                    f"{path} body={raw_body[:30]!r}",
                    concrete,
                    {**body_headers, "Idempotency-Key": str(uuid.uuid4())},
                    raw_body,
                )
    assert not findings.problems, "\n".join(findings.problems[:40]) + f"\n({len(findings.problems)} in all)"
    assert findings.created["assessments"] and findings.created["programs"], "no spoiled body was valid: check them"
    assert await _stored(engine) == findings.expected_rows(before), "a refused request stored something"


GRAPHQL_MUTATIONS = {
    "createAssessment": (
        "mutation ($input: AssessmentInput!, $key: String) { createAssessment(input: $input, idempotencyKey: $key) "
        "{ id } }"
    ),
    "generateProgram": (
        "mutation ($input: ProgramInput!, $key: String) { generateProgram(input: $input, idempotencyKey: $key) { id } }"
    ),
    "deleteAssessment": "mutation ($input: ID!, $key: String) { deleteAssessment(id: $input) }",
}
GRAPHQL_QUERIES = [
    (
        "query ($f: ExerciseFilter, $after: String, $first: Int!) { exercises(filter: $f, after: $after, first: $first)"
        " { edges { node { slug } } } }",
        ["f", "after", "first"],
    ),
    (
        "query ($f: AssessmentFilter, $after: String) "
        "{ assessments(filter: $f, after: $after) { edges { node { id } } } }",
        ["f", "after"],
    ),
    ("query ($id: ID!) { assessment(id: $id) { id } }", ["id"]),
    ("query ($id: ID!) { program(id: $id) { id } }", ["id"]),
    ("query ($slug: String!) { exercise(slug: $slug) { slug } }", ["slug"]),
]


def _graphql_client_errors_only(label: str, status: int, body: bytes, findings: Findings) -> None:
    if status >= 500:
        findings.problems.append(f"{label}: {status} {body[:200]!r}")
        return
    answer = json.loads(body)
    for error in answer.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        if error.get("message") == "Unexpected error." or code == "INTERNAL_SERVER_ERROR":
            findings.problems.append(f"{label}: server error {error}")


async def test_fuzz_the_graphql_endpoint(client: Client, engine: AsyncEngine, fuzz_key: str) -> None:
    auth = {"Authorization": f"Bearer {fuzz_key}", "Content-Type": "application/json"}
    sdl_types = await client.post("/graphql", json={"query": "{ __schema { queryType { name } } }"}, headers=auth)
    assert sdl_types.status_code == 200
    before = await _stored(engine)
    findings = Findings()

    async def send(label: str, content: bytes) -> None:
        response = await client.post("/graphql", content=content, headers=auth)
        if response.headers.get("content-type", "").startswith("application/problem+json"):
            findings.check(label, response.status_code, response.headers["content-type"], response.content)
            return
        _graphql_client_errors_only(label, response.status_code, response.content, findings)
        data = json.loads(response.content).get("data") or {}
        for field, table in (("createAssessment", "assessments"), ("generateProgram", "programs")):
            if data.get(field):  # a spoiled input that is still valid creates what it says
                key = json.loads(content)["variables"].get("key")
                findings.created[table] += 1
                findings.created["keys"] += isinstance(key, str) and bool(key.strip())

    assessment_input = {"subjectRef": "fuzz", "pain": {"regions": ["lower_back"], "intensity": 4}}
    for name, document in GRAPHQL_MUTATIONS.items():
        for hostile in HOSTILE_VALUES:
            variables = {"input": hostile, "key": str(uuid.uuid4())}
            await send(
                f"{name} input={str(hostile)[:30]!r}", json.dumps({"query": document, "variables": variables}).encode()
            )
            spoiled = {**assessment_input, "subjectRef": hostile}
            variables = {"input": spoiled, "key": str(uuid.uuid4())}
            await send(
                f"{name} subjectRef={str(hostile)[:30]!r}",
                json.dumps({"query": document, "variables": variables}).encode(),
            )
            variables = {"input": assessment_input, "key": hostile}
            await send(
                f"{name} key={str(hostile)[:30]!r}", json.dumps({"query": document, "variables": variables}).encode()
            )
    for document, names in GRAPHQL_QUERIES:
        for variable in names:
            for hostile in HOSTILE_VALUES:
                variables = {"first": 10, "id": str(uuid.uuid4()), "slug": "step_up", variable: hostile}
                variables = {k: v for k, v in variables.items() if k in names}
                await send(
                    f"{document[:40]} {variable}={str(hostile)[:30]!r}",
                    json.dumps({"query": document, "variables": variables}).encode(),
                )
    for raw in HOSTILE_BODIES:
        await send(f"body={raw[:30]!r}", raw)
    for document in (
        "{" * 500 + "}" * 500,
        "query { " + " ".join(f"a{i}: exercises {{ edges {{ node {{ slug }} }} }}" for i in range(200)) + " }",
        'query { exercise(slug: "' + HUGE + '") { slug } }',
        'query { exercise(slug: "\\u0000") { slug } }',
        'query { exercise(slug: "\\ud800") { slug } }',
        "query { exercises(first: 99999999999999999999) { edges { node { slug } } } }",
        "query { " + "exercises { edges { node { " * 30 + "slug" + " } } }" * 30 + " }",
    ):
        await send(f"document {document[:40]!r}", json.dumps({"query": document}).encode())
    assert not findings.problems, "\n".join(findings.problems[:40]) + f"\n({len(findings.problems)} in all)"
    assert await _stored(engine) == findings.expected_rows(before), "a refused request stored something"
