"""Test setup on a real PostgreSQL, built by `alembic upgrade head` and seeded from the curated files.

The server is TEST_DATABASE_URL when set (its database is reset), else an embedded PostgreSQL under .data/.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy.ext.asyncio import AsyncEngine

from devkit.keys import make_key
from devkit.net import free_port
from service.app import create_app
from service.catalog.seed import seed_database
from service.db.engine import create_engine
from service.db.migrate import upgrade
from service.settings import Settings, to_async_url

PROJECT_ROOT = Path(__file__).resolve().parents[1]
TEST_DATABASE = "realign_test"


async def _reset_schema(url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def server_admin_url() -> str:
    """A URL on the test server from which other databases can be created."""
    given = os.environ.get("TEST_DATABASE_URL")
    if given:
        return to_async_url(given)
    from service.db.embedded import start_embedded_postgres

    return to_async_url(start_embedded_postgres(PROJECT_ROOT / ".data" / "test-postgres"))


@pytest.fixture(scope="session")
def database_url(server_admin_url: str) -> str:
    """The migrated, seeded test database."""
    if os.environ.get("TEST_DATABASE_URL"):
        url = server_admin_url
        asyncio.run(_reset_schema(url))
    else:
        from service.db.embedded import ensure_database

        url = to_async_url(ensure_database(server_admin_url, TEST_DATABASE, recreate=True))
    upgrade(url)

    asyncio.run(seed_database(Settings(database_url=url)))
    return url


TEST_PEPPER = "test-pepper-not-secret"
TEST_METRICS_TOKEN = "test-metrics-token-not-secret"
METRICS_AUTH = {"Authorization": f"Bearer {TEST_METRICS_TOKEN}"}  # what the scraper sends to /metrics


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    # Limits high enough for Schemathesis' bursts; their behaviour has tests of its own.
    return Settings(
        database_url=database_url,
        key_pepper=TEST_PEPPER,
        rate_limit="1000000/60",
        anonymous_rate_limit="1000000/60",
        metrics_token=TEST_METRICS_TOKEN,
    )


@pytest.fixture(scope="session")
def full_access_key(settings: Settings) -> str:
    from service.clients.scopes import ALL_SCOPES

    return asyncio.run(make_key(settings, "test-full-access", list(ALL_SCOPES)))


@pytest.fixture(scope="session")
def app(settings: Settings) -> Litestar:
    return create_app(settings)


@pytest.fixture(scope="session")
async def client(app: Litestar) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(app=app) as test_client:
        yield test_client


@pytest.fixture(scope="session")
async def engine(settings: Settings) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(settings)
    yield engine
    await engine.dispose()


@pytest.fixture
def catalog_dir(tmp_path: Path) -> Iterator[Path]:
    """A writable copy of the curated data files, for tests that break or edit a record."""
    import shutil

    source = PROJECT_ROOT / "service" / "catalog" / "data"
    shutil.copytree(source, tmp_path / "data")
    yield tmp_path / "data"


@pytest.fixture
def scratch_database_url(server_admin_url: str, request: pytest.FixtureRequest) -> str:
    """A new, empty database on the test server for tests that migrate or seed from scratch."""
    from service.db.embedded import ensure_database

    name = "realign_scratch_" + request.node.name.lower().replace("[", "_").replace("]", "")[:40]
    return to_async_url(ensure_database(server_admin_url, name, recreate=True))


@pytest.fixture(scope="session")
def live_server(settings: Settings) -> Iterator[str]:
    """The app behind a real uvicorn server on a free loopback port, for clients that speak real HTTP."""
    import threading

    import uvicorn

    from service.web.server import uvicorn_options

    port = free_port()
    config = uvicorn.Config(
        create_app(settings),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        **uvicorn_options(settings.header_timeout_seconds, settings.public_url),
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@contextmanager
def server_process(args: Sequence[str], settings: Settings, env: Mapping[str, str]) -> Iterator[str]:
    """`python -m <args> --port P` on a free port against the test database, with `env` added; yields its base URL
    once it answers /healthz, and stops it afterwards. Its log goes to a temporary file: a pipe nobody reads would
    block the server once it filled."""
    import tempfile

    port = free_port()
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(
            [sys.executable, "-m", *args, "--port", str(port)],
            cwd=PROJECT_ROOT,
            env={**os.environ, "DATABASE_URL": settings.database_url, "REALIGN_KEY_PEPPER": settings.key_pepper, **env},
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            wait_until_healthy(base, server)
            yield base
        finally:
            server.terminate()
            server.wait(timeout=15)


def wait_until_healthy(base: str, server: subprocess.Popen[bytes]) -> None:
    """Wait (at most 30 s) for a server process started by a test to answer /healthz."""
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline and server.poll() is None, "server did not start"
        time.sleep(0.2)
