"""The program generator: a pure function of an assessment, the request, the catalogue index and the ruleset.

No I/O, no clock, no randomness; every choice goes through ordered lists, so the same inputs give the same
program item for item. The steps:

1. targets: each phase's areas and slots, from the detected patterns' rules (rules.yaml), the trigger points,
   and muscle findings no detected pattern explains; a phase nothing calls for gets the baseline upkeep;
2. selection: for each target, the first exercise that passes every check (see `_Selector`), its alternatives,
   and an easier start (a beginner's regression, or a static stretch while pain is severe);
3. dose: the exercise's default dose adjusted for level, the week's stage and pain;
4. schedule: every week's sessions filled phase by phase within `session_minutes`, least-practised item first.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from service.assessments.schemas import Assessment, AssessmentStatus, MuscleFinding
from service.catalog.enums import Level, Phase
from service.programs.catalog_index import LEVEL_RANK, SPINAL_LOAD_RANK, CatalogIndex, ExerciseEntry
from service.programs.rules import AreaRule, ProgramRules, SlotRule, Stage
from service.programs.schemas import (
    Dose,
    Exclusion,
    ExerciseRef,
    Finding,
    FindingType,
    Gap,
    ProgramBody,
    ProgramItem,
    ProgramParameters,
    ProgramPhase,
    ProgramRequest,
    Schedule,
    ScheduledItem,
    Session,
    StartWith,
    Week,
)

PHASES = (Phase.release, Phase.lengthen, Phase.strengthen, Phase.integrate)
STATIC = frozenset({"static_stretch"})
DYNAMIC = frozenset({"dynamic_stretch", "mobility"})
# Beyond the preferred exercises, at most this many catalogue candidates are examined per target. The index
# orders them curated first, easiest first, so the answer is found long before; the cap keeps a target's cost
# flat however many imported or synthetic exercises share its muscle.
SCAN_LIMIT = 400
ALTERNATIVES = 3
EXPERIENCE_LEVEL = {"none": "beginner"}  # training experience -> level, where the names differ


class ReferralRequired(Exception):
    """The assessment's status is `refer`: no program until a clinician has seen the person."""

    def __init__(self, reasons: list[str], message: str) -> None:
        super().__init__(message)
        self.reasons = reasons
        self.message = message


def validate_request(request: ProgramRequest, catalog: CatalogIndex) -> list[tuple[str, str]]:
    """(field, message) for every slug of the request the catalogue does not know."""
    problems: list[tuple[str, str]] = []
    checks = (
        ("available_equipment", request.available_equipment or [], catalog.equipment, "equipment"),
        ("exclude_exercises", request.exclude_exercises, catalog.exercises, "exercise"),
        ("conditions", request.conditions, catalog.conditions, "condition"),
    )
    for name, values, known, kind in checks:
        problems.extend(
            (f"{name}[{i}]", f"unknown {kind} slug '{value}'") for i, value in enumerate(values) if value not in known
        )
    return problems


# ---------------------------------------------------------------- the person


@dataclass
class _Person:
    """What the generator knows about the person: constraints from the request and facts from the assessment."""

    level: Level
    equipment: frozenset[str]
    conditions: tuple[str, ...]
    excluded: frozenset[str]
    severe_pain: bool
    thomas_positive: bool
    patterns: list[str]
    overactive: list[MuscleFinding]
    underactive: list[MuscleFinding]
    trigger_points: list[str]


def _person(assessment: Assessment, request: ProgramRequest, catalog: CatalogIndex, rules: ProgramRules) -> _Person:
    data = assessment.input
    experience = data.lifestyle.training_experience if data.lifestyle else None
    level = request.level or (Level(EXPERIENCE_LEVEL.get(experience.value, experience.value)) if experience else None)
    level = level or Level.beginner
    pain = data.pain
    regions = [r.value for r in (pain.regions or [])] if pain else []
    from_pain = [rules.pain_region_conditions[r] for r in regions if r in rules.pain_region_conditions]
    conditions = tuple(sorted(set(request.conditions) | set(from_pain)))
    severe = bool(
        pain
        and (
            (pain.intensity is not None and pain.intensity >= rules.severe_pain.intensity_at_least)
            or (pain.duration is not None and pain.duration.value in rules.severe_pain.durations)
        )
    )
    thomas = data.tests.thomas_test if data.tests else None
    thomas_positive = bool(thomas and "positive" in (thomas.left, thomas.right))
    available = catalog.equipment if request.available_equipment is None else frozenset(request.available_equipment)
    return _Person(
        level=level,
        equipment=available | {"bodyweight"},
        conditions=conditions,
        excluded=frozenset(request.exclude_exercises),
        severe_pain=severe,
        thomas_positive=thomas_positive,
        patterns=[p.slug for p in assessment.patterns if p.slug in rules.patterns],
        overactive=list(assessment.overactive),
        underactive=list(assessment.underactive),
        trigger_points=list(assessment.trigger_points),
    )


# ---------------------------------------------------------------- selection


@dataclass(frozen=True)
class _Choice:
    exercise: ExerciseEntry
    start_with: ExerciseEntry | None
    alternatives: list[str]


@dataclass
class _Selector:
    """Picks exercises for targets and remembers what it left out and why.

    An exercise is usable when the person has its equipment, it is not excluded (by the caller or a pattern's
    avoid list), not contraindicated by an active condition, within the spinal load those conditions allow, and
    within the person's level (one level above is allowed with a usable regression to start with). Imported
    records carry no contraindications, so they are used only for a person with no condition to judge, and only in
    the phases the ruleset trusts their metadata for (`imported_phases`).
    """

    catalog: CatalogIndex
    person: _Person
    avoid: dict[str, str]
    load_limit: tuple[int, str] | None
    imported_phases: frozenset[str]
    used: set[str] = field(default_factory=set)
    exclusions: dict[str, str] = field(default_factory=dict)

    def _refusal(self, entry: ExerciseEntry) -> str | None:
        """Why a usable-looking exercise is left out, for the program's `excluded` list; None if it is not."""
        if entry.slug in self.person.excluded:
            return "Excluded at the caller's request."
        if entry.slug in self.avoid:
            return self.avoid[entry.slug]
        for condition in self.person.conditions:
            if condition in entry.contraindications:
                return f"Contraindicated with {condition.replace('_', ' ')}: {entry.contraindications[condition]}"
        if self.load_limit and SPINAL_LOAD_RANK[entry.spinal_load] > self.load_limit[0]:
            return f"Its spinal load ({entry.spinal_load}) is more than {self.load_limit[1].replace('_', ' ')} allows."
        return None

    def _fits(self, entry: ExerciseEntry, *, record: bool = True) -> bool:
        """Usable at all, ignoring level: equipment, source, exclusions, contraindications, spinal load."""
        if not entry.equipment <= self.person.equipment:
            return False
        if not entry.curated and self.person.conditions:
            return False
        refusal = self._refusal(entry)
        if refusal is not None:
            if record:
                self.exclusions.setdefault(entry.slug, refusal)
            return False
        return True

    def _start(self, entry: ExerciseEntry, phase: Phase) -> tuple[bool, ExerciseEntry | None]:
        """(usable, regression to start with) for the person's level.

        Release and stretches one level up need no regression (their level says how uncomfortable, not how
        hard to learn); strengthening and integration one level up start with a regression of the person's level.
        """
        gap = LEVEL_RANK[entry.level] - LEVEL_RANK[self.person.level]
        if gap <= 0 or (gap == 1 and phase in (Phase.release, Phase.lengthen)):
            return True, None
        if gap > 1:
            return False, None
        for slug in entry.regressions:
            easier = self.catalog.exercises.get(slug)
            if (
                easier is not None
                and easier.slug not in self.used
                and LEVEL_RANK[easier.level] <= LEVEL_RANK[self.person.level]
                and self._fits(easier, record=False)
            ):
                return True, easier
        return False, None

    def _candidates(
        self, phase: Phase, muscles: Iterable[str], prefer: Iterable[str], *, curated_only: bool = False
    ) -> Iterator[ExerciseEntry]:
        """The ruleset's preferred exercises, then the catalogue's of the phase for the muscles.

        The index lists curated exercises first, so when only curated ones can be used (a person with a condition
        to judge) a muscle's list is read only up to its first imported record: the cost of a target then does not
        grow with the number of imported exercises.
        """
        curated_only = curated_only or bool(self.person.conditions) or phase.value not in self.imported_phases
        seen: set[str] = set()
        for slug in prefer:
            entry = self.catalog.exercises.get(slug)
            if entry is not None and slug not in seen:
                seen.add(slug)
                yield entry
        for muscle in muscles:
            for entry in self.catalog.candidates(phase.value, muscle)[:SCAN_LIMIT]:
                if curated_only and not entry.curated:
                    break
                if entry.slug not in seen:
                    seen.add(entry.slug)
                    yield entry

    def choose(
        self,
        phase: Phase,
        muscles: list[str],
        prefer: Iterable[str] = (),
        modalities: frozenset[str] | None = None,
    ) -> _Choice | None:
        picked: tuple[ExerciseEntry, ExerciseEntry | None] | None = None
        alternatives: list[str] = []
        for entry in self._candidates(phase, muscles, prefer):
            # No phase check: the index's candidates are of the phase, and a preferred exercise was named for this
            # role by the ruleset, whatever phases its record lists.
            if modalities is not None and entry.modality not in modalities:
                continue
            if entry.slug in self.used or not self._fits(entry):
                continue
            usable, start = self._start(entry, phase)
            if not usable:
                continue
            if picked is None:
                picked = (entry, start)
            elif start is None:
                alternatives.append(entry.slug)
                if len(alternatives) == ALTERNATIVES:
                    break
        if picked is None:
            return None
        entry, start = picked
        self.used.add(entry.slug)
        if start is not None:
            self.used.add(start.slug)
            alternatives = [slug for slug in alternatives if slug != start.slug]
        return _Choice(entry, start, alternatives)

    def missing_equipment(self, phase: Phase, muscles: list[str], prefer: Iterable[str]) -> list[str]:
        """The equipment the first otherwise usable exercise for a target needs: what a gap asks for."""
        for entry in self._candidates(phase, muscles, prefer, curated_only=True):
            # `curated` for the preferred ones, which the ruleset names whatever their source.
            if entry.curated and self._refusal(entry) is None:
                missing = sorted(entry.equipment - self.person.equipment)
                if missing:
                    return missing
        return []


# ---------------------------------------------------------------- targets


@dataclass
class _Target:
    """One thing the program must address: an area to release or lengthen, or a slot to strengthen/integrate."""

    phase: Phase
    muscle: str
    finding: Finding
    prefer: list[str] = field(default_factory=list)
    dynamic: list[str] = field(default_factory=list)
    static: list[str] = field(default_factory=list)
    rationale: str = ""
    cues: list[str] = field(default_factory=list)
    search: list[str] = field(default_factory=list)  # muscles to search the catalogue by, in order
    key: str = ""
    optional: bool = False  # served when an exercise exists; no gap reported otherwise


class _Findings:
    """The assessment's findings, looked up by muscle through the muscle tree."""

    def __init__(self, assessment: Assessment, person: _Person, catalog: CatalogIndex) -> None:
        self.person = person
        self.catalog = catalog
        self.patterns = {p.slug: p for p in assessment.patterns}

    def _related(self, area: str, muscle: str) -> bool:
        return self.catalog.covers(area, muscle) or self.catalog.covers(muscle, area)

    def muscle(self, kind: FindingType, area: str) -> Finding | None:
        if kind is FindingType.trigger_point:
            for tp in self.person.trigger_points:
                if self._related(area, tp):
                    rules = [r.rule for f in self.person.overactive if f.muscle == tp for r in f.reasons]
                    return Finding(
                        type=kind,
                        target=tp,
                        rules=rules,
                        summary=f"{self.catalog.name_of(tp)}: reported tender (a trigger point)",
                    )
            return None
        findings = self.person.overactive if kind is FindingType.overactive else self.person.underactive
        return next((_from_muscle(kind, f) for f in findings if self._related(area, f.muscle)), None)

    def pattern(self, slug: str) -> Finding:
        found = self.patterns[slug]
        return Finding(
            type=FindingType.pattern,
            target=slug,
            rules=[e.rule for e in found.evidence],
            summary=f"{found.name} (score {found.score:g})",
        )

    def explained(self, muscle: str, role: FindingType) -> bool:
        """A muscle finding that belongs to a detected pattern: the pattern's prescription serves it."""
        overactive = role is FindingType.overactive
        return any(self.catalog.in_pattern(p, muscle, overactive=overactive) for p in self.person.patterns)


def _from_muscle(kind: FindingType, found: MuscleFinding) -> Finding:
    return Finding(
        type=kind,
        target=found.muscle,
        rules=[r.rule for r in found.reasons],
        summary="; ".join(r.summary for r in found.reasons),
    )


def _area_target(phase: Phase, area: AreaRule, finding: Finding, catalog: CatalogIndex) -> _Target:
    # Search the area itself, then its groups below the body regions: a tender gluteus minimus with no
    # exercise of its own is served by one for the glutes.
    groups = [a for a in catalog.ancestors.get(area.muscle, ()) if catalog.muscles[a].parent is not None]
    return _Target(
        phase=phase,
        muscle=area.muscle,
        finding=finding,
        prefer=list(area.prefer),
        dynamic=list(area.dynamic),
        static=list(area.static),
        search=[area.muscle, *groups],
        key=f"{phase}:{area.muscle}",
    )


def _targets(person: _Person, findings: _Findings, rules: ProgramRules, catalog: CatalogIndex) -> list[_Target]:
    targets: list[_Target] = []

    def add(target: _Target) -> None:
        same_area = (Phase.release, Phase.lengthen)
        for other in targets:
            if other.key == target.key:
                return
            if (
                target.phase in same_area
                and other.phase == target.phase
                and catalog.covers(other.muscle, target.muscle)
            ):
                return
        targets.append(target)

    def muscle_finding(area: str, fallback: Finding, *kinds: FindingType) -> Finding:
        for kind in kinds:
            found = findings.muscle(kind, area)
            if found is not None:
                return found
        return fallback

    for slug in person.patterns:
        pattern = rules.patterns[slug]
        why = findings.pattern(slug)
        for area in pattern.release:
            finding = muscle_finding(area.muscle, why, FindingType.trigger_point, FindingType.overactive)
            add(_area_target(Phase.release, area, finding, catalog))
        for area in pattern.lengthen:
            if area.when == "thomas_test_positive" and not person.thomas_positive:
                continue
            finding = muscle_finding(area.muscle, why, FindingType.overactive, FindingType.trigger_point)
            add(_area_target(Phase.lengthen, area, finding, catalog))
        for phase, slots in ((Phase.strengthen, pattern.strengthen), (Phase.integrate, pattern.integrate)):
            for slot in slots:
                add(_slot_target(phase, slot, muscle_finding(slot.muscle, why, FindingType.underactive)))

    # Trigger points outside every pattern's areas: each is released where it is.
    for tp in person.trigger_points:
        if (tender := findings.muscle(FindingType.trigger_point, tp)) is not None:
            add(_area_target(Phase.release, AreaRule(muscle=tp), tender, catalog))
    # Muscle findings no detected pattern serves get their own targets.
    unmatched = rules.unmatched_findings.rationale
    for found in person.overactive:
        only_tender = found.muscle in person.trigger_points and len(found.reasons) == 1
        if only_tender or findings.explained(found.muscle, FindingType.overactive):
            continue
        finding = _from_muscle(FindingType.overactive, found)
        for phase in (Phase.release, Phase.lengthen):
            target = _area_target(phase, AreaRule(muscle=found.muscle), finding, catalog)
            target.rationale = unmatched[phase].format(muscle=catalog.name_of(found.muscle).lower())
            target.key = f"{phase}:{found.muscle}:unmatched"
            target.optional = phase is Phase.release  # not every tissue can be rolled (the abdominals)
            add(target)
    for found in person.underactive:
        if findings.explained(found.muscle, FindingType.underactive):
            continue
        finding = _from_muscle(FindingType.underactive, found)
        add(
            _Target(
                phase=Phase.strengthen,
                muscle=found.muscle,
                finding=finding,
                rationale=unmatched[Phase.strengthen].format(muscle=catalog.name_of(found.muscle).lower()),
                search=[found.muscle],
                key=f"strengthen:{found.muscle}:unmatched",
            )
        )
    return targets


def _slot_target(phase: Phase, slot: SlotRule, finding: Finding) -> _Target:
    return _Target(
        phase=phase,
        muscle=slot.muscle,
        finding=finding,
        prefer=list(slot.prefer),
        rationale=slot.rationale.strip(),
        cues=list(slot.cues),
        search=[slot.muscle],
        key=f"{phase}:{slot.slot}",
    )


def _baseline_targets(phase: Phase, rules: ProgramRules, catalog: CatalogIndex) -> list[_Target]:
    finding = Finding(type=FindingType.baseline, target=None, rules=[], summary=rules.baseline.rationale)
    targets = []
    for area in getattr(rules.baseline, phase.value):
        target = _area_target(phase, area, finding, catalog)
        target.rationale = rules.baseline.rationale
        targets.append(target)
    return targets


# ---------------------------------------------------------------- dose


@dataclass(frozen=True)
class _DosePlan:
    rules: ProgramRules
    person: _Person
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


# ---------------------------------------------------------------- assembly


def _ref(entry: ExerciseEntry) -> ExerciseRef:
    return ExerciseRef(slug=entry.slug, name=entry.name)


@dataclass
class _Planned:
    target: _Target
    phase: Phase
    item: ProgramItem
    exercise: ExerciseEntry
    start: ExerciseEntry | None
    until_week: int


def _area_rationale(target: _Target, catalog: CatalogIndex, mode: str) -> str:
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


def _plan_item(
    target: _Target,
    selector: _Selector,
    doses: _DosePlan,
    catalog: CatalogIndex,
    planned: list[_Planned],
    gaps: list[Gap],
) -> _Planned | None:
    phase = target.phase
    rules = doses.rules
    if phase in (Phase.release, Phase.lengthen) and any(
        catalog.covers(target.muscle, m) or catalog.covers(m, target.muscle)
        for plan in planned
        for m in plan.exercise.primary_muscles
    ):
        return None  # an exercise already prescribed in this phase treats the area (one ball for both pectorals)
    start_reason = ""
    start_until = doses.until_week(rules.dose.regression_until)
    if phase is Phase.lengthen:
        dynamic = selector.choose(phase, target.search, target.dynamic or target.prefer, DYNAMIC)
        static = None
        if dynamic is None or selector.person.severe_pain:
            static = selector.choose(phase, target.search, target.static or target.prefer, STATIC)
        choice = dynamic or static
        if dynamic is not None and static is not None:
            start_until = doses.until_week(rules.dose.static_until)
            choice = _Choice(dynamic.exercise, static.exercise, dynamic.alternatives)
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
        needs = selector.missing_equipment(phase, target.search, [*target.prefer, *target.dynamic, *target.static])
        reason = f"No {phase.value} exercise for it fits the constraints" + (
            f"; it would need: {', '.join(needs)}." if needs else "."
        )
        if not target.optional:
            gaps.append(Gap(muscle=target.muscle, reason=reason))
        return None
    exercise, start = choice.exercise, choice.start_with
    if start is not None and not start_reason:
        start_reason = f"An easier regression first: {exercise.name} is {exercise.level}-level."
    if start is not None and start_until >= doses.weeks:
        # The program ends before the harder exercise would start: the easier one is the prescription.
        exercise, start = start, None
    alternatives = [slug for slug in choice.alternatives if slug != exercise.slug]
    if phase in (Phase.strengthen, Phase.integrate):
        rationale = target.rationale
        first_choice = catalog.exercises.get(target.prefer[0]) if target.prefer else None
        if first_choice is not None and exercise.slug != first_choice.slug:
            # The slot's text names its first choices; say why this exercise stands in for them.
            rationale += (
                f" {exercise.name} stands in for {first_choice.name.lower()}, which the available equipment, the"
                " level, the person's conditions or the exclusions rule out here."
            )
    else:
        rationale = _area_rationale(target, catalog, mode)
    first_week = start_until + 1 if start is not None else 1
    item = ProgramItem(
        exercise=_ref(exercise),
        dose=doses.dose(exercise, phase, first_week),
        rationale=rationale,
        finding=target.finding,
        alternatives=alternatives,
        cues=list(target.cues) or list(exercise.cues[:3]),
        start_with=(
            StartWith(
                exercise=_ref(start), until_week=start_until, dose=doses.dose(start, phase, 1), reason=start_reason
            )
            if start is not None
            else None
        ),
    )
    return _Planned(target, phase, item, exercise, start, start_until if start is not None else 0)


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


def _schedule(planned: list[_Planned], doses: _DosePlan, sessions_per_week: int, minutes: int) -> Schedule:
    """Fill each session within the budget, least-practised item of a phase first: one item of every phase, then
    release and lengthen up to their share of the session, then strengthen and integrate, then more preparation
    if time is left. Items a session cannot hold come first in the next one."""
    done = [0] * len(planned)
    budget = minutes * 60
    preparation_budget = budget * doses.rules.schedule.preparation_share
    weeks = []
    for week in range(1, doses.weeks + 1):
        costs: list[tuple[ExerciseEntry, Dose, int]] = []
        for plan in planned:
            entry = plan.start if plan.start is not None and week <= plan.until_week else plan.exercise
            dose = doses.dose(entry, plan.phase, week)
            costs.append((entry, dose, doses.seconds(dose)))
        sessions = []
        for number in range(1, sessions_per_week + 1):
            by_phase = {
                phase: sorted((i for i, p in enumerate(planned) if p.phase is phase), key=lambda i: (done[i], i))
                for phase in PHASES
            }
            chosen, used = _fill_session(by_phase, [cost for _, _, cost in costs], budget, preparation_budget)
            for i in chosen:
                done[i] += 1
            order = sorted(chosen, key=lambda i: (PHASES.index(planned[i].phase), i))
            sessions.append(
                Session(
                    session=number,
                    estimated_minutes=math.ceil(used / 60),
                    items=[
                        ScheduledItem(phase=planned[i].phase, exercise=_ref(costs[i][0]), dose=costs[i][1])
                        for i in order
                    ],
                )
            )
        weeks.append(Week(week=week, stage=doses.stage(week).name, sessions=sessions))
    return Schedule(weeks=weeks)


def _safety_notes(person: _Person, rules: ProgramRules, has_release: bool) -> list[str]:
    notes = list(rules.safety_notes.always)
    if person.severe_pain:
        notes.append(rules.safety_notes.severe_pain.strip())
    if person.level is Level.beginner:
        notes.append(rules.safety_notes.beginner.strip())
    if has_release:
        notes.append(rules.safety_notes.release.strip())
    notes.extend(rules.safety_notes.conditions[c] for c in person.conditions if c in rules.safety_notes.conditions)
    return notes


def generate(
    assessment: Assessment, request: ProgramRequest, catalog: CatalogIndex, rules: ProgramRules
) -> ProgramBody:
    if assessment.status is AssessmentStatus.refer:
        referral = assessment.referral
        raise ReferralRequired(
            referral.reasons if referral else [],
            referral.message if referral else "This assessment refers the person to a clinician.",
        )
    person = _person(assessment, request, catalog, rules)
    findings = _Findings(assessment, person, catalog)
    avoid: dict[str, str] = {}
    for slug in person.patterns:
        for rule in rules.patterns[slug].avoid:
            if rule.when_condition is None or rule.when_condition in person.conditions:
                avoid.setdefault(rule.exercise, rule.reason.strip())
    limits = [
        (SPINAL_LOAD_RANK[rules.spinal_load_limits[c]], c) for c in person.conditions if c in rules.spinal_load_limits
    ]
    selector = _Selector(
        catalog, person, avoid, min(limits) if limits else None, frozenset(p.value for p in rules.imported_phases)
    )
    doses = _DosePlan(rules, person, request.weeks)

    targets = _targets(person, findings, rules, catalog)
    planned: list[_Planned] = []
    phases: list[ProgramPhase] = []
    for order, phase in enumerate(PHASES, start=1):
        gaps: list[Gap] = []
        phase_targets = [t for t in targets if t.phase is phase]
        items: list[_Planned] = []
        for target in phase_targets:
            if (plan := _plan_item(target, selector, doses, catalog, items, gaps)) is not None:
                items.append(plan)
        if not items:
            phase_targets = _baseline_targets(phase, rules, catalog)
            for target in phase_targets:
                if (plan := _plan_item(target, selector, doses, catalog, items, gaps)) is not None:
                    items.append(plan)
        planned.extend(items)
        served = [plan.target for plan in items]
        text = rules.phases[phase]
        phases.append(
            ProgramPhase(
                key=phase,
                order=order,
                title=text.title,
                goal=" ".join(text.goal.split()),
                # An optional target nothing could serve (the abdominals cannot be rolled) is not a focus.
                focus_muscles=list(dict.fromkeys(t.muscle for t in phase_targets if t in served or not t.optional)),
                items=[p.item for p in items],
                gaps=gaps,
            )
        )
    for slug in avoid:
        if slug in catalog.exercises:
            selector.exclusions.setdefault(slug, avoid[slug])
    for slug in request.exclude_exercises:
        selector.exclusions.setdefault(slug, "Excluded at the caller's request.")
    parameters = ProgramParameters(
        weeks=request.weeks,
        sessions_per_week=request.sessions_per_week,
        session_minutes=request.session_minutes,
        level=person.level,
        available_equipment=sorted(person.equipment),
        exclude_exercises=list(request.exclude_exercises),
        conditions=list(person.conditions),
    )
    return ProgramBody(
        assessment_id=assessment.id,
        ruleset_version=rules.version,
        parameters=parameters,
        phases=phases,
        schedule=_schedule(planned, doses, request.sessions_per_week, request.session_minutes),
        excluded=[Exclusion(exercise=slug, reason=reason) for slug, reason in selector.exclusions.items()],
        safety_notes=_safety_notes(person, rules, bool(phases[0].items)),
    )
