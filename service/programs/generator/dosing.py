"""Dosing: an exercise's dose for the person and the week's stage, and the seconds it takes."""

from __future__ import annotations

from dataclasses import dataclass, field

import msgspec

from service.catalog.enums import Phase
from service.programs.catalog_index import ExerciseEntry
from service.programs.generator.person import Person
from service.programs.rules import ProgramRules, Range, Stage
from service.programs.schemas import ProgramDose

# Equipment that adds no load to choose: work with only these progresses by tempo or a harder version.
UNLOADED = frozenset({"bodyweight", "mat", "step", "wall", "bench", "exercise_ball"})


def _along(span: Range, step: int) -> int:
    """Step 0, 1 or 2 of the way from the low to the high end."""
    return span.low + int((span.high - span.low) * step / 2 + 0.5)  # halves round up


def _within(value: int, span: Range) -> int:
    return min(max(value, span.low), span.high)


def _grow(value: int | None, by: int, at_most: int) -> int | None:
    """An activation measure grown by `by`, never past `at_most` (nor below where it started)."""
    return None if value is None else max(value, min(value + by, at_most))


def _effort(rpe: int, reps: int | None, bodyweight: bool) -> str:
    """Short, because it is repeated in every week's dose; the `effort` lesson of the program explains the terms."""
    spare = 10 - rpe
    effort = f"RPE {rpe} ({spare} reps in reserve)"
    if bodyweight:
        return f"{effort}; harder by tempo or version, never by adding weight"
    if reps is None:
        return effort
    return f"{effort}; choose a weight you could lift {reps + spare} times"


@dataclass(frozen=True)
class DosePlan:
    """Doses over a program of `weeks` weeks for the person: each week's stage, each exercise's dose in it."""

    rules: ProgramRules
    person: Person
    weeks: int
    # Every week's stage, worked out once. A dose depends on the week's stage only, so the schedule asks for each
    # item's dose once per stage (schedule.build_schedule keeps it); a cache of doses here as well measured no faster.
    _stages: tuple[Stage, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        stages = self.rules.dose.stages
        by_week = tuple(
            next(s for s in stages if (week - 1) / self.weeks < s.until) for week in range(1, self.weeks + 1)
        )
        object.__setattr__(self, "_stages", by_week)

    def stage(self, week: int) -> Stage:
        return self._stages[week - 1]

    def until_week(self, fraction: float) -> int:
        return max(1, round(self.weeks * fraction))

    def dose(self, entry: ExerciseEntry, phase: Phase, week: int) -> ProgramDose:
        dose = self._dose(entry, phase, week)
        if phase is Phase.release or not dose.per_side:
            return dose
        side = next((self.person.weaker_side[m] for m in entry.primary_muscles if m in self.person.weaker_side), None)
        return msgspec.structs.replace(dose, weaker_side=side) if side is not None else dose

    def _dose(self, entry: ExerciseEntry, phase: Phase, week: int) -> ProgramDose:
        """CLINICAL.md §5: a dose keeps its meaning. Stretches stay 2-4 holds of 20-30 s (or 8-12 controlled reps);
        activation keeps its holds and progresses by hold time or reps, never by load; strength follows the level's
        ranges with an effort the irritability allows, loaded lifts say how to choose the weight, and bodyweight
        work progresses by tempo or a harder version, never by adding weight."""
        base = entry.dose
        stage = self.stage(week)
        step = stage.step
        rules = self.rules.dose
        if phase is Phase.release:
            return ProgramDose(
                sets=1,
                duration_seconds=rules.release_seconds[stage.name],
                per_side=base.per_side,
                rest_seconds=0,
                intensity="roll slowly; pause 20-30 s on tender spots",
            )
        if entry.modality == "static_stretch":
            holds = rules.static_stretch
            hold = _within(base.hold_seconds, holds["hold_seconds"]) if base.hold_seconds else None
            sets = -(-rules.static_stretch_seconds_a_day // hold) if hold else 0  # the fewest holds that reach it
            return ProgramDose(
                sets=min(max(sets, holds["sets"].low), holds["sets"].high),
                reps=base.reps,
                hold_seconds=hold,
                duration_seconds=base.duration_seconds,
                per_side=base.per_side,
                rest_seconds=base.rest_seconds,
                intensity=base.intensity,
            )
        if entry.modality in ("dynamic_stretch", "mobility"):
            moves = rules.dynamic_stretch
            return ProgramDose(
                sets=_within(base.sets, moves["sets"]),
                reps=_within(base.reps + 2 * step, moves["reps"]) if base.reps is not None else None,
                hold_seconds=base.hold_seconds,
                duration_seconds=base.duration_seconds,
                per_side=base.per_side,
                tempo=base.tempo,
                rest_seconds=base.rest_seconds,
                intensity=base.intensity,
            )
        if entry.modality == "activation":
            return ProgramDose(
                sets=base.sets,
                reps=_grow(base.reps, 2 * step, rules.activation_reps_at_most),
                hold_seconds=_grow(base.hold_seconds, 5 * step, rules.activation_hold_seconds_at_most),
                duration_seconds=base.duration_seconds,
                per_side=base.per_side,
                tempo=base.tempo,
                rest_seconds=base.rest_seconds,
                intensity=base.intensity,
            )
        strength = rules.strength[self.person.level]
        rpe = min(_along(strength.rpe, step), rules.rpe_at_most[self.person.irritability.value])
        bodyweight = entry.equipment <= UNLOADED
        reps = None
        if base.reps is not None:
            # Loaded work trades reps for load as it progresses; bodyweight work adds reps.
            reps = _along(strength.reps, step) if bodyweight else _along(strength.reps, 2 - step)
        return ProgramDose(
            sets=_along(strength.sets, step),
            reps=reps,
            hold_seconds=base.hold_seconds + 5 * step if base.hold_seconds is not None else None,
            duration_seconds=base.duration_seconds,
            per_side=base.per_side,
            tempo=base.tempo,
            rest_seconds=base.rest_seconds,
            intensity=_effort(rpe, reps, bodyweight),
        )

    def seconds(self, dose: ProgramDose) -> int:
        rules = self.rules.dose
        if dose.reps is not None:
            per_rep = sum(int(d) for d in dose.tempo.split("-")) if dose.tempo else rules.seconds_per_rep
            work = dose.reps * max(per_rep, 1)
        else:
            work = dose.hold_seconds or dose.duration_seconds or 0
        if dose.per_side:
            work *= 2
        return dose.sets * work + (dose.sets - 1) * dose.rest_seconds + rules.setup_seconds
