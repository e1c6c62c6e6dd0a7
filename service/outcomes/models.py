"""Stored outcome measures: the answers as sent and their score under the rules that produced it, so that a score can
always be explained; each belongs to an assessment and is erased with it."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, DateTime, ForeignKey, Index, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from service.db.base import Base
from service.db.tenancy import TenantOwned


class Outcome(TenantOwned, Base):
    __tablename__ = "outcomes"
    __table_args__ = (
        # The assessment's measures in the order taken: its baselines and changes.
        Index("ix_outcomes_assessment_taken", "assessment_id", "taken_on", "created_at"),
        Index("ix_outcomes_client_created", "client_id", "created_at", "id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    assessment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    measure: Mapped[str] = mapped_column(String(16))
    taken_on: Mapped[date] = mapped_column(Date)
    ruleset_version: Mapped[str] = mapped_column(String(32))
    answers: Mapped[dict[str, Any]] = mapped_column(JSONB)
    score: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
