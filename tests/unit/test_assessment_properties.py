"""Properties of the assessment engine over generated valid inputs.

The strategies are written out from the input Structs' constraints (service/assessments/schemas.py): every part
optional (absent or null), numbers within their bounds, enums from their vocabularies, lists unique where the
input requires it, tender spots from the catalogue. Each generated body goes through the real JSON decoder.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

from service.assessments.anatomy import Anatomy
from service.assessments.engine import assess as assess_on
from service.assessments.rules import load_rules
from service.assessments.schemas import (
    ActivityLevel,
    AgeBand,
    AssessmentInput,
    AssessmentResult,
    AssessmentStatus,
    Compensation,
    ConcernLevel,
    PainDuration,
    PainRegion,
    RedFlags,
    ThomasResult,
    TrainingExperience,
)
from service.assessments.validation import validate_input
from service.catalog.records import load_catalog

CATALOG = load_catalog()
ANATOMY = Anatomy.from_catalog(CATALOG)
MUSCLES = ANATOMY.muscles
TENDER_SPOTS = sorted(m for m in MUSCLES if not ANATOMY.is_region(m))
RULES = load_rules(
    known_muscles=MUSCLES,
    known_patterns=frozenset(p.slug for p in CATALOG.patterns),
    known_conditions=ANATOMY.conditions,
)
TODAY = date(2026, 12, 3)
RULE_IDS = (
    {r.id for r in RULES.rules}
    | {f"screening.{code}" for code in RULES.screening.codes()}
    | {c.id for c in RULES.screening.clusters}
    | {r.id for r in RULES.resolutions}
    | {"screening.unexplained_pain"}
)
RED_FLAGS = list(RedFlags.__struct_fields__)
CODES = sorted(RULES.screening.codes() - set(RED_FLAGS))


def assess(data: AssessmentInput, rules: Any) -> AssessmentResult:
    return assess_on(data, rules, on=TODAY, anatomy=ANATOMY)


SETTINGS = settings(max_examples=150, deadline=None)


def optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.none() | strategy


def part(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """An input object whose every field may be absent, null or a value."""
    return st.fixed_dictionaries({}, optional={name: optional(s) for name, s in fields.items()})


def number(low: float, high: float) -> st.SearchStrategy[float]:
    """JSON numbers within [low, high]: integers and floats, bounds included."""
    return st.integers(int(low), int(high)) | st.floats(low, high, allow_nan=False, allow_infinity=False)


def values(enum: type[Any]) -> st.SearchStrategy[str]:
    return st.sampled_from([member.value for member in enum])


def sides(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    return part(left=strategy, right=strategy)


# Red flags are mostly unasked or "no"; a few "yes" so that generated inputs cover both statuses.
red_flag_answer = st.sampled_from([None, False, False, False, False, False, False, True])
# The other screening answers: mostly "no", so that most generated people are screened and reach their findings.
screening_answer = st.sampled_from([False] * 12 + [True])

subject_refs = st.text(
    alphabet=st.characters(exclude_categories=("Cc", "Cs"), exclude_characters="@"), min_size=1, max_size=128
).filter(lambda s: s.strip() != "")

bodies: st.SearchStrategy[dict[str, Any]] = part(
    subject_ref=subject_refs,
    age_band=values(AgeBand),
    lifestyle=part(
        sitting_hours_per_day=number(0, 24),
        activity_level=values(ActivityLevel),
        training_experience=values(TrainingExperience),
    ),
    pain=part(
        regions=st.lists(values(PainRegion), unique=True, max_size=10),
        intensity=st.integers(0, 10),
        duration=values(PainDuration),
        new_pain=st.booleans(),
    ),
    red_flags=st.fixed_dictionaries({flag: st.just(False) for flag in RED_FLAGS}, optional={})
    | st.fixed_dictionaries({}, optional={flag: red_flag_answer for flag in RED_FLAGS}),
    screening=st.fixed_dictionaries({code: screening_answer for code in CODES}),
    movement_screen=part(overhead_squat=st.lists(values(Compensation), unique=True, max_size=11)),
    tests=part(
        straight_leg_raise_deg=sides(number(0, 180)),
        thomas_test=sides(values(ThomasResult)),
        sit_and_reach_cm=number(-50, 50),
        single_leg_bridge_seconds=sides(number(0, 600)),
    ),
    tender_spots=st.lists(st.sampled_from(TENDER_SPOTS), max_size=40),
)


def decode(body: dict[str, Any]) -> AssessmentInput:
    return msgspec.json.decode(msgspec.json.encode(body), type=AssessmentInput)


_STEP = re.compile(r"([a-z_]+)(?:\[(\d+)\])?")


def value_at(data: AssessmentInput, path: str) -> object:
    """The input's value at an evidence path such as `tests.thomas_test.left` or `tender_spots[3]` (None if absent)."""
    value: object = data
    for step in path.split("."):
        match = _STEP.fullmatch(step)
        assert match is not None, f"malformed input path {path!r}"
        value = getattr(value, match[1], None)
        if value is None:
            return None
        if match[2] is not None:
            assert isinstance(value, list)
            index = int(match[2])
            if index >= len(value):
                return None
            value = value[index]
    return value


def all_evidence(result: AssessmentResult) -> list[Any]:
    evidence = [e for p in result.patterns for e in p.evidence]
    evidence += [e for f in [*result.overactive, *result.underactive] for e in f.reasons]
    if result.referral is not None:
        evidence += result.referral.evidence
    return evidence


@SETTINGS
@given(bodies)
def test_generated_bodies_are_valid(body: dict[str, Any]) -> None:
    assert validate_input(decode(body), RULES, ANATOMY, TODAY) == []


@SETTINGS
@given(bodies)
def test_same_input_same_output(body: dict[str, Any]) -> None:
    first = msgspec.json.encode(assess(decode(body), RULES))
    assert msgspec.json.encode(assess(decode(body), RULES)) == first
    data = decode(body)
    assert msgspec.json.encode(assess(data, RULES)) == msgspec.json.encode(assess(data, RULES)) == first


@SETTINGS
@given(bodies, st.sampled_from(RED_FLAGS))
def test_any_red_flag_refers(body: dict[str, Any], flag: str) -> None:
    body = {**body, "red_flags": {**(body.get("red_flags") or {}), flag: True}}
    result = assess(decode(body), RULES)

    # A yes to any of the eight never reads as "no": it refers, or (a routine concern, with other answers missing)
    # leaves the assessment incomplete; it never reaches a program.
    assert result.status != "ok"
    if result.status == "refer":
        assert result.referral is not None
        assert flag in result.referral.reasons or result.referral.level in (ConcernLevel.emergency, ConcernLevel.urgent)
        assert len(result.referral.reasons) == len(set(result.referral.reasons))
        assert result.referral.message
    else:
        assert result.missing
    assert (result.patterns, result.overactive, result.underactive, result.trigger_points) == ([], [], [], [])


@SETTINGS
@given(bodies)
def test_result_invariants(body: dict[str, Any]) -> None:
    data = decode(body)
    result = assess(data, RULES)  # never raises on a valid input

    assert result.ruleset_version == RULES.version
    flags = data.red_flags
    if result.status == "ok":
        assert result.referral is None
        assert flags is None or not any(getattr(flags, f) is True for f in RED_FLAGS)
        assert result.trigger_points == sorted(set(data.tender_spots or []))
    elif result.status == AssessmentStatus.refer:
        assert result.referral is not None and result.referral.reasons
        assert (result.patterns, result.overactive, result.underactive, result.trigger_points) == ([], [], [], [])
    else:
        assert result.missing and result.referral is None
        assert (result.patterns, result.overactive, result.underactive, result.trigger_points) == ([], [], [], [])

    for pattern in result.patterns:
        assert 0 < pattern.score <= 1
        assert round(pattern.score, 2) == pattern.score
        assert pattern.evidence
    assert [(-p.score, p.slug) for p in result.patterns] == sorted((-p.score, p.slug) for p in result.patterns)

    for findings in (result.overactive, result.underactive):
        muscles = [f.muscle for f in findings]
        assert muscles == sorted(set(muscles))
        assert all(f.reasons for f in findings)
    assert not {f.muscle for f in result.overactive} & {f.muscle for f in result.underactive}


@SETTINGS
@given(bodies)
def test_every_finding_names_inputs_that_are_present(body: dict[str, Any]) -> None:
    data = decode(body)
    result = assess(data, RULES)

    for evidence in all_evidence(result):
        assert evidence.rule in RULE_IDS
        assert evidence.summary
        assert evidence.inputs, evidence
        assert len(evidence.inputs) == len(set(evidence.inputs))
        for path in evidence.inputs:
            if path.startswith("screening."):
                assert path.removeprefix("screening.") in (data.screening or {}), (evidence.rule, path)
            elif evidence.rule.startswith("cluster.") or evidence.rule == "screening.unexplained_pain":
                continue  # a cluster names the fields of the facts it read (age_band, pain.duration), set or not
            else:
                assert value_at(data, path) is not None, (evidence.rule, path)
