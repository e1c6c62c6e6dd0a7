"""Text: the items' rationales and the program's safety notes."""

from __future__ import annotations

from service.catalog.enums import Level, Phase
from service.programs.catalog_index import CatalogIndex, ExerciseEntry
from service.programs.generator.person import Person
from service.programs.generator.targets import Target
from service.programs.rules import ProgramRules
from service.programs.schemas import FindingType


def area_rationale(target: Target, catalog: CatalogIndex, mode: str) -> str:
    """Why an area is released or lengthened: the finding behind it, then how (`mode`)."""
    area = catalog.name_of(target.muscle).lower()
    finding = target.finding
    if target.rationale:
        lead = target.rationale
    elif finding.type is FindingType.trigger_point:
        lead = f"You reported the {catalog.name_of(finding.target or '').lower()} tender: a trigger point."
    elif finding.type is FindingType.overactive:
        lead = f"The assessment found the {catalog.name_of(finding.target or '').lower()} overactive or short."
    else:
        lead = f"The {area} is a usual site of tightness and trigger points in {finding.summary.split(' (')[0]}."
    if target.phase is Phase.release:
        return f"{lead} Rolling the {area} first eases the knots that shorten it, so the stretches that follow work."
    return f"{lead} {mode}"


def slot_rationale(target: Target, exercise: ExerciseEntry, catalog: CatalogIndex) -> str:
    """Why a slot is strengthened or integrated: the ruleset's text, and what stands in for its first choice."""
    rationale = target.rationale
    first_choice = catalog.exercises.get(target.prefer[0]) if target.prefer else None
    if first_choice is not None and exercise.slug != first_choice.slug:
        # The slot's text names its first choices; say why this exercise stands in for them.
        rationale += (
            f" {exercise.name} stands in for {first_choice.name.lower()}, which the available equipment, the"
            " level, the person's conditions or the exclusions rule out here."
        )
    return rationale


def safety_notes(person: Person, rules: ProgramRules, has_release: bool) -> list[str]:
    notes = list(rules.safety_notes.always)
    # Each restriction's note, written from the restriction the selector applied: the program cannot contradict it.
    notes.extend(" ".join(r.note.split()) for r in person.restrictions)
    if person.level is Level.beginner:
        notes.append(rules.safety_notes.beginner.strip())
    if has_release:
        notes.append(rules.safety_notes.release.strip())
    notes.extend(rules.safety_notes.conditions[c] for c in person.conditions if c in rules.safety_notes.conditions)
    return notes
