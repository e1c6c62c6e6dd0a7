"""Resource ids as the API receives them: strings that may or may not be UUIDs."""

from __future__ import annotations

import uuid


def parse_uuid(value: str) -> uuid.UUID | None:
    """The UUID, or None for anything else (which then reads as "no such resource": a 404, never a 500)."""
    try:
        return uuid.UUID(value)
    except ValueError:
        return None
