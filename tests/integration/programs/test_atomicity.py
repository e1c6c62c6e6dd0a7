"""A failure half way through creating a program leaves nothing behind, and the key can be retried.

The key's claim, the row and the stored answer are one statement: here the database refuses the row (a value too
long for its column) after the statement has claimed the key, and neither may survive."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from service.idempotency.services import NewRow
from service.programs import services

Client = AsyncTestClient[Litestar]


async def test_failure_after_the_insert_rolls_everything_back(
    client: Client,
    planner: dict[str, str],
    new_assessment: Callable[..., Awaitable[dict[str, Any]]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assessment = await new_assessment()
    key = f"atomic-{uuid.uuid4()}"
    body = {"assessment_id": assessment["id"], "weeks": 1}

    new_row = services.new_row

    async def refused_row(*args: Any, **kwargs: Any) -> NewRow:
        row = await new_row(*args, **kwargs)
        return replace(row, values={**row.values, "ruleset_version": "x" * 200})

    monkeypatch.setattr(services, "new_row", refused_row)
    failed = await client.post("/v1/programs", json=body, headers={**planner, "Idempotency-Key": key})
    assert failed.status_code == 500 and failed.headers["content-type"].startswith("application/problem+json")
    listed = await client.get("/v1/programs", params={"assessment_id": assessment["id"]}, headers=planner)
    assert listed.json()["items"] == [], "the program row survived a failed transaction"

    monkeypatch.undo()
    retried = await client.post("/v1/programs", json=body, headers={**planner, "Idempotency-Key": key})
    assert retried.status_code == 201, "the failed attempt's claim was not released"
