"""Daily activity counters: the aggregates the operator dashboards read, kept by the database itself.

Triggers on `assessments` and `programs` (migrations/versions/*_activity_counts_*.py) add one to, or take one from,
a counter per (client, UTC day, metric, key) whenever a row is inserted or deleted, cascades included, in the same
transaction. A stats query then groups a few thousand counter rows instead of scanning millions of records, and
holds only aggregates: no subject reference, no input.

Metrics and their keys: `status` (ok, refer), `pattern` (pattern slug), `referral_reason` (red-flag code),
`overactive` and `underactive` (muscle slug), `programs` (key ''), `prescribed:<phase>` (exercise slug).
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import BigInteger, Date, ForeignKey, Index, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from service.db.base import Base
from service.db.tenancy import TenantOwned


class ActivityCount(TenantOwned, Base):
    __tablename__ = "activity_counts"
    __table_args__ = (Index("ix_activity_counts_day_metric", "day", "metric"),)

    # The mixin's column, made part of the key.
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("api_clients.id", ondelete="CASCADE"), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    metric: Mapped[str] = mapped_column(String(40), primary_key=True)
    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    # Concurrent writers spread over 16 rows per counter (the writing connection's pid % 16); reads add them up.
    shard: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger)
