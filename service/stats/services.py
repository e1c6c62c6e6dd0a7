"""Stats: the activity counters grouped by time bucket (and client), in one SQL statement.

The session decides whose counters are read: a tenant session sees its client's only (service.db.tenancy),
the operator's ALL_TENANTS session sees every client's. Empty buckets are filled in so that a chart's time axis
has no holes.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from sqlalchemy import Date, DateTime, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.clients.models import ApiClient
from service.lib.errors import Invalid
from service.stats.models import ActivityCount

MAX_BUCKETS = 1000
PRESCRIBED = "prescribed:"


class Bucket(StrEnum):
    day = "day"
    week = "week"  # ISO weeks, starting on Monday
    month = "month"


def bucket_start(day: date, bucket: Bucket) -> date:
    if bucket is Bucket.week:
        return day - timedelta(days=day.weekday())
    if bucket is Bucket.month:
        return day.replace(day=1)
    return day


def bucket_starts(start: date, end: date, bucket: Bucket) -> list[date]:
    """Every bucket that overlaps [start, end)."""
    starts = []
    current = bucket_start(start, bucket)
    while current < end:
        starts.append(current)
        try:
            if bucket is Bucket.day:
                current += timedelta(days=1)
            elif bucket is Bucket.week:
                current += timedelta(days=7)
            else:
                current = (current.replace(day=28) + timedelta(days=4)).replace(day=1)
        except OverflowError:
            break  # the bucket after the last one of year 9999: `end` (a date too) cannot lie beyond it
        if len(starts) > MAX_BUCKETS:
            break
    return starts


@dataclass
class Counts:
    """The counters of one bucket (or of the whole range), for one client or for all."""

    by_metric: dict[str, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))

    def add(self, metric: str, key: str, count: int) -> None:
        self.by_metric[metric][key] = self.by_metric[metric].get(key, 0) + count

    def of(self, metric: str) -> dict[str, int]:
        return self.by_metric.get(metric, {})

    @property
    def assessments(self) -> int:
        return sum(self.of("status").values())

    @property
    def referrals(self) -> int:
        return self.of("status").get("refer", 0)

    @property
    def referral_rate(self) -> float | None:
        return round(self.referrals / self.assessments, 4) if self.assessments else None

    @property
    def programs(self) -> int:
        return self.of("programs").get("", 0)

    def prescribed(self) -> dict[str, dict[str, int]]:
        return {m.removeprefix(PRESCRIBED): keys for m, keys in self.by_metric.items() if m.startswith(PRESCRIBED)}


def ranked(counts: dict[str, int], limit: int | None = None) -> list[tuple[str, int]]:
    """Most frequent first, then by key: a stable order for equal counts."""
    return sorted(((k, c) for k, c in counts.items() if c > 0), key=lambda kc: (-kc[1], kc[0]))[:limit]


@dataclass
class ClientRef:
    id: uuid.UUID
    name: str


@dataclass
class Point:
    start: date
    client: ClientRef | None
    counts: Counts


@dataclass
class Report:
    start: date
    end: date
    bucket: Bucket
    series: list[Point]
    # The whole range (`start` is the range's start): every client together, and per client when grouped.
    total: Point
    client_totals: list[Point]


async def report(session: AsyncSession, start: date, end: date, bucket: Bucket, *, by_client: bool) -> Report:
    if end <= start:
        raise Invalid.field("to", "must be after `from`")
    starts = bucket_starts(start, end, bucket)
    if len(starts) > MAX_BUCKETS:
        raise Invalid.field("bucket", f"at most {MAX_BUCKETS} buckets: choose a larger bucket or a shorter range")
    table = ActivityCount
    # On a plain timestamp: date_trunc of a timestamptz would depend on the session's time zone.
    bucket_column = cast(func.date_trunc(bucket.value, cast(table.day, DateTime)), Date).label("start")
    client_column = table.client_id if by_client else None
    columns = [bucket_column, table.metric, table.key, func.sum(table.count).label("total")]
    if client_column is not None:
        columns.append(client_column)
    query = (
        select(*columns)
        .where(table.day >= start, table.day < end)
        .group_by(*(c for c in (bucket_column, table.metric, table.key, client_column) if c is not None))
    )
    rows = (await session.execute(query)).all()

    clients: dict[uuid.UUID, ClientRef] = {}
    if by_client:
        ids = {row.client_id for row in rows}
        if ids:
            named = await session.execute(select(ApiClient.id, ApiClient.name).where(ApiClient.id.in_(ids)))
            clients = {cid: ClientRef(cid, name) for cid, name in named.all()}

    series: dict[tuple[date, uuid.UUID | None], Counts] = {}
    totals: dict[uuid.UUID | None, Counts] = {}
    total = Counts()
    for row in rows:
        client_id = row.client_id if by_client else None
        series.setdefault((row.start, client_id), Counts()).add(row.metric, row.key, int(row.total))
        totals.setdefault(client_id, Counts()).add(row.metric, row.key, int(row.total))
        total.add(row.metric, row.key, int(row.total))
    keys = sorted(totals, key=lambda c: (clients[c].name, str(c)) if c else ("", ""))
    if not by_client:
        keys = [None]
    return Report(
        start=start,
        end=end,
        bucket=bucket,
        series=[Point(s, clients.get(c) if c else None, series.get((s, c), Counts())) for s in starts for c in keys],
        total=Point(start, None, total),
        client_totals=[Point(start, clients.get(c) if c else None, totals[c]) for c in keys] if by_client else [],
    )
