"""Request ids, JSON logs and Prometheus metrics."""

from __future__ import annotations

import json
import logging

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from service.web.observability import JsonFormatter, request_id
from tests.conftest import METRICS_AUTH

Client = AsyncTestClient[Litestar]


async def test_request_id_is_echoed_or_made(client: Client) -> None:
    echoed = await client.get("/v1/patterns", headers={"X-Request-ID": "trace-42.a"})
    assert echoed.headers["x-request-id"] == "trace-42.a"
    made = await client.get("/v1/patterns")
    assert len(made.headers["x-request-id"]) == 32
    unsafe = await client.get("/v1/patterns", headers={"X-Request-ID": "x" * 300})
    assert unsafe.headers["x-request-id"] != "x" * 300
    assert (await client.get("/v1/nope")).headers["x-request-id"]


async def test_metrics_count_requests_by_route_and_report_the_pool(client: Client) -> None:
    await client.get("/v1/exercises/step_up")
    await client.get("/v1/exercises/glute_bridge")
    body = (await client.get("/metrics", headers=METRICS_AUTH)).text
    lines = [line for line in body.splitlines() if line.startswith("realign_requests_total")]
    by_template = [line for line in lines if 'path="/v1/exercises/{slug}"' in line and 'status_code="200"' in line]
    assert by_template, lines
    assert float(by_template[0].rsplit(" ", 1)[1]) >= 2
    assert not any("step_up" in line for line in lines), "raw paths must not become labels"
    assert "realign_request_duration_seconds_bucket" in body
    assert "realign_db_pool_connections_in_use" in body


def test_json_log_lines_carry_the_request_id() -> None:
    record = logging.LogRecord("service", logging.INFO, __file__, 1, "hello %s", ("world",), None)
    token = request_id.set("abc123")
    try:
        line = json.loads(JsonFormatter().format(record))
    finally:
        request_id.reset(token)
    assert line["message"] == "hello world" and line["request_id"] == "abc123" and line["level"] == "info"


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
async def test_probes(client: Client, path: str) -> None:
    assert (await client.get(path)).json() == {"status": "ok"}
