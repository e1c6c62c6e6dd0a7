"""The person a program is for, read from the request and the assessment."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from service.assessments.schemas import Assessment, Band, MuscleFinding, OneSide, Pain
from service.catalog.enums import Level
from service.programs.catalog_index import CatalogIndex
from service.programs.generator.restrictions import applying, pregnancy_week
from service.programs.rules import IrritabilityRules, ProgramRules, Restriction
from service.programs.schemas import Irritability, ProgramRequest

EXPERIENCE_LEVEL = {"none": "beginner"}  # training experience -> level, where the names differ
WHOLE_BLOCK = (Band.likely, Band.present)  # the bands whose pattern brings its whole block of targets


@dataclass
class Person:
    """What the generator knows about the person: constraints from the request and facts from the assessment."""

    level: Level
    equipment: frozenset[str]
    conditions: tuple[str, ...]
    excluded: dict[str, str]
    """Exercise slug → why it is never prescribed (the caller's request, a clinician's clearance)."""
    irritability: Irritability
    thomas_positive: bool
    patterns: list[str]
    """Likely and present patterns: each brings its whole block of targets."""
    possible_patterns: list[str]
    """Possible patterns (weak or indirect signs): each brings its lengthening work only (CLINICAL.md §2)."""
    overactive: list[MuscleFinding]
    underactive: list[MuscleFinding]
    trigger_points: list[str]
    restrictions: tuple[Restriction, ...]
    """The rules' movement restrictions that apply to this person (CLINICAL.md §4)."""
    weaker_side: dict[str, OneSide]
    """Muscle slug (a strength asymmetry's muscles and those below them) → the weaker side (CLINICAL.md §2)."""
    tighter_side: dict[str, OneSide]
    """Muscle slug (a range asymmetry's muscles and those below them) → the tighter side (CLINICAL.md §2)."""
    instead: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """A regressed exercise (it hurt: a check-in decision, CLINICAL.md §8) → its catalogue regressions, tried in its
    place; the exercise itself is in `excluded`."""

    @property
    def severe_pain(self) -> bool:
        """Highly irritable pain: static holds before dynamic stretches."""
        return self.irritability is Irritability.high


def irritability_of(pain: Pain | None, rules: IrritabilityRules) -> Irritability:
    """CLINICAL.md §3: the first level whose test holds, high then moderate; otherwise (or without pain) low."""
    if pain is None or not pain.regions:
        return Irritability.low
    for level, test in ((Irritability.high, rules.high), (Irritability.moderate, rules.moderate)):
        if (pain.intensity is not None and pain.intensity >= test.intensity_at_least) or (
            pain.duration is not None and pain.duration.value in test.durations
        ):
            return level
    return Irritability.low


def person_of(
    assessment: Assessment,
    request: ProgramRequest,
    catalog: CatalogIndex,
    rules: ProgramRules,
    regressed: Mapping[str, str] | None = None,
) -> Person:
    """`regressed`: exercise slug → why it goes to its regressions (a revision's)."""
    data = assessment.input
    experience = data.lifestyle.training_experience if data.lifestyle else None
    level = request.level or (Level(EXPERIENCE_LEVEL.get(experience.value, experience.value)) if experience else None)
    level = level or Level.beginner
    pain = data.pain
    # The assessment lists every condition it inferred, each with its reason (a pain region's, a clinician's
    # restriction, nerve-root signs); the request may add more.
    conditions = tuple(sorted(set(request.conditions) | {c.condition for c in assessment.conditions}))
    excluded = dict.fromkeys(request.exclude_exercises, "Excluded at the caller's request.")
    if (clearance := assessment.clearance) is not None:
        by = f"Left out by the {clearance.role.value.replace('_', ' ')}'s clearance of {clearance.date.isoformat()}."
        excluded |= dict.fromkeys(clearance.restrictions.exercises, by)
    regressed = regressed or {}
    excluded |= regressed
    instead = {slug: catalog.exercises[slug].regressions for slug in regressed if slug in catalog.exercises}
    irritability = irritability_of(pain, rules.irritability)
    weaker_side: dict[str, OneSide] = {}
    tighter_side: dict[str, OneSide] = {}
    for asymmetry in assessment.asymmetries:
        side = OneSide(asymmetry.side.value)
        sides = tighter_side if asymmetry.test in rules.range_tests else weaker_side
        for muscle in asymmetry.muscles:
            for slug in (muscle, *sorted(catalog.descendants.get(muscle, ()))):
                sides.setdefault(slug, side)
    thomas = data.tests.thomas_test if data.tests else None
    thomas_positive = bool(thomas and "positive" in (thomas.left, thomas.right))
    available = catalog.equipment if request.available_equipment is None else frozenset(request.available_equipment)
    return Person(
        level=level,
        equipment=available | {"bodyweight"},
        conditions=conditions,
        excluded=excluded,
        irritability=irritability,
        thomas_positive=thomas_positive,
        patterns=[p.slug for p in assessment.patterns if p.slug in rules.patterns and p.band in WHOLE_BLOCK],
        possible_patterns=[p.slug for p in assessment.patterns if p.slug in rules.patterns and p.band is Band.possible],
        overactive=list(assessment.overactive),
        underactive=list(assessment.underactive),
        trigger_points=list(assessment.trigger_points),
        weaker_side=weaker_side,
        tighter_side=tighter_side,
        instead=instead,
        restrictions=applying(
            rules.restrictions,
            conditions=conditions,
            age_band=data.age_band,
            pregnancy_week=pregnancy_week(data),
            irritability=irritability,
        ),
    )
