"""Stored assessments. Input and findings are kept as the API showed them, so that a GET returns exactly what the
POST returned and an old assessment can be explained under the ruleset version that produced it.

A reassessment names the assessment before it (`previous_assessment_id`) and stores its comparison with it, which
holds that assessment's numbers. The two go together (a CHECK), and the link's foreign key has no action: erasing
the earlier assessment must erase both first (services.delete), and an erasure that forgot would fail rather than
leave its numbers behind."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, String, Text, func, text
from sqlalchemy.dialects.postgresql import ARRAY, JSON
from sqlalchemy.orm import Mapped, mapped_column

from service.db.base import Base
from service.db.tenancy import TenantOwned


class Assessment(TenantOwned, Base):
    __tablename__ = "assessments"
    __table_args__ = (
        CheckConstraint("status IN ('ok', 'refer', 'incomplete')", name="status"),
        CheckConstraint("(previous_assessment_id IS NULL) = (comparison IS NULL)", name="comparison_with_previous"),
        Index("ix_assessments_client_created", "client_id", "created_at", "id"),
        Index("ix_assessments_client_subject", "client_id", "subject_ref"),
        Index("ix_assessments_pattern_slugs", "pattern_slugs", postgresql_using="gin"),
        # The reassessments naming one, found when it is erased (and by the foreign key's check on every delete).
        Index(
            "ix_assessments_previous_assessment_id",
            "previous_assessment_id",
            postgresql_where=text("previous_assessment_id IS NOT NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    subject_ref: Mapped[str | None] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16))
    ruleset_version: Mapped[str] = mapped_column(String(32))
    # Denormalised for the `pattern` filter and for aggregates; the findings themselves are in `result`.
    pattern_slugs: Mapped[list[str]] = mapped_column(ARRAY(Text))
    # Denormalised for the stats counters, which read these rather than parse `result` on every insert.
    overactive_muscles: Mapped[list[str]] = mapped_column(ARRAY(Text))
    underactive_muscles: Mapped[list[str]] = mapped_column(ARRAY(Text))
    referral_reasons: Mapped[list[str]] = mapped_column(ARRAY(Text))
    # JSON text, not JSONB: nothing queries inside them, and JSONB costs a parse on every insert and a conversion
    # back to text on every read (migration 1ee5ae1e7a56 has the figures).
    input: Mapped[dict[str, Any]] = mapped_column(JSON)
    result: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    previous_assessment_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("assessments.id"))
    comparison: Mapped[dict[str, Any] | None] = mapped_column(JSON)
