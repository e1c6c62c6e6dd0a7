"""Revisions (CLINICAL.md §8): what a decision changes in a program.

`regress` and `simplify` change it; `progress` and `hold` keep it as it is (the schedule already moves on stage by
stage, and states the criteria), and `refer` pauses it. A changed program is generated again, by the same generator,
from the same assessment and parameters with the decision's changes: the exercises that hurt go to their catalogue
regressions (they stay out of later revisions too), or the sessions become fewer and shorter. Everything the
generator guarantees — no exercise a condition or restriction rules out, the doses, the week's shape — therefore
holds for every revision as for the first program.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import msgspec

from service.assessments.schemas import Assessment
from service.checkins.schemas import Decision, DecisionKind
from service.programs.catalog_index import CatalogIndex
from service.programs.generator import generate
from service.programs.rules import ProgramRules
from service.programs.schemas import ProgramBody, ProgramRequest, Weekday

CHANGES_PROGRAM = (DecisionKind.regress, DecisionKind.simplify)


@dataclass(frozen=True)
class Revised:
    body: ProgramBody
    regressed: dict[str, str]
    """Every exercise sent to its regressions so far (slug → why): the next revision keeps them out."""
    changes: list[str]
    """What changed, in plain words."""


def request_of(program: ProgramBody) -> ProgramRequest:
    """The request that generates `program` again: its parameters, every default filled in."""
    p = program.parameters
    return ProgramRequest(
        assessment_id=program.assessment_id,
        weeks=p.weeks,
        sessions_per_week=p.sessions_per_week,
        days=list(p.days),
        starts_on=p.starts_on,
        session_minutes=p.session_minutes,
        level=p.level,
        available_equipment=list(p.available_equipment),
        exclude_exercises=list(p.exclude_exercises),
        conditions=list(p.conditions),
    )


def revise(
    program: ProgramBody,
    decision: Decision,
    assessment: Assessment,
    catalog: CatalogIndex,
    rules: ProgramRules,
    regressed: Mapping[str, str] | None = None,
) -> Revised | None:
    """The program `decision` makes of `program` (whose earlier revisions regressed `regressed`); None when the
    decision keeps the program as it is."""
    if decision.kind not in CHANGES_PROGRAM:
        return None
    request = request_of(program)
    now = dict(regressed or {})
    if decision.kind is DecisionKind.regress:
        exercises = program.exercises()
        reason = (
            f"It hurt more than it should in your sessions up to {decision.made_on.isoformat()}: an easier exercise "
            "takes its place (its regression, where there is one)."
        )
        now |= {exercises[pid].slug: reason for pid in decision.regress if pid in exercises}
    if decision.kind is DecisionKind.simplify and decision.simplify is not None:
        count = decision.simplify.sessions_per_week
        request = msgspec.structs.replace(
            request,
            sessions_per_week=count,
            session_minutes=decision.simplify.session_minutes,
            days=_spread(request.days or [], count),
        )
    body = generate(assessment, request, catalog, rules, now)
    return Revised(body=body, regressed=now, changes=_changes(program, body))


def _spread(days: list[Weekday], count: int) -> list[Weekday]:
    """`count` of the person's days, as evenly spread through the week as they allow (mon, wed, fri → mon, fri)."""
    if len(days) <= count:
        return days
    return [days[int(i * len(days) / count + 0.5)] for i in range(count)]


def _changes(before: ProgramBody, after: ProgramBody) -> list[str]:
    changes = []
    old, new = before.parameters, after.parameters
    if (old.sessions_per_week, old.session_minutes) != (new.sessions_per_week, new.session_minutes):
        changes.append(
            f"{old.sessions_per_week} strength sessions a week of {old.session_minutes} minutes become "
            f"{new.sessions_per_week} of {new.session_minutes} minutes, on {', '.join(d.value for d in new.days)}."
        )
    was = {e.slug: e.name for e in before.exercises().values()}
    now = {e.slug: e.name for e in after.exercises().values()}
    if out := sorted(was.keys() - now.keys()):
        changes.append("Out: " + ", ".join(was[slug] for slug in out) + ".")
    if added := sorted(now.keys() - was.keys()):
        changes.append("In: " + ", ".join(now[slug] for slug in added) + ".")
    return changes
