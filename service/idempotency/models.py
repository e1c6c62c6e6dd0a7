"""One row per (client, operation, key): the claim while in flight, then the stored answer."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Integer, String, func
from sqlalchemy.dialects.postgresql import JSON
from sqlalchemy.orm import Mapped, mapped_column

from service.db.base import Base


class IdempotencyRecord(Base):
    __tablename__ = "idempotency_keys"

    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("api_clients.id", ondelete="CASCADE"), primary_key=True)
    operation: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    # NULL while the first request is still being processed.
    response_status: Mapped[int | None] = mapped_column(Integer)
    # JSON, not JSONB: the text is kept as the first answer sent it, so that a replay sends the same bytes.
    response_body: Mapped[Any | None] = mapped_column(JSON)
    # The resource it created, so that erasing the resource erases the stored copy of it too.
    resource_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
