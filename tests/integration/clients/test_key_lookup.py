"""Key lookups run on the one-statement pool without pre-ping: a dropped connection is found by failing, then
retried."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import pytest

from devkit.keys import make_key
from service.clients import services
from service.clients.auth import KeyLookups
from service.db.oneshot import StatementPool
from service.settings import Settings


async def _terminate_lookup_connections(settings: Settings) -> int:
    """What a restart or failover does to the pool's connections: the server ends them."""
    conn = await asyncpg.connect(settings.database_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        return int(
            await conn.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name = 'realign' AND pid <> pg_backend_pid() AND datname = current_database() "
                "AND query LIKE '%api_keys%'"
            )
        )
    finally:
        await conn.close()


async def test_a_dropped_connection_costs_no_request(settings: Settings) -> None:
    key = await make_key(settings, "lookup-after-restart", ["catalog:read"])
    pepper = settings.key_pepper.encode()
    statements = StatementPool(settings)
    try:
        first = await services.authenticate_with(statements, key, pepper)
        assert first is not None and first.client_name == "lookup-after-restart"
        assert await _terminate_lookup_connections(settings) >= 1
        again = await services.authenticate_with(statements, key, pepper)
        assert again == first
        assert await services.authenticate_with(statements, "rl_live_" + "E" * 36, pepper) is None
    finally:
        await statements.close()


async def test_overlapping_lookups_of_one_key_share_a_round_trip(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    key = await make_key(settings, "shared-lookups", ["catalog:read"])
    other = await make_key(settings, "shared-lookups", ["catalog:read"])
    calls: list[str] = []
    authenticate_with = services.authenticate_with

    async def counting(engine: Any, secret: str, pepper: bytes) -> Any:
        calls.append(secret)
        await asyncio.sleep(0.05)  # the other requests arrive while it is in flight
        return await authenticate_with(engine, secret, pepper)

    monkeypatch.setattr(services, "authenticate_with", counting)
    statements = StatementPool(settings)
    lookups = KeyLookups(statements, settings.key_pepper.encode())
    try:
        principals = await asyncio.gather(*(lookups.principal(k) for k in [key] * 5 + [other] * 2))
        assert calls.count(key) == 1 and calls.count(other) == 1
        assert len({p.key_id for p in principals[:5]}) == 1 and principals[5].key_id != principals[0].key_id
        # A lookup that starts after the last one finished asks the database again.
        await lookups.principal(key)
        assert calls.count(key) == 2

        # A caller that goes away does not cancel the lookup for the others.
        first = asyncio.ensure_future(lookups.principal(key))
        second = asyncio.ensure_future(lookups.principal(key))
        await asyncio.sleep(0.01)
        first.cancel()
        assert (await second) is not None and first.cancelled()
    finally:
        await statements.close()


async def test_a_failed_shared_lookup_fails_every_request_that_shared_it(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def unreachable(engine: Any, secret: str, pepper: bytes) -> Any:
        await asyncio.sleep(0.01)
        raise OSError("connection refused")

    monkeypatch.setattr(services, "authenticate_with", unreachable)
    lookups = KeyLookups(None, b"pepper")  # type: ignore[arg-type]
    results = await asyncio.gather(*(lookups.principal("rl_live_x") for _ in range(3)), return_exceptions=True)
    assert all(isinstance(r, OSError) for r in results)
