"""Clients, keys and authentication. Callers own the transaction."""

from __future__ import annotations

import hmac
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.clients import keys
from service.clients.models import ApiClient, ApiKey
from service.clients.scopes import ALL_SCOPES
from service.db.oneshot import StatementPool, on_driver_connection
from service.lib.ids import parse_uuid

# last_used_at is written at most this often per key: exact enough to spot dead keys, no write per request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ClientError(ValueError):
    """A management command cannot be carried out (unknown client, bad scope, duplicate name…)."""


@dataclass(frozen=True)
class Principal:
    """Who is calling: the client a valid, unrevoked key belongs to."""

    client_id: uuid.UUID
    client_name: str
    internal: bool
    scopes: frozenset[str]
    key_id: uuid.UUID
    key_prefix: str

    def has(self, scope: str) -> bool:
        return scope in self.scopes


def _check_scopes(scopes: list[str]) -> list[str]:
    unknown = sorted(set(scopes) - set(ALL_SCOPES))
    if unknown:
        raise ClientError(f"unknown scope(s) {', '.join(unknown)}; known: {', '.join(ALL_SCOPES)}")
    return sorted(set(scopes))


async def find_client(session: AsyncSession, ref: str) -> ApiClient:
    """A client by name or id."""
    by_id = parse_uuid(ref)
    condition = ApiClient.id == by_id if by_id else ApiClient.name == ref
    client = await session.scalar(select(ApiClient).where(condition))
    if client is None:
        raise ClientError(f"no client named or with id '{ref}'")
    return client


async def create_client(session: AsyncSession, name: str, scopes: list[str], *, internal: bool = False) -> ApiClient:
    if not name.strip():
        raise ClientError("a client needs a name")
    if await session.scalar(select(ApiClient.id).where(ApiClient.name == name)):
        raise ClientError(f"a client named '{name}' already exists")
    client = ApiClient(name=name, scopes=_check_scopes(scopes), internal=internal, disabled=False)
    session.add(client)
    await session.flush()
    return client


async def list_clients(session: AsyncSession) -> list[tuple[ApiClient, int]]:
    active = (
        select(func.count(ApiKey.id))
        .where(ApiKey.client_id == ApiClient.id, ApiKey.revoked_at.is_(None))
        .scalar_subquery()
    )
    rows = await session.execute(select(ApiClient, active).order_by(ApiClient.created_at, ApiClient.name))
    return [(client, count) for client, count in rows]


async def set_client_disabled(session: AsyncSession, ref: str, disabled: bool = True) -> ApiClient:
    client = await find_client(session, ref)
    client.disabled = disabled
    await session.flush()
    return client


async def create_key(session: AsyncSession, client_ref: str, pepper: bytes) -> tuple[ApiKey, str]:
    """A new key for the client; the secret is returned once and never stored."""
    client = await find_client(session, client_ref)
    secret = keys.generate_key()
    key = ApiKey(client_id=client.id, prefix=keys.display_prefix(secret), digest=keys.digest(secret, pepper))
    session.add(key)
    await session.flush()
    return key, secret


async def new_key_for(
    session: AsyncSession, client_name: str, scopes: list[str], pepper: bytes, *, internal: bool = False
) -> str:
    """A fresh key for the client `client_name`, created first (with `scopes`, `internal`) if there is none yet."""
    try:
        await find_client(session, client_name)
    except ClientError:
        await create_client(session, client_name, scopes, internal=internal)
    _, secret = await create_key(session, client_name, pepper)
    return secret


async def list_keys(session: AsyncSession, client_ref: str) -> list[ApiKey]:
    client = await find_client(session, client_ref)
    result = await session.scalars(select(ApiKey).where(ApiKey.client_id == client.id).order_by(ApiKey.created_at))
    return list(result)


async def revoke_key(session: AsyncSession, key_id: str) -> ApiKey:
    parsed = parse_uuid(key_id)
    key = await session.get(ApiKey, parsed) if parsed else None
    if key is None:
        raise ClientError(f"no key with id '{key_id}'")
    if key.revoked_at is None:
        key.revoked_at = await session.scalar(select(func.now()))
        await session.flush()
    return key


# One round trip, on the driver's connection: this runs on every request that carries a key, so it skips the
# ORM and SQLAlchemy's statement layer (together about four fifths of its cost when it went through them).
_AUTHENTICATE = f"""
SELECT k.id, k.prefix, k.digest, k.last_used_at, c.id, c.name, c.internal, c.scopes, now()
FROM {ApiKey.__tablename__} AS k JOIN {ApiClient.__tablename__} AS c ON c.id = k.client_id
WHERE k.digest = $1 AND k.revoked_at IS NULL AND NOT c.disabled
"""
_TOUCH = f"UPDATE {ApiKey.__tablename__} SET last_used_at = now() WHERE id = $1"


async def authenticate_on(driver: Any, secret: str, pepper: bytes) -> Principal | None:
    """`authenticate` on an asyncpg connection (the driver's own, e.g. `raw.driver_connection`), for a key its
    caller found well formed (before taking a connection for it)."""
    presented = keys.digest(secret, pepper)
    row = await driver.fetchrow(_AUTHENTICATE, presented)
    # The index lookup already matched; compare_digest keeps the final decision constant-time anyway.
    if row is None or not hmac.compare_digest(row[2], presented):
        return None
    key_id, prefix, _, last_used_at, client_id, client_name, internal, scopes, now = row
    if last_used_at is None or now - last_used_at > LAST_USED_RESOLUTION:
        await driver.execute(_TOUCH, key_id)
    return Principal(
        client_id=client_id,
        client_name=client_name,
        internal=internal,
        scopes=frozenset(scopes or ()),
        key_id=key_id,
        key_prefix=prefix,
    )


async def authenticate_with(statements: StatementPool, secret: str, pepper: bytes) -> Principal | None:
    """`authenticate` on a connection of `statements`: a connection the server ended is replaced and the lookup
    tried again (service.db.oneshot)."""
    if not keys.is_well_formed(secret):
        return None
    return await on_driver_connection(statements, lambda driver: authenticate_on(driver, secret, pepper))


async def authenticate(session: AsyncSession, secret: str, pepper: bytes) -> Principal | None:
    """The principal behind a presented key, or None for a malformed, unknown, revoked or disabled one."""
    if not keys.is_well_formed(secret):
        return None
    connection = await session.connection()
    raw = await connection.get_raw_connection()
    return await authenticate_on(raw.driver_connection, secret, pepper)
