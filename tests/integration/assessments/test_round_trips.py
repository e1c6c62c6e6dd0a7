"""Issue 13: creating an assessment with a key costs at most 4 database round trips (it was about 9).

Counted where they happen: every call of asyncpg's protocol that sends a message and waits for the server's
answer (a simple query, a prepare, a bind-and-execute, a statement close, …) is one round trip, whichever engine,
session or raw driver connection made it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from asyncpg.protocol.protocol import Protocol
from litestar import Litestar
from litestar.testing import AsyncTestClient

from devkit.personas import DESK_WORKER

Client = AsyncTestClient[Litestar]

_ROUND_TRIPS = ("query", "prepare", "bind_execute", "bind_execute_many", "bind", "execute", "close_statement")


@contextmanager
def round_trips(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    made: list[str] = []
    for name in _ROUND_TRIPS:
        original = getattr(Protocol, name)

        def counted(self: Any, *args: Any, __name: str = name, __original: Any = original, **kwargs: Any) -> Any:
            made.append(__name)
            return __original(self, *args, **kwargs)

        monkeypatch.setattr(Protocol, name, counted)
    yield made
    monkeypatch.undo()


async def _create(client: Client, headers: dict[str, str], key: str | None) -> None:
    response = await client.post(
        "/v1/assessments",
        json={**DESK_WORKER, "subject_ref": f"trips-{uuid.uuid4()}"},
        headers={**headers, **({"Idempotency-Key": key} if key else {})},
    )
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("with_key", [True, False], ids=["idempotency-key", "no-key"])
async def test_creating_an_assessment_costs_at_most_four_round_trips(
    client: Client, assessor: dict[str, str], monkeypatch: pytest.MonkeyPatch, with_key: bool
) -> None:
    for _ in range(3):  # warm: connections open, statements prepared, the key's last use recorded
        await _create(client, assessor, str(uuid.uuid4()) if with_key else None)
    with round_trips(monkeypatch) as made:
        await _create(client, assessor, str(uuid.uuid4()) if with_key else None)
    assert 0 < len(made) <= 4, made
