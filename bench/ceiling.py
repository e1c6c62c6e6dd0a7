"""The ceilings for `make bench`: Litestar handlers that do the least a request of each kind can do.

Run by the same server with the same worker count and garbage-collector settings (service.web.heap) as the
service, so that the ratio to them measures what the service's own work costs:

- GET /ceiling returns precomputed bytes (the read ceiling); BENCH_CEILING_BYTES sets the body size (the size of
  the measured list response).
- POST /write-ceiling stores the request body with one `INSERT … RETURNING id` through an asyncpg pool and answers
  the id (the write ceiling): no validation, no tenancy, no idempotency key, no stored reply. Its table,
  bench_write_ceiling, is a scratch table created on start in DATABASE_URL; the pool has the service's size
  (REALIGN_DB_POOL_SIZE plus the same overflow), so neither side waits for connections the other would have.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import asyncpg
from litestar import Litestar, Request, Response, get, post

from service.web import heap

CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS bench_write_ceiling (
    id bigserial PRIMARY KEY,
    body jsonb NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
)
"""
INSERT = "INSERT INTO bench_write_ceiling (body) VALUES ($1::jsonb) RETURNING id"
# Every worker runs the lifespan at once, and concurrent CREATE TABLE IF NOT EXISTS can still collide on the
# table's row type: one worker creates, the others wait on this lock and then find it.
CREATE_LOCK = 7_220_601


def _asyncpg_url(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


def app() -> Litestar:
    body = b"x" * int(os.environ.get("BENCH_CEILING_BYTES", "20000"))
    pool_size = int(os.environ.get("REALIGN_DB_POOL_SIZE", "10"))
    pools: list[asyncpg.Pool] = []

    @asynccontextmanager
    async def write_pool(_: Litestar) -> AsyncIterator[None]:
        url = os.environ.get("DATABASE_URL")
        if not url:  # the read ceiling alone needs no database
            yield
            return
        # max_size: the service's engine (pool_size plus an overflow of as many again, service.db.engine).
        pool = await asyncpg.create_pool(_asyncpg_url(url), min_size=pool_size, max_size=2 * pool_size)
        async with pool.acquire() as connection, connection.transaction():
            await connection.execute("SELECT pg_advisory_xact_lock($1)", CREATE_LOCK)
            await connection.execute(CREATE_TABLE)
        pools.append(pool)
        try:
            yield
        finally:
            await pool.close()

    @get("/ceiling")
    async def ceiling() -> Response[bytes]:
        return Response(body, media_type="application/json")

    @post("/write-ceiling")
    async def write_ceiling(request: Request) -> Response[bytes]:
        row_id = await pools[0].fetchval(INSERT, (await request.body()).decode())
        return Response(b'{"id":%d}' % row_id, media_type="application/json", status_code=201)

    built = Litestar([ceiling, write_ceiling], lifespan=[write_pool], logging_config=None)
    heap.settle()  # as service.asgi does for the service's workers
    return built
