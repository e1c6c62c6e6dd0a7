"""Scheduling: every week's sessions, filled phase by phase within the session's time budget."""

from __future__ import annotations

import math

from service.catalog.enums import Phase
from service.programs.catalog_index import ExerciseEntry
from service.programs.generator.dosing import DosePlan
from service.programs.generator.items import Planned, exercise_ref
from service.programs.schemas import Dose, Schedule, ScheduledItem, Session, Week

# The program's phases in order: how the program lists them and how every session runs them.
PHASES = (Phase.release, Phase.lengthen, Phase.strengthen, Phase.integrate)


def _fill_session(
    by_phase: dict[Phase, list[int]], seconds: list[int], budget: int, preparation_budget: float
) -> tuple[list[int], int]:
    """The items of one session (indexes) and their seconds."""
    chosen: list[int] = []
    used = 0

    def take(i: int, limit: float) -> bool:
        nonlocal used
        if i in chosen or used + seconds[i] > limit:
            return False
        chosen.append(i)
        used += seconds[i]
        return True

    preparation = (Phase.release, Phase.lengthen)
    for phase in PHASES:
        next((i for i in by_phase[phase] if take(i, budget)), None)
    for phase in preparation:
        for i in by_phase[phase]:
            take(i, preparation_budget)
    for phase in (Phase.strengthen, Phase.integrate, *preparation):
        for i in by_phase[phase]:
            take(i, budget)
    return chosen, used


def build_schedule(planned: list[Planned], doses: DosePlan, sessions_per_week: int, minutes: int) -> Schedule:
    """Fill each session within the budget, least-practised item of a phase first: one item of every phase, then
    release and lengthen up to their share of the session, then strengthen and integrate, then more preparation
    if time is left. Items a session cannot hold come first in the next one."""
    done = [0] * len(planned)
    budget = minutes * 60
    preparation_budget = budget * doses.rules.schedule.preparation_share
    weeks = []
    for week in range(1, doses.weeks + 1):
        costs: list[tuple[ExerciseEntry, Dose, int]] = []
        for plan in planned:
            entry = plan.start if plan.start is not None and week <= plan.until_week else plan.exercise
            dose = doses.dose(entry, plan.phase, week)
            costs.append((entry, dose, doses.seconds(dose)))
        sessions = []
        for number in range(1, sessions_per_week + 1):
            by_phase = {
                phase: sorted((i for i, p in enumerate(planned) if p.phase is phase), key=lambda i: (done[i], i))
                for phase in PHASES
            }
            chosen, used = _fill_session(by_phase, [cost for _, _, cost in costs], budget, preparation_budget)
            for i in chosen:
                done[i] += 1
            order = sorted(chosen, key=lambda i: (PHASES.index(planned[i].phase), i))
            sessions.append(
                Session(
                    session=number,
                    estimated_minutes=math.ceil(used / 60),
                    items=[
                        ScheduledItem(phase=planned[i].phase, exercise=exercise_ref(costs[i][0]), dose=costs[i][1])
                        for i in order
                    ],
                )
            )
        stage = doses.stage(week)
        starts = week > 1 and doses.stage(week - 1) is not stage
        weeks.append(
            Week(
                week=week,
                stage=stage.name,
                sessions=sessions,
                move_on_when=" ".join(doses.rules.irritability.move_on_when.split()) if starts else None,
            )
        )
    return Schedule(weeks=weeks)
