"""Stored programs. The body is kept exactly as the generator built it and the API showed it, so that a GET returns
what the POST returned, whatever later rulesets would generate from the same assessment."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, func
from sqlalchemy.dialects.postgresql import ARRAY, JSON, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from service.db.base import Base
from service.db.tenancy import TenantOwned


class Program(TenantOwned, Base):
    __tablename__ = "programs"
    __table_args__ = (
        Index("ix_programs_client_created", "client_id", "created_at", "id"),
        # assessment_id first: the same index serves the `assessment_id` filter (with the client) and the
        # ON DELETE CASCADE from assessments, which looks programs up by assessment_id alone.
        Index("ix_programs_assessment_client", "assessment_id", "client_id"),
        Index("ix_programs_client_subject", "client_id", "subject_ref"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    # Erasing an assessment erases what was derived from it.
    assessment_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("assessments.id", ondelete="CASCADE"))
    # Copied from the assessment, for the `subject_ref` filter without a join.
    subject_ref: Mapped[str | None] = mapped_column(String(128))
    ruleset_version: Mapped[str] = mapped_column(String(32))
    # The request with its defaults filled in (also inside `body`), kept apart for queries and aggregates.
    parameters: Mapped[dict[str, Any]] = mapped_column(JSONB)
    # JSON text, not JSONB: nothing queries inside it, and JSONB costs a parse on every insert and a conversion back to
    # text on every read (migration 1ee5ae1e7a56 has the figures).
    body: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Its prescriptions in order, item i being exercise `prescribed_exercises[i]` in phase `prescribed_phases[i]`: for
    # the stats counters, which read these rather than parse the body (services.prescribed).
    prescribed_phases: Mapped[list[str]] = mapped_column(ARRAY(Text))
    prescribed_exercises: Mapped[list[str]] = mapped_column(ARRAY(Text))
    # What a check-in reads of the body, kept with it (service.programs.outline).
    outline: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # Check-ins change a program (service.checkins): the revision it is at (1: as generated, in `body`; later ones
    # in `program_revisions`), and, once a decision referred the person to a clinician, the referral that paused it.
    revision: Mapped[int] = mapped_column(Integer, server_default="1")
    paused: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    # One more on every write a check-in's decision reads (a check-in, a changed check-in, an outcome measure, a
    # revision or a pause): a check-in decided over what it read inserts itself only if this is still what it read
    # (service.checkins.services.create).
    version: Mapped[int] = mapped_column(Integer, server_default="0")
