"""Stats: the activity counters grouped by time bucket (and client), in one SQL statement, and issue 18's
check-ins, adherence and outcome changes in the same buckets (service.stats.care, service.stats.outcome_changes).

The session decides whose counters are read: a tenant session sees its client's only (service.db.tenancy),
the operator's ALL_TENANTS session sees every client's. Empty buckets are filled in so that a chart's time axis
has no holes.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.clients.models import ApiClient
from service.db.oneshot import StatementPool, on_driver_connection
from service.lib.errors import Invalid
from service.outcomes.rules import OutcomeRules
from service.stats import care, outcome_changes
from service.stats.buckets import MAX_BUCKETS, Bucket, bucket_starts, truncated
from service.stats.care import Activity
from service.stats.models import ActivityCount
from service.stats.outcome_changes import Key, MeasureChanges

PRESCRIBED = "prescribed:"


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
class Care:
    """Issue 18's aggregates of one bucket (or of the whole range): check-ins and decisions by kind, adherence, and
    the outcome measures' changes (service.stats.care, service.stats.outcome_changes)."""

    activity: Activity = field(default_factory=Activity)
    outcomes: dict[str, MeasureChanges] = field(default_factory=outcome_changes.empty)

    def add(self, other: Care) -> None:
        self.activity.add(other.activity)
        for measure, changes in other.outcomes.items():
            self.outcomes.setdefault(measure, MeasureChanges()).add(changes)


@dataclass
class Point:
    start: date
    client: ClientRef | None
    counts: Counts
    care: Care = field(default_factory=Care)


@dataclass
class Report:
    start: date
    end: date
    bucket: Bucket
    series: list[Point]
    # The whole range (`start` is the range's start): every client together, and per client when grouped.
    total: Point
    client_totals: list[Point]


async def fold(statements: StatementPool) -> None:
    """Move the queued counter changes into the counters (service.stats.models), in one statement committed on its
    own: a report read after it counts every assessment and program written before it, but for those a concurrent
    fold is moving at that moment (this one then returns at once rather than wait for it)."""
    await on_driver_connection(statements, lambda connection: connection.execute(_FOLD))


_FOLD = "SELECT fold_activity_count_changes()"


async def report(
    session: AsyncSession,
    start: date,
    end: date,
    bucket: Bucket,
    *,
    by_client: bool,
    outcome_rules: OutcomeRules,
    today: date | None = None,
) -> Report:
    """The report of [start, end): a fixed number of statements whatever the number of rows (the counters, the
    check-ins and decisions, adherence, the outcome changes, and the clients' names when grouped by client)."""
    if end <= start:
        raise Invalid.field("to", "must be after `from`")
    starts = bucket_starts(start, end, bucket)
    if len(starts) > MAX_BUCKETS:
        raise Invalid.field("bucket", f"at most {MAX_BUCKETS} buckets: choose a larger bucket or a shorter range")
    table = ActivityCount
    bucket_column = truncated(table.day, bucket).label("start")
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
    cares = await _care(session, start, end, bucket, outcome_rules, today or datetime.now(UTC).date(), by_client)

    clients: dict[uuid.UUID, ClientRef] = {}
    if by_client:
        ids = {row.client_id for row in rows} | {c for _, c in cares if c is not None}
        if ids:
            named = await session.execute(select(ApiClient.id, ApiClient.name).where(ApiClient.id.in_(ids)))
            clients = {cid: ClientRef(cid, name) for cid, name in named.all()}

    series: dict[Key, Counts] = {}
    totals: dict[uuid.UUID | None, Counts] = {}
    total = Counts()
    for row in rows:
        client_id = row.client_id if by_client else None
        series.setdefault((row.start, client_id), Counts()).add(row.metric, row.key, int(row.total))
        totals.setdefault(client_id, Counts()).add(row.metric, row.key, int(row.total))
        total.add(row.metric, row.key, int(row.total))
    care_totals: dict[uuid.UUID | None, Care] = {}
    care_total = Care()
    for (_, client_id), one in cares.items():
        care_totals.setdefault(client_id, Care()).add(one)
        care_total.add(one)
    keys = sorted(totals.keys() | care_totals.keys(), key=lambda c: (clients[c].name, str(c)) if c else ("", ""))
    if not by_client:
        keys = [None]

    def point(at: date, client: uuid.UUID | None, counts: Counts | None, care: Care | None) -> Point:
        return Point(at, clients.get(client) if client else None, counts or Counts(), care or Care())

    return Report(
        start=start,
        end=end,
        bucket=bucket,
        series=[point(s, c, series.get((s, c)), cares.get((s, c))) for s in starts for c in keys],
        total=Point(start, None, total, care_total),
        client_totals=[point(start, c, totals.get(c), care_totals.get(c)) for c in keys] if by_client else [],
    )


async def _care(
    session: AsyncSession,
    start: date,
    end: date,
    bucket: Bucket,
    rules: OutcomeRules,
    today: date,
    by_client: bool,
) -> dict[Key, Care]:
    """Issue 18's aggregates per bucket (and client): four statements."""
    found: dict[Key, Care] = {}
    for key, activity in (await care.kinds(session, start, end, bucket, by_client=by_client)).items():
        found.setdefault(key, Care()).activity.add(activity)
    for key, adherence in (await care.adherence(session, start, end, bucket, today, by_client=by_client)).items():
        found.setdefault(key, Care()).activity.adherence.add(adherence)
    changes = await outcome_changes.changes(session, start, end, bucket, rules, by_client=by_client)
    for key, measures in changes.items():
        for measure, moved in measures.items():
            found.setdefault(key, Care()).outcomes.setdefault(measure, MeasureChanges()).add(moved)
    return found
