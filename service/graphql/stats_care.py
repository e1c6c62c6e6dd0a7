"""Issue 18's stats over GraphQL: check-ins, decisions, adherence and outcome-measure changes of a stats point.
Aggregates only: counts, sums and rates, never a person's row (service.stats.care, service.stats.outcome_changes)."""

from __future__ import annotations

from enum import Enum

import strawberry

from service.stats.care import Adherence
from service.stats.outcome_changes import CHANGING, MeasureChanges


@strawberry.enum(description="An outcome measure that has a change against its baseline (STarT Back has none).")
class StatsMeasure(Enum):
    # Lower case, as every other enum of the schema (and the values REST and the database use).
    nprs = "nprs"
    odi = "odi"
    ndi = "ndi"
    psfs = "psfs"


assert [m.value for m in StatsMeasure] == [m.value for m in CHANGING]


@strawberry.type(
    description=(
        "Strength sessions done against those scheduled, over the program-weeks that began in the bucket and are "
        "over. A program-week (7 days from the program's start, week after week) counts when the program has at "
        "least one check-in in it; done are its distinct days with a session check-in, capped at the sessions its "
        "revision scheduled (each program-week counts at most 1)."
    )
)
class StatsAdherence:
    program_weeks: int = strawberry.field(description="Program-weeks counted: over, with at least one check-in.")
    sessions_done: int = strawberry.field(
        description="Days with a session check-in, each program-week's capped at its sessions scheduled."
    )
    sessions_scheduled: int = strawberry.field(description="The sessions those program-weeks scheduled.")
    rate: float | None = strawberry.field(
        description="sessionsDone / sessionsScheduled, 0 to 1; null without a program-week."
    )

    @classmethod
    def of(cls, adherence: Adherence) -> StatsAdherence:
        return cls(
            program_weeks=adherence.program_weeks,
            sessions_done=adherence.sessions_done,
            sessions_scheduled=adherence.sessions_scheduled,
            rate=adherence.rate,
        )


@strawberry.type(
    description=(
        "One outcome measure's follow-up takings (every taking after the first for an assessment) and their change "
        "against that first taking, as each outcome's `change` works it out."
    )
)
class StatsOutcomeChange:
    measure: StatsMeasure = strawberry.field(description="The measure.")
    follow_ups: int = strawberry.field(description="Follow-up takings.")
    mean_change: float | None = strawberry.field(
        description=(
            "The mean change against the baseline, in the measure's own units and better direction (positive: "
            "better; NPRS, ODI and NDI fall as they get better, PSFS rises); null without a follow-up."
        )
    )
    mcid_reached: int = strawberry.field(
        description="Follow-ups whose improvement reached the measure's minimal clinically important difference."
    )
    mcid_reached_rate: float | None = strawberry.field(
        description="mcidReached / followUps, 0 to 1; null without a follow-up."
    )

    @classmethod
    def of(cls, measure: str, changes: MeasureChanges) -> StatsOutcomeChange:
        return cls(
            measure=StatsMeasure(measure),
            follow_ups=changes.follow_ups,
            mean_change=changes.mean_change,
            mcid_reached=changes.mcid_reached,
            mcid_reached_rate=changes.mcid_reached_rate,
        )


def outcome_changes(measures: dict[str, MeasureChanges]) -> list[StatsOutcomeChange]:
    """Every measure with a change, in the measures' order, zero where none was taken."""
    return [StatsOutcomeChange.of(m.value, measures.get(m.value, MeasureChanges())) for m in CHANGING]
