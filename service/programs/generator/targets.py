"""Targets: what each phase must address, from the detected patterns, the trigger points and unexplained findings."""

from __future__ import annotations

from dataclasses import dataclass, field

from service.assessments.schemas import Assessment, MuscleFinding
from service.catalog.enums import Phase
from service.programs.catalog_index import CatalogIndex
from service.programs.generator.person import Person
from service.programs.rules import AreaRule, ProgramRules, SlotRule
from service.programs.schemas import Finding, FindingType


@dataclass
class Target:
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

    def __init__(self, assessment: Assessment, person: Person, catalog: CatalogIndex) -> None:
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


def _area_target(phase: Phase, area: AreaRule, finding: Finding, catalog: CatalogIndex) -> Target:
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


def find_targets(assessment: Assessment, person: Person, rules: ProgramRules, catalog: CatalogIndex) -> list[Target]:
    """Each phase's targets: the detected patterns' areas and slots, then the trigger points and the muscle findings
    no detected pattern explains."""
    findings = _Findings(assessment, person, catalog)
    targets: list[Target] = []

    def add(target: Target) -> None:
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

    # Likely and present patterns bring their whole block; possible ones (after them) their lengthening only.
    for slug in [*person.patterns, *person.possible_patterns]:
        pattern = rules.patterns[slug]
        why = findings.pattern(slug)
        whole = slug in person.patterns
        for area in pattern.release if whole else []:
            finding = muscle_finding(area.muscle, why, FindingType.trigger_point, FindingType.overactive)
            add(_area_target(Phase.release, area, finding, catalog))
        for area in pattern.lengthen:
            if area.when == "thomas_test_positive" and not person.thomas_positive:
                continue
            finding = muscle_finding(area.muscle, why, FindingType.overactive, FindingType.trigger_point)
            add(_area_target(Phase.lengthen, area, finding, catalog))
        for phase, slots in ((Phase.strengthen, pattern.strengthen), (Phase.integrate, pattern.integrate)):
            for slot in slots if whole else []:
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
            Target(
                phase=Phase.strengthen,
                muscle=found.muscle,
                finding=finding,
                rationale=unmatched[Phase.strengthen].format(muscle=catalog.name_of(found.muscle).lower()),
                search=[found.muscle],
                key=f"strengthen:{found.muscle}:unmatched",
            )
        )
    return targets


def _slot_target(phase: Phase, slot: SlotRule, finding: Finding) -> Target:
    return Target(
        phase=phase,
        muscle=slot.muscle,
        finding=finding,
        prefer=list(slot.prefer),
        rationale=slot.rationale.strip(),
        cues=list(slot.cues),
        search=[slot.muscle],
        key=f"{phase}:{slot.slot}",
    )


def baseline_targets(phase: Phase, rules: ProgramRules, catalog: CatalogIndex) -> list[Target]:
    """The baseline upkeep, for a phase nothing in the assessment calls for."""
    finding = Finding(type=FindingType.baseline, target=None, rules=[], summary=rules.baseline.rationale)
    targets = []
    for area in getattr(rules.baseline, phase.value):
        target = _area_target(phase, area, finding, catalog)
        target.rationale = rules.baseline.rationale
        targets.append(target)
    return targets
