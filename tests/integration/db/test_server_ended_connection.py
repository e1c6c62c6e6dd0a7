"""A pooled connection whose server ended it (a restart, a failover, pg_terminate_backend) costs no request.

The server sends a FATAL error and then closes the socket. A connection that has read the error but not yet the
close is in asyncpg's error-consume state: its next statement fails with an InternalClientError, not a
connection error, and the connection does not yet report itself closed. CI once hit that window by chance; these
tests put a connection in it on purpose, by handing its protocol the server's FATAL message, and check that both
engines throw the connection away and answer from a fresh one."""

from __future__ import annotations

import struct
from typing import Any

from sqlalchemy import text

from devkit.keys import make_key
from service.clients import services
from service.db.engine import create_engine
from service.db.oneshot import StatementPool
from service.settings import Settings


def fatal_error_message() -> bytes:
    """The ErrorResponse PostgreSQL sends before it closes a terminated backend's socket."""
    fields = b"".join(
        code + value.encode() + b"\0"
        for code, value in [
            (b"S", "FATAL"),
            (b"V", "FATAL"),
            (b"C", "57P01"),
            (b"M", "terminating connection due to administrator command"),
        ]
    )
    body = fields + b"\0"
    return b"E" + struct.pack("!i", len(body) + 4) + body


def _read_fatal_error(driver: Any) -> None:
    driver._protocol.data_received(fatal_error_message())


async def test_the_key_lookup_retries_on_a_connection_the_server_ended(settings: Settings) -> None:
    key = await make_key(settings, "ended-connection", ["catalog:read"])
    pepper = settings.key_pepper.encode()
    statements = StatementPool(settings)
    try:
        async with statements.connection() as lent:
            driver = lent._con  # the connection itself: the pool's proxy lets go of it on release
        _read_fatal_error(driver)  # while it sits in the pool
        principal = await services.authenticate_with(statements, key, pepper)
        assert principal is not None and principal.client_name == "ended-connection"
        assert driver.is_closed()
    finally:
        await statements.close()


async def test_the_pre_ping_replaces_a_connection_the_server_ended(settings: Settings) -> None:
    engine = create_engine(settings)
    try:
        async with engine.connect() as connection:
            driver = (await connection.get_raw_connection()).driver_connection
        _read_fatal_error(driver)
        async with engine.connect() as connection:
            assert (await connection.execute(text("SELECT 41 + 1"))).scalar_one() == 42
            assert (await connection.get_raw_connection()).driver_connection is not driver
    finally:
        await engine.dispose()
