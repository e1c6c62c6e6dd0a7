"""Dosing: an exercise's dose for the person and the week's stage, and the seconds it takes."""

from __future__ import annotations

from dataclasses import dataclass

from service.catalog.enums import Phase
from service.programs.catalog_index import ExerciseEntry
from service.programs.generator.person import Person
from service.programs.rules import ProgramRules, Stage
from service.programs.schemas import Dose


@dataclass(frozen=True)
class DosePlan:
    """Doses over a program of `weeks` weeks for the person: each week's stage, each exercise's dose in it."""

    rules: ProgramRules
    person: Person
    weeks: int

    def stage(self, week: int) -> Stage:
        position = (week - 1) / self.weeks
        return next(s for s in self.rules.dose.stages if position < s.until)

    def until_week(self, fraction: float) -> int:
        return max(1, round(self.weeks * fraction))

    def dose(self, entry: ExerciseEntry, phase: Phase, week: int) -> Dose:
        base = entry.dose
        stage = self.stage(week)
        rules = self.rules.dose
        if phase is Phase.release:
            return Dose(
                sets=1,
                duration_seconds=rules.release_seconds[stage.name],
                per_side=base.per_side,
                rest_seconds=0,
                intensity="roll slowly; pause 20-30 s on tender spots",
            )
        if phase is Phase.lengthen:
            sets = base.sets - (1 if self.person.severe_pain and base.sets > 1 and stage.name == "foundation" else 0)
            return Dose(
                sets=sets,
                reps=base.reps + max(stage.reps, 0) if base.reps is not None else None,
                hold_seconds=base.hold_seconds + stage.hold_seconds if base.hold_seconds is not None else None,
                duration_seconds=base.duration_seconds,
                per_side=base.per_side,
                tempo=base.tempo,
                rest_seconds=base.rest_seconds,
                intensity=base.intensity,
            )
        sets = base.sets + rules.level_sets[self.person.level] + stage.sets
        if self.person.severe_pain and stage.name != "load":
            sets += rules.severe_pain_sets
        return Dose(
            sets=min(max(sets, 1), rules.max_sets),
            reps=max(base.reps + stage.reps, 5) if base.reps is not None else None,
            hold_seconds=base.hold_seconds + stage.hold_seconds if base.hold_seconds is not None else None,
            duration_seconds=base.duration_seconds + stage.hold_seconds if base.duration_seconds is not None else None,
            per_side=base.per_side,
            tempo=base.tempo,
            rest_seconds=base.rest_seconds,
            intensity=stage.intensity,
        )

    def seconds(self, dose: Dose) -> int:
        rules = self.rules.dose
        if dose.reps is not None:
            per_rep = sum(int(d) for d in dose.tempo.split("-")) if dose.tempo else rules.seconds_per_rep
            work = dose.reps * max(per_rep, 1)
        else:
            work = dose.hold_seconds or dose.duration_seconds or 0
        if dose.per_side:
            work *= 2
        return dose.sets * work + (dose.sets - 1) * dose.rest_seconds + rules.setup_seconds
