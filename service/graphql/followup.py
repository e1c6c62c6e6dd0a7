"""A program's revisions and progress over GraphQL (issue 18): the same domain reads as REST's
`/v1/programs/{id}/revisions` and `/progress` (service.checkins.services, service.checkins.progress), batched across
the programs of a list. A revision's whole program is loaded only when asked for: a list of revisions reads what
changed and why, not every body."""

import datetime as dt
import uuid
from typing import TYPE_CHECKING, Annotated, Any

import strawberry

from service.checkins import schemas as s
from service.clients.scopes import Scope
from service.graphql.context import Info
from service.graphql.decisions import Decision, decision_of
from service.graphql.outcomes import Measure, OutcomeChange, change_of
from service.graphql.permissions import requires
from service.programs import schemas as program_schemas

if TYPE_CHECKING:
    from service.graphql.programs import Program, ProgramStatus


@strawberry.type(description="One revision of a program: what changed, why, and the whole program it became.")
class Revision:
    number: int = strawberry.field(description="1: as generated; each later one made by a decision.")
    created_at: dt.datetime = strawberry.field(description="When it was made.")
    changes: list[str] = strawberry.field(description="What changed against the revision before, in plain words.")
    decision: Decision | None = strawberry.field(description="The decision that made it; null for revision 1.")
    program_id: strawberry.Private[uuid.UUID]

    @strawberry.field(description="The program as this revision made it (loaded only when asked for; batched).")
    async def program(self, info: Info) -> Annotated["Program", strawberry.lazy("service.graphql.programs")] | None:
        from service.graphql.programs import Program

        found = await info.context.loaders.revision_programs.load((self.program_id, self.number))
        return Program.from_domain(found) if found is not None else None

    @classmethod
    def from_domain(cls, program_id: uuid.UUID, r: s.Revision) -> "Revision":
        return cls(
            number=r.number,
            created_at=r.created_at,
            changes=r.changes,
            decision=decision_of(r.decision),
            program_id=program_id,
        )


async def program_revisions(root: Any, info: Info) -> list[Revision]:
    """A program's `revisions`: batched across the programs of a list."""
    program_id = uuid.UUID(str(root.id))
    found = await info.context.loaders.revisions.load((program_id, root.created_at))
    return [Revision.from_domain(program_id, r) for r in found]


def revisions_field() -> Any:
    """A program's and a summary's `revisions`: one resolver for both (a field object belongs to one type)."""
    return strawberry.field(
        resolver=program_revisions,
        description=(
            "Every revision, first to last: 1 is the program as generated, each later one made by a check-in or "
            "outcome decision, with what changed and why (batched)."
        ),
        permission_classes=[requires(Scope.programs_read)],
    )


@strawberry.type(description="One program week as the person's check-ins tell it.")
class WeekProgress:
    week: int = strawberry.field(description="The program week (1 from `startsOn` of the program).")
    starts_on: dt.date = strawberry.field(description="Its first day.")
    sessions_scheduled: int = strawberry.field(
        description="Strength sessions the revision in force when it began sets for it."
    )
    sessions_done: int = strawberry.field(description="Days with a strength session checked in.")
    routines_done: int = strawberry.field(description="Days with the daily routine checked in.")
    adherence: float | None = strawberry.field(
        description="Sessions done of those scheduled (0-1, capped at 1); null when none is scheduled."
    )
    pain_before: float | None = strawberry.field(description="Mean pain before, 0-10; null without check-ins.")
    pain_during_worst: int | None = strawberry.field(
        description="The worst pain during any check-in, 0-10; null without check-ins."
    )
    pain_next_morning: float | None = strawberry.field(
        description="Mean next-morning pain of those given, 0-10; null when none was."
    )


@strawberry.type(description="One outcome measure on the trend: its score and its change against the first taking.")
class MeasurePoint:
    measure: Measure = strawberry.field(description="Which measure.")
    taken_on: dt.date = strawberry.field(description="The day it was answered.")
    score: float = strawberry.field(description="The score (see the measure's `score`).")
    change: OutcomeChange | None = strawberry.field(description="Against the first taking; null for that one.")


@strawberry.type(description="A decision as it was made, and what it was made after.")
class DecisionMade:
    decision: Decision = strawberry.field(description="What it said.")
    check_in_id: strawberry.ID | None = strawberry.field(
        description="The check-in it was made after; null after a measure, or once that check-in is erased."
    )
    outcome_id: strawberry.ID | None = strawberry.field(
        description="The measure it was made after; null after a check-in, or once that measure is erased."
    )
    created_at: dt.datetime = strawberry.field(description="When it was made.")


def _id(value: uuid.UUID | None) -> strawberry.ID | None:
    return strawberry.ID(str(value)) if value is not None else None


@strawberry.type(
    description=(
        "How a program is going: adherence and pain week by week, the outcome measures with their meaningful-change "
        "markers, and every decision so far."
    )
)
class Progress:
    program_id: strawberry.ID = strawberry.field(description="The program.")
    revision: int = strawberry.field(description="Its current revision.")
    # Lazily: service.graphql.programs registers the enum, and imports this module first.
    status: Annotated["ProgramStatus", strawberry.lazy("service.graphql.programs")] = strawberry.field(
        description="`active` or `paused`."
    )
    weeks: list[WeekProgress] = strawberry.field(
        description="Every program week begun by today (or by its end), in order."
    )
    outcomes: list[MeasurePoint] = strawberry.field(description="The assessment's measures, in the order taken.")
    decisions: list[DecisionMade] = strawberry.field(description="Every decision so far, oldest first.")

    @classmethod
    def from_domain(cls, p: s.Progress) -> "Progress":
        return cls(
            program_id=strawberry.ID(str(p.program_id)),
            revision=p.revision,
            status=program_schemas.ProgramStatus(p.status),
            weeks=[
                WeekProgress(
                    week=w.week,
                    starts_on=w.starts_on,
                    sessions_scheduled=w.sessions_scheduled,
                    sessions_done=w.sessions_done,
                    routines_done=w.routines_done,
                    adherence=w.adherence,
                    pain_before=w.pain_before,
                    pain_during_worst=w.pain_during_worst,
                    pain_next_morning=w.pain_next_morning,
                )
                for w in p.weeks
            ],
            outcomes=[
                MeasurePoint(measure=Measure(o.measure), taken_on=o.taken_on, score=o.score, change=change_of(o.change))
                for o in p.outcomes
            ],
            decisions=[
                DecisionMade(
                    decision=Decision.from_domain(d.decision),
                    check_in_id=_id(d.check_in_id),
                    outcome_id=_id(d.outcome_id),
                    created_at=d.created_at,
                )
                for d in p.decisions
            ],
        )


async def program_progress(root: Any, info: Info) -> Progress | None:
    """A program's `progress`: batched across the programs of a list."""
    found = await info.context.loaders.progress.load(uuid.UUID(str(root.id)))
    return Progress.from_domain(found) if found is not None else None


def progress_field() -> Any:
    """A program's and a summary's `progress`: one resolver for both (a field object belongs to one type)."""
    return strawberry.field(
        resolver=program_progress,
        description=(
            "How it is going (REST: GET /v1/programs/{id}/progress): strength sessions done of those scheduled and "
            "pain, week by week; its assessment's outcome measures; every decision so far. Null when retired "
            "(batched)."
        ),
        permission_classes=[requires(Scope.programs_read)],
    )
