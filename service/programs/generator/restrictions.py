"""Conditions as movement restrictions (CLINICAL.md §4): which of the rules' restrictions apply to a person, and
why an exercise breaks one. Pure: the rules say what is restricted; the catalogue says what each exercise does."""

from __future__ import annotations

from service.assessments.schemas import AgeBand, AssessmentInput
from service.programs.catalog_index import SPINAL_LOAD_RANK, ExerciseEntry
from service.programs.rules import Restriction

TRIMESTER_FIRST_WEEK = {1: 1, 2: 14, 3: 28}


def pregnancy_week(data: AssessmentInput) -> int | None:
    """The week of pregnancy the assessment gives (a trimester counts from its first week); None when not known."""
    pregnancy = data.pregnancy
    if pregnancy is None or not pregnancy.pregnant:
        return None
    if pregnancy.weeks is not None:
        return pregnancy.weeks
    return TRIMESTER_FIRST_WEEK.get(pregnancy.trimester) if pregnancy.trimester is not None else None


def applying(
    restrictions: list[Restriction],
    *,
    conditions: tuple[str, ...],
    age_band: AgeBand | None,
    pregnancy_week: int | None,
    irritability: str,
) -> tuple[Restriction, ...]:
    """The restrictions whose every test holds for this person. A pregnancy of unknown stage counts as having
    reached any week (the cautious reading)."""
    found = []
    for restriction in restrictions:
        when = restriction.when
        if when.condition is not None and when.condition not in conditions:
            continue
        from_week = when.pregnancy_from_week
        if from_week is not None and pregnancy_week is not None and pregnancy_week < from_week:
            continue
        if when.age_bands and age_band not in when.age_bands:
            continue
        if when.irritability and irritability not in when.irritability:
            continue
        found.append(restriction)
    return tuple(found)


def broken(entry: ExerciseEntry, restrictions: tuple[Restriction, ...]) -> Restriction | None:
    """The first restriction the exercise breaks, or None. An exercise that does not describe its movement (an
    imported record) breaks every restriction: what it asks of the body is unknown."""
    # The rules' enum members are strings, so they compare and hash as the entry's plain values: no set per call
    # on this hot path (every candidate of every target).
    for restriction in restrictions:
        if entry.positions is None or entry.demands is None:
            return restriction
        if not entry.positions.isdisjoint(restriction.positions) or not entry.demands.isdisjoint(restriction.demands):
            return restriction
        if entry.modality in restriction.modalities:
            return restriction
        if restriction.equipment and not entry.equipment.isdisjoint(restriction.equipment):
            return restriction
        limit = restriction.spinal_load_at_most
        if limit is not None and SPINAL_LOAD_RANK[entry.spinal_load] > SPINAL_LOAD_RANK[limit]:
            return restriction
    return None
