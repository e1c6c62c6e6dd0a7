"""Stored check-ins, the decisions made over them and the program revisions those decisions made.

Each belongs to a program and is erased with it (and so with its assessment). A check-in keeps what the person sent
and the program revision it was done against (its prescription ids are that revision's). A decision keeps what it
said when it was made, under the rules of the day, and what made it (a check-in or an outcome measure). A revision
keeps the whole program it became, so an old revision reads back as it was.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, DateTime, ForeignKey, Index, Integer, String, func, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, mapped_column

from service.db.base import Base
from service.db.tenancy import TenantOwned


class CheckIn(TenantOwned, Base):
    __tablename__ = "check_ins"
    # The client after the program: every read of a program's check-ins names both (migration b2e8d4a61f37).
    __table_args__ = (Index("ix_check_ins_program_client_date", "program_id", "client_id", "date", "created_at", "id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    program_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    revision: Mapped[int] = mapped_column(Integer)
    date: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16))
    input: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class CheckInDay(Base):
    """A program's check-ins of one day, totalled: what a decision reads of them besides the few it reads in full
    (service.checkins.decisions.Summary). Kept by a trigger on check_ins as they are inserted, changed and deleted
    (migration 3b7e9d1c5a20), and written by nothing else; erased with its program (and so with its client, whose id
    every read names)."""

    __tablename__ = "check_in_days"

    program_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), primary_key=True)
    date: Mapped[date] = mapped_column(Date, primary_key=True)
    client_id: Mapped[uuid.UUID]
    count: Mapped[int]  # 0 once its check-ins are gone
    pain_before: Mapped[int]  # the sum of its check-ins'
    pain_during: Mapped[int]  # the sum of its check-ins'
    sessions: Mapped[int]  # strength sessions
    unsettled: Mapped[int]  # strength sessions without their next-morning pain
    said_yes: Mapped[int]  # check-ins with a yes to a re-screen question
    during: Mapped[list[int]] = mapped_column(ARRAY(Integer))
    """How many had each worst pain during: [p + 1] for pain p, 0-10."""
    next_morning: Mapped[list[int]] = mapped_column(ARRAY(Integer))
    """How many had each next-morning pain: [p + 1] for pain p, 0-10; [12] for those without it yet."""


class ProgramDecision(TenantOwned, Base):
    __tablename__ = "program_decisions"
    __table_args__ = (
        Index("ix_program_decisions_program_client_created", "program_id", "client_id", "created_at", "id"),
        # The day of a program's last simplification, which every decision reads (service.checkins.followup).
        Index(
            "ix_program_decisions_simplified",
            "program_id",
            "client_id",
            "made_on",
            postgresql_where=text("kind = 'simplify' AND revision IS NOT NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    program_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    made_on: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(16))
    decision: Mapped[dict[str, Any]] = mapped_column(JSONB)
    # What it was made after; the decision outlives an erased check-in or measure (it was made, and may have
    # revised the program), so these are cleared rather than the decision erased.
    check_in_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("check_ins.id", ondelete="SET NULL"), index=True)
    outcome_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("outcomes.id", ondelete="SET NULL"), index=True)
    revision: Mapped[int | None] = mapped_column(Integer)  # the revision it made, if it changed the program
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class ProgramRevision(TenantOwned, Base):
    """Every revision of a program that was revised: `programs.body` is the current one, and the first revision (the
    program as generated) is kept here when the second is made. A program never revised has no rows here."""

    __tablename__ = "program_revisions"

    program_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The decision that made it; none for revision 1 (the program as generated, kept here once it is revised).
    decision_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("program_decisions.id", ondelete="CASCADE"))
    body: Mapped[dict[str, Any]] = mapped_column(JSONB)
    outline: Mapped[dict[str, Any]] = mapped_column(JSONB)  # service.programs.outline, for check-ins done against it
    # Every exercise sent to its regressions so far (slug -> why): the next revision keeps them out.
    regressed: Mapped[dict[str, str]] = mapped_column(JSONB)
    changes: Mapped[list[str]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
