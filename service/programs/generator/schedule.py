"""Scheduling: every week's sessions, filled phase by phase within the session's time budget."""

from __future__ import annotations

import math

import msgspec

from service.catalog.enums import Phase
from service.programs.catalog_index import ExerciseEntry
from service.programs.generator.dosing import DosePlan
from service.programs.generator.items import Planned, exercise_ref
from service.programs.schemas import Dose, Schedule, ScheduledItem, Session, Week

# The program's phases in order: how the program lists them and how every session runs them.
PHASES = (Phase.release, Phase.lengthen, Phase.strengthen, Phase.integrate)
TRAINING = (Phase.strengthen, Phase.integrate)  # the phases whose weekly volume is governed


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


def _measure(dose: Dose) -> int:
    return dose.reps or dose.hold_seconds or dose.duration_seconds or 1


def _lighter(dose: Dose, share: float) -> Dose:
    """About `share` of the work: fewer sets, or fewer reps where there is one set."""
    if dose.sets > 1:
        return msgspec.structs.replace(dose, sets=max(1, round(dose.sets * share)))
    if dose.reps is not None:
        return msgspec.structs.replace(dose, reps=max(1, round(dose.reps * share)))
    return dose


def _shed(dose: Dose) -> Dose:
    if dose.sets > 1:
        return msgspec.structs.replace(dose, sets=dose.sets - 1)
    if dose.reps is not None:
        return msgspec.structs.replace(dose, reps=dose.reps - 1)
    if dose.hold_seconds is not None:
        return msgspec.structs.replace(dose, hold_seconds=dose.hold_seconds - 1)
    return msgspec.structs.replace(dose, duration_seconds=(dose.duration_seconds or 2) - 1)


def _govern(training: dict[int, Dose], count: dict[int, int], light: bool, ceiling: float | None, share: float) -> None:
    """CLINICAL.md §5, in place, on the week's training items (strengthen and integrate; the mobility routine keeps
    its doses): a lighter week keeps about `share` of the work; any other week sheds sets, from the item doing the
    most, until its volume (sets x reps or seconds, times the sessions that hold the item) is within `ceiling`."""
    if light:
        for i, dose in training.items():
            training[i] = _lighter(dose, share)
        return
    while ceiling is not None and training_volume(training, count) > ceiling:
        # A set goes first; where every item is down to one set, a rep (or a second of a hold).
        heavy = [i for i in sorted(training) if training[i].sets > 1] or [
            i for i in sorted(training) if _measure(training[i]) > 1
        ]
        if not heavy:
            return
        most = max(heavy, key=lambda i: (training[i].sets * _measure(training[i]) * count[i], -i))
        training[most] = _shed(training[most])


def training_volume(training: dict[int, Dose], count: dict[int, int]) -> int:
    return sum(dose.sets * _measure(dose) * count[i] for i, dose in training.items())


def build_schedule(planned: list[Planned], doses: DosePlan, sessions_per_week: int, minutes: int) -> Schedule:
    """Fill each session within the budget, least-practised item of a phase first: one item of every phase, then
    release and lengthen up to their share of the session, then strengthen and integrate, then more preparation
    if time is left. Items a session cannot hold come first in the next one. Then the week's volume is governed:
    every fourth week is lighter, and no week rises more than 20 % over the last full one (CLINICAL.md §5)."""
    done = [0] * len(planned)
    budget = minutes * 60
    rules = doses.rules.schedule
    preparation_budget = budget * rules.preparation_share
    weeks = []
    last_full: float | None = None
    for week in range(1, doses.weeks + 1):
        costs: list[tuple[ExerciseEntry, Dose, int]] = []
        for plan in planned:
            entry = plan.start if plan.start is not None and week <= plan.until_week else plan.exercise
            dose = doses.dose(entry, plan.phase, week)
            costs.append((entry, dose, doses.seconds(dose)))
        chosen: list[list[int]] = []
        for _ in range(sessions_per_week):
            by_phase = {
                phase: sorted((i for i, p in enumerate(planned) if p.phase is phase), key=lambda i: (done[i], i))
                for phase in PHASES
            }
            picked, _used = _fill_session(by_phase, [cost for _, _, cost in costs], budget, preparation_budget)
            for i in picked:
                done[i] += 1
            chosen.append(sorted(picked, key=lambda i: (PHASES.index(planned[i].phase), i)))
        week_doses = {i: costs[i][1] for session in chosen for i in session}
        count = {i: sum(session.count(i) for session in chosen) for i in week_doses}
        training = {i: dose for i, dose in week_doses.items() if planned[i].phase in TRAINING}
        light = week % rules.lighter_week_every == 0
        ceiling = last_full * rules.weekly_rise_at_most if last_full is not None else None
        _govern(training, count, light, ceiling, rules.lighter_week_share)
        week_doses |= training
        if not light and (volume := training_volume(training, count)):
            last_full = volume  # a week whose sessions held no training sets no reference
        sessions = [
            Session(
                session=number,
                estimated_minutes=math.ceil(sum(doses.seconds(week_doses[i]) for i in order) / 60),
                items=[
                    ScheduledItem(phase=planned[i].phase, exercise=exercise_ref(costs[i][0]), dose=week_doses[i])
                    for i in order
                ],
            )
            for number, order in enumerate(chosen, start=1)
        ]
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
