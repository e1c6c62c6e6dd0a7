"""The program ruleset (rules.yaml): its types, loading and validation against the catalogue.

A rules file naming an exercise, muscle, condition or pattern the catalogue lacks fails the load with the path
of the offending value, before the app serves anything.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Literal

import msgspec
import yaml

from service.assessments.schemas import AgeBand
from service.catalog.enums import Demand, Level, Modality, Phase, Position, SpinalLoad
from service.catalog.records import CatalogData
from service.programs.schemas import Lesson, Weekday

RULES_PATH = Path(__file__).parent / "rules.yaml"


class _Rule(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    pass


class PhaseText(_Rule):
    title: str
    goal: str
    modalities: list[str]


class AreaRule(_Rule):
    """A muscle (or area) to release or lengthen, with the exercises to try first.

    An area with a `when` is treated only when its test holds (a positive Thomas test) or when the assessment marks a
    muscle it covers overactive, whatever the evidence; `when: overactive` is the second test alone.
    """

    muscle: str
    when: Literal["thomas_test_positive", "overactive"] | None = None
    prefer: list[str] = []
    dynamic: list[str] = []
    static: list[str] = []


class SlotRule(_Rule):
    """One prescription of the strengthen or integrate phase: a role the program must fill."""

    slot: str
    muscle: str
    prefer: list[str]
    rationale: str
    cues: list[str] = []
    # Muscles every exercise of the slot trains besides `muscle` (and those below them): findings on them are served
    # by the slot's item, not given their own.
    serves: list[str] = []


class AvoidRule(_Rule):
    exercise: str
    reason: str
    when_condition: str | None = None


class PatternRules(_Rule):
    gloss: str
    """The pattern in everyday words, for the person."""
    release: list[AreaRule]
    lengthen: list[AreaRule]
    strengthen: list[SlotRule]
    integrate: list[SlotRule]
    avoid: list[AvoidRule] = []


class UnmatchedRules(_Rule):
    rationale: dict[Phase, str]
    # The lead of the rationale of a stretch that answers a tender muscle never released; {muscle}, {reason}.
    not_released: str
    # Why a finding is unaddressed when no target's gap says why (a safety net: tests find none).
    unserved: str


class NeverReleased(_Rule):
    """An area self-release never goes on (CLINICAL.md §5), with the reason the person reads."""

    muscle: str
    reason: str


class BaselineRules(_Rule):
    release: list[AreaRule]
    lengthen: list[AreaRule]
    strengthen: list[AreaRule]
    integrate: list[AreaRule]
    rationale: str


class IrritabilityTest(_Rule):
    intensity_at_least: int
    durations: list[str]


class IrritabilityRules(_Rule):
    """CLINICAL.md §3: the first level whose test holds, high then moderate; otherwise low."""

    high: IrritabilityTest
    moderate: IrritabilityTest
    # What a person must show before a program's next stage (CLINICAL.md §3), stated on the week it starts.
    move_on_when: str


class Stage(_Rule):
    name: Literal["foundation", "volume", "load"]
    until: float
    step: int  # 0, 1, 2: how far along each dose range (CLINICAL.md §5) the stage goes
    # Strength changes one variable at a time (CLINICAL.md §5): how far along its sets range (volume) and along its
    # effort range, with the weight of a loaded lift (load), the stage goes.
    sets: int
    load: int


class Range(_Rule):
    low: int
    high: int


class StrengthDose(_Rule):
    sets: Range
    reps: Range
    rpe: Range


class DoseRules(_Rule):
    # CLINICAL.md §5. Strength by level; the RPE is capped by irritability.
    strength: dict[Level, StrengthDose]
    rpe_at_most: dict[Literal["high", "moderate", "low"], int]
    static_stretch: dict[Literal["sets", "hold_seconds"], Range]
    static_stretch_seconds_a_day: int
    dynamic_stretch: dict[Literal["sets", "reps"], Range]
    # Activation holds progress by hold time or reps, up to these; never by load.
    activation_hold_seconds_at_most: int
    activation_reps_at_most: int
    stages: list[Stage]
    first_stage_weeks_at_least: int
    release_seconds: dict[str, int]
    seconds_per_rep: int
    setup_seconds: int
    static_until: float
    regression_until: float


class WarmUpRules(_Rule):
    minutes: int
    steps: list[str]


class ScheduleRules(_Rule):
    """The week (CLINICAL.md §6): see rules.yaml `schedule`."""

    default_days: dict[int, list[Weekday]]
    no_training_day: str
    routine_minutes_at_most: int
    training_items_at_most: int
    station_setup_seconds: int
    change_seconds: int
    preparation_share: float
    no_room: str
    warm_up: WarmUpRules
    reassess_pain: str
    reassess_tests: dict[str, str]
    # CLINICAL.md §5: a week's volume rises by at most this factor over the last full week, and every
    # `lighter_week_every`-th week is lighter, at this share of the sets.
    weekly_rise_at_most: float = 1.2
    lighter_week_every: int = 4
    lighter_week_share: float = 0.6


class RestrictionWhen(_Rule):
    """Who a restriction applies to: every given test must hold."""

    condition: str | None = None
    # With the condition `pregnancy`: from this week on (a pregnancy of unknown stage counts as having reached it).
    pregnancy_from_week: int | None = None
    age_bands: list[AgeBand] = []
    irritability: list[Literal["high", "moderate", "low"]] = []


class Restriction(_Rule):
    """CLINICAL.md §4: while `when` holds, nothing with one of these positions or demands, more spinal load than
    `spinal_load_at_most`, one of these modalities or any of this equipment is prescribed; `note` says so in the
    program's safety notes."""

    id: str
    when: RestrictionWhen
    note: str
    source: str
    positions: list[Position] = []
    demands: list[Demand] = []
    spinal_load_at_most: SpinalLoad | None = None
    modalities: list[Modality] = []
    equipment: list[str] = []


class SafetyNotes(_Rule):
    always: list[str]
    release: str
    beginner: str
    conditions: dict[str, str]


class ProgramRules(_Rule):
    version: str
    phases: dict[Phase, PhaseText]
    restrictions: list[Restriction]
    # The assessment's paired tests that measure range: their asymmetry's side is the tighter one (stretched first
    # and longer); any other paired test's is the weaker one (one more set of strength work). CLINICAL.md §2.
    range_tests: list[str]
    irritability: IrritabilityRules
    imported_phases: list[Phase]
    gap_equipment_order: list[str]
    patterns: dict[str, PatternRules]
    never_released: list[NeverReleased]
    unmatched_findings: UnmatchedRules
    baseline: BaselineRules
    dose: DoseRules
    schedule: ScheduleRules
    education: list[Lesson]
    safety_notes: SafetyNotes


class ProgramRulesError(ValueError):
    """The rules file is invalid or names something the catalogue lacks."""


def _check_names(rules: ProgramRules, catalog: CatalogData) -> None:
    muscles = {m.slug for m in catalog.muscles}
    exercises = {e.slug for e in catalog.exercises}
    conditions = {c.slug for c in catalog.conditions}
    patterns = {p.slug for p in catalog.patterns}
    problems: list[str] = []

    def need(kind: str, known: set[str], path: str, *values: str | None) -> None:
        problems.extend(f"{path}: unknown {kind} {v}" for v in values if v is not None and v not in known)

    equipment = {e.slug for e in catalog.equipment}
    need("equipment", equipment, "gap_equipment_order", *rules.gap_equipment_order)
    ids = [r.id for r in rules.restrictions]
    problems.extend(f"restrictions: {i} is defined twice" for i in sorted({i for i in ids if ids.count(i) > 1}))
    for restriction in rules.restrictions:
        path = f"restrictions.{restriction.id}"
        when = restriction.when
        need("condition", conditions, path, when.condition)
        need("equipment", equipment, f"{path}.equipment", *restriction.equipment)
        if when == RestrictionWhen():
            problems.append(f"{path}: `when` is empty (it would apply to everyone)")
        if when.pregnancy_from_week is not None and when.condition != "pregnancy":
            problems.append(f"{path}: pregnancy_from_week needs the condition pregnancy")
        if not (
            restriction.positions or restriction.demands or restriction.spinal_load_at_most or restriction.modalities
        ):
            problems.append(f"{path}: restricts nothing")
    need("condition", conditions, "safety_notes.conditions", *rules.safety_notes.conditions)
    areas: list[tuple[str, AreaRule]] = []
    for slug, pattern in rules.patterns.items():
        need("pattern", patterns, "patterns", slug)
        areas += [(f"patterns.{slug}.release", a) for a in pattern.release]
        areas += [(f"patterns.{slug}.lengthen", a) for a in pattern.lengthen]
        for phase, slots in (("strengthen", pattern.strengthen), ("integrate", pattern.integrate)):
            for slot in slots:
                path = f"patterns.{slug}.{phase}.{slot.slot}"
                need("muscle", muscles, path, slot.muscle, *slot.serves)
                need("exercise", exercises, path, *slot.prefer)
        for avoid in pattern.avoid:
            need("exercise", exercises, f"patterns.{slug}.avoid", avoid.exercise)
            need("condition", conditions, f"patterns.{slug}.avoid", avoid.when_condition)
    for phase in Phase:
        areas += [(f"baseline.{phase}", a) for a in getattr(rules.baseline, phase.value)]
    for path, area in areas:
        need("muscle", muscles, path, area.muscle)
        need("exercise", exercises, path, *area.prefer, *area.dynamic, *area.static)
    need("muscle", muscles, "never_released", *(n.muscle for n in rules.never_released))
    below = _below(catalog)
    for path, area in areas:
        for never in rules.never_released:
            if path.endswith(".release") and (
                area.muscle == never.muscle or area.muscle in below.get(never.muscle, set())
            ):
                problems.append(f"{path}: {area.muscle} is never released (never_released.{never.muscle})")
    stages = rules.dose.stages
    if not stages or stages[-1].until != 1.0 or any(a.until >= b.until for a, b in itertools.pairwise(stages)):
        problems.append("dose.stages: `until` must rise and end at 1.0")
    if any((b.sets > a.sets) + (b.load > a.load) > 1 for a, b in itertools.pairwise(stages)):
        problems.append("dose.stages: a stage raises strength sets or load, not both (CLINICAL.md §5)")
    if set(rules.phases) != set(Phase):
        problems.append("phases: every phase needs a title and goal")
    if problems:
        raise ProgramRulesError("program rules: " + "; ".join(problems))


def _below(catalog: CatalogData) -> dict[str, set[str]]:
    """Every muscle's descendants in the tree (by parent and by group membership)."""
    children: dict[str, set[str]] = {m.slug: set(m.members) for m in catalog.muscles}
    for m in catalog.muscles:
        if m.parent is not None:
            children.setdefault(m.parent, set()).add(m.slug)
    below: dict[str, set[str]] = {}

    def walk(slug: str) -> set[str]:
        if slug not in below:
            below[slug] = set()
            for child in children.get(slug, ()):
                below[slug] |= {child, *walk(child)}
        return below[slug]

    for slug in children:
        walk(slug)
    return below


def load_program_rules(path: Path = RULES_PATH, *, catalog: CatalogData | None = None) -> ProgramRules:
    """Load and validate the rules; with the curated catalogue, check every slug they name."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        rules = msgspec.convert(raw, ProgramRules)
    except (OSError, yaml.YAMLError, msgspec.ValidationError) as exc:
        raise ProgramRulesError(f"{path.name}: {exc}") from exc
    if catalog is not None:
        _check_names(rules, catalog)
    return rules
