"""Issue 13: the creates' connections compress large values with LZ4 where the server has it (service.db.oneshot),
which changes how a value is stored, never what is read back."""

from __future__ import annotations

import uuid

import asyncpg
from litestar import Litestar
from litestar.testing import AsyncTestClient

from devkit.personas import DESK_WORKER
from service.db.oneshot import StatementPool
from service.settings import Settings


async def _server_has_lz4(settings: Settings) -> bool:
    conn = await asyncpg.connect(settings.database_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        return bool(
            await conn.fetchval(
                "SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"
            )
        )
    finally:
        await conn.close()


async def test_one_statement_connections_prefer_lz4_where_the_server_has_it(settings: Settings) -> None:
    statements = StatementPool(settings)
    try:
        async with statements.connection() as connection:
            chosen = await connection.fetchval("SHOW default_toast_compression")
    finally:
        await statements.close()
    assert chosen == ("lz4" if await _server_has_lz4(settings) else "pglz")


async def test_a_stored_assessment_reads_back_as_it_was_answered(
    client: AsyncTestClient[Litestar], assessor: dict[str, str], settings: Settings
) -> None:
    created = await client.post(
        "/v1/assessments", json={**DESK_WORKER, "subject_ref": f"toast-{uuid.uuid4()}"}, headers=assessor
    )
    assert created.status_code == 201, created.text
    again = await client.get(f"/v1/assessments/{created.json()['id']}", headers=assessor)
    assert again.status_code == 200 and again.json() == created.json()
    conn = await asyncpg.connect(settings.database_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        method = await conn.fetchval(
            "SELECT pg_column_compression(result) FROM assessments WHERE id = $1", uuid.UUID(created.json()["id"])
        )
    finally:
        await conn.close()
    assert method == ("lz4" if await _server_has_lz4(settings) else "pglz")
