"""Instants as PostgreSQL takes them: in UTC, within years 1-9999."""

from __future__ import annotations

from datetime import UTC, datetime

from service.lib.errors import Invalid


def check_instant(field: str, instant: datetime) -> datetime:
    """`instant` in UTC (naive ones are taken as UTC), for PostgreSQL; an instant whose UTC lies outside years
    1-9999 (0001-01-01T00:00:00+03:05, say) is Invalid, naming `field`: asyncpg converts to UTC and would overflow."""
    try:
        return instant.replace(tzinfo=UTC) if instant.tzinfo is None else instant.astimezone(UTC)
    except OverflowError:
        raise Invalid.field(field, "must lie between years 1 and 9999 once converted to UTC") from None
