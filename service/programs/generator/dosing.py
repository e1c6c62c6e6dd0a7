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


def _is_strength(entry: ExerciseEntry, phase: Phase) -> bool:
    """Whether `_dose` doses it as strength work (with an effort): what is none of the other kinds."""
    return phase is not Phase.release and entry.modality not in (
        "static_stretch",
        "dynamic_stretch",
        "mobility",
        "activation",
    )


def _grow(value: int | None, by: int, at_most: int) -> int | None:
    """An activation measure grown by `by`, never past `at_most` (nor below where it started)."""
    return None if value is None else max(value, min(value + by, at_most))


def _effort(spare: int, reps: int | None, bodyweight: bool) -> str:
    """Short, because it is repeated in every week's dose; the `effort` lesson of the program explains the terms.
    `spare`: the reps in reserve (RPE 10 minus them, 1 at least)."""
    effort = f"RPE {max(10 - spare, 1)} ({spare} reps in reserve)"
    if bodyweight:
        return f"{effort}; harder by tempo or version, never by adding weight"
    if reps is None:
        return effort
    return f"{effort}; choose a weight you could lift {reps + spare} times"


def lighter_weeks(weeks: int, every: int) -> frozenset[int]:
    """CLINICAL.md §5: every `every`-th week, unless the program ends the week after it, and the last week of a
    program of two weeks or more; each is followed by a reassessment, so a lighter week comes before every one."""
    return frozenset(range(every, weeks - 1, every)) | ({weeks} if weeks >= 2 else set())


@dataclass(frozen=True)
class DosePlan:
    """Doses over a program of `weeks` weeks for the person: each week's stage, each exercise's dose in it."""

    rules: ProgramRules
    person: Person
    weeks: int
    # Every week's stage, worked out once. A dose depends on the week's stage only, so the schedule asks for each
    # item's dose once per stage (schedule.build_schedule keeps it); a cache of doses here as well measured no faster.
    _stages: tuple[Stage, ...] = field(init=False, repr=False, compare=False)
    lighter: frozenset[int] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        stages = self.rules.dose.stages
        lighter = lighter_weeks(self.weeks, self.rules.schedule.lighter_week_every)
        by_week: list[Stage] = []
        for week in range(1, self.weeks + 1):
            stage = next(s for s in stages if (week - 1) / self.weeks < s.until)
            if week <= self.rules.dose.first_stage_weeks_at_least:
                stage = stages[0]
            # A lighter week keeps the stage before: its load never rises, and a stage starts after it.
            by_week.append(by_week[-1] if week in lighter and by_week else stage)
        object.__setattr__(self, "_stages", tuple(by_week))
        object.__setattr__(self, "lighter", lighter)

    def stage(self, week: int) -> Stage:
        return self._stages[week - 1]

    def until_week(self, fraction: float) -> int:
        """The last week of an easier start: the week before the first stage that starts after `fraction` of the
        weeks, so the harder exercise comes on that stage's criteria (CLINICAL.md §3), never in a lighter week; the
        program's last week when no stage starts after it."""
        for week in range(max(round(self.weeks * fraction) + 1, 2), self.weeks + 1):
            if self._stages[week - 1] is not self._stages[week - 2]:
                return week - 1
        return self.weeks

    def dose(self, entry: ExerciseEntry, phase: Phase, week: int) -> ProgramDose:
        return self.dose_at(entry, phase, self.stage(week))

    def dose_at(self, entry: ExerciseEntry, phase: Phase, stage: Stage) -> ProgramDose:
        """The dose of a stage. CLINICAL.md §2: a stretch of a muscle with a tighter side starts on that side and
        gets one more hold there; strength work for a muscle with a weaker side gets one more set there."""
        dose = self._dose(entry, phase, stage)
        if phase is Phase.release or not dose.per_side:
            return dose
        sides = self.person.tighter_side if phase is Phase.lengthen else self.person.weaker_side
        side = next((sides[m] for m in entry.primary_muscles if m in sides), None)
        return msgspec.structs.replace(dose, weaker_side=side) if side is not None else dose

    def with_fewer_reps(self, entry: ExerciseEntry, phase: Phase, stage: Stage, dose: ProgramDose) -> ProgramDose:
        """A strength dose of `stage` whose reps a lighter week or the weekly cap lowered, its effort said anew: the
        same weight (or version) for fewer reps leaves that many more reps in reserve (CLINICAL.md §5: a dose keeps
        its meaning)."""
        stage_dose = self._dose(entry, phase, stage)
        if not _is_strength(entry, phase) or dose.reps is None or stage_dose.reps in (None, dose.reps):
            return dose
        spare = 10 - self._rpe(stage) + stage_dose.reps - dose.reps
        return msgspec.structs.replace(dose, intensity=_effort(spare, dose.reps, entry.equipment <= UNLOADED))

    def _rpe(self, stage: Stage) -> int:
        strength = self.rules.dose.strength[self.person.level]
        return min(_along(strength.rpe, stage.load), self.rules.dose.rpe_at_most[self.person.irritability.value])

    def _dose(self, entry: ExerciseEntry, phase: Phase, stage: Stage) -> ProgramDose:
        """CLINICAL.md §5: a dose keeps its meaning. Stretches stay 2-4 holds of 20-30 s (or 8-12 controlled reps);
        activation keeps its holds and progresses by hold time or reps, never by load; strength follows the level's
        ranges with an effort the irritability allows, loaded lifts say how to choose the weight, and bodyweight
        work progresses by tempo or a harder version, never by adding weight."""
        base = entry.dose
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
        # One variable at a time (CLINICAL.md §5): the stage's `sets` step is volume; its `load` step is effort, which
        # a loaded lift reaches by trading reps for weight, bodyweight work by tempo or a harder version (its reps
        # stay), and a hold by holding longer.
        strength = rules.strength[self.person.level]
        bodyweight = entry.equipment <= UNLOADED
        reps = None
        if base.reps is not None:
            reps = _along(strength.reps, 0) if bodyweight else _along(strength.reps, 2 - stage.load)
        return ProgramDose(
            sets=_along(strength.sets, stage.sets),
            reps=reps,
            hold_seconds=base.hold_seconds + 5 * (stage.load // 2) if base.hold_seconds is not None else None,
            duration_seconds=base.duration_seconds,
            per_side=base.per_side,
            tempo=base.tempo,
            rest_seconds=base.rest_seconds,
            intensity=_effort(10 - self._rpe(stage), reps, bodyweight),
        )

    def seconds(self, dose: ProgramDose) -> int:
        rules = self.rules.dose
        if dose.reps is not None:
            per_rep = sum(int(d) for d in dose.tempo.split("-")) if dose.tempo else rules.seconds_per_rep
            work = dose.reps * max(per_rep, 1)
        else:
            work = dose.hold_seconds or dose.duration_seconds or 0
        # The weaker (or tighter) side's extra set: one side's work more, and a rest before it.
        extra = work + dose.rest_seconds if dose.per_side and dose.weaker_side is not None else 0
        if dose.per_side:
            work *= 2
        return dose.sets * work + (dose.sets - 1) * dose.rest_seconds + extra + rules.setup_seconds
