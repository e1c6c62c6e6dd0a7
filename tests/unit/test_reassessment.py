"""Issue 18, item 4: a reassessment compared with the assessment before it — tests, findings, patterns and pain,
each resolved, improved, unchanged, worse or new, in plain words. Worked examples on the desk worker, and
properties over generated pairs of people: an assessment compared with itself changes nothing, and comparing the
other way round swaps improved with worse and resolved with new."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings

from devkit.personas import DESK_WORKER
from devkit.programs import ASSESSMENT_RULES, assessment_of
from service.checkins.reassessment import compare
from service.checkins.rules import load_checkin_rules
from service.checkins.schemas import Comparison, Trend
from service.outcomes.rules import load_outcome_rules
from tests.unit.test_assessment_properties import bodies

RULES = load_checkin_rules(ASSESSMENT_RULES.screening)
OUTCOMES = load_outcome_rules()

BETTER: dict[str, Any] = {
    **DESK_WORKER,
    "pain": {**DESK_WORKER["pain"], "intensity": 2},
    "movement_screen": {"overhead_squat": ["excessive_forward_lean"]},
    "tests": {
        "straight_leg_raise_deg": {"left": 72, "right": 64},
        "thomas_test": {"left": "negative", "right": "negative"},
        "sit_and_reach_cm": -3,
        "single_leg_bridge_seconds": {"left": 25, "right": 22},
    },
    "tender_spots": ["gastrocnemius", "piriformis"],
}


def trends(comparison: Comparison) -> dict[str, Trend]:
    found = {t.test: t.trend for t in comparison.tests}
    found |= {f"{f.type}:{f.target}": f.trend for f in comparison.findings}
    return found


def test_four_weeks_later_the_desk_worker_is_better() -> None:
    comparison = compare(assessment_of(DESK_WORKER), assessment_of(BETTER), RULES, OUTCOMES)
    by = trends(comparison)
    assert by["tests.straight_leg_raise_deg.left"] is Trend.improved  # +12° (8° counts)
    assert by["tests.straight_leg_raise_deg.right"] is Trend.unchanged  # +2°
    assert by["tests.sit_and_reach_cm"] is Trend.unchanged  # +1 cm (3 counts)
    assert by["tests.single_leg_bridge_seconds.left"] is Trend.improved
    assert by["tests.thomas_test.left"] is Trend.improved and by["tests.thomas_test.right"] is Trend.unchanged
    assert by["trigger_point:iliotibial_band"] is Trend.resolved and by["trigger_point:piriformis"] is Trend.unchanged
    assert by["pattern:lower_crossed_syndrome"] in (Trend.improved, Trend.resolved)
    assert comparison.pain is not None and comparison.pain.mcid_reached and comparison.pain.trend is Trend.improved
    [slr] = [t for t in comparison.tests if t.test == "tests.straight_leg_raise_deg.left"]
    assert slr.summary == "Your straight-leg raise (left) went from 60° to 72°: improved."
    assert comparison.pain.summary == "Your pain went from 4/10 to 2/10: improved (a meaningful change)."


def test_and_the_other_way_round_worse() -> None:
    comparison = compare(assessment_of(BETTER), assessment_of(DESK_WORKER), RULES, OUTCOMES)
    by = trends(comparison)
    assert by["tests.straight_leg_raise_deg.left"] is Trend.worse and by["trigger_point:iliotibial_band"] is Trend.new
    assert comparison.pain is not None and comparison.pain.trend is Trend.worse and not comparison.pain.mcid_reached


def test_a_test_measured_only_once_is_not_compared() -> None:
    without = {**BETTER, "tests": {"thomas_test": {"left": "negative"}}}
    comparison = compare(assessment_of(DESK_WORKER), assessment_of(without), RULES, OUTCOMES)
    assert [t.test for t in comparison.tests] == ["tests.thomas_test.left"]


OPPOSITE = {
    Trend.improved: Trend.worse,
    Trend.worse: Trend.improved,
    Trend.resolved: Trend.new,
    Trend.new: Trend.resolved,
    Trend.unchanged: Trend.unchanged,
}


@settings(max_examples=1000, deadline=None)
@given(bodies, bodies)
def test_comparisons_are_consistent(first: dict[str, Any], second: dict[str, Any]) -> None:
    a, b = assessment_of(first), assessment_of(second)
    itself = compare(a, a, RULES, OUTCOMES)
    assert all(trend is Trend.unchanged for trend in trends(itself).values())
    assert itself.pain is None or itself.pain.trend is Trend.unchanged
    forth, back = trends(compare(a, b, RULES, OUTCOMES)), trends(compare(b, a, RULES, OUTCOMES))
    assert forth.keys() == back.keys()
    # Pain's meaningful change is asymmetric (30 % of a smaller baseline is less): tests and findings are not.
    assert all(back[key] is OPPOSITE[trend] for key, trend in forth.items()), (forth, back)
