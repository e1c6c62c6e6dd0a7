"""What a check-in must agree with before it is recorded (issue 18, item 1): its program and the screening rules.
Every problem is named with its field, in plain words, for one 400 (a body field's own limits — pain 0-10, sets,
seconds — are the schema's). A pure function."""

from __future__ import annotations

from datetime import date, timedelta

from service.assessments.screening import ScreeningRules
from service.checkins.rules import RED_FLAG_LEVELS
from service.checkins.schemas import CheckInInput, CheckInKind
from service.programs.outline import Outline


def check_in_problems(
    check_in: CheckInInput, program: Outline, screening: ScreeningRules, today: date
) -> list[tuple[str, str]]:
    """(field, message) for every way `check_in` disagrees with `program` or the screening rules; [] when none."""
    problems: list[tuple[str, str]] = []
    starts_on = program.starts_on
    if starts_on is not None:
        ends_on = starts_on + timedelta(days=7 * program.weeks - 1)
        if not starts_on <= check_in.date <= ends_on:
            problems.append(("date", f"must be within the program, {starts_on.isoformat()} to {ends_on.isoformat()}"))
    if check_in.date > today:
        problems.append(("date", "is in the future"))
    # The prescriptions a check-in of its kind can name: the routine's, or the sessions' (preparation included).
    held = program.routine if check_in.kind is CheckInKind.routine else program.sessions
    seen: set[str] = set()
    for i, item in enumerate(check_in.items):
        if item.prescription not in held:
            where = "the daily routine" if check_in.kind is CheckInKind.routine else "a strength session"
            problems.append((f"items[{i}].prescription", f"'{item.prescription}' is not in {where} of this program"))
        if item.prescription in seen:
            problems.append((f"items[{i}].prescription", f"'{item.prescription}' is listed twice"))
        seen.add(item.prescription)
        if item.reps is None and item.seconds is None and item.sets > 0:
            problems.append((f"items[{i}]", "give reps or seconds for the sets done"))
    questions = screening.questions()
    for code in sorted(check_in.symptoms):
        question = questions.get(code)
        if question is None or question.level not in RED_FLAG_LEVELS:
            problems.append((f"symptoms.{code}", "is not a red-flag screening question"))
    if check_in.pain_next_morning is not None and check_in.date >= today:
        problems.append(("pain_next_morning", "can be given from the next morning on"))
    return problems
