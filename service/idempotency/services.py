"""Claim, complete and replay idempotency keys.

The claim is committed on its own before the work starts, so a concurrent request with the same key sees it at
once (409 while in flight). The answer is stored in the same transaction that creates the resource: either both
exist or neither, and a failed attempt releases the claim so that the client can retry.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Protocol

import msgspec
from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from service.db.tenancy import tenant_session
from service.idempotency.models import IdempotencyRecord
from service.web.problems import FieldError, ProblemError

# A claim older than this whose request never finished (the process died) may be taken over.
ABANDONED_AFTER = timedelta(minutes=5)
MAX_KEY_LENGTH = 255


@dataclass(frozen=True)
class Replay:
    status: int
    body: Any


def request_hash(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


@dataclass(frozen=True)
class Key:
    """A client's idempotency key in its front door's namespace.

    REST's `Idempotency-Key` header and GraphQL's `idempotencyKey` argument are separate namespaces: the same string
    through the other door is another key, so neither door replays (nor refuses as reused) what the other created.
    The namespace is part of the stored `operation` (the table's key is client, operation, key): REST rows keep the
    bare operation id they always had; GraphQL's take "graphql:" before it. (GraphQL once stored sha256(K) under the
    bare id, where a REST `Idempotency-Key: sha256(K)` with the same body replayed its resource.)
    """

    namespace: str  # REST or GRAPHQL
    value: str  # as stored: REST's header as sent (trimmed); GraphQL's argument as its SHA-256 (any string works)

    def operation(self, operation: str) -> str:
        return f"{self.namespace}:{operation}" if self.namespace else operation


REST = ""
GRAPHQL = "graphql"


def check_key(key: str) -> Key:
    """REST's `Idempotency-Key` header as a key of the REST namespace; a 400 unless 1-255 printable characters."""
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH or not key.isprintable():
        raise ProblemError(
            400,
            f"Idempotency-Key must be 1 to {MAX_KEY_LENGTH} printable characters.",
            errors=[FieldError(field="Idempotency-Key", message="invalid key")],
        )
    return Key(REST, key)


def graphql_key(key: str) -> Key:
    """GraphQL's `idempotencyKey` as a key of the GraphQL namespace: any string, stored as its digest (there is no
    header-safe alphabet to respect, and the digest always fits the column)."""
    return Key(GRAPHQL, hashlib.sha256(key.encode()).hexdigest())


async def claim(session: AsyncSession, client_id: uuid.UUID, operation: str, key: str, digest: str) -> Replay | None:
    """Claim the key for this request (None), or return the first answer to replay; 409/422 problems otherwise.

    Runs in its own short transaction on `session` and commits it.
    """
    async with session.begin():
        inserted = await session.execute(
            insert(IdempotencyRecord)
            .values(client_id=client_id, operation=operation, key=key, request_hash=digest)
            .on_conflict_do_nothing()
            .returning(IdempotencyRecord.key)
        )
        if inserted.first() is not None:
            return None
        record, now = (
            await session.execute(
                select(IdempotencyRecord, func.now())
                .where(
                    IdempotencyRecord.client_id == client_id,
                    IdempotencyRecord.operation == operation,
                    IdempotencyRecord.key == key,
                )
                .with_for_update()
            )
        ).one()
        if record.request_hash != digest:
            raise ProblemError(
                422,
                "This Idempotency-Key was already used with a different request body.",
                kind="idempotency-key-reused",
                title="Idempotency key reused",
            )
        if record.response_status is not None:
            return Replay(status=record.response_status, body=record.response_body)
        if now - record.created_at < ABANDONED_AFTER:
            raise ProblemError(
                409,
                "A request with this Idempotency-Key is still being processed; retry shortly.",
                kind="idempotency-key-in-flight",
                title="Request in flight",
                headers={"Retry-After": "1"},
            )
        record.created_at = now  # take over an abandoned claim
        return None


async def complete(
    session: AsyncSession,
    client_id: uuid.UUID,
    operation: str,
    key: str,
    status: int,
    body: Any,
    resource_id: uuid.UUID | None,
) -> None:
    """Store the answer, inside the caller's transaction (the one that created the resource)."""
    await session.execute(
        update(IdempotencyRecord)
        .where(
            IdempotencyRecord.client_id == client_id,
            IdempotencyRecord.operation == operation,
            IdempotencyRecord.key == key,
        )
        .values(response_status=status, response_body=body, resource_id=resource_id)
    )


async def release(session: AsyncSession, client_id: uuid.UUID, operation: str, key: str) -> None:
    """Drop an unfinished claim after a failure, so that a retry can run."""
    async with session.begin():
        await session.execute(
            delete(IdempotencyRecord).where(
                IdempotencyRecord.client_id == client_id,
                IdempotencyRecord.operation == operation,
                IdempotencyRecord.key == key,
                IdempotencyRecord.response_status.is_(None),
            )
        )


async def forget_resource(session: AsyncSession, *resource_ids: uuid.UUID) -> None:
    """Erase stored answers that contain deleted resources."""
    await session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.resource_id.in_(resource_ids)))


@dataclass(frozen=True)
class Created:
    status: int
    body: dict[str, Any]
    replayed: bool


class _Resource(Protocol):
    id: uuid.UUID


async def create_once(
    factory: async_sessionmaker[AsyncSession],
    client_id: uuid.UUID,
    operation: str,
    key: Key | None,
    request_digest: str,
    create: Callable[[AsyncSession], Awaitable[_Resource]],
) -> Created:
    """Run `create` in one transaction of the client's tenant session, once per idempotency key of its door: a retry
    replays the first answer, and a failure releases the key (shared by every creating POST and mutation)."""
    if key is None:
        async with tenant_session(factory, client_id) as session, session.begin():
            return Created(status=201, body=msgspec.to_builtins(await create(session)), replayed=False)
    scoped = key.operation(operation)
    async with factory() as session:
        replay = await claim(session, client_id, scoped, key.value, request_digest)
    if replay is not None:
        return Created(status=replay.status, body=replay.body, replayed=True)
    try:
        async with tenant_session(factory, client_id) as session, session.begin():
            created = await create(session)
            body = msgspec.to_builtins(created)
            await complete(session, client_id, scoped, key.value, 201, body, created.id)
    except BaseException:
        async with factory() as session:
            await release(session, client_id, scoped, key.value)
        raise
    return Created(status=201, body=body, replayed=False)
