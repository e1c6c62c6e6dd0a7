"""Scalars spelt as REST spells them: a `DateTime` is RFC 3339 with `Z` for UTC (strawberry's own writes `+00:00`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import msgspec
from strawberry.schema.types.base_scalars import DateTimeDefinition
from strawberry.types.scalar import ScalarDefinition


def rfc3339(value: dt.datetime) -> str:
    """msgspec's encoding, the one REST answers with: `2026-12-04T09:30:00.123456Z`."""
    return msgspec.json.encode(value)[1:-1].decode()


# Parsed as strawberry parses it (any ISO 8601 date-time, `Z` or an offset); only the output changes.
DATETIME = replace(
    DateTimeDefinition,
    description="A date and time in RFC 3339, as REST writes it: UTC, with `Z` (2026-12-04T09:30:00Z).",
    serialize=rfc3339,
)
SCALAR_OVERRIDES: dict[object, ScalarDefinition] = {dt.datetime: DATETIME}
