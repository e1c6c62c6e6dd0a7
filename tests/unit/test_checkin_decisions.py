"""Issue 18: decisions over check-ins and outcome measures (CLINICAL.md §3, §8). Each rule alone, the rules in
combination (most serious first), and properties over thousands of generated check-in histories: decisions are
deterministic and independent of the order check-ins arrive in, a red-flag answer always refers, and progress never
happens in a window with pain above the criteria."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta

import msgspec
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st
from msgspec.structs import replace as struct_replace

from devkit.programs import ASSESSMENT_RULES
from service.assessments.schemas import ConcernLevel
from service.checkins.decisions import MeasureChange, Situation, decide, summarize
from service.checkins.rules import CheckInRulesError, load_checkin_rules
from service.checkins.schemas import CheckInInput, CheckInKind, Decision, DecisionKind, ItemDone
from service.outcomes.rules import load_outcome_rules
from tests.unit import decisions_before_summaries as before

SCREENING = ASSESSMENT_RULES.screening
RULES = load_checkin_rules(SCREENING)
OUTCOMES = load_outcome_rules()
START = date(2026, 11, 30)  # a Monday
MON_WED_FRI = (0, 2, 4)


def check_in(
    day: int,
    *,
    kind: str = "session",
    during: int = 2,
    morning: int | None = 2,
    before: int = 2,
    items: tuple[str, ...] = ("p11", "p12"),
    symptoms: dict[str, bool] | None = None,
) -> CheckInInput:
    return CheckInInput(
        date=START + timedelta(days=day),
        kind=CheckInKind(kind),
        items=[ItemDone(prescription=p, sets=2, reps=10) for p in items],
        pain_before=before,
        pain_during=during,
        pain_after=during,
        pain_next_morning=morning,
        symptoms=symptoms or {},
    )


def week_of_sessions(week: int, **kwargs: object) -> list[CheckInInput]:
    return [check_in(7 * (week - 1) + d, **kwargs) for d in MON_WED_FRI]  # type: ignore[arg-type]


def situation(on_day: int, check_ins: list[CheckInInput], *, baseline: int = 4, **kwargs: object) -> Situation:
    return Situation(
        starts_on=START,
        on=START + timedelta(days=on_day),
        baseline_pain=baseline,
        sessions_per_week=3,
        session_minutes=45,
        check_ins=check_ins,
        **kwargs,  # type: ignore[arg-type]
    )


def decided(s: Situation) -> Decision:
    return decide(s, RULES, OUTCOMES, SCREENING)


# ---------------------------------------------------------------- each rule alone


def test_a_good_full_week_progresses() -> None:
    d = decided(situation(6, week_of_sessions(1)))
    assert d.kind is DecisionKind.progress and d.adherence == 1.0 and d.week == 1
    assert d.ruleset_version == RULES.version and "move on" in d.explanation


def test_before_a_whole_week_the_program_holds() -> None:
    d = decided(situation(4, week_of_sessions(1)))
    assert d.kind is DecisionKind.hold and d.adherence is None
    assert d.reasons == ["The program has not run a whole week yet."]


def test_pain_during_above_3_regresses_the_items_of_that_session() -> None:
    sessions = week_of_sessions(1)
    sessions[1] = check_in(2, during=4, items=("p13", "p11"))
    d = decided(situation(6, sessions))
    assert d.kind is DecisionKind.regress and d.regress == ["p11", "p13"]
    assert d.reasons == [f"On {START + timedelta(days=2)} your worst pain during exercise was 4/10: more than 3/10."]


def test_pain_more_than_2_above_a_low_baseline_regresses() -> None:
    """With a baseline of 0, a 3/10 is within the absolute limit but 3 above the person's usual."""
    sessions = week_of_sessions(1, before=0, morning=0, during=0)
    sessions[0] = check_in(0, during=3, before=0, morning=0)
    d = decided(situation(6, sessions, baseline=0))
    assert d.kind is DecisionKind.regress and "more than 2 above your usual 0/10" in d.reasons[0]


def test_pain_not_settled_by_the_next_morning_regresses() -> None:
    sessions = week_of_sessions(1)
    sessions[2] = check_in(4, morning=5)
    d = decided(situation(6, sessions))
    assert d.kind is DecisionKind.regress and "had not settled to your usual 4/10" in d.reasons[0]


def test_fewer_than_half_the_sessions_simplifies_to_fewer_shorter_ones() -> None:
    d = decided(situation(6, week_of_sessions(1)[:1]))
    assert d.kind is DecisionKind.simplify and d.adherence == 0.33
    assert d.simplify is not None and (d.simplify.sessions_per_week, d.simplify.session_minutes) == (2, 33)


def test_a_plan_simplified_within_the_window_is_not_simplified_again() -> None:
    """The window of day 8 began before the simplification of day 6: it judged the old plan. A week later it may."""
    week = week_of_sessions(1)[:1]
    d = decided(situation(8, week, simplified_on=START + timedelta(days=6)))
    assert d.kind is DecisionKind.hold and "made fewer or shorter on" in d.reasons[0]
    assert decided(situation(13, week, simplified_on=START + timedelta(days=6))).kind is DecisionKind.simplify


def test_a_program_already_at_its_simplest_holds_instead_of_simplifying() -> None:
    s = replace(situation(6, []), sessions_per_week=2, session_minutes=20)
    d = decided(s)
    assert d.kind is DecisionKind.hold and "already as few and as short" in d.reasons[0]


def test_two_of_three_sessions_holds_and_says_why() -> None:
    d = decided(situation(6, week_of_sessions(1)[:2]))
    assert d.kind is DecisionKind.hold and d.adherence == 0.67
    assert "moving on needs 80% of them" in d.reasons[0]


def test_progress_waits_for_next_morning_pain() -> None:
    sessions = week_of_sessions(1)
    sessions[2] = check_in(4, morning=None)
    d = decided(situation(6, sessions))
    assert d.kind is DecisionKind.hold and "next-morning pain is not recorded" in d.reasons[0]


@pytest.mark.parametrize("code", RULES.rescreen)
def test_every_re_screen_yes_refers_at_its_questions_level(code: str) -> None:
    question = SCREENING.questions()[code]
    sessions = week_of_sessions(1)
    sessions.append(check_in(5, kind="routine", symptoms={code: True}))
    d = decided(situation(6, sessions))
    assert d.kind is DecisionKind.refer and d.refer is not None
    assert d.refer.level == question.level and d.refer.message == SCREENING.message(question.level)
    assert " ".join(question.means.split()) in d.reasons[0]


def test_the_most_serious_red_flag_sets_the_level() -> None:
    urgent = next(c for c in RULES.rescreen if SCREENING.questions()[c].level == ConcernLevel.urgent)
    emergency = next(c for c in RULES.rescreen if SCREENING.questions()[c].level == ConcernLevel.emergency)
    d = decided(situation(6, [check_in(1, symptoms={urgent: True}), check_in(3, symptoms={emergency: True})]))
    assert d.refer is not None and d.refer.level == ConcernLevel.emergency and len(d.reasons) == 2


def test_a_no_answer_in_the_re_screen_changes_nothing() -> None:
    sessions = [struct_replace(c, symptoms=dict.fromkeys(RULES.rescreen, False)) for c in week_of_sessions(1)]
    assert decided(situation(6, sessions)).kind is DecisionKind.progress


def test_pain_rising_for_two_weeks_refers() -> None:
    history = [*week_of_sessions(1, during=1), *week_of_sessions(2, during=2), *week_of_sessions(3, during=3)]
    d = decided(situation(20, history))
    assert d.kind is DecisionKind.refer and d.refer is not None and d.refer.level == RULES.refer.level
    assert "risen week after week (on average 1.0, then 2.0, then 3.0 out of 10)" in d.reasons[0]


def test_pain_rising_over_only_two_windows_does_not_refer() -> None:
    history = [*week_of_sessions(1, during=1), *week_of_sessions(2, during=3)]
    assert decided(situation(13, history)).kind is not DecisionKind.refer


def _six_weeks(before: int) -> list[CheckInInput]:
    return [c for w in range(1, 7) for c in week_of_sessions(w, before=before)]


def test_no_meaningful_change_by_week_6_refers() -> None:
    d = decided(situation(41, _six_weeks(before=4)))
    assert d.kind is DecisionKind.refer and "After 6 weeks" in d.reasons[0]


def test_by_week_6_a_drop_in_pain_of_the_nprs_mcid_is_change_enough() -> None:
    assert decided(situation(41, _six_weeks(before=2))).kind is DecisionKind.progress


def test_by_week_6_a_function_measure_that_reached_its_mcid_is_change_enough() -> None:
    changes = [MeasureChange(measure="odi", taken_on=START + timedelta(days=27), mcid_reached=True)]
    assert decided(situation(41, _six_weeks(before=4), changes=changes)).kind is DecisionKind.progress
    later = [MeasureChange(measure="odi", taken_on=START + timedelta(days=50), mcid_reached=True)]
    assert decided(situation(41, _six_weeks(before=4), changes=later)).kind is DecisionKind.refer


def test_without_pain_or_a_measure_there_is_nothing_to_change_by_week_6() -> None:
    history = [
        struct_replace(c, pain_before=0, pain_during=0, pain_after=0, pain_next_morning=0) for c in _six_weeks(0)
    ]
    assert decided(situation(41, history, baseline=0)).kind is DecisionKind.progress


# ---------------------------------------------------------------- in combination


def test_refer_comes_before_regress_and_regress_before_simplify() -> None:
    hurt = check_in(1, during=6)
    assert decided(situation(6, [hurt])).kind is DecisionKind.regress  # one session of three: also simplify
    flagged = struct_replace(hurt, symptoms={"chest_pain": True})
    assert decided(situation(6, [flagged])).kind is DecisionKind.refer


def test_pain_outside_the_window_does_not_regress_this_week() -> None:
    history = [check_in(1, during=6), *week_of_sessions(2)]
    assert decided(situation(13, history)).kind is DecisionKind.progress


def test_a_red_flag_from_weeks_ago_still_refers() -> None:
    history = [check_in(1, symptoms={"saddle_numbness": True}), *week_of_sessions(3)]
    assert decided(situation(20, history)).kind is DecisionKind.refer


def test_check_ins_after_the_day_of_the_decision_are_not_read() -> None:
    history = [*week_of_sessions(1), check_in(8, during=8, symptoms={"chest_pain": True})]
    assert decided(situation(6, history)).kind is DecisionKind.progress


# ---------------------------------------------------------------- the rules file


def test_a_re_screen_code_that_is_no_red_flag_fails_the_load(tmp_path: object) -> None:
    from pathlib import Path

    from service.checkins.rules import RULES_PATH

    routine = next(c for c, q in SCREENING.questions().items() if q.level == ConcernLevel.routine)
    bad = Path(str(tmp_path)) / "rules.yaml"
    bad.write_text(RULES_PATH.read_text().replace("  - chest_pain\n", f"  - {routine}\n"))
    with pytest.raises(CheckInRulesError, match=routine):
        load_checkin_rules(SCREENING, bad)


# ---------------------------------------------------------------- properties

_pain = st.integers(0, 10)


def _scattered(draw: st.DrawFn, days: int) -> list[CheckInInput]:
    """Check-ins on any days, with any pain."""
    codes = [*RULES.rescreen, "chest_pain"]
    return [
        CheckInInput(
            date=START + timedelta(days=draw(st.integers(0, days + 3))),
            kind=draw(st.sampled_from(list(CheckInKind))),
            items=[ItemDone(prescription=f"p{n}", sets=1) for n in draw(st.lists(st.integers(1, 30), max_size=4))],
            pain_before=draw(_pain),
            pain_during=draw(st.integers(0, 10) if draw(st.booleans()) else st.integers(0, 3)),
            pain_after=draw(_pain),
            pain_next_morning=draw(st.none() | st.integers(0, 6)),
            symptoms=draw(st.dictionaries(st.sampled_from(codes), st.booleans(), max_size=2))
            if draw(st.integers(0, 49)) == 0
            else {},
        )
        for _ in range(draw(st.integers(0, 30)))
    ]


def _on_schedule(draw: st.DrawFn, days: int, baseline: int) -> list[CheckInInput]:
    """A person who mostly keeps to mon, wed and fri with pain near the limits: where progress and its edges are."""
    return [
        CheckInInput(
            date=START + timedelta(days=day),
            kind=CheckInKind.session,
            items=[ItemDone(prescription="p11", sets=2)],
            pain_before=baseline,
            pain_during=draw(st.integers(0, 4)),
            pain_after=baseline,
            pain_next_morning=draw(st.integers(0, baseline + 1) | st.none()) if draw(st.booleans()) else baseline,
        )
        for day in range(days + 1)
        if day % 7 in MON_WED_FRI and draw(st.integers(0, 9)) > 0
    ]


@st.composite
def histories(draw: st.DrawFn) -> Situation:
    days = draw(st.integers(0, 70))
    baseline = draw(st.integers(0, 8))
    check_ins = _on_schedule(draw, days, baseline) if draw(st.booleans()) else _scattered(draw, days)
    changes = [
        MeasureChange(
            measure=draw(st.sampled_from(["nprs", "odi", "ndi", "psfs"])),
            taken_on=START + timedelta(days=draw(st.integers(0, days + 3))),
            mcid_reached=draw(st.booleans()),
        )
        for _ in range(draw(st.integers(0, 2)))
    ]
    return Situation(
        starts_on=START,
        on=START + timedelta(days=days),
        baseline_pain=baseline,
        sessions_per_week=draw(st.integers(2, 4)),
        session_minutes=draw(st.sampled_from([20, 30, 45, 60])),
        check_ins=check_ins,
        changes=changes,
    )


@settings(max_examples=3000, deadline=None)
@given(histories(), st.randoms(use_true_random=False))
def test_decisions_are_deterministic_and_follow_the_rules(s: Situation, shuffle: random.Random) -> None:
    d = decided(s)
    event(d.kind.value)
    shuffled = list(s.check_ins)
    shuffle.shuffle(shuffled)
    assert msgspec.json.encode(decided(replace(s, check_ins=shuffled))) == msgspec.json.encode(d)
    # Over the summary, the same decision as over every check-in in full (the decision before summaries) ...
    oracle = before.decide(
        before.Situation(**{k: v for k, v in s.__dict__.items() if k != "summary"}), RULES, OUTCOMES, SCREENING
    )
    assert msgspec.json.encode(d) == msgspec.json.encode(oracle)
    # ... and with a check-in added to the summary of the others (the service's way with a new one).
    if shuffled:
        *others, added = shuffled
        summary = summarize(others, s.on, s.baseline_pain, RULES).adding(added, s.on, s.baseline_pain, RULES)
        assert msgspec.json.encode(decided(replace(s, check_ins=(), summary=summary))) == msgspec.json.encode(d)
    so_far = [c for c in s.check_ins if s.starts_on <= c.date <= s.on]
    red = any(yes for c in so_far for yes in c.symptoms.values())
    if red:  # a red-flag answer always refers
        assert d.kind is DecisionKind.refer and d.refer is not None and d.refer.level in ("emergency", "urgent")
    window = [c for c in s.check_ins if s.on - timedelta(days=6) <= c.date <= s.on]
    if d.kind is DecisionKind.progress:  # never with pain above the criteria in the window
        limits = RULES.pain
        assert all(
            c.pain_during <= limits.during_at_most
            and c.pain_during <= s.baseline_pain + limits.above_baseline_at_most
            and (c.pain_next_morning is None or c.pain_next_morning <= s.baseline_pain)
            for c in window
        )
        assert d.adherence is not None and d.adherence >= RULES.adherence.progress_at_least
    if d.kind is DecisionKind.simplify:
        assert d.simplify is not None
        assert d.simplify.sessions_per_week <= s.sessions_per_week and d.simplify.session_minutes <= s.session_minutes
        assert (d.simplify.sessions_per_week, d.simplify.session_minutes) != (s.sessions_per_week, s.session_minutes)
    assert d.reasons and all(reason.strip() for reason in d.reasons)


def test_a_week_without_check_ins_says_nothing_of_pain_by_week_6() -> None:
    """Pain read from the latest week that has check-ins: a person whose pain eased and who skipped week 6 is not
    referred for 'no change' (they are asked to do fewer, shorter sessions)."""
    eased = [c for w in range(1, 6) for c in week_of_sessions(w, before=1)]
    d = decided(situation(41, eased))
    assert d.kind is DecisionKind.simplify, d.reasons
    assert decided(situation(41, [])).kind is DecisionKind.simplify  # nothing at all: no conclusion on change


def test_pain_rising_by_less_than_a_point_in_all_is_noise_not_a_trend() -> None:
    history = [*week_of_sessions(1, during=1), *week_of_sessions(2, during=1), *week_of_sessions(3, during=1)]
    history[3] = check_in(7, during=2)  # week 2: mean 1.33
    history[6] = check_in(14, during=2)
    history[7] = check_in(16, during=2)  # week 3: mean 1.67
    assert decided(situation(20, history)).kind is DecisionKind.progress
