"""What a caller can learn about its own client and key."""

from __future__ import annotations

import uuid
from datetime import datetime

import msgspec


class ClientSummary(msgspec.Struct):
    id: uuid.UUID
    name: str
    internal: bool


class KeySummary(msgspec.Struct):
    id: uuid.UUID
    prefix: str


class Me(msgspec.Struct):
    client: ClientSummary
    key: KeySummary
    scopes: list[str]
    checked_at: datetime
