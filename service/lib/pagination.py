"""Opaque cursors and the list envelope shared by every list endpoint."""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Annotated, Any, TypeVar

import msgspec
from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute, aliased

from service.lib.errors import Invalid
from service.lib.instants import check_instant

DEFAULT_LIMIT = 20
MAX_LIMIT = 500

# The `next_cursor` of every list envelope.
NextCursor = Annotated[
    str | None,
    msgspec.Meta(description="Pass as `cursor` to get the next page; null on the last page. Opaque: do not parse it."),
]


def encode_cursor(position: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(msgspec.json.encode(position)).rstrip(b"=").decode()


# PostgreSQL's bigint: an OFFSET (or any integer) beyond it fails in the database, not here.
MAX_POSITION = 2**63 - 1


def _could_be_ours(value: Any) -> bool:
    """Whether a cursor value could be one we wrote: positions are integers 0..MAX_POSITION (never booleans) and
    strings are slugs, ids and instants, which hold no control characters (PostgreSQL refuses a NUL in text)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return 0 <= value <= MAX_POSITION
    if isinstance(value, str):
        return value.isprintable()
    return False


def decode_cursor(cursor: str, *, keys: set[str]) -> dict[str, Any]:
    """The position a cursor stands for; a cursor that is not one of ours is a 400 naming `cursor`, whichever
    caller decodes it, so that nothing a client forged in one reaches the database."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        position = msgspec.json.decode(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, msgspec.DecodeError, UnicodeError):
        raise Invalid.field("cursor", "not a cursor returned by this API") from None
    if not isinstance(position, dict) or set(position) != keys or not all(map(_could_be_ours, position.values())):
        raise Invalid.field("cursor", "not a cursor returned by this API")
    return position


R = TypeVar("R")


def _after(query: Select[Any], dated: Any, cursor: str | None) -> Select[Any]:
    """`query` narrowed to the rows after `cursor` in newest-first (created_at, id) order."""
    if not cursor:
        return query
    position = decode_cursor(cursor, keys={"t", "id"})
    try:
        at, after_id = datetime.fromisoformat(position["t"]), uuid.UUID(position["id"])
    except (TypeError, ValueError):
        raise Invalid.field("cursor", "not a cursor returned by this API") from None
    if at.tzinfo is None:  # ours always carry the offset
        raise Invalid.field("cursor", "not a cursor returned by this API")
    at = check_instant("cursor", at)
    return query.where(or_(dated.created_at < at, and_(dated.created_at == at, dated.id < after_id)))


def _page(rows: Sequence[Any], limit: int) -> tuple[list[Any], list[str], str | None]:
    page: list[Any] = list(rows[:limit])
    cursors = [encode_cursor({"t": row.created_at.isoformat(), "id": str(row.id)}) for row in page]
    return page, cursors, cursors[-1] if len(rows) > limit else None


async def newest_first(
    session: AsyncSession, table: type[R], query: Select[Any], *, limit: int, cursor: str | None
) -> tuple[list[R], list[str], str | None]:
    """One page of `query`'s `table` rows keyset-paged on (created_at, id), newest first: the rows, each row's
    cursor, and the cursor of the next page (None on the last one). `table` has `created_at` and a UUID `id`."""
    dated: Any = table  # any mapped class with those two columns; a Protocol cannot describe ORM columns to mypy
    query = _after(query, dated, cursor)
    rows: Sequence[Any] = (
        await session.scalars(query.order_by(dated.created_at.desc(), dated.id.desc()).limit(limit + 1))
    ).all()
    return _page(rows, limit)


K = TypeVar("K")


async def newest_first_each(
    session: AsyncSession,
    table: type[R],
    parent: InstrumentedAttribute[K],
    parents: Sequence[K],
    *,
    limit: int,
    cursor: str | None,
) -> dict[K, tuple[list[R], list[str], str | None]]:
    """`newest_first` for each of `parents` (the rows whose `parent` column holds it) in one statement: the same
    page, cursors and next cursor as `newest_first` gives each alone (GraphQL's batched loads of nested lists). A
    parent with no rows has an empty page."""
    dated: Any = table
    newest = (dated.created_at.desc(), dated.id.desc())
    rank = func.row_number().over(partition_by=parent, order_by=newest).label("rank")
    ranked = _after(select(table, rank).where(parent.in_(parents)), dated, cursor).subquery()
    row = aliased(table, ranked)
    rows = (await session.scalars(select(row).where(ranked.c.rank <= limit + 1).order_by(ranked.c.rank))).all()
    by_parent: dict[Any, list[Any]] = {key: [] for key in parents}
    for found in rows:
        by_parent[getattr(found, parent.key)].append(found)
    return {key: _page(found, limit) for key, found in by_parent.items()}
