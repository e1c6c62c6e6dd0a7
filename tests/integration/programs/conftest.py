from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from devkit.keys import make_key
from devkit.personas import DESK_WORKER
from service.settings import Settings

Client = AsyncTestClient[Litestar]
Headers = dict[str, str]
SCOPES = ["assessments:read", "assessments:write", "programs:read", "programs:write"]


@pytest.fixture(scope="session")
async def planner(settings: Settings) -> Headers:
    """A client that assesses people and generates their programs."""
    key = await make_key(settings, "planner-app", SCOPES)
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture(scope="session")
async def other_planner(settings: Settings) -> Headers:
    key = await make_key(settings, "other-planner-app", SCOPES)
    return {"Authorization": f"Bearer {key}"}


async def create_assessment(client: Client, headers: Headers, **changes: Any) -> dict[str, Any]:
    response = await client.post("/v1/assessments", json={**DESK_WORKER, **changes}, headers=headers)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
def new_assessment(client: Client, planner: Headers) -> Callable[..., Awaitable[dict[str, Any]]]:
    """Creates a desk-worker assessment of the planner (keyword arguments replace top-level fields)."""

    async def create(**changes: Any) -> dict[str, Any]:
        return await create_assessment(client, planner, **changes)

    return create
