"""The program: every phase's items from its targets, then the schedule, the exclusions and the safety notes."""

from __future__ import annotations

from service.assessments.schemas import Assessment, AssessmentStatus
from service.programs.catalog_index import CatalogIndex
from service.programs.generator.dosing import DosePlan
from service.programs.generator.items import Planned, plan_item
from service.programs.generator.person import person_of
from service.programs.generator.schedule import PHASES, build_schedule
from service.programs.generator.selection import Selector
from service.programs.generator.targets import baseline_targets, find_targets
from service.programs.generator.text import safety_notes
from service.programs.rules import ProgramRules
from service.programs.schemas import (
    Exclusion,
    Gap,
    ProgramBody,
    ProgramParameters,
    ProgramPhase,
    ProgramRequest,
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
    selector = Selector(catalog, person, avoid, frozenset(p.value for p in rules.imported_phases))
    doses = DosePlan(rules, person, request.weeks)

    targets = find_targets(assessment, person, rules, catalog)
    planned: list[Planned] = []
    phases: list[ProgramPhase] = []
    for order, phase in enumerate(PHASES, start=1):
        gaps: list[Gap] = []
        phase_targets = [t for t in targets if t.phase is phase]
        items: list[Planned] = []
        for target in phase_targets:
            if (plan := plan_item(target, selector, doses, catalog, items, gaps)) is not None:
                items.append(plan)
        if not items:
            phase_targets = baseline_targets(phase, rules, catalog)
            for target in phase_targets:
                if (plan := plan_item(target, selector, doses, catalog, items, gaps)) is not None:
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
    return ProgramBody(
        assessment_id=assessment.id,
        ruleset_version=rules.version,
        parameters=parameters,
        phases=phases,
        schedule=build_schedule(planned, doses, request.sessions_per_week, request.session_minutes),
        excluded=[Exclusion(exercise=slug, reason=reason) for slug, reason in selector.exclusions.items()],
        safety_notes=safety_notes(person, rules, bool(phases[0].items)),
    )
