"""The assessment rule engine: a pure function of an input, a ruleset, the catalogue's anatomy and a day.

No I/O, no clock (the day is passed in), no randomness: the same arguments give the same result, byte for byte
once encoded. Screening comes first (service/assessments/screening.py): an emergency or urgent answer refers at
once; any other missing answer makes the assessment `incomplete`; only then are findings computed
(service/assessments/findings.py), pain they leave unexplained weighed, and routine concerns lifted by a
clinician's clearance or turned into a referral. Ordering is fixed everywhere: evidence follows the rules file,
patterns go by score then slug, muscles by slug, referral reasons by level then code.
"""

from __future__ import annotations

from datetime import date, timedelta

from service.assessments.anatomy import Anatomy
from service.assessments.findings import Findings, find
from service.assessments.rules import RuleSet
from service.assessments.schemas import (
    AppliedClearance,
    AssessmentInput,
    AssessmentResult,
    AssessmentStatus,
    Clearance,
    ConcernLevel,
    Evidence,
    InferredCondition,
    Note,
    Referral,
    Restrictions,
)
from service.assessments.screening import LEVEL_ORDER, Concern, Flag, Outcome, is_pregnant, screen

UNEXPLAINED_PAIN = "unexplained_severe_pain"


def assess(
    data: AssessmentInput,
    rules: RuleSet,
    *,
    on: date,
    anatomy: Anatomy | None = None,
) -> AssessmentResult:
    """Apply the ruleset to one assessment input, as of the day `on` (a clearance's age is counted to it)."""
    outcome = screen(data, rules.screening)
    notes, neural = _neural_straight_leg_raise(data, rules, outcome)
    clearance_notes, clearance = _clearance(data, rules, on)
    if outcome.worst() in (ConcernLevel.emergency, ConcernLevel.urgent):
        if data.clearance is not None:
            notes.append(
                Note(
                    code="clearance_cannot_lift",
                    message=(
                        "A clinician's clearance cannot lift an emergency or urgent concern here: after care, make a "
                        "new assessment."
                    ),
                    inputs=["clearance"],
                )
            )
        return _refer(rules, outcome, outcome.concerns, notes)
    if outcome.missing:
        return _result(rules, outcome, AssessmentStatus.incomplete, None, notes=notes)

    findings = find(data, rules, anatomy, neural=neural or Flag.nerve_root in outcome.flags)
    concerns = list(outcome.concerns)
    notes += findings.notes + clearance_notes
    unexplained = _unexplained_pain(data, rules, findings)
    if unexplained is not None:
        if isinstance(unexplained, Concern):
            concerns.append(unexplained)
        else:
            notes.append(unexplained)
    routine = [c for c in concerns if c.level is ConcernLevel.routine]
    if routine and clearance is None:
        return _refer(rules, outcome, concerns, notes)
    policy = rules.screening.clearance
    kept = [c for c in routine if clearance is not None and not policy.lifts(c.reason, clearance.role)]
    if clearance is not None and kept:
        for concern in kept:
            roles = " or ".join(r.value.replace("_", " ") for r in policy.only_by[concern.reason])
            notes.append(
                Note(
                    code="clearance_role_cannot_lift",
                    message=(
                        f"A clearance from a {clearance.role.value.replace('_', ' ')} cannot lift "
                        f"'{concern.reason.replace('_', ' ')}': it needs a clearance from a {roles}."
                    ),
                    inputs=["clearance.role", *concern.evidence.inputs],
                )
            )
        lifted = [c for c in routine if c not in kept]
        return _refer(rules, outcome, [c for c in concerns if c not in lifted], notes)
    applied = None
    if clearance is not None:
        applied = AppliedClearance(
            role=clearance.role,
            date=clearance.date,
            cleared=[c.reason for c in routine],
            restrictions=clearance.restrictions or Restrictions(),
        )
    return _result(
        rules,
        outcome,
        AssessmentStatus.ok,
        ConcernLevel.proceed,
        findings=findings,
        notes=notes,
        conditions=_conditions(data, rules, outcome, applied),
        clearance=applied,
        trigger_points=sorted(set(data.tender_spots or [])),
    )


def _result(
    rules: RuleSet,
    outcome: Outcome,
    status: AssessmentStatus,
    level: ConcernLevel | None,
    *,
    referral: Referral | None = None,
    findings: Findings | None = None,
    notes: list[Note],
    conditions: list[InferredCondition] | None = None,
    clearance: AppliedClearance | None = None,
    trigger_points: list[str] | None = None,
) -> AssessmentResult:
    screens = {s.slug: s for s in rules.screening.screens}
    return AssessmentResult(
        status=status,
        referral=referral,
        patterns=findings.patterns if findings else [],
        overactive=findings.overactive if findings else [],
        underactive=findings.underactive if findings else [],
        trigger_points=trigger_points or [],
        ruleset_version=rules.version,
        level=level,
        screens=outcome.screens,
        missing=outcome.missing if status is AssessmentStatus.incomplete else [],
        safety_netting=[screens[s].safety_net for s in outcome.screens] if status is AssessmentStatus.ok else [],
        conditions=conditions or [],
        asymmetries=findings.asymmetries if findings else [],
        notes=notes,
        clearance=clearance,
    )


def _refer(rules: RuleSet, outcome: Outcome, concerns: list[Concern], notes: list[Note]) -> AssessmentResult:
    ordered = sorted(concerns, key=lambda c: (LEVEL_ORDER.index(c.level), c.reason))
    level = ordered[0].level
    referral = Referral(
        reasons=list(dict.fromkeys(c.reason for c in ordered)),
        message=rules.screening.message(level),
        urgent=level in (ConcernLevel.emergency, ConcernLevel.urgent),
        evidence=[c.evidence for c in ordered],
        level=level,
    )
    return _result(rules, outcome, AssessmentStatus.refer, level, referral=referral, notes=notes)


def _neural_straight_leg_raise(data: AssessmentInput, rules: RuleSet, outcome: Outcome) -> tuple[list[Note], bool]:
    """A straight-leg raise below the neural threshold is a nerve sign with back or leg pain, and is never read as
    muscle length (the short-hamstrings rule starts at the same angle). Returns the notes and whether the raise
    was read as neural."""
    nerve = rules.screening.nerve_root
    pair = data.tests.straight_leg_raise_deg if data.tests else None
    low = [
        f"tests.straight_leg_raise_deg.{side}"
        for side in ("left", "right")
        if (value := getattr(pair, side, None)) is not None and value < nerve.neural_below_degrees
    ]
    if not low:
        return [], False
    if "lumbar" in outcome.screens:
        outcome.flags.setdefault(Flag.nerve_root, []).extend(low)
        return [], True
    return [
        Note(
            code="straight_leg_raise_not_read",
            message=(
                f"A straight-leg raise under {nerve.neural_below_degrees:.10g}° is not read as short hamstrings: it "
                "can come from a nerve. Ask a physical therapist to check it."
            ),
            inputs=low,
        )
    ], True


def _clearance(data: AssessmentInput, rules: RuleSet, on: date) -> tuple[list[Note], Clearance | None]:
    clearance = data.clearance
    if clearance is None:
        return [], None
    oldest = on - timedelta(days=rules.screening.clearance.max_age_days)
    if clearance.date < oldest:
        return [
            Note(
                code="clearance_too_old",
                message=(
                    f"The clearance of {clearance.date.isoformat()} is older than "
                    f"{rules.screening.clearance.max_age_days} days, so it was not applied: ask for a new one."
                ),
                inputs=["clearance.date"],
            )
        ], None
    return [], clearance


def _unexplained_pain(data: AssessmentInput, rules: RuleSet, findings: Findings) -> Concern | Note | None:
    pain = data.pain
    if pain is None or not pain.regions or not pain.intensity:
        return None
    unexplained = [r.value for r in pain.regions if r.value not in findings.explained_regions]
    if not unexplained:
        return None
    where = ", ".join(r.replace("_", " ") for r in unexplained)
    if pain.intensity >= rules.screening.unexplained_pain.refer_at_least:
        evidence = Evidence(
            rule="screening.unexplained_pain",
            inputs=["pain.intensity", "pain.regions"],
            summary=(
                f"Nothing in this assessment explains your pain of {pain.intensity}/10 ({where}): have a clinician "
                "check it before you train"
            ),
            basis=(
                f"Pain at or above {rules.screening.unexplained_pain.refer_at_least}/10 in a region no likely or "
                "present pattern and no finding accounts for: routine referral (CLINICAL.md §1)"
            ),
        )
        return Concern(UNEXPLAINED_PAIN, ConcernLevel.routine, evidence)
    return Note(
        code="unexplained_pain",
        message=(
            f"Nothing in this assessment explains the pain ({where}). The program does not target it; if it does not "
            "settle within a few weeks, or gets worse, see a clinician."
        ),
        inputs=["pain.regions"],
    )


def _conditions(
    data: AssessmentInput, rules: RuleSet, outcome: Outcome, clearance: AppliedClearance | None
) -> list[InferredCondition]:
    found: dict[str, InferredCondition] = {}

    def add(condition: str, reason: str, inputs: list[str]) -> None:
        found.setdefault(condition, InferredCondition(condition=condition, reason=reason, inputs=inputs))

    for index, condition in enumerate(data.conditions or ()):
        add(condition, f"You told us about {condition.replace('_', ' ')}.", [f"conditions[{index}]"])
    if is_pregnant(data):
        add(
            "pregnancy", "You are pregnant, so positions and efforts to avoid in pregnancy are left out.", ["pregnancy"]
        )
    if Flag.nerve_root in outcome.flags:
        add(
            rules.screening.nerve_root.condition,
            (
                "Your answers show signs of an irritated nerve, so nothing stretches the nerve (no straight-knee "
                "hamstring stretches). This is not a diagnosis."
            ),
            outcome.flags[Flag.nerve_root],
        )
    if clearance is not None:
        for condition in clearance.restrictions.conditions:
            add(condition, f"Your {clearance.role.value.replace('_', ' ')} asked for this.", ["clearance.restrictions"])
    pain = data.pain
    if pain is not None and pain.intensity != 0:
        for index, region in enumerate(pain.regions or ()):
            mapped = rules.region_conditions.get(region)
            if mapped is not None:
                add(mapped.condition, mapped.reason, [f"pain.regions[{index}]"])
    return sorted(found.values(), key=lambda c: c.condition)
