"""Idempotency keys: a create happens once per key, and a retry with the key replays the first answer.

The key's claim, the resource's row and the stored answer are written by one statement (`insert_once`): they
exist together or not at all, with no claim left in flight to release after a failure, in one round trip.
"""

from __future__ import annotations

import functools
import hashlib
import re
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

import msgspec
from sqlalchemy import Table, delete
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession

from service.idempotency.models import IdempotencyRecord
from service.lib.errors import Conflict, Invalid, Unprocessable

# A claim older than this whose request never finished (the process died) may be taken over.
ABANDONED_AFTER = timedelta(minutes=5)
MAX_KEY_LENGTH = 255


def request_digest(request: msgspec.Struct) -> str:
    """What a key's reuse is compared by: the request as decoded, encoded again (REST and GraphQL alike), so that
    the same request spelt with other whitespace or key order is the same request."""
    return hashlib.sha256(msgspec.json.encode(request)).hexdigest()


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
        raise Invalid([("Idempotency-Key", f"must be 1 to {MAX_KEY_LENGTH} printable characters")])
    return Key(REST, key)


def graphql_key(key: str) -> Key:
    """GraphQL's `idempotencyKey` as a key of the GraphQL namespace: any string, stored as its digest (there is no
    header-safe alphabet to respect, and the digest always fits the column)."""
    return Key(GRAPHQL, hashlib.sha256(key.encode()).hexdigest())


async def forget_resource(session: AsyncSession, *resource_ids: uuid.UUID) -> None:
    """Erase stored answers that contain deleted resources."""
    await session.execute(delete(IdempotencyRecord).where(IdempotencyRecord.resource_id.in_(resource_ids)))


async def forget_answers_naming(session: AsyncSession, client_id: uuid.UUID, field: str, value: str) -> None:
    """Erase the client's stored answers whose resource names `value` in its `field`: those of resources derived
    from an erased one (a program's answer names its `assessment_id`), without knowing what derived from it."""
    await session.execute(
        delete(IdempotencyRecord).where(
            IdempotencyRecord.client_id == client_id, IdempotencyRecord.response_body[field].astext == value
        )
    )


T = TypeVar("T")


@dataclass(frozen=True)
class Created:
    """A creating request's answer. `encoded` is its JSON text: what the first answer sent, and what every replay
    sends again byte for byte. `resource` is the answer as it was built, on a first answer; a replay has the stored
    text alone, decoded only when a front door asks for more than the bytes."""

    status: int
    encoded: bytes
    replayed: bool
    resource: Any = None

    def as_(self, kind: type[T]) -> T:
        """The answer as a `kind` (GraphQL's mutations): as built, or the stored text decoded."""
        if isinstance(self.resource, kind):
            return self.resource
        return msgspec.json.decode(self.encoded, type=kind)

    def field(self, name: str) -> Any:
        """One field of the answer (the ids of a REST `Location`)."""
        if self.resource is not None:
            return getattr(self.resource, name)
        return msgspec.json.decode(self.encoded)[name]


@dataclass(frozen=True)
class NewRow:
    """A resource about to be created, with nothing left for the database to fill in: its table, its column values
    (the id and `created_at` included, in the driver's form: JSON columns as JSON text) and the answer that shows it
    (a struct), with its JSON when the caller has it already (a program's is its body's JSON and a few fields more).
    The answer is encoded once, from the struct: not converted to dicts first (a program's 45 KB answer took 110 µs
    that way, 30 µs now; an assessment's 36 µs, 12 µs)."""

    table: Table
    values: dict[str, Any]
    answer: Any
    encoded: bytes | None = None
    with_rows: tuple[tuple[Table, dict[str, Any]], ...] = ()
    """Rows (table, column values) that belong to this one and are inserted by the same statement, after it and only
    with it (a check-in's decision): no round trip of their own, and a replay writes none of them."""


_LENGTH = re.compile(r"\(\d+\)")


def _columns_of(table: Table, columns: tuple[str, ...], first: int) -> tuple[str, str]:
    """The column list and the parameters, numbered from `first` and cast to their columns' types (an INSERT …
    SELECT does not infer them), of an insert into `table`."""
    dialect = postgresql.dialect()
    # Without a length (VARCHAR, not VARCHAR(32)): a cast to a length truncates silently, the column refuses.
    types = [_LENGTH.sub("", table.c[name].type.compile(dialect)) for name in columns]
    return ", ".join(columns), ", ".join(f"${i}::{type_}" for i, type_ in enumerate(types, start=first))


@dataclass(frozen=True)
class Guard:
    """Optimistic concurrency for an insert: a row (of `table`, where the `where` columns have their values) whose
    `version` the insert moves on by one first, and only if it is still `expected`, the version read before the
    insert was decided on. If another write moved it since, the statement writes nothing and `insert_once` raises
    Stale: what was decided must be decided again over what that write changed."""

    table: Table
    where: tuple[tuple[str, Any], ...]
    version: str
    expected: int

    def shape(self) -> tuple[Table, tuple[str, ...], str]:
        return self.table, tuple(name for name, _ in self.where), self.version

    def values(self) -> list[Any]:
        return [*(value for _, value in self.where), self.expected]


class Stale(Exception):
    """A Guard's row was moved on by another write since it was read: nothing was written."""


@functools.cache
def _insert_sql(
    table: Table,
    columns: tuple[str, ...],
    claimed: bool,
    with_rows: tuple[tuple[Table, tuple[str, ...]], ...] = (),
    guard: tuple[Table, tuple[str, ...], str] | None = None,
) -> str:
    """The one statement that creates a row: with a key, a data-modifying CTE claims the key with the answer
    already in it, and the row is inserted only if the claim was (ON CONFLICT DO NOTHING: a key already used
    inserts nothing, and a concurrent request with the same key waits for this one to commit, then finds it).
    Rows `with_rows` are inserted by further CTEs only if the row was (a foreign key to it is checked at the
    statement's end, when it is there); the statement then answers how many rows it made (1, or 0: claimed).
    With a `guard` (Guard.shape), its row is moved on first and nothing else is written unless it was (its
    parameters come last); the statement answers how many rows it moved and how many it made."""
    first = 7 if claimed else 1
    listed, params = _columns_of(table, columns, first)
    insert = f"INSERT INTO {table.name} ({listed}) SELECT {params}"
    ctes, gate = [], ""
    if guard is not None:
        guarded, where, version = guard
        number = first + len(columns) + sum(len(names) for _, names in with_rows)
        conditions = " AND ".join(f"{name} = ${i}" for i, name in enumerate((*where, version), start=number))
        ctes.append(f"guard AS (UPDATE {guarded.name} SET {version} = {version} + 1 WHERE {conditions} RETURNING 1)")
        gate = " WHERE EXISTS (SELECT 1 FROM guard)"
    if claimed:
        resource_id = columns.index("id") + first
        source = f"VALUES ($1, $2, $3, $4, $5, $6::JSON, ${resource_id})"
        if guard is not None:  # INSERT … SELECT infers no types: each parameter says its own
            types = ("UUID", "VARCHAR", "VARCHAR", "VARCHAR", "INTEGER", "JSON")
            source = f"SELECT {', '.join(f'${i}::{t}' for i, t in enumerate(types, 1))}, ${resource_id}::UUID{gate}"
        ctes.append(
            f"claim AS (INSERT INTO {IdempotencyRecord.__tablename__} "
            "(client_id, operation, key, request_hash, response_status, response_body, resource_id) "
            f"{source} ON CONFLICT DO NOTHING RETURNING 1)"
        )
        insert += " WHERE EXISTS (SELECT 1 FROM claim)"
    else:
        insert += gate
    if guard is None and not with_rows:
        return f"WITH {ctes[0]} {insert} RETURNING 1" if claimed else insert
    ctes.append(f"made AS ({insert} RETURNING 1)")
    number = first + len(columns)
    for index, (other, names) in enumerate(with_rows):
        listed, params = _columns_of(other, names, number)
        number += len(names)
        ctes.append(
            f"with_{index} AS (INSERT INTO {other.name} ({listed}) SELECT {params} "
            "WHERE EXISTS (SELECT 1 FROM made) RETURNING 1)"
        )
    made = "SELECT count(*) FROM made"
    if guard is not None:
        return f"WITH {', '.join(ctes)} SELECT (SELECT count(*) FROM guard), ({made})"
    return f"WITH {', '.join(ctes)} {made}"


# The stored answer as its text: the column is JSON (not JSONB), which keeps the text as written, key order and all.
_EXISTING = f"""
SELECT request_hash, response_status, response_body::TEXT AS response_text,
    created_at < now() - $4::INTERVAL AS abandoned
FROM {IdempotencyRecord.__tablename__} WHERE client_id = $1 AND operation = $2 AND key = $3
"""
_TAKE_OVER = f"""
DELETE FROM {IdempotencyRecord.__tablename__}
WHERE client_id = $1 AND operation = $2 AND key = $3 AND response_status IS NULL
"""


async def replay(driver: Any, client_id: uuid.UUID, operation: str, key: Key, request_digest: str) -> Created | None:
    """The first answer to this key and request, if it was already given (a 422 for another request): for a create
    whose resource now refuses new writes (a paused program), so that a retry still gets what the first try got."""
    existing = await driver.fetchrow(_EXISTING, client_id, key.operation(operation), key.value, ABANDONED_AFTER)
    if existing is None or existing["response_status"] is None:
        return None
    if existing["request_hash"] != request_digest:
        raise _reused()
    return Created(status=existing["response_status"], encoded=existing["response_text"].encode(), replayed=True)


def _reused() -> Unprocessable:
    return Unprocessable(
        "This Idempotency-Key was already used with a different request body.",
        kind="idempotency-key-reused",
        title="Idempotency key reused",
    )


async def insert_once(
    driver: Any,
    client_id: uuid.UUID,
    operation: str,
    key: Key | None,
    request_digest: str,
    row: NewRow,
    guard: Guard | None = None,
) -> Created:
    """Create `row` once per idempotency key of its door, in ONE statement on `driver` (an asyncpg connection,
    in autocommit or in the caller's transaction): the key's claim, the row and the stored answer are written
    together or not at all, so a failure leaves nothing behind and the key free, and no claim is ever left in
    flight. A key already used replays its first answer (422 with another body). Rows claimed and never answered
    can only come from before this scheme (a process that died between claim and answer); after ABANDONED_AFTER
    they are taken over, before that a 409 says to retry. With a `guard`, nothing is written, and Stale raised, if its
    row moved on since it was read."""
    columns = tuple(row.values)
    with_rows = tuple((table, tuple(values)) for table, values in row.with_rows)
    values = [*row.values.values(), *(value for _, more in row.with_rows for value in more.values())]
    encoded = row.encoded if row.encoded is not None else msgspec.json.encode(row.answer)
    created = Created(status=201, encoded=encoded, replayed=False, resource=row.answer)
    shape = guard.shape() if guard is not None else None

    async def made(statement: str, *params: Any) -> bool:
        """Run `statement`: whether it made the row (with a guard, Stale when the guard's row had moved on)."""
        if guard is None:
            return bool(await driver.fetchval(statement, *params))
        moved, count = await driver.fetchrow(statement, *params, *guard.values())
        if not moved:
            raise Stale()
        return bool(count)

    if key is None:
        await made(_insert_sql(row.table, columns, False, with_rows, shape), *values)
        return created
    scoped = key.operation(operation)
    claim = (client_id, scoped, key.value, request_digest, 201, encoded.decode())
    statement = _insert_sql(row.table, columns, True, with_rows, shape)
    for _ in range(2):
        if await made(statement, *claim, *values):
            return created
        existing = await driver.fetchrow(_EXISTING, client_id, scoped, key.value, ABANDONED_AFTER)
        if existing is None:
            continue  # the holder of the key was erased meanwhile: claim it anew
        if existing["request_hash"] != request_digest:
            raise _reused()
        if existing["response_status"] is not None:
            return Created(
                status=existing["response_status"], encoded=existing["response_text"].encode(), replayed=True
            )
        if not existing["abandoned"]:
            break
        await driver.execute(_TAKE_OVER, client_id, scoped, key.value)
    raise Conflict(
        "A request with this Idempotency-Key is still being processed; retry shortly.",
        kind="idempotency-key-in-flight",
        title="Request in flight",
        retry_after=1,
    )
