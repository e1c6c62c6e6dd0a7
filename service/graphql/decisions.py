"""Decisions over GraphQL (issue 18): what a program does next after a check-in or an outcome measure, and why. The
types mirror REST's `Decision` field for field, in camelCase; a list field REST leaves out when empty is an empty list
here, and a value it leaves out is null."""

import datetime as dt

import msgspec
import strawberry

from service.checkins import schemas as s
from service.graphql.assessment_enums import Level as ConcernLevel

# strawberry.enum registers the enum class itself (and returns it): the name below is the class, so mypy takes it
# as a type.
strawberry.enum(
    s.DecisionKind,
    description=(
        "progress: move on as planned; hold: keep going as now; regress: what hurt goes to easier exercises; "
        "simplify: fewer, shorter sessions; refer: see a clinician (the program is paused)."
    ),
)
DecisionKind = s.DecisionKind


@strawberry.type(description="With a `refer` decision: whom to see, and how soon.")
class DecisionReferral:
    level: ConcernLevel = strawberry.field(description="How soon: emergency (today), urgent (days), routine.")
    message: str = strawberry.field(description="Whom to see and how soon, in plain words.")


@strawberry.type(description="With a `simplify` decision: the program's new shape, fewer and shorter sessions.")
class Simplification:
    sessions_per_week: int = strawberry.field(description="Strength sessions a week from now on.")
    session_minutes: int = strawberry.field(description="Minutes a session from now on.")


@strawberry.type(description="What the program does next, and why: made over the 7 days up to `madeOn`.")
class Decision:
    kind: DecisionKind = strawberry.field(description="What the program does next.")
    ruleset_version: str = strawberry.field(description="The version of the check-in rules that made it.")
    made_on: dt.date = strawberry.field(description="The day it is made for: the check-in's or the measure's.")
    week: int = strawberry.field(description="The program week `madeOn` falls in (1 from `startsOn`).")
    explanation: str = strawberry.field(description="What it means for the person, in plain words.")
    reasons: list[str] = strawberry.field(description="What led to it, each in plain words.")
    adherence: float | None = strawberry.field(
        description="Strength sessions done of those scheduled in the 7 days (0-1); null when none was scheduled."
    )
    regress: list[str] = strawberry.field(
        description="With `regress`: the prescriptions done in the sessions that hurt; empty otherwise."
    )
    simplify: Simplification | None = strawberry.field(description="With `simplify`: the new sessions.")
    refer: DecisionReferral | None = strawberry.field(description="With `refer`: whom to see, how soon.")
    revision: int | None = strawberry.field(
        description="The program revision it made; null when it kept the program as it was."
    )

    @classmethod
    def from_domain(cls, d: s.Decision) -> "Decision":
        return cls(
            kind=d.kind,
            ruleset_version=d.ruleset_version,
            made_on=d.made_on,
            week=d.week,
            explanation=d.explanation,
            reasons=d.reasons,
            adherence=d.adherence,
            regress=d.regress,
            simplify=Simplification(**msgspec.structs.asdict(d.simplify)) if d.simplify is not None else None,
            refer=DecisionReferral(level=d.refer.level, message=d.refer.message) if d.refer is not None else None,
            revision=d.revision,
        )


def decision_of(d: s.Decision | None) -> Decision | None:
    return Decision.from_domain(d) if d is not None else None
