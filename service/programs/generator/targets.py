"""Targets: what each phase must address, from the detected patterns, the trigger points and unexplained findings.

Every finding of the assessment (pattern, trigger point, overactive or underactive muscle) ends in the program
(CLINICAL.md §2): each target carries the findings it serves, so that the program can say which item serves each
one, and why the others are left unaddressed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from service.assessments.schemas import Assessment, MuscleFinding
from service.catalog.enums import Phase
from service.programs.catalog_index import CatalogIndex
from service.programs.generator.person import Person
from service.programs.rules import AreaRule, ProgramRules, SlotRule
from service.programs.schemas import FindingType

# The phases that serve each kind of muscle finding.
SERVING = {
    FindingType.trigger_point: (Phase.release,),
    FindingType.overactive: (Phase.release, Phase.lengthen),
    FindingType.underactive: (Phase.strengthen, Phase.integrate),
}


@dataclass(frozen=True)
class Found:
    """A finding as the generator handles it: the program lists each once, with an id (program.py), and its items
    refer to it by that id."""

    type: FindingType
    target: str | None
    rules: tuple[str, ...]
    summary: str


def finding_key(finding: Found) -> tuple[FindingType, str | None]:
    return finding.type, finding.target


def add_findings(known: list[Found], *more: Found) -> None:
    """Append to `known` each finding it does not hold yet; an overactive muscle that is known as tender is held
    (the trigger point's finding carries every reason the muscle is overactive)."""
    keys = {finding_key(f) for f in known}
    for finding in more:
        key = finding_key(finding)
        tender = (FindingType.trigger_point, finding.target)
        if key in keys or (finding.type is FindingType.overactive and tender in keys):
            continue
        keys.add(key)
        known.append(finding)


@dataclass
class Target:
    """One thing the program must address: an area to release or lengthen, or a slot to strengthen/integrate."""

    phase: Phase
    muscle: str
    finding: Found
    prefer: list[str] = field(default_factory=list)
    dynamic: list[str] = field(default_factory=list)
    static: list[str] = field(default_factory=list)
    rationale: str = ""
    cues: list[str] = field(default_factory=list)
    search: list[str] = field(default_factory=list)  # muscles to search the catalogue by, in order
    key: str = ""
    optional: bool = False  # served when an exercise exists; no gap reported otherwise
    serves: list[Found] = field(default_factory=list)
    """The findings it serves besides `finding`: its pattern, the findings on muscles its area covers, and those of
    the targets it absorbed."""
    note: str = ""
    """Said before the gap's reason when its findings end unaddressed (why it is not released, say)."""
    also_covers: list[str] = field(default_factory=list)
    """Muscles its exercises train besides `muscle` (a slot's `serves`)."""

    def serve(self, *findings: Found) -> None:
        served = [self.finding, *self.serves]
        add_findings(served, *findings)
        self.serves = served[1:]

    def covers(self, muscle: str, catalog: CatalogIndex) -> bool:
        return any(catalog.covers(area, muscle) for area in (self.muscle, *self.also_covers))

    def absorb(self, other: Target) -> None:
        """`other` is served by this target (the same slot of another pattern, an area inside this one)."""
        self.serve(other.finding, *other.serves)


@dataclass
class Targets:
    """Every phase's targets, and every finding of the assessment, in the order the program lists them."""

    targets: list[Target]
    findings: list[Found]


class _Findings:
    """The assessment's findings, looked up by muscle through the muscle tree."""

    def __init__(self, assessment: Assessment, person: Person, catalog: CatalogIndex, rules: ProgramRules) -> None:
        self.person = person
        self.catalog = catalog
        self.rules = rules
        self.patterns = {p.slug: p for p in assessment.patterns}

    def _rank(self, area: str, muscle: str) -> int | None:
        """How well a finding on `muscle` matches `area`: 0 the area itself, 1 below it, 2 above it, None not at all."""
        if muscle == area:
            return 0
        if self.catalog.covers(area, muscle):
            return 1
        if self.catalog.covers(muscle, area):
            return 2
        return None

    def trigger_point(self, tp: str) -> Found:
        reasons = [r for f in self.person.overactive if f.muscle == tp for r in f.reasons]
        return Found(
            type=FindingType.trigger_point,
            target=tp,
            rules=tuple(r.rule for r in reasons),
            summary=f"{self.catalog.name_of(tp)}: you marked it tender (a likely knot, or trigger point)",
        )

    def muscle(self, kind: FindingType, area: str) -> Found | None:
        """The finding of this kind an area is named after: on the area itself, else on a muscle below it with the
        most evidence, else on a group above it."""
        if kind is FindingType.trigger_point:
            ranked = [
                (rank, i, tp)
                for i, tp in enumerate(self.person.trigger_points)
                if (rank := self._rank(area, tp)) is not None
            ]
            return self.trigger_point(min(ranked)[2]) if ranked else None
        findings = self.person.overactive if kind is FindingType.overactive else self.person.underactive
        candidates = [
            (rank, -len(f.reasons), i, f)
            for i, f in enumerate(findings)
            if (rank := self._rank(area, f.muscle)) is not None
        ]
        if not candidates:
            return None
        return _from_muscle(kind, min(candidates, key=lambda c: c[:3])[3], self.catalog)

    def pattern(self, slug: str) -> Found:
        found = self.patterns[slug]
        gloss = self.rules.patterns[slug].gloss
        return Found(
            type=FindingType.pattern,
            target=slug,
            rules=tuple(e.rule for e in found.evidence),
            summary=f"{found.name}: {gloss} ({found.band or 'possible'}, from your assessment)",
        )

    def overactive_in(self, area: str) -> bool:
        return any(self.catalog.covers(area, f.muscle) for f in self.person.overactive)

    def applies(self, area: AreaRule) -> bool:
        """An area with a `when` is treated when its test holds or when a muscle it covers is found overactive."""
        if area.when is None or self.overactive_in(area.muscle):
            return True
        return area.when == "thomas_test_positive" and self.person.thomas_positive


def _from_muscle(kind: FindingType, found: MuscleFinding, catalog: CatalogIndex) -> Found:
    """The finding in a few plain words: the assessment's evidence (its `rules`) tells the whole story."""
    state = "tight and overworked" if kind is FindingType.overactive else "weak, or slow to switch on"
    side = f", more on the {found.side.value} side" if found.side.value in ("left", "right") else ""
    return Found(
        type=kind,
        target=found.muscle,
        rules=tuple(r.rule for r in found.reasons),
        summary=f"{catalog.name_of(found.muscle)}: {state}{side}",
    )


def _area_target(phase: Phase, area: AreaRule, finding: Found, catalog: CatalogIndex) -> Target:
    # Search the area itself, then its groups below the body regions: a tender gluteus minimus with no
    # exercise of its own is served by one for the glutes.
    groups = [a for a in catalog.ancestors.get(area.muscle, ()) if catalog.muscles[a].parent is not None]
    return Target(
        phase=phase,
        muscle=area.muscle,
        finding=finding,
        prefer=list(area.prefer),
        dynamic=list(area.dynamic),
        static=list(area.static),
        search=[area.muscle, *groups],
        key=f"{phase}:{area.muscle}",
    )


def never_released(muscle: str, rules: ProgramRules, catalog: CatalogIndex) -> str | None:
    """Why self-release never goes on `muscle` (the lower back), or None."""
    return next((n.reason.strip() for n in rules.never_released if catalog.covers(n.muscle, muscle)), None)


def find_targets(assessment: Assessment, person: Person, rules: ProgramRules, catalog: CatalogIndex) -> Targets:
    """Each phase's targets: the detected patterns' areas and slots, then the trigger points and the muscle findings
    no detected pattern's areas or slots cover; each with the findings it serves."""
    findings = _Findings(assessment, person, catalog, rules)
    targets: list[Target] = []

    def add(target: Target) -> None:
        same_area = (Phase.release, Phase.lengthen)
        for other in targets:
            if other.key == target.key or (
                target.phase in same_area
                and other.phase == target.phase
                and catalog.covers(other.muscle, target.muscle)
            ):
                other.absorb(target)
                return
        targets.append(target)

    def muscle_finding(area: str, fallback: Found, *kinds: FindingType) -> Found:
        for kind in kinds:
            found = findings.muscle(kind, area)
            if found is not None:
                return found
        return fallback

    def from_pattern(target: Target, why: Found) -> Target:
        target.serve(why)
        return target

    # Likely and present patterns bring their whole block; possible ones (after them) their lengthening only.
    for slug in [*person.patterns, *person.possible_patterns]:
        pattern = rules.patterns[slug]
        why = findings.pattern(slug)
        whole = slug in person.patterns
        for area in pattern.release if whole else []:
            finding = muscle_finding(area.muscle, why, FindingType.trigger_point, FindingType.overactive)
            add(from_pattern(_area_target(Phase.release, area, finding, catalog), why))
        for area in pattern.lengthen:
            if not findings.applies(area):
                continue
            finding = muscle_finding(area.muscle, why, FindingType.overactive, FindingType.trigger_point)
            add(from_pattern(_area_target(Phase.lengthen, area, finding, catalog), why))
        for phase, slots in ((Phase.strengthen, pattern.strengthen), (Phase.integrate, pattern.integrate)):
            for slot in slots if whole else []:
                finding = muscle_finding(slot.muscle, why, FindingType.underactive)
                add(from_pattern(_slot_target(phase, slot, finding), why))
    by_patterns = list(targets)

    def explained(muscle: str, kind: FindingType) -> bool:
        """A pattern's areas or slots bring a target covering the muscle in a phase that serves the finding."""
        return any(t.phase in SERVING[kind] and t.covers(muscle, catalog) for t in by_patterns)

    # Trigger points: each is released where it is; one where self-release never goes is stretched instead.
    for tp in person.trigger_points:
        phase = Phase.release if never_released(tp, rules, catalog) is None else Phase.lengthen
        add(_area_target(phase, AreaRule(muscle=tp), findings.trigger_point(tp), catalog))
    # Muscle findings no detected pattern's areas or slots cover get their own targets.
    unmatched = rules.unmatched_findings.rationale
    for found in person.overactive:
        only_tender = found.muscle in person.trigger_points and len(found.reasons) == 1
        if only_tender or explained(found.muscle, FindingType.overactive):
            continue
        finding = _from_muscle(FindingType.overactive, found, catalog)
        for phase in (Phase.release, Phase.lengthen):
            if phase is Phase.release and never_released(found.muscle, rules, catalog) is not None:
                continue  # the lower back is never rolled: stretched only
            target = _area_target(phase, AreaRule(muscle=found.muscle), finding, catalog)
            target.rationale = unmatched[phase].format(muscle=catalog.name_of(found.muscle).lower())
            target.key = f"{phase}:{found.muscle}:unmatched"
            target.optional = phase is Phase.release  # not every tissue can be rolled (the abdominals)
            add(target)
    for found in person.underactive:
        if explained(found.muscle, FindingType.underactive):
            continue
        add(
            Target(
                phase=Phase.strengthen,
                muscle=found.muscle,
                finding=_from_muscle(FindingType.underactive, found, catalog),
                rationale=unmatched[Phase.strengthen].format(muscle=catalog.name_of(found.muscle).lower()),
                search=[found.muscle],
                key=f"strengthen:{found.muscle}:unmatched",
            )
        )

    # What each target serves: the findings on the muscles its area covers, of the kinds its phase serves (a tender
    # muscle never released counts as served by the stretch of its area).
    muscle_findings = [
        *(findings.trigger_point(tp) for tp in person.trigger_points),
        *(_from_muscle(FindingType.overactive, f, catalog) for f in person.overactive),
        *(_from_muscle(FindingType.underactive, f, catalog) for f in person.underactive),
    ]
    serving = []
    for finding in muscle_findings:
        muscle = finding.target or ""
        phases = SERVING[finding.type]
        if finding.type is FindingType.trigger_point and never_released(muscle, rules, catalog) is not None:
            phases = (Phase.lengthen,)
        serving.append((finding, muscle, phases))
    for target in targets:
        for finding, muscle, phases in serving:
            if target.phase in phases and target.covers(muscle, catalog):
                target.serve(finding)
    # A stretch of the lower back says why it is not rolled (should its findings end unaddressed); one that answers a
    # tender spot there is named after it and says so.
    for target in targets:
        reason = never_released(target.muscle, rules, catalog)
        if target.phase is not Phase.lengthen or reason is None:
            continue
        target.note = reason
        spot = next((f for f in (target.finding, *target.serves) if f.type is FindingType.trigger_point), None)
        if spot is not None:
            if spot is not target.finding:
                target.serves = [target.finding, *(f for f in target.serves if f is not spot)]
                target.finding = spot
            name = catalog.name_of(spot.target or "").lower()
            target.rationale = rules.unmatched_findings.not_released.format(muscle=name, reason=reason)
    every = [findings.pattern(p.slug) for p in assessment.patterns]
    return Targets(targets=targets, findings=every + muscle_findings)


def _slot_target(phase: Phase, slot: SlotRule, finding: Found) -> Target:
    return Target(
        phase=phase,
        muscle=slot.muscle,
        finding=finding,
        prefer=list(slot.prefer),
        rationale=slot.rationale.strip(),
        cues=list(slot.cues),
        search=[slot.muscle],
        key=f"{phase}:{slot.slot}",
        also_covers=list(slot.serves),
    )


def baseline_targets(phase: Phase, rules: ProgramRules, catalog: CatalogIndex) -> list[Target]:
    """The baseline upkeep, for a phase nothing in the assessment calls for."""
    finding = Found(
        type=FindingType.baseline, target=None, rules=(), summary=" ".join(rules.baseline.rationale.split())
    )
    targets = []
    for area in getattr(rules.baseline, phase.value):
        target = _area_target(phase, area, finding, catalog)
        target.rationale = rules.baseline.rationale
        targets.append(target)
    return targets
