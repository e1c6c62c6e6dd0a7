"""Clients, keys and authentication. Callers own the transaction."""

from __future__ import annotations

import hmac
import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from service.clients import keys
from service.clients.models import ApiClient, ApiKey
from service.clients.scopes import ALL_SCOPES

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
    try:
        by_id = uuid.UUID(ref)
    except ValueError:
        by_id = None
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


async def list_keys(session: AsyncSession, client_ref: str) -> list[ApiKey]:
    client = await find_client(session, client_ref)
    result = await session.scalars(select(ApiKey).where(ApiKey.client_id == client.id).order_by(ApiKey.created_at))
    return list(result)


async def revoke_key(session: AsyncSession, key_id: str) -> ApiKey:
    try:
        key = await session.get(ApiKey, uuid.UUID(key_id))
    except ValueError:
        key = None
    if key is None:
        raise ClientError(f"no key with id '{key_id}'")
    if key.revoked_at is None:
        key.revoked_at = await session.scalar(select(func.now()))
        await session.flush()
    return key


async def authenticate(session: AsyncSession, secret: str, pepper: bytes) -> Principal | None:
    """The principal behind a presented key, or None for a malformed, unknown, revoked or disabled one."""
    if not keys.is_well_formed(secret):
        return None
    presented = keys.digest(secret, pepper)
    row = (
        await session.execute(
            select(ApiKey, ApiClient, func.now())
            .join(ApiClient, ApiClient.id == ApiKey.client_id)
            .where(ApiKey.digest == presented, ApiKey.revoked_at.is_(None), ApiClient.disabled.is_(False))
        )
    ).first()
    # The index lookup already matched; compare_digest keeps the final decision constant-time anyway.
    if row is None or not hmac.compare_digest(row[0].digest, presented):
        return None
    key, client, now = row
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
        await session.execute(update(ApiKey).where(ApiKey.id == key.id).values(last_used_at=func.now()))
    return Principal(
        client_id=client.id,
        client_name=client.name,
        internal=client.internal,
        scopes=frozenset(client.scopes),
        key_id=key.id,
        key_prefix=key.prefix,
    )
