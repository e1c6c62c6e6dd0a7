"""Text: the items' rationales and the program's safety notes."""

from __future__ import annotations

from service.catalog.enums import Level, Phase
from service.programs.catalog_index import CatalogIndex, ExerciseEntry
from service.programs.generator.person import Person
from service.programs.generator.targets import Target
from service.programs.rules import ProgramRules
from service.programs.schemas import FindingType


def area_rationale(target: Target, catalog: CatalogIndex, rules: ProgramRules, mode: str) -> str:
    """Why an area is released or lengthened: the finding behind it, then how (`mode`)."""
    area = catalog.name_of(target.muscle).lower()
    finding = target.finding
    named = catalog.name_of(finding.target or "").lower()
    if target.rationale:
        lead = target.rationale
    elif finding.type is FindingType.trigger_point:
        lead = f"You reported your {named} tender: a trigger point (a tender knot)."
    elif finding.type is FindingType.overactive:
        lead = f"Your assessment found your {named} tight and overworked."
    else:
        pattern_rules = rules.patterns.get(finding.target or "")
        pattern = pattern_rules.gloss if pattern_rules is not None else finding.summary.split(" (")[0].lower()
        lead = f"Tightness and tender knots often settle in the {area} with {pattern}."
    if target.phase is Phase.release:
        # No promise about stretches: not every rolled area has one (the review found the promise broken).
        return f"{lead} Rolling your {area} slowly eases the knots that keep the muscle tight."
    return f"{lead} {mode}"


def slot_rationale(target: Target, exercise: ExerciseEntry, first_choice: ExerciseEntry | None, why_not: str) -> str:
    """Why a slot is strengthened or integrated: the ruleset's text, and why this exercise stands in for the slot's
    first choice (`why_not`: the one reason that ruled the first choice out here)."""
    rationale = target.rationale
    if first_choice is not None and exercise.slug != first_choice.slug:
        rationale += f" {exercise.name} stands in for {first_choice.name.lower()}: {why_not}"
    return rationale


def safety_notes(person: Person, rules: ProgramRules, has_release: bool, safety_netting: list[str]) -> list[str]:
    """`safety_netting`: the assessment's warning signs, for the screens that applied (CLINICAL.md §1: always
    safety-net). They go with the program, which the person keeps using for weeks after the assessment."""
    notes = list(rules.safety_notes.always)
    notes.extend(safety_netting)
    # Each restriction's note, written from the restriction the selector applied: the program cannot contradict it.
    notes.extend(" ".join(r.note.split()) for r in person.restrictions)
    if person.level is Level.beginner:
        notes.append(rules.safety_notes.beginner.strip())
    if has_release:
        notes.append(rules.safety_notes.release.strip())
    notes.extend(rules.safety_notes.conditions[c] for c in person.conditions if c in rules.safety_notes.conditions)
    return notes
