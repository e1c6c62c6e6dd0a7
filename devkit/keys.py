"""API keys for tests and benchmarks, minted straight in the database (no admin endpoint involved)."""

from __future__ import annotations

from service.db.engine import create_engine, create_session_factory
from service.settings import Settings


async def make_key(settings: Settings, client_name: str, scopes: list[str], *, internal: bool = False) -> str:
    """A new client with `scopes` (or the existing one of that name) and a fresh key for it."""
    from service.clients import services

    engine = create_engine(settings)
    try:
        async with create_session_factory(engine)() as session, session.begin():
            pepper = settings.key_pepper.encode()
            return await services.new_key_for(session, client_name, scopes, pepper, internal=internal)
    finally:
        await engine.dispose()
