"""Every semantic problem of an assessment input that msgspec's schema cannot catch, as (field path, message)."""

from __future__ import annotations

import unicodedata
from datetime import date

from service.assessments.anatomy import Anatomy
from service.assessments.rules import RuleSet
from service.assessments.schemas import AssessmentInput, Compensation


def _duplicates(path: str, items: list[str] | None, what: str) -> list[tuple[str, str]]:
    seen: set[str] = set()
    problems: list[tuple[str, str]] = []
    for index, item in enumerate(items or []):
        if item in seen:
            problems.append((f"{path}[{index}]", f"duplicate {what} {str(item)!r}"))
        seen.add(item)
    return problems


def _subject_ref(ref: str | None) -> list[tuple[str, str]]:
    if ref is None:
        return []
    problems = []
    if "@" in ref:
        problems.append(
            ("subject_ref", "looks like an email address: use an opaque reference, never an email or a name")
        )
    if any(unicodedata.category(c) in ("Cc", "Cs") for c in ref):
        problems.append(("subject_ref", "must not contain control characters"))
    elif not ref.strip():
        problems.append(("subject_ref", "must not be blank"))
    return problems


def _tender_spots(data: AssessmentInput, anatomy: Anatomy) -> list[tuple[str, str]]:
    problems = []
    for index, slug in enumerate(data.tender_spots or []):
        if slug not in anatomy.parents:
            problems.append((f"tender_spots[{index}]", f"unknown muscle {slug!r}"))
        elif anatomy.is_region(slug):
            problems.append((f"tender_spots[{index}]", f"{slug!r} is a body region: name the muscle that is tender"))
    return problems


def _screening(data: AssessmentInput, rules: RuleSet) -> list[tuple[str, str]]:
    """Unknown codes, and one fact answered two ways in two fields."""
    codes = rules.screening.codes()
    problems = [
        (f"screening.{code}", "unknown screening code (GET /v1/screening lists them)")
        for code in (data.screening or {})
        if code not in codes
    ]
    flags = data.red_flags
    for code, value in (data.screening or {}).items():
        flagged = getattr(flags, code, None) if flags is not None and code in flags.__struct_fields__ else None
        if flagged is not None and flagged != value:
            problems.append((f"screening.{code}", f"contradicts red_flags.{code}"))
    answers = dict(data.screening or {})
    if flags is not None:
        answers.update({c: getattr(flags, c) for c in flags.__struct_fields__ if getattr(flags, c) is not None})
    for index, condition in enumerate(data.conditions or ()):
        implied = rules.screening.condition_answers.get(condition)
        if implied is not None and answers.get(implied) is False:
            problems.append((f"conditions[{index}]", f"{condition!r} contradicts the answer no to {implied}"))
    return problems


def _pregnancy(data: AssessmentInput) -> list[tuple[str, str]]:
    pregnancy = data.pregnancy
    problems = []
    if pregnancy is not None and pregnancy.weeks is not None and pregnancy.trimester is not None:
        by_weeks = 1 if pregnancy.weeks < 14 else 2 if pregnancy.weeks < 28 else 3
        if by_weeks != pregnancy.trimester:
            problems.append(("pregnancy.trimester", f"week {pregnancy.weeks} is in trimester {by_weeks}"))
    if pregnancy is not None and not pregnancy.pregnant and "pregnancy" in (data.conditions or ()):
        problems.append(("pregnancy.pregnant", "contradicts the condition 'pregnancy'"))
    return problems


def _clearance(data: AssessmentInput, anatomy: Anatomy, on: date) -> list[tuple[str, str]]:
    clearance = data.clearance
    if clearance is None:
        return []
    problems = []
    if clearance.date > on:
        problems.append(("clearance.date", f"is in the future (today is {on.isoformat()})"))
    restrictions = clearance.restrictions
    if restrictions is not None:
        problems += _conditions("clearance.restrictions.conditions", restrictions.conditions, anatomy)
        problems += _duplicates("clearance.restrictions.exercises", restrictions.exercises, "exercise")
    return problems


def _conditions(path: str, slugs: list[str] | None, anatomy: Anatomy) -> list[tuple[str, str]]:
    problems = _duplicates(path, slugs, "condition")
    if anatomy.conditions:
        problems += [
            (f"{path}[{index}]", f"unknown condition {slug!r} (GET /v1/conditions lists them)")
            for index, slug in enumerate(slugs or [])
            if slug not in anatomy.conditions
        ]
    return problems


def validate_input(data: AssessmentInput, rules: RuleSet, anatomy: Anatomy, on: date) -> list[tuple[str, str]]:
    """Every problem, in input order; an empty list means the input can be assessed."""
    problems = _subject_ref(data.subject_ref)
    if data.pain is not None:
        problems += _duplicates("pain.regions", list(data.pain.regions or []), "region")
    problems += _screening(data, rules)
    problems += _pregnancy(data)
    problems += _conditions("conditions", data.conditions, anatomy)
    problems += _clearance(data, anatomy, on)
    screen = data.movement_screen
    if screen is not None:
        problems += _duplicates("movement_screen.overhead_squat", list(screen.overhead_squat or []), "code")
        shifts = Compensation.asymmetric_weight_shift in (screen.overhead_squat or [])
        if screen.weight_shift_to is not None and not shifts:
            problems.append(("movement_screen.weight_shift_to", "only goes with asymmetric_weight_shift"))
    problems += _tender_spots(data, anatomy)
    return problems
