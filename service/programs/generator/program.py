"""The program: every phase's items from its targets, then the schedule, the exclusions, the safety notes, the
education and the findings no item serves; prescriptions and findings get their ids here."""

from __future__ import annotations

from collections.abc import Mapping

from service.assessments.schemas import Assessment, AssessmentStatus, Evidence
from service.programs.catalog_index import CatalogIndex
from service.programs.generator.dosing import DosePlan
from service.programs.generator.items import Planned, plan_item
from service.programs.generator.person import person_of
from service.programs.generator.schedule import PHASES, build_schedule
from service.programs.generator.selection import Selector
from service.programs.generator.targets import Found, Target, baseline_targets, find_targets, finding_key
from service.programs.generator.text import safety_notes
from service.programs.rules import ProgramRules
from service.programs.schemas import (
    Exclusion,
    Finding,
    FindingType,
    Gap,
    Lesson,
    ProgramBody,
    ProgramParameters,
    ProgramPhase,
    ProgramRequest,
    Unaddressed,
    Weekday,
)


class ReferralRequired(Exception):
    """The assessment's status is `refer`: no program until a clinician has seen the person."""

    def __init__(self, reasons: list[str], message: str) -> None:
        super().__init__(message)
        self.reasons = reasons
        self.message = message


def generate(
    assessment: Assessment,
    request: ProgramRequest,
    catalog: CatalogIndex,
    rules: ProgramRules,
    regressed: Mapping[str, str] | None = None,
) -> ProgramBody:
    """The program answering the assessment within the request's constraints; ReferralRequired if it refers.
    `regressed` (a revision's: exercise slug → why) puts each of those exercises' catalogue regressions in its place."""
    if assessment.status is not AssessmentStatus.ok:
        referral = assessment.referral
        raise ReferralRequired(
            referral.reasons if referral else [],
            referral.message if referral else "This assessment refers the person to a clinician.",
        )
    if request.starts_on is None:
        raise ValueError("the caller fills in starts_on (the generator has no clock)")
    person = person_of(assessment, request, catalog, rules, regressed)
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
    days = strength_days(request, rules)
    parameters = ProgramParameters(
        weeks=request.weeks,
        sessions_per_week=len(days),
        days=days,
        starts_on=request.starts_on,
        session_minutes=request.session_minutes,
        level=person.level,
        available_equipment=sorted(person.equipment),
        exclude_exercises=list(request.exclude_exercises),
        conditions=list(person.conditions),
        irritability=person.irritability,
    )
    _number_prescriptions(planned)
    schedule = build_schedule(
        planned, doses, catalog, days, request.session_minutes, request.starts_on, _tests(assessment, rules)
    )
    # A prescription the sessions never had room for is not prescribed: its findings are unaddressed, saying why.
    held = {i for w in schedule.weeks for i in w.routine.items}
    held |= {i for w in schedule.weeks for s in w.sessions for i in (*s.preparation, *s.items)}
    no_room = " ".join(rules.schedule.no_room.split())
    for dropped in [p for p in planned if not _ids(p) & held]:
        phase_of = next(p for p in phases if p.key is dropped.phase)
        phase_of.items.remove(dropped.item)
        phase_of.gaps.append(Gap(muscle=dropped.target.muscle, reason=no_room))
        for finding in (dropped.target.finding, *dropped.serves):
            why_not.setdefault(finding_key(finding), (False, no_room))
        planned.remove(dropped)
    for kept in planned:  # an easier start, or the exercise after it, that no week held
        start = kept.item.start_with
        if start is not None and start.id not in held:
            kept.item.start_with = None
        elif start is not None and kept.item.id not in held:  # the program ends (for its sessions) on the start
            kept.item.id, kept.item.exercise, kept.item.dose = start.id, start.exercise, start.dose
            kept.item.instructions, kept.item.cues, kept.item.start_with = start.instructions, start.cues, None
    unaddressed = _unaddressed(
        found.findings, planned, {k: why for k, (_, why) in why_not.items()}, rules.unmatched_findings.unserved
    )
    findings = _number_findings(planned, unaddressed, found.findings)
    ids = {(f.type, f.target): f.id for f in findings}
    return ProgramBody(
        assessment_id=assessment.id,
        ruleset_version=rules.version,
        parameters=parameters,
        findings=findings,
        phases=phases,
        schedule=schedule,
        excluded=[Exclusion(exercise=slug, reason=reason) for slug, reason in selector.exclusions.items()],
        safety_notes=safety_notes(person, rules, bool(phases[0].items), assessment.safety_netting),
        education=[
            *(Lesson(topic=x.topic, title=x.title, text=" ".join(x.text.split())) for x in rules.education),
            Lesson(
                topic="stage_criteria",
                title="When to move on",
                text=" ".join(rules.irritability.move_on_when.split()),
            ),
        ],
        unaddressed=[Unaddressed(finding=ids[key], reason=why) for key, why in unaddressed],
    )


def strength_days(request: ProgramRequest, rules: ProgramRules) -> list[Weekday]:
    """The request's days in weekday order, else the default for its count (3 when it names none)."""
    if request.days:
        return sorted(request.days, key=list(Weekday).index)
    return list(rules.schedule.default_days[request.sessions_per_week or 3])


def _tests(assessment: Assessment, rules: ProgramRules) -> list[str]:
    """What to measure again at a reassessment: pain, and every test whose inputs gave a finding."""
    evidence: list[Evidence] = [e for p in assessment.patterns for e in p.evidence]
    evidence += [e for f in (*assessment.overactive, *assessment.underactive) for e in f.reasons]
    paths = {path for e in evidence for path in e.inputs}
    tests = rules.schedule.reassess_tests
    return [
        rules.schedule.reassess_pain,
        *(name for prefix, name in tests.items() if any(p.startswith(prefix) for p in paths)),
    ]


def _number_prescriptions(planned: list[Planned]) -> None:
    """Ids for the prescriptions: `p1`…, in program order, a start right after its item."""
    number = 0
    for plan in planned:
        number += 1
        plan.item.id = f"p{number}"
        if plan.item.start_with is not None:
            number += 1
            plan.item.start_with.id = f"p{number}"


def _ids(plan: Planned) -> set[str]:
    return {plan.item.id} | ({plan.item.start_with.id} if plan.item.start_with is not None else set())


def _number_findings(
    planned: list[Planned], unaddressed: list[tuple[tuple[FindingType, str | None], str]], every: list[Found]
) -> list[Finding]:
    """Ids for the findings the program names (`f1`…, in the assessment's order); items then refer to them by id."""
    named: dict[tuple[FindingType, str | None], Found] = {}
    for plan in planned:
        for found in (plan.target.finding, *plan.serves):
            named.setdefault(finding_key(found), found)
    known = {finding_key(f): f for f in every}
    for key, _ in unaddressed:
        named.setdefault(key, known[key])
    order = {finding_key(f): i for i, f in enumerate(every)}
    keys = sorted(named, key=lambda k: order.get(k, len(order)))  # stable: the rest keep the items' order
    ids = {key: f"f{i}" for i, key in enumerate(keys, start=1)}
    for plan in planned:
        plan.item.finding = ids[finding_key(plan.target.finding)]
        plan.item.also_serves = [ids[finding_key(f)] for f in plan.serves]
    return [
        Finding(
            id=ids[k], type=named[k].type, target=named[k].target, rules=list(named[k].rules), summary=named[k].summary
        )
        for k in keys
    ]


def _unaddressed(
    findings: list[Found],
    planned: list[Planned],
    why_not: dict[tuple[FindingType, str | None], str],
    otherwise: str,
) -> list[tuple[tuple[FindingType, str | None], str]]:
    """The findings no item serves (CLINICAL.md §2), each with the reason its target gave (a gap's reason, or why it
    is never released); `otherwise` is a safety net for a finding with no target at all."""
    served = {finding_key(f) for p in planned for f in (p.target.finding, *p.serves)}
    listed: set[tuple[FindingType, str | None]] = set()
    unaddressed: list[tuple[tuple[FindingType, str | None], str]] = []
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
        unaddressed.append((key, why_not.get(key, why_not.get(tender, otherwise))))
    return unaddressed
