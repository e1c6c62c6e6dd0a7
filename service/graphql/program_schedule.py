"""A program's schedule over GraphQL: the weeks (a client asks for the one it renders), their routine and sessions,
and how doses change over them; the same shape as REST's `schedule`."""

import datetime as dt
from typing import Annotated

import msgspec
import strawberry

from service.graphql.assessment_enums import OneSide
from service.programs import schemas as s

strawberry.enum(s.Weekday, description="A day of the week.")  # registered here, before the types using it
Weekday = s.Weekday


@strawberry.type(description="The fields of a dose that change; a null field stays as in the prescription's own dose.")
class DosePatch:
    sets: int | None = strawberry.field(description="Sets.")
    reps: int | None = strawberry.field(description="Repetitions per set.")
    hold_seconds: int | None = strawberry.field(description="Seconds each hold lasts.")
    duration_seconds: int | None = strawberry.field(description="Seconds per set (and per side when `perSide`).")
    per_side: bool | None = strawberry.field(description="Whether the dose is per side.")
    tempo: str | None = strawberry.field(description="Seconds lowering-pause-lifting-pause, e.g. `3-0-1-0`.")
    rest_seconds: int | None = strawberry.field(description="Rest between sets, in seconds.")
    intensity: str | None = strawberry.field(description="How hard, in words (effort, RPE).")
    weaker_side: OneSide | None = strawberry.field(description="The side that gets one extra set, first.")


@strawberry.type(description="From `fromWeek` to `toWeek`, these prescriptions' doses change by `dose`.")
class DoseChange:
    prescriptions: list[str] = strawberry.field(description="The prescriptions' ids.")
    from_week: int = strawberry.field(description="The first week of the change.")
    to_week: int = strawberry.field(description="The last week of the change.")
    dose: DosePatch = strawberry.field(description="The fields that change; the others stay as they are.")


@strawberry.type(description="The daily mobility routine of a week, the same every day of it.")
class Routine:
    items: list[str] = strawberry.field(description="Prescription ids, in order.")
    estimated_minutes: int = strawberry.field(description="About how long it takes.")


@strawberry.type(description="A strength session: the warm-up, any preparation, then the training items.")
class Session:
    day: Weekday = strawberry.field(description="The day of the session.")
    preparation: list[str] = strawberry.field(
        description="Release and lengthen prescription ids the daily routine has no room for, done after the warm-up."
    )
    items: list[str] = strawberry.field(description="Training prescription ids (8 at most), in order.")
    estimated_minutes: int = strawberry.field(
        description="About how long it takes: warm-up, set-up and changes between exercises included."
    )


@strawberry.type(description="One week of the program: its daily routine and its strength sessions.")
class Week:
    week: int = strawberry.field(description="The week's number, from 1.")
    stage: str = strawberry.field(description="Progression stage: foundation, volume or load.")
    lighter: bool = strawberry.field(
        description=(
            "A lighter week (about 60 % of the training volume, never a heavier load than the week before): every "
            "fourth week unless the program ends the week after it, and the last; a reassessment follows each."
        )
    )
    routine: Routine = strawberry.field(description="The daily mobility routine.")
    sessions: list[Session] = strawberry.field(description="The strength sessions, by day.")
    rest_days: list[Weekday] = strawberry.field(description="Days without strength work (the routine stays).")
    no_strength_work: str | None = strawberry.field(
        description=(
            "Why one of the chosen strength days holds no session this week (it is then among `restDays`); null "
            "when every chosen day holds one."
        )
    )
    move_on_when: str | None = strawberry.field(
        description="On the first week of a stage: what must hold before starting it; otherwise repeat the week before."
    )

    @classmethod
    def from_domain(cls, week: s.Week) -> "Week":
        return cls(
            week=week.week,
            stage=week.stage,
            lighter=week.lighter,
            routine=Routine(items=week.routine.items, estimated_minutes=week.routine.estimated_minutes),
            sessions=[
                Session(day=x.day, preparation=x.preparation, items=x.items, estimated_minutes=x.estimated_minutes)
                for x in week.sessions
            ],
            rest_days=week.rest_days,
            no_strength_work=week.no_strength_work,
            move_on_when=week.move_on_when,
        )


@strawberry.type(description="The warm-up done at the start of every strength session.")
class WarmUp:
    minutes: int = strawberry.field(description="How long it takes.")
    steps: list[str] = strawberry.field(description="What to do, in order.")


@strawberry.type(description="When to measure progress again.")
class Reassessment:
    week: int = strawberry.field(description="At the end of this week.")
    date: dt.date = strawberry.field(description="The last day of that week.")
    tests: list[str] = strawberry.field(description="What to measure again, in words.")


@strawberry.type(description="When to do what: the weeks, their sessions, and how doses change over them.")
class Schedule:
    days: list[Weekday] = strawberry.field(description="The weekdays of the strength sessions.")
    warm_up: WarmUp = strawberry.field(description="Done at the start of every strength session.")
    reassessments: list[Reassessment] = strawberry.field(
        description="When to measure progress again (after a lighter week, and at the end)."
    )
    domain: strawberry.Private[s.Schedule]

    @strawberry.field(description="The weeks, or only week `number` (what a client renders).")
    def weeks(
        self,
        number: Annotated[int | None, strawberry.argument(description="Only this week; every week when null.")] = None,
    ) -> list[Week]:
        return [Week.from_domain(w) for w in self.domain.weeks if number is None or w.week == number]

    @strawberry.field(description="The dose changes, or only those that hold in week `week`.")
    def dose_changes(
        self,
        week: Annotated[
            int | None, strawberry.argument(description="Only the changes holding in this week; all when null.")
        ] = None,
    ) -> list[DoseChange]:
        return [
            DoseChange(
                prescriptions=c.prescriptions,
                from_week=c.from_week,
                to_week=c.to_week,
                dose=DosePatch(**msgspec.structs.asdict(c.dose)),
            )
            for c in self.domain.dose_changes
            if week is None or c.from_week <= week <= c.to_week
        ]
