"""Issue 17, item 7: every header the API sends is declared, with a schema and a description, on the response of the
operation that sends it, and conditional GETs declare `If-None-Match`.

Real requests through the ASGI app reach every operation with the statuses they can be driven to here (200, 201,
204, 304, 400, 401, 403, 404, 406, 415, 422, 429, an idempotent replay); each response's headers are compared with the
committed document (test_schemas_committed proves it is the one served)."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
from jsonschema_rs import Draft202012Validator
from litestar import Litestar
from litestar.testing import AsyncTestClient

from devkit.keys import make_key
from service.app import create_app
from service.assessments.examples import DESK_WORKER
from service.programs.examples import REQUEST as PROGRAM_REQUEST
from service.settings import Settings

DOCUMENT = json.loads((Path(__file__).resolve().parents[2] / "openapi" / "openapi.json").read_text())
# The headers of the API's own protocol (caching, creation, limits, idempotency, tracing, authentication); the
# transport's (Content-Type, Content-Length, Vary, Content-Encoding) and the security headers sent on every response
# of every path are not per operation.
API_HEADERS = {
    "etag",
    "cache-control",
    "location",
    "ratelimit",
    "ratelimit-policy",
    "retry-after",
    "idempotent-replayed",
    "x-request-id",
    "www-authenticate",
}


def _operation(method: str, path: str) -> dict[str, Any]:
    for template, item in DOCUMENT["paths"].items():
        pattern = "^" + re.sub(r"\{[^}]+\}", "[^/]+", template.rstrip("/")) + "/?$"
        if re.match(pattern, path) and method.lower() in item:
            return item[method.lower()]
    raise AssertionError(f"no operation for {method} {path}")


def _resolve(node: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in node:
        _, section, kind, name = node["$ref"].split("/")
        return DOCUMENT[section][kind][name]
    return node


def undeclared(response: httpx.Response) -> list[str]:
    """What is wrong with the document's declaration of the headers of `response`."""
    method, path = response.request.method, response.request.url.path
    operation = _operation(method, path)
    where = f"{operation['operationId']} {response.status_code}"
    declared_response = operation["responses"].get(str(response.status_code))
    if declared_response is None:
        return [f"{where}: status not declared"]
    declared = {name.lower(): _resolve(header) for name, header in (declared_response.get("headers") or {}).items()}
    wrong = []
    for name in sorted(API_HEADERS & {n.lower() for n in response.headers}):
        header = declared.get(name)
        if header is None:
            wrong.append(f"{where}: sends {name}, not declared")
        elif not header.get("schema") or not header.get("description"):
            wrong.append(f"{where}: {name} declared without a schema or description")
        else:
            value: Any = response.headers[name]
            if header["schema"].get("type") == "integer" and value.isdigit():
                value = int(value)
            if not Draft202012Validator(header["schema"]).is_valid(value):
                wrong.append(f"{where}: {name}: {value!r} does not match its schema")
    for name, header in declared.items():
        if header.get("required") and name not in response.headers:
            wrong.append(f"{where}: {name} declared required, not sent")
    return wrong


def _declares_if_none_match(method: str, path: str) -> bool:
    operation = _operation(method, path)
    names = {_resolve(p)["name"].lower() for p in operation.get("parameters", []) if _resolve(p)["in"] == "header"}
    return "if-none-match" in names


async def test_every_header_sent_is_declared(
    client: AsyncTestClient[Litestar], settings: Settings, full_access_key: str
) -> None:
    auth = {"Authorization": f"Bearer {full_access_key}"}
    reader = await make_key(settings, "headers-catalogue-reader", ["catalog:read"])
    responses: list[httpx.Response] = []

    async def call(method: str, path: str, **kwargs: Any) -> httpx.Response:
        response = await client.request(method, path, **kwargs)
        responses.append(response)
        return response

    conditional = []
    for path in (
        "/v1/muscles",
        "/v1/muscles/hamstrings",
        "/v1/equipment",
        "/v1/equipment/dumbbell",
        "/v1/conditions",
        "/v1/patterns",
        "/v1/exercises",
        "/v1/exercises/step_up",
    ):
        first = await call("GET", path)
        assert first.status_code == 200, path
        again = await call("GET", path, headers={"If-None-Match": first.headers["etag"]})
        assert again.status_code == 304, path
        conditional.append(path)
    await call("GET", "/v1/muscles/no_such_muscle")
    await call("GET", "/v1/exercises", params={"muscle": "hamstring"})
    await call("GET", "/v1/equipment", headers={"Authorization": "Bearer rl_live_unknown"})
    await call("GET", "/v1/screening", params={"regions": "lower_back"})
    await call("GET", "/v1/screening", params={"regions": "tail"})
    await call("GET", "/v1/me", headers=auth)
    await call("GET", "/v1/me")

    key = f"headers-{uuid.uuid4()}"
    created = await call("POST", "/v1/assessments", json=DESK_WORKER, headers={**auth, "Idempotency-Key": key})
    assert created.status_code == 201
    replayed = await call("POST", "/v1/assessments", json=DESK_WORKER, headers={**auth, "Idempotency-Key": key})
    assert replayed.headers.get("idempotent-replayed") == "true"
    other_body = {**DESK_WORKER, "subject_ref": "someone-else"}
    assert (
        await call("POST", "/v1/assessments", json=other_body, headers={**auth, "Idempotency-Key": key})
    ).status_code == 422
    await call("POST", "/v1/assessments", json={"pain": {"intensity": 11}}, headers=auth)
    await call("POST", "/v1/assessments", content=b"{}", headers={**auth, "Content-Type": "text/plain"})
    await call("POST", "/v1/assessments", json=DESK_WORKER, headers={"Authorization": f"Bearer {reader}"})
    await call("POST", "/v1/assessments", json=DESK_WORKER)
    assessment_id = created.json()["id"]
    await call("GET", f"/v1/assessments/{assessment_id}", headers=auth)
    await call("GET", f"/v1/assessments/{uuid.uuid4()}", headers=auth)
    await call("GET", "/v1/assessments", headers=auth)
    await call("GET", "/v1/assessments", params={"created_after": "yesterday"}, headers=auth)

    program = await call("POST", "/v1/programs", json={**PROGRAM_REQUEST, "assessment_id": assessment_id}, headers=auth)
    assert program.status_code == 201, program.text
    await call("POST", "/v1/programs", json={**PROGRAM_REQUEST, "assessment_id": str(uuid.uuid4())}, headers=auth)
    await call("GET", f"/v1/programs/{program.json()['id']}", headers=auth)
    await call("GET", f"/v1/programs/{uuid.uuid4()}", headers=auth)
    await call("GET", "/v1/programs", headers=auth)
    await call("GET", "/v1/programs", headers={"Authorization": f"Bearer {reader}"})
    await call("GET", "/v1/programs", headers={**auth, "Accept": "text/csv"})

    follow_up = f"/v1/programs/{program.json()['id']}"
    first_session = program.json()["schedule"]["weeks"][0]["sessions"][0]
    check_in = {
        "date": program.json()["parameters"]["starts_on"],
        "kind": "session",
        "items": [{"prescription": first_session["items"][0], "sets": 1, "reps": 5}],
        "pain_before": 2,
        "pain_during": 2,
        "pain_after": 2,
    }
    recorded = await call("POST", f"{follow_up}/check-ins", json=check_in, headers={**auth, "Idempotency-Key": key})
    assert recorded.status_code == 201, recorded.text
    await call("POST", f"{follow_up}/check-ins", json=check_in, headers={**auth, "Idempotency-Key": key})
    await call("POST", f"{follow_up}/check-ins", json={**check_in, "pain_during": 11}, headers=auth)
    check_in_url = f"{follow_up}/check-ins/{recorded.json()['id']}"
    await call("GET", f"{follow_up}/check-ins", headers=auth)
    await call("GET", check_in_url, headers=auth)
    await call("GET", f"{follow_up}/check-ins/{uuid.uuid4()}", headers=auth)
    assert (await call("PATCH", check_in_url, json={"effort": 4}, headers=auth)).status_code == 200
    await call("GET", f"{follow_up}/revisions", headers=auth)
    await call("GET", f"{follow_up}/revisions/1", headers=auth)
    await call("GET", f"{follow_up}/revisions/9", headers=auth)
    await call("GET", f"{follow_up}/progress", headers=auth)
    assert (await call("DELETE", check_in_url, headers=auth)).status_code == 204
    outcomes = f"/v1/assessments/{assessment_id}/outcomes"
    nprs = {"taken_on": check_in["date"], "answers": {"measure": "nprs", "value": 3}}
    measured = await call("POST", outcomes, json=nprs, headers={**auth, "Idempotency-Key": key})
    assert measured.status_code == 201, measured.text
    await call("POST", outcomes, json=nprs, headers={**auth, "Idempotency-Key": key})
    await call("GET", outcomes, headers=auth)
    await call("GET", f"{outcomes}/{measured.json()['id']}", headers=auth)
    assert (await call("DELETE", f"{outcomes}/{measured.json()['id']}", headers=auth)).status_code == 204
    await call("DELETE", f"{outcomes}/{measured.json()['id']}", headers=auth)
    assert (await call("DELETE", f"/v1/programs/{program.json()['id']}", headers=auth)).status_code == 204
    await call("DELETE", f"/v1/programs/{uuid.uuid4()}", headers=auth)
    assert (await call("DELETE", f"/v1/assessments/{assessment_id}", headers=auth)).status_code == 204
    await call("DELETE", f"/v1/assessments/{assessment_id}", headers=auth)

    limited = replace(settings, rate_limit="1/3600", anonymous_rate_limit="1/3600")
    async with AsyncTestClient(app=create_app(limited)) as limited_client:
        for path, headers in (("/v1/patterns", {}), ("/v1/me", auth), ("/v1/programs", auth)):
            for _ in range(2):
                responses.append(await limited_client.get(path, headers=headers))
        responses.append(await limited_client.post("/v1/assessments", json=DESK_WORKER, headers=auth))
    assert {r.status_code for r in responses} >= {200, 201, 204, 304, 400, 401, 403, 404, 406, 415, 422, 429}
    reached = {_operation(r.request.method, r.request.url.path)["operationId"] for r in responses}
    every = {op["operationId"] for item in DOCUMENT["paths"].values() for op in item.values()}
    assert reached == every, f"not exercised: {every - reached}"

    problems = [problem for response in responses for problem in undeclared(response)]
    assert problems == [], "\n".join(sorted(set(problems)))
    assert [path for path in conditional if not _declares_if_none_match("GET", path)] == []
