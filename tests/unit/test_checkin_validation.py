"""Issue 18: a check-in must agree with its program and the screening rules (each disagreement named for one 400),
and outcome measures reach the decisions as changes against their baseline."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import msgspec

from devkit.personas import DESK_WORKER
from devkit.programs import ASSESSMENT_RULES, STARTS_ON, program_for
from service.checkins.decisions import Situation, decide
from service.checkins.outcomes import Taken, changes_of
from service.checkins.rules import load_checkin_rules
from service.checkins.schemas import CheckInInput, DecisionKind
from service.checkins.validation import check_in_problems
from service.outcomes import schemas as s
from service.outcomes.rules import load_outcome_rules
from service.programs.outline import outline_of

PROGRAM = program_for(DESK_WORKER)  # 8 weeks from Monday 2026-11-30
WEEK_1 = PROGRAM.schedule.weeks[0]
TODAY = STARTS_ON + timedelta(days=10)
SCREENING = ASSESSMENT_RULES.screening
OUTCOMES = load_outcome_rules()


def check_in(**fields: Any) -> CheckInInput:
    body = {
        "date": STARTS_ON.isoformat(),
        "kind": "session",
        "items": [{"prescription": WEEK_1.sessions[0].items[0], "sets": 2, "reps": 10}],
        "pain_before": 2,
        "pain_during": 3,
        "pain_after": 2,
        **fields,
    }
    return msgspec.convert(body, CheckInInput)


def problems(c: CheckInInput) -> dict[str, str]:
    return dict(check_in_problems(c, outline_of(PROGRAM), SCREENING, TODAY))


def test_a_check_in_that_agrees_with_its_program_has_no_problem() -> None:
    assert problems(check_in()) == {}
    routine = check_in(kind="routine", items=[{"prescription": WEEK_1.routine.items[0], "sets": 2, "seconds": 30}])
    assert problems(routine) == {}
    assert problems(check_in(pain_next_morning=2, symptoms={"chest_pain": False})) == {}


def test_every_disagreement_is_named() -> None:
    routine_item = WEEK_1.routine.items[0]
    bad = check_in(
        date=(STARTS_ON - timedelta(days=1)).isoformat(),
        items=[
            {"prescription": "p999", "sets": 1, "reps": 5},
            {"prescription": routine_item, "sets": 1, "reps": 5},
            {"prescription": WEEK_1.sessions[0].items[0], "sets": 2},
            {"prescription": WEEK_1.sessions[0].items[0], "sets": 2, "reps": 8},
        ],
        symptoms={"not_a_question": True, "history_of_cancer": True},
    )
    assert problems(bad) == {
        "date": "must be within the program, 2026-11-30 to 2027-01-24",
        "items[0].prescription": "'p999' is not in a strength session of this program",
        "items[1].prescription": f"'{routine_item}' is not in a strength session of this program",
        "items[2]": "give reps or seconds for the sets done",
        "items[3].prescription": f"'{WEEK_1.sessions[0].items[0]}' is listed twice",
        "symptoms.history_of_cancer": "is not a red-flag screening question",
        "symptoms.not_a_question": "is not a red-flag screening question",
    }


def test_no_check_in_from_the_future_nor_next_morning_pain_before_the_morning() -> None:
    assert problems(check_in(date=(TODAY + timedelta(days=1)).isoformat()))["date"] == "is in the future"
    same_day = check_in(date=TODAY.isoformat(), pain_next_morning=3)
    assert problems(same_day) == {"pain_next_morning": "can be given from the next morning on"}


def taken(day: int, body: dict[str, Any]) -> Taken:
    return Taken(taken_on=STARTS_ON + timedelta(days=day), answers=msgspec.convert(body, s.OutcomeInput))  # type: ignore[arg-type]


ODI_40 = [2, 2, 2, 2, 2, 2, 2, 2, 2, 2]  # 40 %
ODI_28 = [1, 2, 1, 2, 1, 2, 1, 2, 1, 1]  # 28 %: 12 points better, the MCID is 10


def test_outcomes_become_changes_against_their_first_taking() -> None:
    found = changes_of(
        [
            taken(27, {"measure": "odi", "answers": ODI_28}),
            taken(0, {"measure": "odi", "answers": ODI_40}),  # out of order: the earliest is the baseline
            taken(0, {"measure": "nprs", "value": 6}),
            taken(27, {"measure": "nprs", "value": 5}),  # 1 point, 17 %: not yet
            taken(0, {"measure": "start_back", "agree": [True] * 8, "bothersome": "very_much"}),
            taken(
                0,
                {
                    "measure": "psfs",
                    "activities": [
                        {"name": "Sitting", "score": 3},
                        {"name": "Lifting", "score": 4},
                        {"name": "Walking", "score": 5},
                    ],
                },
            ),
            # One activity 3 points up, the mean 1.7 (below 2): one activity's rise reaches the MCID.
            taken(
                27,
                {
                    "measure": "psfs",
                    "activities": [
                        {"name": "sitting", "score": 6},
                        {"name": "Lifting", "score": 5},
                        {"name": "Walking", "score": 6},
                    ],
                },
            ),
        ],
        OUTCOMES,
    )
    assert [(c.measure, c.mcid_reached) for c in found] == [("odi", True), ("nprs", False), ("psfs", True)]


def test_a_function_measure_that_reached_its_mcid_keeps_a_person_on_their_program_at_week_6() -> None:
    """Pain unchanged by week 6 refers, unless a function measure (here the ODI at week 4) shows a meaningful change."""
    rules = load_checkin_rules(SCREENING)
    sessions = [
        check_in(date=(STARTS_ON + timedelta(days=7 * w + d)).isoformat(), pain_before=4, pain_next_morning=4)
        for w in range(6)
        for d in (0, 2, 4)
    ]
    situation = Situation(
        starts_on=STARTS_ON,
        on=STARTS_ON + timedelta(days=41),
        baseline_pain=4,
        sessions_per_week=3,
        session_minutes=45,
        check_ins=sessions,
    )
    assert decide(situation, rules, OUTCOMES, SCREENING).kind is DecisionKind.refer
    odi = changes_of(
        [taken(0, {"measure": "odi", "answers": ODI_40}), taken(27, {"measure": "odi", "answers": ODI_28})], OUTCOMES
    )
    with_odi = Situation(**{**situation.__dict__, "changes": odi})
    assert decide(with_odi, rules, OUTCOMES, SCREENING).kind is DecisionKind.progress
    assert date(2026, 12, 27) == odi[0].taken_on


def test_the_body_holds_its_own_limits() -> None:
    """Pain 0-10, effort 0-10, reps and seconds not negative, no unknown field: the schema's, before any rule."""
    for wrong in (
        {"pain_during": 11},
        {"pain_next_morning": -1},
        {"effort": 12},
        {"items": [{"prescription": "p1", "sets": 1, "reps": -1}]},
        {"items": [{"prescription": "x1", "sets": 1, "reps": 5}]},
        {"mood": "fine"},
    ):
        try:
            check_in(**wrong)
        except msgspec.ValidationError:
            continue
        raise AssertionError(f"accepted {wrong}")
