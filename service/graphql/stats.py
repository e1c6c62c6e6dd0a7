"""Stats for dashboards over GraphQL: aggregates only (no subject reference, no input), scope `stats:read`: activity,
and (issue 18) check-ins, decisions, adherence and outcome-measure changes (service.graphql.stats_care).

A client's key sees its own activity; an operator key (an internal client) sees every client's, and may group by
client. Buckets are UTC days, ISO weeks (Monday) or months; a bucket counts what happened in it within [from, to).
"""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Annotated

import strawberry

from service.catalog.enums import Phase
from service.clients.auth import require
from service.clients.scopes import Scope
from service.db.tenancy import ALL_TENANTS, tenant_session
from service.graphql.context import Info
from service.graphql.permissions import requires
from service.graphql.stats_care import StatsAdherence, StatsOutcomeChange, outcome_changes
from service.lib.errors import Invalid
from service.stats import services
from service.stats.services import Counts, Point, ranked


@strawberry.enum(description="The width of a time bucket (UTC).")
class StatsBucket(Enum):
    # Lower case, as every other enum of the schema (and the values REST and the database use).
    day = "day"
    week = "week"
    month = "month"


@strawberry.type(
    description=(
        "How many times a key (a status, pattern, reason, muscle or exercise slug, or a check-in's or decision's "
        "kind) occurred."
    )
)
class KeyCount:
    key: str = strawberry.field(description="What was counted.")
    count: int = strawberry.field(description="How many times.")


def _key_counts(counts: dict[str, int], limit: int | None = None) -> list[KeyCount]:
    return [KeyCount(key=k, count=c) for k, c in ranked(counts, limit)]


@strawberry.type(description="An API client (the `client` dimension, operator keys only see others).")
class StatsClient:
    id: strawberry.ID = strawberry.field(description="The client's id.")
    name: str = strawberry.field(description="The client's name.")


@strawberry.type(description="Exercises prescribed in one program phase, most frequent first.")
class PhaseExercises:
    phase: str = strawberry.field(description="The phase.")
    exercises: list[KeyCount] = strawberry.field(description="Exercise slugs and how often they were prescribed.")


LIMIT = strawberry.argument(description="At most this many, 1 to 100.")


def _limit(value: int) -> int:
    if not 1 <= value <= 100:
        raise Invalid.field("limit", "must be between 1 and 100")
    return value


@strawberry.type(description="Activity of one bucket, or of the whole range in `totals`.")
class StatsPoint:
    start: date = strawberry.field(description="First day of the bucket (or of the range, in `totals`).")
    client: StatsClient | None = strawberry.field(description="Set when grouped by client.")
    assessments: int = strawberry.field(description="Assessments made.")
    by_status: list[KeyCount] = strawberry.field(description="Assessments by status (ok, refer).")
    by_pattern: list[KeyCount] = strawberry.field(description="Assessments showing each pattern.")
    referrals: int = strawberry.field(description="Assessments that referred the person to a clinician.")
    referral_rate: float | None = strawberry.field(description="Referrals / assessments; null without assessments.")
    programs: int = strawberry.field(description="Programs generated.")
    check_ins: int = strawberry.field(description="Check-ins recorded (daily routines and strength sessions).")
    check_ins_by_kind: list[KeyCount] = strawberry.field(description="Check-ins by kind (routine, session).")
    decisions: int = strawberry.field(description="Decisions made over check-ins and outcome measures.")
    decisions_by_kind: list[KeyCount] = strawberry.field(
        description="Decisions by kind (progress, hold, regress, simplify, refer)."
    )
    adherence: StatsAdherence = strawberry.field(description="Strength sessions done of those scheduled.")
    outcome_changes: list[StatsOutcomeChange] = strawberry.field(
        description="Each outcome measure with a change (NPRS, ODI, NDI, PSFS, in that order): its follow-ups."
    )
    counts: strawberry.Private[Counts]

    @strawberry.field(description="The reasons people were referred (red-flag codes), most frequent first.")
    def referral_reasons(self, limit: Annotated[int, LIMIT] = 20) -> list[KeyCount]:
        return _key_counts(self.counts.of("referral_reason"), _limit(limit))

    @strawberry.field(description="The most prescribed exercises of each phase, in phase order.")
    def top_exercises(
        self, limit: Annotated[int, strawberry.argument(description="At most this many per phase, 1 to 100.")] = 5
    ) -> list[PhaseExercises]:
        prescribed = self.counts.prescribed()
        order: list[str] = list(Phase)  # the phases' own order (StrEnum members are their string values)
        return [
            PhaseExercises(phase=phase, exercises=_key_counts(prescribed[phase], _limit(limit)))
            for phase in sorted(prescribed, key=lambda p: order.index(p) if p in order else len(order))
        ]

    @strawberry.field(description="The muscles most often found overactive.")
    def overactive_muscles(self, limit: Annotated[int, LIMIT] = 10) -> list[KeyCount]:
        return _key_counts(self.counts.of("overactive"), _limit(limit))

    @strawberry.field(description="The muscles most often found underactive.")
    def underactive_muscles(self, limit: Annotated[int, LIMIT] = 10) -> list[KeyCount]:
        return _key_counts(self.counts.of("underactive"), _limit(limit))

    @classmethod
    def of(cls, point: Point) -> StatsPoint:
        counts, activity = point.counts, point.care.activity
        return cls(
            start=point.start,
            client=StatsClient(id=strawberry.ID(str(point.client.id)), name=point.client.name)
            if point.client
            else None,
            assessments=counts.assessments,
            by_status=_key_counts(counts.of("status")),
            by_pattern=_key_counts(counts.of("pattern")),
            referrals=counts.referrals,
            referral_rate=counts.referral_rate,
            programs=counts.programs,
            check_ins=sum(activity.check_ins.values()),
            check_ins_by_kind=_key_counts(activity.check_ins),
            decisions=sum(activity.decisions.values()),
            decisions_by_kind=_key_counts(activity.decisions),
            adherence=StatsAdherence.of(activity.adherence),
            outcome_changes=outcome_changes(point.care.outcomes),
            counts=counts,
        )


@strawberry.type(description="Activity over a range of days: a series by bucket, and the range's totals.")
class Stats:
    from_: date = strawberry.field(name="from", description="The range's first day (inclusive).")
    to: date = strawberry.field(description="The day after the range (exclusive).")
    bucket: StatsBucket = strawberry.field(description="The width of the series' buckets.")
    series: list[StatsPoint] = strawberry.field(description="One point per bucket (per client when grouped).")
    totals: StatsPoint = strawberry.field(description="The whole range, every client of the report together.")
    client_totals: list[StatsPoint] = strawberry.field(
        description="The whole range per client, when grouped by client (`byClient`); empty otherwise."
    )


@strawberry.type
class StatsQuery:
    @strawberry.field(
        description=(
            "Aggregated activity between `from` (inclusive) and `to` (exclusive), UTC days. Your own activity, or "
            "every client's with an operator key; `byClient` adds the client dimension."
        ),
        permission_classes=[requires(Scope.stats_read)],
    )
    async def stats(
        self,
        info: Info,
        from_: Annotated[date, strawberry.argument(name="from", description="The first day (inclusive).")],
        to: Annotated[date, strawberry.argument(description="The day after the last (exclusive).")],
        bucket: Annotated[
            StatsBucket, strawberry.argument(description="The width of the series' buckets (UTC).")
        ] = StatsBucket.week,
        by_client: Annotated[
            bool,
            strawberry.argument(description="Add the client dimension: the series per client, and `clientTotals`."),
        ] = False,
    ) -> Stats:
        principal = require(info.context.principal, Scope.stats_read)
        tenant = ALL_TENANTS if principal.internal else principal.client_id
        await services.fold(info.context.runtime.statements)
        async with tenant_session(info.context.session_factory, tenant) as session:
            result = await services.report(
                session,
                from_,
                to,
                services.Bucket(bucket.value),
                by_client=by_client,
                outcome_rules=info.context.runtime.outcome_rules,
            )
        return Stats(
            from_=result.start,
            to=result.end,
            bucket=bucket,
            series=[StatsPoint.of(p) for p in result.series],
            totals=StatsPoint.of(result.total),
            client_totals=[StatsPoint.of(p) for p in result.client_totals],
        )
