"""Outcome measures scored exactly as CLINICAL.md §8 says (issue 18): worked examples for every measure, the band and
stratum boundaries, skipped sections, and the change against the baseline with its MCID."""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from service.lib.errors import Invalid
from service.outcomes import schemas as s
from service.outcomes.rules import load_outcome_rules
from service.outcomes.scoring import change, score

RULES = load_outcome_rules()


def scored(body: dict[str, Any]) -> s.Score:
    return score(msgspec.convert(body, s.OutcomeInput), RULES)  # type: ignore[arg-type]


def problems(body: dict[str, Any]) -> dict[str, str]:
    with pytest.raises(Invalid) as raised:
        scored(body)
    return {e.field: e.message for e in raised.value.errors}


def test_nprs_is_the_number() -> None:
    assert scored({"measure": "nprs", "value": 7}).score == 7
    with pytest.raises(msgspec.ValidationError):
        scored({"measure": "nprs", "value": 11})


@pytest.mark.parametrize(
    ("answers", "percent", "band"),
    [
        ([2, 3, 1, 2, 0, 3, 2, 1, 2, 1], 34.0, "moderate"),  # 17 / 50
        ([2, 3, 1, 2, None, 3, 2, 1, 2, 1], 37.8, "moderate"),  # one left out: 17 / 45
        ([2, 3, None, 2, None, 3, 2, 1, 2, 1], 40.0, "moderate"),  # two left out: 16 / 40
        ([1, 1, 1, 1, 1, 1, 1, 1, 1, 1], 20.0, "minimal"),  # the top of the first band
        ([1, 1, 1, 1, 1, 1, 1, 1, 1, 2], 22.0, "moderate"),
        ([3] * 10, 60.0, "severe"),
        ([4] * 10, 80.0, "crippled"),
        ([5] * 10, 100.0, "bed_bound"),
        ([0] * 10, 0.0, "minimal"),
    ],
)
def test_odi_worked_examples(answers: list[int | None], percent: float, band: str) -> None:
    result = scored({"measure": "odi", "answers": answers})
    assert (result.score, result.band, result.answered) == (percent, band, sum(a is not None for a in answers))


def test_odi_with_too_many_sections_left_out_or_answers_out_of_range_names_each() -> None:
    found = problems({"measure": "odi", "answers": [2, None, None, None, 6, 1, 1, 1, 1, -1]})
    assert found == {
        "answers[4]": "must be 0 to 5 (or null when left out)",
        "answers[9]": "must be 0 to 5 (or null when left out)",
        "answers": "3 left out: at most 2 can be left out for a score",
    }


@pytest.mark.parametrize(
    ("answers", "percent", "band"),
    [
        ([1, 2, 1, 0, 2, 1, 1, 0, 2, 1], 22.0, "mild"),  # raw 11
        ([1, 1, 1, 1, 0, 0, 0, 0, 0, 0], 8.0, "none"),  # raw 4: the top of "none"
        ([1, 1, 1, 1, 1, 0, 0, 0, 0, 0], 10.0, "mild"),  # raw 5
        ([2, 2, 2, 2, 2, 2, 2, 1, 0, 0], 30.0, "moderate"),  # raw 15
        ([3, 3, 3, 3, 3, 3, 3, 2, 1, 1], 50.0, "severe"),  # raw 25
        ([4, 4, 4, 4, 4, 4, 4, 4, 2, 1], 70.0, "complete"),  # raw 35
        ([1, 1, 1, 1, 1, 1, 1, 1, 1, None], 20.0, "mild"),  # a skipped item shrinks the denominator: 9 / 45
    ],
)
def test_ndi_worked_examples(answers: list[int | None], percent: float, band: str) -> None:
    result = scored({"measure": "ndi", "answers": answers})
    assert (result.score, result.band) == (percent, band)


@pytest.mark.parametrize("scores", [[3, 5, 4], [2, 4, 6, 8], [1, 2, 3, 4, 10]], ids=["three", "four", "five"])
def test_psfs_is_the_mean_of_three_to_five_activities(scores: list[int]) -> None:
    body = {"measure": "psfs", "activities": [{"name": f"activity {i}", "score": v} for i, v in enumerate(scores)]}
    result = scored(body)
    assert result.score == round(sum(scores) / len(scores), 2) and result.answered == len(scores)


def test_psfs_refuses_two_or_six_activities_scores_out_of_range_and_repeats() -> None:
    two = problems({"measure": "psfs", "activities": [{"name": "a", "score": 1}, {"name": "b", "score": 2}]})
    assert two == {"activities": "name 3 to 5 activities, not 2"}
    six = [{"name": f"a{i}", "score": 5} for i in range(6)]
    assert "activities" in problems({"measure": "psfs", "activities": six})
    bad = [{"name": "Walking", "score": 11}, {"name": "walking ", "score": 3}, {"name": "c", "score": 3}]
    assert problems({"measure": "psfs", "activities": bad}) == {
        "activities[0].score": "must be 0 to 10",
        "activities[1].name": "is named twice",
    }


def start_back(agree: list[int], bothersome: str = "slightly") -> s.Score:
    return scored({"measure": "start_back", "agree": [bool(a) for a in agree], "bothersome": bothersome})


@pytest.mark.parametrize(
    ("agree", "bothersome", "total", "subscale", "risk"),
    [
        ([1, 1, 1, 0, 0, 0, 0, 0], "slightly", 3, 0, "low"),  # total 3: low
        ([0, 0, 0, 0, 1, 1, 1, 0], "not_at_all", 3, 3, "low"),  # subscale 3 but total 3: low
        ([1, 0, 0, 0, 1, 1, 1, 0], "moderately", 4, 3, "medium"),  # total 4, subscale 3: medium
        ([0, 0, 0, 0, 1, 1, 1, 1], "slightly", 4, 4, "high"),  # subscale 4: high
        ([0, 0, 0, 0, 1, 1, 1, 0], "very_much", 4, 4, "high"),  # item 9 counts when very much or extremely
        ([1, 1, 1, 1, 0, 0, 0, 0], "extremely", 5, 1, "medium"),
        ([1] * 8, "extremely", 9, 5, "high"),
    ],
)
def test_start_back_strata_at_every_boundary(
    agree: list[int], bothersome: str, total: int, subscale: int, risk: str
) -> None:
    result = start_back(agree, bothersome)
    assert (result.score, result.subscale, result.risk) == (total, subscale, risk)
    assert result.advice and ("clinician" in result.advice) == (risk == "high")


@pytest.mark.parametrize(
    ("measure", "before", "after", "improved", "reached"),
    [
        ("nprs", 7, 5, True, True),  # 2 points
        ("nprs", 7, 6, True, False),  # 1 point, 14 %
        ("nprs", 3, 2, True, True),  # 1 point but 33 %
        ("nprs", 4, 6, False, False),  # worse
        ("odi", 40.0, 31.0, True, False),  # 9 points, 22.5 %
        ("odi", 40.0, 28.0, True, True),  # 12 points
        ("odi", 20.0, 14.0, True, True),  # 6 points but 30 %
        ("ndi", 40.0, 32.0, True, False),  # 4 raw points
        ("ndi", 40.0, 30.0, True, True),  # 5 raw points (10 %)
        ("psfs", 4.0, 5.5, True, False),
        ("psfs", 4.0, 6.0, True, True),
    ],
)
def test_change_against_baseline_and_its_mcid(
    measure: str, before: float, after: float, improved: bool, reached: bool
) -> None:
    key = s.Measure(measure)
    result = change(
        key,
        s.Score(measure=key, ruleset_version=RULES.version, score=before),
        s.Score(measure=key, ruleset_version=RULES.version, score=after),
        RULES,
    )
    assert (result.improved, result.mcid_reached) == (improved, reached), result.explanation
    assert result.absolute == round(after - before, 2)


def test_psfs_one_activity_rising_three_points_is_meaningful() -> None:
    key = s.Measure.psfs
    before = s.Score(measure=key, ruleset_version=RULES.version, score=4.0)
    after = s.Score(measure=key, ruleset_version=RULES.version, score=5.0)
    assert not change(key, before, after, RULES, ([4, 4, 4], [4, 4, 4])).mcid_reached
    assert change(key, before, after, RULES, ([3, 4, 5], [6, 4, 5])).mcid_reached


def test_start_back_has_no_change() -> None:
    baseline = start_back([0] * 8)
    with pytest.raises(ValueError):
        change(s.Measure.start_back, baseline, baseline, RULES)
