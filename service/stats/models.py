"""Daily activity counters: the aggregates the operator dashboards read, kept by the database itself.

Triggers on `assessments` and `programs` (migrations/versions/*_activity_counts_*.py, *_counter_changes_*.py) queue
one change per row inserted, deleted or given a new body, cascades included, in the same transaction: the counters
per (client, UTC day, metric, key) it adds one to or takes one from. The stats fold the queue into the counters
before they read (service.stats.services.fold), so a stats query groups a few thousand counter rows instead of
scanning millions of records, and holds only aggregates: no subject reference, no input.

Metrics and their keys: `status` (ok, refer), `pattern` (pattern slug), `referral_reason` (red-flag code),
`overactive` and `underactive` (muscle slug), `programs` (key ''), `prescribed:<phase>` (exercise slug).
"""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import BigInteger, Column, Date, ForeignKey, Index, Integer, SmallInteger, String, Table, Text, Uuid
from sqlalchemy.dialects.postgresql import ARRAY
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
    # Counted before the change queue, concurrent writers spread over 16 rows per counter (the writing connection's
    # pid % 16); folds write shard 0. Reads add the shards up.
    shard: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    count: Mapped[int] = mapped_column(BigInteger)


# The queue of counter changes: written by the triggers, emptied by fold_activity_count_changes() (a table of the
# database's own bookkeeping, never queried by the service; no key: it is only ever appended to and emptied).
activity_count_changes = Table(
    "activity_count_changes",
    Base.metadata,
    Column("client_id", Uuid, ForeignKey("api_clients.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("day", Date, nullable=False),
    Column("delta", Integer, nullable=False),
    Column("metrics", ARRAY(Text), nullable=False),
    Column("keys", ARRAY(Text), nullable=False),
)
