"""Items: for one target, the exercise chosen, its easier start, its dose and its rationale, or a gap."""

from __future__ import annotations

from dataclasses import dataclass, field

from service.catalog.enums import Phase
from service.programs.catalog_index import CatalogIndex, ExerciseEntry
from service.programs.generator.dosing import DosePlan
from service.programs.generator.selection import Choice, Selector
from service.programs.generator.targets import Found, Target, add_findings
from service.programs.generator.text import area_rationale, slot_rationale
from service.programs.schemas import ExerciseRef, Gap, ProgramItem, StartWith

STATIC = frozenset({"static_stretch"})
DYNAMIC = frozenset({"dynamic_stretch", "mobility"})


def exercise_ref(entry: ExerciseEntry) -> ExerciseRef:
    return ExerciseRef(slug=entry.slug, name=entry.name)


@dataclass
class Planned:
    """A target served: its program item (whose ids program.py fills in), and the exercises and weeks the schedule
    needs."""

    target: Target
    phase: Phase
    item: ProgramItem
    exercise: ExerciseEntry
    start: ExerciseEntry | None
    until_week: int
    serves: list[Found] = field(default_factory=list)
    """The findings it serves besides the item's `finding` (its target's, and those of targets it treats too)."""

    def absorb(self, target: Target) -> None:
        """`target` is served by this item: an exercise already prescribed in the phase treats its area."""
        served = [self.target.finding, *self.serves]
        add_findings(served, target.finding, *target.serves)
        self.serves = served[1:]


def plan_item(
    target: Target, selector: Selector, doses: DosePlan, catalog: CatalogIndex, planned: list[Planned]
) -> Planned | Gap | None:
    """The item serving `target`; None when an item of the phase already treats its area (that item then serves the
    target's findings too); a gap when nothing fits (the phase lists it unless the target is optional)."""
    phase = target.phase
    rules = doses.rules
    if phase in (Phase.release, Phase.lengthen):
        for plan in planned:
            if any(
                catalog.covers(target.muscle, m) or catalog.covers(m, target.muscle)
                for m in plan.exercise.primary_muscles
            ):
                plan.absorb(target)  # an exercise already prescribed treats the area (one ball for both pectorals)
                return None
    start_reason = ""
    start_until = doses.until_week(rules.dose.regression_until)
    # A stretch for a muscle with a tighter side: one done a side at a time first, so that side gets the extra hold
    # (CLINICAL.md §2). Strength slots keep their order (a squat stays a squat); their one-sided exercises (step-ups,
    # lunges) carry the weaker side's extra set.
    sided = phase is Phase.lengthen and any(m in selector.person.tighter_side for m in target.search)
    if phase is Phase.lengthen:
        dynamic = selector.choose(phase, target.search, target.dynamic or target.prefer, DYNAMIC, one_side_first=sided)
        static = None
        if dynamic is None or selector.person.severe_pain:
            static = selector.choose(phase, target.search, target.static or target.prefer, STATIC, one_side_first=sided)
        choice = dynamic or static
        if dynamic is not None and static is not None:
            start_until = doses.until_week(rules.dose.static_until)
            choice = Choice(dynamic.exercise, static.exercise, dynamic.alternatives)
            start_reason = "Pain is severe or recent: static holds first, then the dynamic stretch."
            mode = "Static holds first while the pain is severe, then the preferred dynamic stretch."
        elif dynamic is not None:
            mode = "A dynamic stretch through the full range of motion: preferred to static holds."
        else:
            mode = "A static hold: no dynamic stretch for it fits the constraints."
    else:
        modalities = frozenset(rules.phases[phase].modalities)
        choice = selector.choose(phase, target.search, target.prefer, modalities)
        mode = ""
    if choice is None:
        candidates = [*target.prefer, *target.dynamic, *target.static]
        needs = selector.missing_equipment(phase, target.search, candidates)
        reason = f"No {phase.value} exercise for it fits the constraints" + (
            f"; it would need: {', '.join(n.replace('_', ' ') for n in needs)}." if needs else "."
        )
        if not needs and (restriction := selector.restricted_by(phase, target.search, candidates)) is not None:
            reason = f"Not yet: {' '.join(restriction.note.split())}"
        return Gap(muscle=target.muscle, reason=reason)
    exercise, start = choice.exercise, choice.start_with
    if start is not None and not start_reason:
        start_reason = f"An easier regression first: {exercise.name} is {exercise.level}-level."
    if start is not None and start_until >= doses.weeks:
        # The program ends before the harder exercise would start: the easier one is the prescription.
        exercise, start = start, None
    alternatives = [slug for slug in choice.alternatives if slug != exercise.slug]
    if phase in (Phase.strengthen, Phase.integrate):
        first = catalog.exercises.get(target.prefer[0]) if target.prefer else None
        rationale = slot_rationale(target, exercise, first, selector.why_not(first) if first is not None else "")
    else:
        rationale = area_rationale(target, catalog, rules, mode)
    first_week = start_until + 1 if start is not None else 1
    item = ProgramItem(
        id="",
        exercise=exercise_ref(exercise),
        dose=doses.dose(exercise, phase, first_week),
        rationale=rationale,
        finding="",
        alternatives=alternatives,
        instructions=list(exercise.instructions),
        cues=list(target.cues) or list(exercise.cues[:3]),
        start_with=(
            StartWith(
                id="",
                exercise=exercise_ref(start),
                until_week=start_until,
                dose=doses.dose(start, phase, 1),
                reason=start_reason,
                instructions=list(start.instructions),
                cues=list(start.cues[:3]),
            )
            if start is not None
            else None
        ),
    )
    return Planned(target, phase, item, exercise, start, start_until if start is not None else 0, list(target.serves))
