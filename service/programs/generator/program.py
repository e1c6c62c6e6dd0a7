"""The program: every phase's items from its targets, then the schedule, the exclusions, the safety notes and the
findings no item serves."""

from __future__ import annotations

from service.assessments.schemas import Assessment, AssessmentStatus
from service.programs.catalog_index import CatalogIndex
from service.programs.generator.dosing import DosePlan
from service.programs.generator.items import Planned, plan_item
from service.programs.generator.person import person_of
from service.programs.generator.schedule import PHASES, build_schedule
from service.programs.generator.selection import Selector
from service.programs.generator.targets import Target, baseline_targets, find_targets, finding_key
from service.programs.generator.text import safety_notes
from service.programs.rules import ProgramRules
from service.programs.schemas import (
    Exclusion,
    Finding,
    FindingType,
    Gap,
    ProgramBody,
    ProgramParameters,
    ProgramPhase,
    ProgramRequest,
    Unaddressed,
)


class ReferralRequired(Exception):
    """The assessment's status is `refer`: no program until a clinician has seen the person."""

    def __init__(self, reasons: list[str], message: str) -> None:
        super().__init__(message)
        self.reasons = reasons
        self.message = message


def generate(
    assessment: Assessment, request: ProgramRequest, catalog: CatalogIndex, rules: ProgramRules
) -> ProgramBody:
    """The program answering the assessment within the request's constraints; ReferralRequired if it refers."""
    if assessment.status is not AssessmentStatus.ok:
        referral = assessment.referral
        raise ReferralRequired(
            referral.reasons if referral else [],
            referral.message if referral else "This assessment refers the person to a clinician.",
        )
    person = person_of(assessment, request, catalog, rules)
    avoid: dict[str, str] = {}
    for slug in person.patterns:
        for rule in rules.patterns[slug].avoid:
            if rule.when_condition is None or rule.when_condition in person.conditions:
                avoid.setdefault(rule.exercise, rule.reason.strip())
    selector = Selector(
        catalog, person, avoid, tuple(rules.gap_equipment_order), frozenset(p.value for p in rules.imported_phases)
    )
    doses = DosePlan(rules, person, request.weeks)

    found = find_targets(assessment, person, rules, catalog)
    planned: list[Planned] = []
    phases: list[ProgramPhase] = []
    # Why a finding's targets went unserved: the first required target's gap, else the first optional one's.
    why_not: dict[tuple[FindingType, str | None], tuple[bool, str]] = {}

    def plan(targets: list[Target], items: list[Planned], gaps: list[Gap]) -> None:
        for target in targets:
            outcome = plan_item(target, selector, doses, catalog, items)
            if isinstance(outcome, Planned):
                items.append(outcome)
            elif isinstance(outcome, Gap):
                if not target.optional:
                    gaps.append(outcome)
                reason = f"{target.note} {outcome.reason}" if target.note else outcome.reason
                for finding in (target.finding, *target.serves):
                    key = finding_key(finding)
                    if key not in why_not or (why_not[key][0] and not target.optional):
                        why_not[key] = (target.optional, reason)

    for order, phase in enumerate(PHASES, start=1):
        gaps: list[Gap] = []
        phase_targets = [t for t in found.targets if t.phase is phase]
        items: list[Planned] = []
        plan(phase_targets, items, gaps)
        if not items:
            phase_targets = baseline_targets(phase, rules, catalog)
            plan(phase_targets, items, gaps)
        planned.extend(items)
        served = [p.target for p in items]
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
    for slug, reason in selector.person.excluded.items():
        selector.exclusions.setdefault(slug, reason)
    parameters = ProgramParameters(
        weeks=request.weeks,
        sessions_per_week=request.sessions_per_week,
        session_minutes=request.session_minutes,
        level=person.level,
        available_equipment=sorted(person.equipment),
        exclude_exercises=list(request.exclude_exercises),
        conditions=list(person.conditions),
        irritability=person.irritability,
    )
    for p in planned:
        p.item.also_serves = list(p.serves)
    return ProgramBody(
        assessment_id=assessment.id,
        ruleset_version=rules.version,
        parameters=parameters,
        phases=phases,
        schedule=build_schedule(planned, doses, request.sessions_per_week, request.session_minutes),
        excluded=[Exclusion(exercise=slug, reason=reason) for slug, reason in selector.exclusions.items()],
        safety_notes=safety_notes(person, rules, bool(phases[0].items)),
        unaddressed=_unaddressed(
            found.findings, planned, {k: why for k, (_, why) in why_not.items()}, rules.unmatched_findings.unserved
        ),
    )


def _unaddressed(
    findings: list[Finding],
    planned: list[Planned],
    why_not: dict[tuple[FindingType, str | None], str],
    otherwise: str,
) -> list[Unaddressed]:
    """The findings no item serves (CLINICAL.md §2), each with the reason its target gave (a gap's reason, or why it
    is never released); `otherwise` is a safety net for a finding with no target at all."""
    served = {finding_key(f) for p in planned for f in (p.item.finding, *p.serves)}
    listed: set[tuple[FindingType, str | None]] = set()
    unaddressed = []
    for finding in findings:
        key = finding_key(finding)
        tender = (FindingType.trigger_point, finding.target)
        if key in served or key in listed:
            continue
        if finding.type is FindingType.overactive:
            if tender in served:
                continue  # the tender muscle's release serves it: the trigger point carries the same evidence
            if key not in why_not and tender in listed:
                continue  # found overactive only as tender: the trigger point's entry says why
        listed.add(key)
        unaddressed.append(Unaddressed(finding=finding, reason=why_not.get(key, why_not.get(tender, otherwise))))
    return unaddressed
