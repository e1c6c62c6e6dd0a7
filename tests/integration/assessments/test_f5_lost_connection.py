"""Issue 12, F5: the database ending the service's connection around a write is never a 500, and never leaves half
a write behind.

A create is one statement on a connection without pre-ping (service.db.oneshot). A connection the server ended
before the statement left (the socket closed, or its FATAL message read but not yet the close) is replaced and the
statement sent again: the client sees nothing of it. A connection ended while the statement runs (here: waiting on
a lock the test holds) leaves the outcome to the server, which rolls the statement back: the client gets a 503,
nothing is stored and the key is free for the retry.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from devkit.personas import DESK_WORKER
from service.idempotency import services as idempotency
from tests.integration.db.test_server_ended_connection import fatal_error_message

Client = AsyncTestClient[Litestar]


def _admin_url(database_url: str) -> str:
    return database_url.replace("postgresql+asyncpg://", "postgresql://")


async def _terminate(database_url: str, pid: int) -> None:
    admin = await asyncpg.connect(_admin_url(database_url))
    try:
        await admin.execute("SELECT pg_terminate_backend($1, 5000)", pid)
    finally:
        await admin.close()


def _ending_the_connection_first(
    end: Callable[[Any], Awaitable[None]], ended: list[int]
) -> Callable[..., Awaitable[idempotency.Created]]:
    insert_once = idempotency.insert_once

    async def wrapped(driver: Any, *args: Any) -> idempotency.Created:
        if not ended:
            ended.append(driver.get_server_pid())
            await end(driver)
        return await insert_once(driver, *args)

    return wrapped


async def _stored(client: Client, headers: dict[str, str], subject: str) -> list[dict[str, Any]]:
    listed = await client.get("/v1/assessments", params={"subject_ref": subject}, headers=headers)
    assert listed.status_code == 200
    items: list[dict[str, Any]] = listed.json()["items"]
    return items


@pytest.mark.parametrize("how", ["socket-closed", "fatal-message-read"])
async def test_f5_a_connection_ended_before_the_write_is_retried_unseen(
    client: Client, assessor: dict[str, str], database_url: str, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    subject = f"f5-{uuid.uuid4()}"
    headers = {**assessor, "Idempotency-Key": f"f5-{uuid.uuid4()}"}

    async def end(driver: Any) -> None:
        if how == "socket-closed":
            await _terminate(database_url, driver.get_server_pid())
        else:
            driver._protocol.data_received(fatal_error_message())

    ended: list[int] = []
    monkeypatch.setattr(idempotency, "insert_once", _ending_the_connection_first(end, ended))
    created = await client.post("/v1/assessments", json={**DESK_WORKER, "subject_ref": subject}, headers=headers)
    assert ended, "the write never reached the connection"
    assert created.status_code == 201, created.text
    assert [item["id"] for item in await _stored(client, assessor, subject)] == [created.json()["id"]]


async def _terminate_the_waiting_write(database_url: str, found: list[int]) -> None:
    """Hold a lock the write needs, wait until the write waits for it, end its backend, then let go."""
    locker = await asyncpg.connect(_admin_url(database_url))
    try:
        transaction = locker.transaction()
        await transaction.start()
        await locker.execute("LOCK TABLE assessments IN ACCESS EXCLUSIVE MODE")
        found.append(0)  # locked: the request may go
        for _ in range(500):
            waiting = await locker.fetchval(
                "SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database() "
                "AND pid <> pg_backend_pid()"
            )
            if waiting:
                found.append(waiting)
                await locker.execute("SELECT pg_terminate_backend($1, 5000)", waiting)
                return
            await asyncio.sleep(0.01)
    finally:
        await locker.close()


async def test_f5_a_connection_lost_during_the_write_is_a_503_and_leaves_nothing(
    client: Client, assessor: dict[str, str], database_url: str
) -> None:
    subject = f"f5-{uuid.uuid4()}"
    headers = {**assessor, "Idempotency-Key": f"f5-{uuid.uuid4()}"}
    body = {**DESK_WORKER, "subject_ref": subject}
    # The in-process client holds this event loop for the whole request: the lock is watched from a thread.
    found: list[int] = []
    watcher = threading.Thread(target=lambda: asyncio.run(_terminate_the_waiting_write(database_url, found)))
    watcher.start()
    while not found:  # noqa: ASYNC110 - the thread has no event of this loop to set
        await asyncio.sleep(0.01)
    failed = await client.post("/v1/assessments", json=body, headers=headers)
    watcher.join(timeout=30)
    assert len(found) == 2, ("the write never waited on the lock", failed.status_code, failed.text[:200])
    assert failed.status_code == 503, failed.text
    assert failed.headers["content-type"].startswith("application/problem+json")
    assert failed.headers["retry-after"]
    assert await _stored(client, assessor, subject) == [], "a half-written assessment survived"
    retried = await client.post("/v1/assessments", json=body, headers=headers)
    assert retried.status_code == 201, retried.text
