"""Issue 18, item 4: a reassessment compared with the assessment before it — tests, findings, patterns and pain,
each resolved, improved, unchanged, worse or new, in plain words. Worked examples on the desk worker, and
properties over generated pairs of people: an assessment compared with itself changes nothing, and comparing the
other way round swaps improved with worse and resolved with new. The thresholds come from the assessment rules and
the pain's meaningful change from the outcome rules, as the app passes it in."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings

from devkit.personas import DESK_WORKER
from devkit.programs import ASSESSMENT_RULES, assessment_of
from service.app import pain_mcid
from service.assessments.comparison import Comparison, Trend
from service.assessments.reassessment import PainMcid, compare
from service.assessments.rules import RulesError, parse_rules
from service.outcomes.rules import load_outcome_rules
from tests.unit.test_assessment_engine import raw_rules
from tests.unit.test_assessment_properties import bodies

RULES = ASSESSMENT_RULES.reassessment
MCID = pain_mcid(load_outcome_rules())

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
    comparison = compare(assessment_of(DESK_WORKER), assessment_of(BETTER), RULES, MCID)
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
    comparison = compare(assessment_of(BETTER), assessment_of(DESK_WORKER), RULES, MCID)
    by = trends(comparison)
    assert by["tests.straight_leg_raise_deg.left"] is Trend.worse and by["trigger_point:iliotibial_band"] is Trend.new
    assert comparison.pain is not None and comparison.pain.trend is Trend.worse and not comparison.pain.mcid_reached


def test_a_test_measured_only_once_is_not_compared() -> None:
    without = {**BETTER, "tests": {"thomas_test": {"left": "negative"}}}
    comparison = compare(assessment_of(DESK_WORKER), assessment_of(without), RULES, MCID)
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
    itself = compare(a, a, RULES, MCID)
    assert all(trend is Trend.unchanged for trend in trends(itself).values())
    assert itself.pain is None or itself.pain.trend is Trend.unchanged
    forth, back = trends(compare(a, b, RULES, MCID)), trends(compare(b, a, RULES, MCID))
    assert forth.keys() == back.keys()
    # Pain's meaningful change is asymmetric (30 % of a smaller baseline is less): tests and findings are not.
    assert all(back[key] is OPPOSITE[trend] for key, trend in forth.items()), (forth, back)


def test_the_comparison_names_the_assessment_and_types_each_reading() -> None:
    before = assessment_of(DESK_WORKER)
    comparison = compare(before, assessment_of(BETTER), RULES, MCID)
    assert (comparison.previous_assessment_id, comparison.previous_created_at) == (before.id, before.created_at)
    by_test = {t.test: t for t in comparison.tests}
    slr, thomas = by_test["tests.straight_leg_raise_deg.left"], by_test["tests.thomas_test.left"]
    assert (slr.before, slr.after, slr.before_result, slr.after_result) == (60, 72, None, None)
    assert (thomas.before, thomas.after, thomas.before_result, thomas.after_result) == (
        None,
        None,
        "positive",
        "negative",
    )
    assert thomas.summary == "Your Thomas test (left) was positive and is negative now: improved."


def test_findings_are_not_compared_with_an_assessment_that_has_none() -> None:
    """A referral (or missing answers) finds nothing because it did not look: its empty findings must not read as
    every finding resolved, nor the next one's as new. Tests and pain are measured either way."""
    referred = assessment_of({**BETTER, "red_flags": {**DESK_WORKER["red_flags"], "saddle_numbness": True}})
    assert referred.status == "refer"
    for before, after in ((assessment_of(DESK_WORKER), referred), (referred, assessment_of(DESK_WORKER))):
        comparison = compare(before, after, RULES, MCID)
        assert comparison.findings == []
        assert comparison.tests and comparison.pain is not None


def test_pain_eased_by_the_percent_alone_is_meaningful_when_the_rules_say_so() -> None:
    """3/10 to 2/10 is one point, but a third of the pain: the NPRS's 30 % counts. Without a percent it would not."""
    before = assessment_of({**DESK_WORKER, "pain": {**DESK_WORKER["pain"], "intensity": 3}})
    after = assessment_of({**DESK_WORKER, "pain": {**DESK_WORKER["pain"], "intensity": 2}})
    eased = compare(before, after, RULES, MCID).pain
    assert eased is not None and eased.mcid_reached and eased.trend is Trend.improved
    points_only = compare(before, after, RULES, PainMcid(points=MCID.points)).pain
    assert points_only is not None and not points_only.mcid_reached and points_only.trend is Trend.unchanged


def test_the_rules_refuse_a_reassessment_test_that_is_not_measured() -> None:
    raw = raw_rules()
    raw["reassessment"]["tests"]["thomas_test"] = {"name": "Thomas test", "unit": "", "at_least": 1}
    with pytest.raises(RulesError, match=r"reassessment\.tests: 'thomas_test' is not a measured field test"):
        parse_rules(raw)
