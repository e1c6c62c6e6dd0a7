"""Issue 12, F5: the database ending the service's connection in the middle of a write is a 503, never a 500.

The server ends the connection just before the idempotency answer is stored (where the attack run saw asyncpg's
ConnectionDoesNotExistError), so the assessment row was already written in that transaction: it must not survive,
and the key must be free for the client's retry.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import asyncpg
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import event
from sqlalchemy.util import await_only

from devkit.personas import DESK_WORKER
from tests.integration.db.test_server_ended_connection import fatal_error_message

Client = AsyncTestClient[Litestar]


@contextmanager
def server_ends_connection_before(
    app: Litestar, database_url: str, statement_prefix: str, *, closed: bool
) -> Iterator[list[int]]:
    """End the backend about to run a statement that starts with `statement_prefix`, once; yields the pids ended.

    `closed`: the server terminated it and closed the socket (`pg_terminate_backend`, waited for). Otherwise the
    connection has read the server's FATAL message but not yet the close: the window in which asyncpg answers the
    next statement with an InternalClientError (see tests/integration/db/test_server_ended_connection.py)."""
    ended: list[int] = []
    admin_url = database_url.replace("postgresql+asyncpg://", "postgresql://")

    async def terminate(pid: int) -> None:
        admin = await asyncpg.connect(admin_url)
        try:
            await admin.execute("SELECT pg_terminate_backend($1, 5000)", pid)
        finally:
            await admin.close()

    def before(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if not ended and statement.startswith(statement_prefix):
            driver = conn.connection.dbapi_connection.driver_connection
            ended.append(driver.get_server_pid())
            if closed:
                await_only(terminate(ended[-1]))
            else:
                driver._protocol.data_received(fatal_error_message())

    sync_engine = app.state.engine.sync_engine
    event.listen(sync_engine, "before_cursor_execute", before)
    try:
        yield ended
    finally:
        event.remove(sync_engine, "before_cursor_execute", before)


@pytest.mark.parametrize("closed", [True, False], ids=["socket-closed", "fatal-message-read"])
@pytest.mark.parametrize("statement", ["UPDATE idempotency_keys", "INSERT INTO assessments"])
async def test_f5_a_connection_lost_during_a_write_is_a_503_and_leaves_nothing(
    client: Client, app: Litestar, assessor: dict[str, str], database_url: str, statement: str, closed: bool
) -> None:
    subject = f"f5-{uuid.uuid4()}"
    key = f"f5-{uuid.uuid4()}"
    body = {**DESK_WORKER, "subject_ref": subject}
    headers = {**assessor, "Idempotency-Key": key}
    with server_ends_connection_before(app, database_url, statement, closed=closed) as ended:
        failed = await client.post("/v1/assessments", json=body, headers=headers)
    assert ended, f"no statement started with {statement!r}"
    assert failed.status_code == 503, failed.text
    assert failed.headers["content-type"].startswith("application/problem+json")
    assert failed.headers["retry-after"]

    listed = await client.get("/v1/assessments", params={"subject_ref": subject}, headers=assessor)
    assert listed.status_code == 200 and listed.json()["items"] == [], "a half-written assessment survived"
    retried = await client.post("/v1/assessments", json=body, headers=headers)
    assert retried.status_code == 201, retried.text
