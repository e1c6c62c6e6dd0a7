"""Issue 17, item 8: problem `type`s are absolute URIs of one registry, listed in the contract, and each resolves to
a page of the service (they were relative, `/problems/not-found`, and 404ed)."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from litestar import Litestar
from litestar.testing import AsyncTestClient

from devkit.personas import DESK_WORKER
from service.assessments.services import SCREENING_INCOMPLETE
from service.settings import Settings
from service.web.problem_types import BY_SLUG, PATH, PROBLEM_TYPES, type_uri
from service.web.problems import REFERRAL_REQUIRED

ROOT = Path(__file__).resolve().parents[2]
DOCUMENT = json.loads((ROOT / "openapi" / "openapi.json").read_text())
Client = AsyncTestClient[Litestar]


async def _problems_answered(client: Client, auth: dict[str, str], reader: dict[str, str]) -> list[httpx.Response]:
    """One request for each problem this client can provoke without breaking the service."""
    key = {"Idempotency-Key": f"problem-types-{uuid.uuid4()}"}
    refer = {**DESK_WORKER, "red_flags": {**DESK_WORKER["red_flags"], "saddle_numbness": True}}
    unscreened = {k: v for k, v in DESK_WORKER.items() if k not in ("red_flags", "screening")}
    referred = (await client.post("/v1/assessments", json=refer, headers=auth)).json()["id"]
    incomplete = (await client.post("/v1/assessments", json=unscreened, headers=auth)).json()["id"]
    assert (await client.post("/v1/assessments", json=DESK_WORKER, headers={**auth, **key})).status_code == 201
    return [
        await client.get("/v1/exercises", params={"muscle": "hamstring"}),
        await client.get("/v1/me"),
        await client.get("/v1/assessments", headers=reader),
        await client.get("/v1/exercises/no_such_exercise"),
        await client.post("/v1/exercises"),
        await client.post(
            "/v1/assessments",
            content=b"{" + b" " * (2 * 1024 * 1024) + b"}",
            headers={**auth, "Content-Type": "application/json"},
        ),
        await client.post("/v1/assessments", content=b"{}", headers={**auth, "Content-Type": "text/plain"}),
        await client.post("/v1/assessments", json={**DESK_WORKER, "subject_ref": "other"}, headers={**auth, **key}),
        await client.post("/v1/programs", json={"assessment_id": str(uuid.uuid4())}, headers=auth),
        await client.post("/v1/programs", json={"assessment_id": referred}, headers=auth),
        await client.post("/v1/programs", json={"assessment_id": incomplete}, headers=auth),
    ]


async def test_every_problem_answered_has_a_registered_absolute_type_that_resolves(
    client: Client, settings: Settings, full_access_key: str
) -> None:
    from devkit.keys import make_key

    reader = await make_key(settings, "problem-types-reader", ["catalog:read"])
    responses = await _problems_answered(
        client, {"Authorization": f"Bearer {full_access_key}"}, {"Authorization": f"Bearer {reader}"}
    )
    seen = set()
    for response in responses:
        assert response.status_code >= 400, response.request.url
        assert response.headers["content-type"].startswith("application/problem+json")
        problem = response.json()
        prefix = f"{settings.public_url}{PATH}/"
        assert problem["type"].startswith(prefix), problem
        registered = BY_SLUG[problem["type"].removeprefix(prefix)]
        assert (registered.status, registered.title) == (problem["status"], problem["title"]), problem
        page = await client.get(urlsplit(problem["type"]).path)
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert f"<h1>{registered.title}</h1>" in page.text
        seen.add(registered.slug)
    assert {
        "invalid-request",
        "unauthorized",
        "forbidden",
        "not-found",
        "method-not-allowed",
        "payload-too-large",
        "unsupported-media-type",
        "idempotency-key-reused",
        "unprocessable",
        REFERRAL_REQUIRED,
        SCREENING_INCOMPLETE,
    } <= seen


def test_every_kind_named_in_the_code_is_registered() -> None:
    """Problems the tests cannot provoke (a request in flight, a retired program, a database outage, a bug) are
    named in the code: every kind there must be a registered slug."""
    named = set()
    for source in (ROOT / "service").rglob("*.py"):
        text = source.read_text()
        named |= set(re.findall(r"""\bkind=["']([a-z-]+)["']""", text))
        named |= set(re.findall(r"""_type\(request, ["']([a-z-]+)["']\)""", text))
    named |= {REFERRAL_REQUIRED, SCREENING_INCOMPLETE}
    assert {"idempotency-key-in-flight", "program-retired", "internal-error", "unavailable"} <= named
    assert named - set(BY_SLUG) == set()


async def test_the_index_lists_every_type(client: Client) -> None:
    index = await client.get(PATH)
    assert index.status_code == 200
    assert [f'href="{PATH}/{p.slug}"' in index.text for p in PROBLEM_TYPES] == [True] * len(PROBLEM_TYPES)
    missing = await client.get(f"{PATH}/no-such-type")
    assert missing.status_code == 404 and missing.json()["type"].endswith(f"{PATH}/not-found")


def _examples(node: Any) -> list[dict[str, Any]]:
    """Every problem-shaped value under `node` (the document's examples)."""
    if isinstance(node, dict):
        found = [node] if {"type", "title", "status", "detail"} <= set(node) else []
        return found + [e for value in node.values() for e in _examples(value)]
    if isinstance(node, list):
        return [e for value in node for e in _examples(value)]
    return []


def test_the_contract_lists_the_types() -> None:
    type_schema = DOCUMENT["components"]["schemas"]["Problem"]["properties"]["type"]
    pattern = re.compile(type_schema["pattern"])
    for problem in PROBLEM_TYPES:
        assert pattern.match(type_uri("https://api.example.com", problem.slug))
        assert f"| `{problem.slug}` | {problem.status} |" in type_schema["description"]
    assert not pattern.match("/problems/not-found") and not pattern.match("https://x.example/problems/nope")
    examples = _examples(DOCUMENT["paths"])
    assert examples and [e["type"] for e in examples if not pattern.match(e["type"])] == []


async def test_types_are_under_the_configured_public_url(settings: Settings) -> None:
    from dataclasses import replace

    import pytest

    from service.app import create_app

    url = {"DATABASE_URL": "postgresql://x/y"}
    assert Settings.from_env(url).public_url == "http://localhost:8000"
    configured = Settings.from_env({**url, "REALIGN_PUBLIC_URL": "https://api.example.com/realign/"})
    assert configured.public_url == "https://api.example.com/realign"
    for wrong in ("api.example.com", "ftp://api.example.com", "https://api.example.com/?x=1"):
        with pytest.raises(ValueError, match="REALIGN_PUBLIC_URL"):
            Settings.from_env({**url, "REALIGN_PUBLIC_URL": wrong})
    async with AsyncTestClient(app=create_app(replace(settings, public_url=configured.public_url))) as client:
        problem = (await client.get("/v1/exercises/no_such_exercise")).json()
    assert problem["type"] == "https://api.example.com/realign/problems/not-found"
