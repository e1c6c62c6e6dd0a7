"""Issue 17, items 3, 4 and 7 (CORS): gzip for large responses with ETags that stay right, HEAD on every GET route,
CORS that exposes the service's headers and advertises only the methods it serves."""

from __future__ import annotations

import gzip
import uuid
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from devkit.keys import make_key
from devkit.personas import DESK_WORKER
from service.app import create_app
from service.settings import Settings

Client = AsyncTestClient[Litestar]
GZIP = {"Accept-Encoding": "gzip"}
IDENTITY = {"Accept-Encoding": "identity"}
ORIGIN = "https://app.example"
CATALOGUE_PAGE = "/v1/exercises?limit=500"


async def _raw(client: Client, path: str, headers: dict[str, str]) -> tuple[Any, bytes]:
    """The response and its body as sent, before httpx undoes any content coding."""
    async with client.stream("GET", path, headers=headers) as response:
        body = b"".join([chunk async for chunk in response.aiter_raw()])
    return response, body


def _vary(response: Any) -> set[str]:
    return {field.strip().lower() for field in response.headers.get("vary", "").split(",") if field.strip()}


def _comparable(headers: Any) -> dict[str, str]:
    """Every header and its value, but those that differ per request (its id; the quota left) only by name."""
    return {name: "..." if name in {"x-request-id", "ratelimit"} else value for name, value in headers.items()}


@pytest.fixture(scope="module")
async def planner(settings: Settings) -> dict[str, str]:
    key = await make_key(
        settings, "transport-app", ["assessments:read", "assessments:write", "programs:read", "programs:write"]
    )
    return {"Authorization": f"Bearer {key}"}


async def test_a_large_catalogue_page_is_gzipped_when_accepted(client: Client) -> None:
    plain, plain_body = await _raw(client, CATALOGUE_PAGE, IDENTITY)
    assert plain.status_code == 200 and "content-encoding" not in plain.headers
    assert int(plain.headers["content-length"]) == len(plain_body) > 100_000
    for _ in range(2):  # the first answer built by the handler, the second from the cached fast path
        zipped, zipped_body = await _raw(client, CATALOGUE_PAGE, GZIP)
        assert zipped.status_code == 200 and zipped.headers["content-encoding"] == "gzip"
        assert int(zipped.headers["content-length"]) == len(zipped_body) < len(plain_body) / 4
        assert gzip.decompress(zipped_body) == plain_body
        assert zipped.headers["content-type"] == "application/json"
        assert "accept-encoding" in _vary(zipped) and "accept-encoding" in _vary(plain)


@pytest.mark.parametrize("accept", [None, "identity", "gzip;q=0", "br", "*;q=0", "deflate, gzip;q=0"])
async def test_no_compression_unless_accept_encoding_allows_gzip(client: Client, accept: str | None) -> None:
    # httpx sends `Accept-Encoding: gzip, deflate` unless told otherwise; None removes the header altogether.
    request = client.build_request("GET", CATALOGUE_PAGE)
    if accept is None:
        del request.headers["accept-encoding"]
    else:
        request.headers["accept-encoding"] = accept
    response = await client.send(request)
    assert response.status_code == 200 and "content-encoding" not in response.headers
    assert int(response.headers["content-length"]) == len(response.content)
    assert "accept-encoding" in _vary(response)
    assert not response.headers["etag"].startswith("W/")  # the identity body's strong validator


@pytest.mark.parametrize("accept", ["gzip", "deflate, gzip;q=0.5", "*", "x-gzip"])
async def test_gzip_is_chosen_from_any_acceptable_spelling(client: Client, accept: str) -> None:
    response, _ = await _raw(client, CATALOGUE_PAGE, {"Accept-Encoding": accept})
    assert response.headers["content-encoding"] == "gzip"


async def test_a_small_response_is_not_compressed(client: Client) -> None:
    for path in ("/healthz", "/v1/equipment/foam_roller", "/v1/exercises/no_such_exercise"):
        response, body = await _raw(client, path, GZIP)
        assert "content-encoding" not in response.headers, path
        assert len(body) < 1024 and int(response.headers["content-length"]) == len(body)
        assert "accept-encoding" in _vary(response)
    problem, _ = await _raw(client, "/v1/exercises/no_such_exercise", GZIP)
    assert problem.status_code == 404 and problem.headers["content-type"].startswith("application/problem+json")


async def test_a_conditional_get_is_a_304_with_the_etag_of_a_compressed_200(client: Client) -> None:
    zipped, _ = await _raw(client, CATALOGUE_PAGE, GZIP)
    plain, _ = await _raw(client, CATALOGUE_PAGE, IDENTITY)
    # One body, two representations: the identity one keeps its strong ETag, the gzip one gets the weak form of it
    # (a strong validator names exact bytes, RFC 9110 §8.8.3; If-None-Match compares weakly).
    assert zipped.headers["etag"] == "W/" + plain.headers["etag"]
    for accept in (GZIP, IDENTITY):
        for etag in (zipped.headers["etag"], plain.headers["etag"]):
            again = await client.get(CATALOGUE_PAGE, headers={**accept, "If-None-Match": etag})
            assert again.status_code == 304 and again.content == b"", (accept, etag)
            assert again.headers["etag"] == (zipped if accept is GZIP else plain).headers["etag"]
            assert "accept-encoding" in _vary(again) and "content-encoding" not in again.headers
    stale = await client.get(CATALOGUE_PAGE, headers={**GZIP, "If-None-Match": 'W/"not-the-etag"'})
    assert stale.status_code == 200 and stale.headers["content-encoding"] == "gzip"


async def test_an_idempotent_replay_is_compressed_alike(client: Client, planner: dict[str, str]) -> None:
    created = await client.post("/v1/assessments", json=DESK_WORKER, headers={**planner, **IDENTITY})
    assert created.status_code == 201, created.text
    body = {"assessment_id": created.json()["id"], "available_equipment": ["foam_roller", "dumbbell"]}
    key = {"Idempotency-Key": f"transport-{uuid.uuid4()}"}
    first = await client.post("/v1/programs", json=body, headers={**planner, **key, **GZIP})
    replay = await client.post("/v1/programs", json=body, headers={**planner, **key, **GZIP})
    assert first.status_code == replay.status_code == 201, first.text
    assert first.headers["content-encoding"] == replay.headers["content-encoding"] == "gzip"
    assert replay.headers["idempotent-replayed"] == "true" and "idempotent-replayed" not in first.headers
    assert replay.json() == first.json() and replay.headers["location"] == first.headers["location"]
    read, read_body = await _raw(client, first.headers["location"], {**planner, **GZIP})
    _, plain_body = await _raw(client, first.headers["location"], {**planner, **IDENTITY})
    assert read.headers["content-encoding"] == "gzip" and gzip.decompress(read_body) == plain_body
    assert read.headers["cache-control"] == "no-store"


@pytest.mark.parametrize("path", ["/healthz", "/v1/exercises/step_up", CATALOGUE_PAGE, "/readyz"])
@pytest.mark.parametrize("accept", [GZIP, IDENTITY])
async def test_head_answers_as_get_without_a_body(client: Client, path: str, accept: dict[str, str]) -> None:
    get = await client.get(path, headers=accept)
    head = await client.head(path, headers=accept)
    assert head.status_code == get.status_code == 200
    assert head.content == b""
    assert _comparable(head.headers) == _comparable(get.headers)


async def test_head_is_conditional_and_keeps_the_errors_get_has(client: Client) -> None:
    etag = (await client.get("/v1/exercises/step_up")).headers["etag"]
    not_modified = await client.head("/v1/exercises/step_up", headers={"If-None-Match": etag})
    assert not_modified.status_code == 304 and not_modified.headers["etag"] == etag
    missing = await client.head("/v1/exercises/no_such_exercise")
    assert missing.status_code == 404 and missing.content == b""
    assert missing.headers["content-type"].startswith("application/problem+json")
    refused = await client.head("/v1/programs")  # no key
    assert refused.status_code == (await client.get("/v1/programs")).status_code == 401
    assert refused.headers["www-authenticate"] and refused.content == b""
    options = await client.options("/v1/exercises/step_up")
    assert options.headers["allow"] == "GET, HEAD, OPTIONS"


async def test_head_is_counted_as_head_in_the_metrics(client: Client) -> None:
    from tests.conftest import METRICS_AUTH

    await client.head("/v1/equipment/foam_roller")
    metrics = (await client.get("/metrics", headers=METRICS_AUTH)).text
    assert any(
        line.startswith("realign_requests_total{") and 'method="HEAD"' in line and 'path="/v1/equipment/{slug}"' in line
        for line in metrics.splitlines()
    )


@pytest.fixture(scope="module")
async def cors_client(settings: Settings) -> AsyncIterator[AsyncTestClient[Any]]:
    async with AsyncTestClient(app=create_app(replace(settings, cors_origins=(ORIGIN,)))) as client:
        yield client


EXPOSED = {"etag", "location", "ratelimit", "ratelimit-policy", "retry-after", "idempotent-replayed", "x-request-id"}


def _listed(value: str) -> set[str]:
    return {item.strip().lower() for item in value.split(",") if item.strip()}


async def test_cors_preflight_allows_only_the_methods_served(cors_client: Client) -> None:
    preflight = {"Origin": ORIGIN, "Access-Control-Request-Method": "POST"}
    response = await cors_client.options("/v1/assessments", headers=preflight)
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert _listed(response.headers["access-control-allow-methods"]) == {"get", "head", "post", "delete", "options"}
    for method in ("PUT", "PATCH"):
        refused = await cors_client.options(
            "/v1/assessments", headers={**preflight, "Access-Control-Request-Method": method}
        )
        assert refused.status_code == 400, method


async def test_cors_exposes_the_headers_clients_read(cors_client: Client) -> None:
    response = await cors_client.get(CATALOGUE_PAGE, headers={"Origin": ORIGIN, **GZIP})
    assert response.status_code == 200 and response.headers["access-control-allow-origin"] == ORIGIN
    assert _listed(response.headers["access-control-expose-headers"]) >= EXPOSED
    assert {"origin", "accept-encoding"} <= _vary(response)
    assert response.headers["content-encoding"] == "gzip"
    other = await cors_client.get("/healthz", headers={"Origin": "https://elsewhere.example"})
    assert "access-control-allow-origin" not in other.headers


async def _through_compression(app: Any) -> list[Any]:
    """The messages `app` sends through Compression to a GET that accepts gzip."""
    from service.web.transport import Compression

    sent: list[Any] = []

    async def collect(message: Any) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "headers": [(b"accept-encoding", b"gzip")]}
    await Compression(app)(scope, None, collect)  # type: ignore[arg-type]
    return sent


async def test_a_streamed_response_is_compressed_part_by_part() -> None:
    parts = [b'{"part": 1, "pad": "' + b"x" * 600, b'", "part": 2, "pad": "' + b"y" * 600, b'"}']

    async def streamed(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"1244")]})
        for index, part in enumerate(parts):
            await send({"type": "http.response.body", "body": part, "more_body": index < len(parts) - 1})

    sent = await _through_compression(streamed)
    headers = dict(sent[0]["headers"])
    assert headers[b"content-encoding"] == b"gzip" and b"content-length" not in headers
    assert headers[b"vary"] == b"Accept-Encoding"
    assert [m["more_body"] for m in sent[1:]] == [True, True, False]
    assert gzip.decompress(b"".join(m["body"] for m in sent[1:])) == b"".join(parts)


async def test_a_response_larger_than_the_limit_is_sent_as_it_is() -> None:
    """Compressing a 4.9 MB static file anew on each anonymous request cost about 100 ms of CPU (a DoS
    amplification): a response announcing more than LARGEST_COMPRESSED bytes is not compressed."""
    from service.web.transport import LARGEST_COMPRESSED

    size = LARGEST_COMPRESSED + 1
    body = b"x" * size

    async def large(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", str(size).encode())]})
        await send({"type": "http.response.body", "body": body, "more_body": False})

    sent = await _through_compression(large)
    headers = dict(sent[0]["headers"])
    assert b"content-encoding" not in headers and headers[b"content-length"] == str(size).encode()
    assert headers[b"vary"] == b"Accept-Encoding"
    assert sent[1]["body"] == body
