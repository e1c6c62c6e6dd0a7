"""The assessment rule engine on the article's personas, the input's validation and the rules file's validation."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import msgspec
import pytest
import yaml

from devkit.personas import DESK_WORKER
from service.assessments.anatomy import Anatomy
from service.assessments.engine import assess as assess_on
from service.assessments.rules import RULES_PATH, RulesError, RuleSet, load_rules, parse_rules
from service.assessments.schemas import Assessment, AssessmentInput, AssessmentResult, Note, RedFlags
from service.assessments.validation import validate_input as validate_on
from service.catalog.records import load_catalog

CATALOG = load_catalog()
ANATOMY = Anatomy.from_catalog(CATALOG)
MUSCLES = ANATOMY.muscles
PATTERNS = frozenset(p.slug for p in CATALOG.patterns)
RED_FLAGS = list(RedFlags.__struct_fields__)
TODAY = date(2026, 12, 3)
RULES = load_rules(known_muscles=MUSCLES, known_patterns=PATTERNS)


def assess(data: AssessmentInput, rules: RuleSet) -> AssessmentResult:
    return assess_on(data, rules, on=TODAY, anatomy=ANATOMY)


def validate_input(data: AssessmentInput, _muscles: object = None) -> list[tuple[str, str]]:
    return validate_on(data, RULES, ANATOMY, TODAY)


def screened(body: dict[str, Any]) -> dict[str, Any]:
    """`body` with every screening question it leaves open answered "no" (and an age band when none is given), so
    that these tests reach the findings; the screening itself is tested in test_screening_*.py."""
    given = {**(body.get("red_flags") or {}), **(body.get("screening") or {})}
    answers = {code: False for code in RULES.screening.codes() if code not in given}
    return {
        "age_band": "30_49",
        **body,
        "screening": {**answers, **(body.get("screening") or {})},
    }


NECK_AND_SHOULDERS: dict[str, Any] = {
    "subject_ref": "u-17",
    "pain": {"regions": ["neck", "shoulder"], "intensity": 3, "duration": "subacute", "trauma": False},
    "movement_screen": {"overhead_squat": ["head_forward", "shoulders_elevate"]},
    "tender_spots": ["upper_trapezius"],
}


@pytest.fixture(scope="module")
def rules() -> RuleSet:
    return load_rules(known_muscles=MUSCLES, known_patterns=PATTERNS)


def decode(body: dict[str, Any]) -> AssessmentInput:
    return msgspec.json.decode(msgspec.json.encode(body), type=AssessmentInput)


def run(body: dict[str, Any], rules: RuleSet) -> AssessmentResult:
    data = decode(screened(body))
    assert validate_input(data, MUSCLES) == []
    return assess(data, rules)


def reasons_by_rule(findings: list[Any], muscle: str) -> dict[str, list[str]]:
    """{rule id: inputs} of one muscle's reasons (empty when the muscle is not in the list)."""
    for finding in findings:
        if finding.muscle == muscle:
            return {e.rule: e.inputs for e in finding.reasons}
    return {}


# ---------------------------------------------------------------- personas


@dataclass
class Expect:
    status: str = "ok"
    reasons: list[str] = field(default_factory=list)
    top_pattern: str | None = None
    overactive: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    """muscle -> {rule id -> exact inputs} that must be among its reasons (any one muscle of a `|` group)."""
    underactive: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    trigger_points: list[str] = field(default_factory=list)


def with_flag(flag: str) -> dict[str, Any]:
    return {"red_flags": {flag: True}}


PERSONAS = [
    pytest.param(
        DESK_WORKER,
        Expect(
            top_pattern="lower_crossed_syndrome",
            overactive={
                "hamstrings": {
                    "lcs.short_hamstrings": ["tests.straight_leg_raise_deg.left", "tests.straight_leg_raise_deg.right"],
                    "lcs.prolonged_sitting": ["lifestyle.sitting_hours_per_day"],
                    "tender_spot": ["tender_spots[4]"],
                },
                "calves|gastrocnemius": {"tender_spot": ["tender_spots[0]"]},
                "hip_flexors": {
                    "lcs.short_hip_flexors": ["tests.thomas_test.left"],
                    "lcs.low_back_arches": ["movement_screen.overhead_squat[0]"],
                },
                # Pain is reported, not measured: it marks no muscle (rules.yaml); the arching back does.
                "erector_spinae": {"lcs.low_back_arches": ["movement_screen.overhead_squat[0]"]},
            },
            underactive={
                "glutes|gluteus_maximus": {
                    "lcs.inhibited_glutes": [
                        "tests.single_leg_bridge_seconds.left",
                        "tests.single_leg_bridge_seconds.right",
                    ],
                    "lcs.low_back_arches": ["movement_screen.overhead_squat[0]"],
                },
                "transverse_abdominis": {"lcs.excessive_forward_lean": ["movement_screen.overhead_squat[1]"]},
            },
            trigger_points=["gastrocnemius", "gluteus_minimus", "hamstrings", "iliotibial_band", "piriformis"],
        ),
        id="desk-worker",
    ),
    *[
        pytest.param(with_flag(flag), Expect(status="refer", reasons=[flag]), id=f"red-flag-{flag}")
        for flag in RED_FLAGS
    ],
    pytest.param(
        NECK_AND_SHOULDERS,
        Expect(
            top_pattern="upper_crossed_syndrome",
            overactive={
                "upper_trapezius": {
                    "ucs.head_forward": ["movement_screen.overhead_squat[0]"],
                    "ucs.shoulders_elevate": ["movement_screen.overhead_squat[1]"],
                    "tender_spot": ["tender_spots[0]"],
                },
            },
            underactive={
                "deep_cervical_flexors": {"ucs.head_forward": ["movement_screen.overhead_squat[0]"]},
                "lower_trapezius": {"ucs.shoulders_elevate": ["movement_screen.overhead_squat[1]"]},
            },
            trigger_points=["upper_trapezius"],
        ),
        id="neck-and-shoulders",
    ),
    pytest.param({}, Expect(), id="empty-body"),
    pytest.param(
        {"age_band": "65_plus", "pain": {"regions": ["lower_back"], "new_pain": True}},
        Expect(status="refer", reasons=["age_over_50_with_new_pain"]),
        id="65-plus-new-pain",
    ),
    pytest.param(
        {"age_band": "50_64", "pain": {"regions": ["hip"], "new_pain": True}},
        Expect(status="refer", reasons=["age_over_50_with_new_pain"]),
        id="50-64-new-pain",
    ),
    pytest.param({"age_band": "30_49", "pain": {"new_pain": True}}, Expect(), id="30-49-new-pain"),
    # New knee pain after 50 is not the back-pain cluster (the lumbar screen does not apply).
    pytest.param(
        {"age_band": "65_plus", "pain": {"regions": ["knee"], "new_pain": True, "trauma": False}},
        Expect(),
        id="65-plus-new-knee-pain",
    ),
    pytest.param({"age_band": "65_plus", "pain": {"new_pain": False}}, Expect(), id="65-plus-old-pain"),
    pytest.param(
        {**DESK_WORKER, "red_flags": {"history_of_cancer": True, "constant_night_pain": True, "saddle_numbness": None}},
        # Each is routine alone; together they are the urgent "possible serious cause" cluster, listed first.
        Expect(status="refer", reasons=["possible_serious_cause", "constant_night_pain", "history_of_cancer"]),
        id="desk-worker-with-two-red-flags",
    ),
]


def _find(findings: list[Any], alternatives: str) -> Any:
    for slug in alternatives.split("|"):
        for finding in findings:
            if finding.muscle == slug:
                return finding
    raise AssertionError(f"none of {alternatives} in {[f.muscle for f in findings]}")


@pytest.mark.parametrize(("body", "expect"), PERSONAS)
def test_persona(body: dict[str, Any], expect: Expect, rules: RuleSet) -> None:
    result = run(body, rules)

    assert result.status == expect.status
    assert result.ruleset_version == rules.version
    assert result.trigger_points == expect.trigger_points
    if expect.status == "refer":
        assert result.referral is not None
        assert result.referral.reasons == expect.reasons
        assert "doctor" in result.referral.message
        assert result.level == result.referral.level
        assert [e.rule for e in result.referral.evidence]  # each reason explained
        assert (result.patterns, result.overactive, result.underactive) == ([], [], [])
        return
    assert result.referral is None
    if expect.top_pattern is None:
        assert (result.patterns, result.overactive, result.underactive) == ([], [], [])
        return
    assert result.patterns[0].slug == expect.top_pattern
    assert all(result.patterns[0].score > p.score for p in result.patterns[1:])
    for role, expected in (("overactive", expect.overactive), ("underactive", expect.underactive)):
        findings = getattr(result, role)
        for muscle, rules_and_inputs in expected.items():
            finding = _find(findings, muscle)
            got = {e.rule: e.inputs for e in finding.reasons}
            for rule_id, inputs in rules_and_inputs.items():
                assert got.get(rule_id) == inputs, (role, muscle, rule_id, got)


def test_desk_worker_in_detail(rules: RuleSet) -> None:
    result = run(DESK_WORKER, rules)

    [lcs] = result.patterns
    assert (lcs.slug, lcs.name, lcs.score) == ("lower_crossed_syndrome", "Lower crossed syndrome", 1.0)
    assert [e.rule for e in lcs.evidence] == [
        "lcs.prolonged_sitting",
        "lcs.low_back_pain",
        "lcs.low_back_arches",
        "lcs.excessive_forward_lean",
        "lcs.short_hamstrings",
        "lcs.short_hip_flexors",
        "lcs.inhibited_glutes",
        "lcs.tender_tissue",
    ]
    evidence = {e.rule: e for e in lcs.evidence}
    # The person reads plain words; their trainer reads the test and source (CLINICAL.md §7).
    assert evidence["lcs.short_hamstrings"].summary == (
        "Your straight-leg raise reached 60° left, 62° right (45° to 70°): the muscles at the back of your thighs "
        "(hamstrings) are short"
    )
    assert evidence["lcs.short_hamstrings"].basis.startswith("Passive straight-leg raise, 45° to under 70°")
    assert all(e.basis for e in lcs.evidence)
    assert evidence["lcs.tender_tissue"].inputs == [f"tender_spots[{i}]" for i in range(5)]
    assert "12 s left" in evidence["lcs.inhibited_glutes"].summary
    assert "40% gap" in evidence["lcs.inhibited_glutes"].summary
    # Erector spinae: low back arches (0.15) outweighs forward lean (0.10, underactive).
    assert reasons_by_rule(result.overactive, "erector_spinae")
    assert not reasons_by_rule(result.underactive, "erector_spinae")
    # Hamstrings stay overactive only (rules.yaml: the NASM low-back-arches deviation).
    assert not reasons_by_rule(result.underactive, "hamstrings")
    overactive = [f.muscle for f in result.overactive]
    underactive = [f.muscle for f in result.underactive]
    assert overactive == sorted(overactive) and underactive == sorted(underactive)
    assert not set(overactive) & set(underactive)


def test_both_patterns_are_sorted_by_score(rules: RuleSet) -> None:
    body = {
        "movement_screen": {"overhead_squat": ["low_back_arches", "head_forward", "arms_fall_forward"]},
        "tender_spots": ["pectoralis_minor"],
    }
    result = run(body, rules)
    assert [(p.slug, p.score) for p in result.patterns] == [
        ("upper_crossed_syndrome", 0.65),
        ("lower_crossed_syndrome", 0.15),
    ]


def test_equal_scores_sort_by_slug(rules: RuleSet) -> None:
    # 0.15 each: low back arches (lower) and shoulder pain (upper).
    body = {
        "movement_screen": {"overhead_squat": ["low_back_arches"]},
        "pain": {"regions": ["shoulder"], "trauma": False},
    }
    result = run(body, rules)
    assert [(p.slug, p.score) for p in result.patterns] == [
        ("lower_crossed_syndrome", 0.15),
        ("upper_crossed_syndrome", 0.15),
    ]


@pytest.mark.parametrize(
    ("tests", "fires", "inputs"),
    [
        ({"straight_leg_raise_deg": {"left": 80, "right": 65}}, True, ["tests.straight_leg_raise_deg.right"]),
        ({"straight_leg_raise_deg": {"left": 70, "right": 70}}, False, []),
        ({"straight_leg_raise_deg": {"left": 69.5}}, True, ["tests.straight_leg_raise_deg.left"]),
    ],
    ids=["one-side", "at-threshold", "one-side-given"],
)
def test_straight_leg_raise_threshold(tests: dict[str, Any], fires: bool, inputs: list[str], rules: RuleSet) -> None:
    result = run({"tests": tests}, rules)
    got = reasons_by_rule(result.overactive, "hamstrings").get("lcs.short_hamstrings")
    assert got == (inputs if fires else None)


@pytest.mark.parametrize(
    ("bridge", "inputs"),
    [
        ({"left": 25, "right": 40}, ["tests.single_leg_bridge_seconds.left", "tests.single_leg_bridge_seconds.right"]),
        ({"left": 25, "right": 30}, None),
        ({"left": 22, "right": 19}, ["tests.single_leg_bridge_seconds.right"]),
        ({"left": 0, "right": 0}, ["tests.single_leg_bridge_seconds.left", "tests.single_leg_bridge_seconds.right"]),
        ({"left": 45}, None),
    ],
    ids=["asymmetric", "close-enough", "weak-right", "both-zero", "one-side-strong"],
)
def test_single_leg_bridge(bridge: dict[str, float], inputs: list[str] | None, rules: RuleSet) -> None:
    result = run({"tests": {"single_leg_bridge_seconds": bridge}}, rules)
    assert reasons_by_rule(result.underactive, "gluteus_maximus").get("lcs.inhibited_glutes") == inputs


@pytest.mark.parametrize(("hours", "fires"), [(6, True), (5.9, False), (24, True), (0, False)])
def test_prolonged_sitting_threshold(hours: float, fires: bool, rules: RuleSet) -> None:
    result = run({"lifestyle": {"sitting_hours_per_day": hours}}, rules)
    assert bool(result.patterns) is fires
    assert ("lcs.prolonged_sitting" in reasons_by_rule(result.overactive, "hamstrings")) is fires


def test_tender_spots_are_trigger_points_deduplicated_and_overactive(rules: RuleSet) -> None:
    result = run({"tender_spots": ["soleus", "piriformis", "soleus"]}, rules)
    assert result.trigger_points == ["piriformis", "soleus"]
    assert reasons_by_rule(result.overactive, "soleus") == {"tender_spot": ["tender_spots[0]", "tender_spots[2]"]}
    [lcs] = result.patterns
    assert lcs.evidence[0].inputs == ["tender_spots[0]", "tender_spots[1]", "tender_spots[2]"]


def test_tender_spot_yields_to_a_movement_finding(rules: RuleSet) -> None:
    """A tender gluteus medius with knees caving in stays underactive; it is still a trigger point to release."""
    result = run(
        {"movement_screen": {"overhead_squat": ["knees_move_inward"]}, "tender_spots": ["gluteus_medius"]}, rules
    )
    assert reasons_by_rule(result.underactive, "gluteus_medius") == {
        "ohs.knees_move_inward": ["movement_screen.overhead_squat[0]"]
    }
    assert not reasons_by_rule(result.overactive, "gluteus_medius")
    assert result.trigger_points == ["gluteus_medius"]
    # The tender spot set aside is said, naming its input.
    [note] = [n for n in result.notes if n.code == "opposite_findings_for_one_muscle"]
    assert note.inputs == ["tender_spots[0]"]
    assert note.message.startswith("Gluteus medius looked both overactive and underactive")


def test_conflict_tie_goes_to_the_tie_break(rules: RuleSet) -> None:
    # Knees in marks adductors overactive, knees out underactive, both with weight 0.10.
    body = {"movement_screen": {"overhead_squat": ["knees_move_inward", "knees_move_outward"]}}
    result = run(body, rules)
    assert rules.conflicts.tie_break == "overactive"
    assert reasons_by_rule(result.overactive, "adductors")
    assert not reasons_by_rule(result.underactive, "adductors")
    [note] = [n for n in result.notes if n.code == "opposite_findings_for_one_muscle" and "Adductors" in n.message]
    assert "as strong" in note.message and note.inputs == ["movement_screen.overhead_squat[1]"]


@pytest.mark.parametrize(
    ("code", "overactive", "underactive"),
    [
        ("knees_move_inward", "tensor_fasciae_latae", "vastus_medialis"),
        ("feet_turn_out", "biceps_femoris_short_head", "gracilis"),
        ("feet_flatten", "gastrocnemius", "tibialis_anterior"),
        ("heels_rise", "soleus", "tibialis_anterior"),
        ("arms_fall_forward", "teres_major", "rotator_cuff"),
        ("excessive_forward_lean", "rectus_abdominis", "erector_spinae"),
        ("low_back_arches", "latissimus_dorsi", "gluteus_maximus"),
    ],
)
def test_overhead_squat_compensations_follow_nasm(code: str, overactive: str, underactive: str, rules: RuleSet) -> None:
    result = run({"movement_screen": {"overhead_squat": [code]}}, rules)
    assert reasons_by_rule(result.overactive, overactive)
    assert reasons_by_rule(result.underactive, underactive)


def test_asymmetric_weight_shift_alone_finds_nothing(rules: RuleSet) -> None:
    """Its muscles depend on a side the input does not give (see rules.yaml)."""
    result = run({"movement_screen": {"overhead_squat": ["asymmetric_weight_shift"]}}, rules)
    assert (result.status, result.patterns, result.overactive, result.underactive) == ("ok", [], [], [])


def test_urgent_red_flags_get_the_urgent_message(rules: RuleSet) -> None:
    urgent = run({"red_flags": {"saddle_numbness": True, "history_of_cancer": True}}, rules)
    routine = run({"red_flags": {"history_of_cancer": True}}, rules)
    assert urgent.referral is not None and routine.referral is not None
    assert urgent.referral.urgent and urgent.referral.message == rules.screening.messages.emergency
    assert urgent.level == urgent.referral.level == "emergency"
    assert not routine.referral.urgent and routine.referral.message == rules.screening.messages.routine
    assert routine.level == "routine"
    # Most serious first.
    assert [e.inputs for e in urgent.referral.evidence] == [
        ["red_flags.saddle_numbness"],
        ["red_flags.history_of_cancer"],
    ]


def test_unanswered_and_negative_red_flags_do_not_refer(rules: RuleSet) -> None:
    result = run({"red_flags": {flag: (None if i % 2 else False) for i, flag in enumerate(RED_FLAGS)}}, rules)
    assert result.status == "ok" and result.referral is None


def test_result_uses_the_contract_field_names(rules: RuleSet) -> None:
    encoded = msgspec.json.decode(msgspec.json.encode(run(DESK_WORKER, rules)))
    assert set(encoded) >= {
        "status",
        "referral",
        "patterns",
        "overactive",
        "underactive",
        "trigger_points",
        "ruleset_version",
    }
    assert set(encoded["patterns"][0]) >= {"slug", "name", "score", "evidence"}
    assert set(encoded["overactive"][0]) >= {"muscle", "reasons"}
    assert set(encoded["overactive"][0]["reasons"][0]) == {"rule", "inputs", "summary", "basis"}
    refer = msgspec.json.decode(msgspec.json.encode(run(with_flag("significant_trauma"), rules)))
    assert set(refer["referral"]) >= {"reasons", "message"}


def test_contract_example_round_trips() -> None:
    data = decode(DESK_WORKER)
    assert msgspec.json.decode(msgspec.json.encode(data)) == {
        **DESK_WORKER,
        "previous_assessment_id": None,
        "age_band": None,
        "lifestyle": {**DESK_WORKER["lifestyle"], "sitting_hours_per_day": 10.0},
        "pain": {**DESK_WORKER["pain"], "new_pain": None, "trauma": None},
        "movement_screen": {**DESK_WORKER["movement_screen"], "weight_shift_to": None},
        "pregnancy": None,
        "conditions": None,
        "clearance": None,
    }


def test_stored_result_reads_back_as_the_resource(rules: RuleSet) -> None:
    """What the service stores (input and result as builtins) converts to the §4 response shape."""
    data = decode(DESK_WORKER)
    result = assess(data, rules)
    stored = {
        **msgspec.to_builtins(result),
        "id": "0b6f7c1e-0000-4000-8000-000000000001",
        "created_at": "2026-11-24T10:00:00+00:00",
        "subject_ref": data.subject_ref,
        "input": msgspec.to_builtins(data),
    }
    resource = msgspec.convert(stored, Assessment)
    assert resource.input == data
    assert msgspec.json.encode(resource.patterns) == msgspec.json.encode(result.patterns)


# ---------------------------------------------------------------- input validation


@pytest.mark.parametrize(
    ("body", "where"),
    [
        ({"nickname": "x"}, "nickname"),
        ({"lifestyle": {"sitting_hours": 3}}, "sitting_hours"),
        ({"tests": {"straight_leg_raise_deg": {"left": 60, "middle": 3}}}, "middle"),
        ({"red_flags": {"dizziness": True}}, "dizziness"),
    ],
    ids=["top-level", "lifestyle", "nested-test", "red-flags"],
)
def test_unknown_fields_are_rejected(body: dict[str, Any], where: str) -> None:
    with pytest.raises(msgspec.ValidationError, match=f"unknown field `{where}`"):
        decode(body)


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"pain": {"intensity": 11}}, "$.pain.intensity"),
        ({"pain": {"intensity": -1}}, "$.pain.intensity"),
        ({"pain": {"intensity": 4.5}}, "$.pain.intensity"),
        ({"tests": {"straight_leg_raise_deg": {"right": 181}}}, "$.tests.straight_leg_raise_deg.right"),
        ({"lifestyle": {"sitting_hours_per_day": 25}}, "$.lifestyle.sitting_hours_per_day"),
        ({"lifestyle": {"activity_level": "couch"}}, "$.lifestyle.activity_level"),
        (
            {"movement_screen": {"overhead_squat": ["heels_rise", "knees_wobble"]}},
            "$.movement_screen.overhead_squat[1]",
        ),
        ({"tests": {"thomas_test": {"left": "maybe"}}}, "$.tests.thomas_test.left"),
        ({"tests": {"sit_and_reach_cm": -51}}, "$.tests.sit_and_reach_cm"),
        ({"tests": {"single_leg_bridge_seconds": {"left": 601}}}, "$.tests.single_leg_bridge_seconds.left"),
        ({"pain": {"regions": ["toe"]}}, "$.pain.regions[0]"),
        ({"pain": {"duration": "forever"}}, "$.pain.duration"),
        ({"red_flags": {"saddle_numbness": "yes"}}, "$.red_flags.saddle_numbness"),
        ({"age_band": "40s"}, "$.age_band"),
        ({"subject_ref": ""}, "$.subject_ref"),
        ({"subject_ref": "x" * 129}, "$.subject_ref"),
        ({"tender_spots": ["soleus"] * 41}, "$.tender_spots"),
        ({"tender_spots": [""]}, "$.tender_spots[0]"),
    ],
)
def test_out_of_range_values_are_rejected_naming_the_field(body: dict[str, Any], path: str) -> None:
    with pytest.raises(msgspec.ValidationError) as raised:
        decode(body)
    assert str(raised.value).endswith(f"- at `{path}`")


def test_validate_input_reports_every_unknown_tender_spot() -> None:
    data = decode({"tender_spots": ["gastrocnemius", "hamstring", "glutes", "quads"]})
    assert validate_input(data, MUSCLES) == [
        ("tender_spots[1]", "unknown muscle 'hamstring'"),
        ("tender_spots[3]", "unknown muscle 'quads'"),
    ]


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("jane.doe@example.com", "email"),
        ("a\x00b", "control characters"),
        ("   ", "blank"),
    ],
    ids=["email", "nul", "blank"],
)
def test_validate_input_rejects_a_bad_subject_ref(ref: str, message: str) -> None:
    problems = validate_input(decode({"subject_ref": ref}), MUSCLES)
    assert [field for field, _ in problems] == ["subject_ref"]
    assert message in problems[0][1]


def test_validate_input_reports_duplicates_and_everything_at_once() -> None:
    data = decode(
        {
            "subject_ref": "me@example.org",
            "pain": {"regions": ["neck", "knee", "neck"]},
            "movement_screen": {"overhead_squat": ["heels_rise", "heels_rise"]},
            "tender_spots": ["soleus", "soleus", "calf"],
        }
    )
    assert [field for field, _ in validate_input(data, MUSCLES)] == [
        "subject_ref",
        "pain.regions[2]",
        "movement_screen.overhead_squat[1]",
        "tender_spots[2]",
    ]


def test_validate_input_accepts_the_contract_example() -> None:
    assert validate_input(decode(DESK_WORKER), MUSCLES) == []


# ---------------------------------------------------------------- the rules file


def raw_rules() -> dict[str, Any]:
    raw = yaml.safe_load(RULES_PATH.read_text(encoding="utf-8"))
    assert isinstance(raw, dict)
    return raw


def rule_index(raw: dict[str, Any], rule_id: str) -> int:
    return next(i for i, rule in enumerate(raw["rules"]) if rule["id"] == rule_id)


def test_rules_file_is_valid_against_the_catalogue(rules: RuleSet) -> None:
    assert rules.version == "2026.12.4"
    assert {p.slug for p in rules.patterns} == {"lower_crossed_syndrome", "upper_crossed_syndrome"}
    named = {m for rule in rules.rules for m in [*rule.overactive, *rule.underactive]}
    assert named <= MUSCLES
    # The weights of each pattern's rules add up to 1 (rules.yaml's promise).
    for pattern in rules.patterns:
        total = sum(rule.weight for rule in rules.rules if pattern.slug in rule.supports)
        assert total == pytest.approx(1.0), pattern.slug


def test_rules_parse_without_the_catalogue() -> None:
    assert parse_rules(raw_rules()).version == "2026.12.4"


def _break(raw: dict[str, Any], rule_id: str, **changes: Any) -> None:
    rule = raw["rules"][rule_index(raw, rule_id)]
    for key, value in changes.items():
        if value is None:
            rule.pop(key, None)
        else:
            rule[key] = value


BAD_RULES = [
    pytest.param(
        lambda raw: _break(raw, "lcs.short_hamstrings", overactive=["hamstring"]),
        "rule #5 (lcs.short_hamstrings): overactive names unknown muscle(s) hamstring",
        id="unknown-muscle",
    ),
    pytest.param(
        lambda raw: _break(raw, "lcs.prolonged_sitting", when={"path": "lifestyle.sitting_hours", "gte": 6}),
        "(lcs.prolonged_sitting): when: unknown input path 'lifestyle.sitting_hours'",
        id="unknown-path",
    ),
    pytest.param(
        lambda raw: _break(
            raw, "lcs.low_back_arches", when={"path": "movement_screen.overhead_squat", "contains": "back_arches"}
        ),
        "(lcs.low_back_arches): when: contains on 'movement_screen.overhead_squat': not values of this list",
        id="unknown-compensation",
    ),
    pytest.param(
        lambda raw: _break(
            raw, "lcs.tender_tissue", when={"path": "tender_spots", "contains_any": ["calves", "calf_muscle"]}
        ),
        "(lcs.tender_tissue): when: contains_any on 'tender_spots': unknown muscle(s) calf_muscle",
        id="unknown-tender-muscle",
    ),
    pytest.param(
        lambda raw: _break(
            raw, "lcs.prolonged_sitting", when={"path": "lifestyle.sitting_hours_per_day", "gte": 6, "lt": 9}
        ),
        "(lcs.prolonged_sitting): when: a leaf needs exactly one operator (found lt, gte)",
        id="two-operators",
    ),
    pytest.param(
        lambda raw: _break(raw, "lcs.prolonged_sitting", when={"path": "lifestyle.activity_level", "gte": 6}),
        "(lcs.prolonged_sitting): when: gte on 'lifestyle.activity_level': needs a numeric field",
        id="wrong-type",
    ),
    pytest.param(
        lambda raw: _break(raw, "lcs.short_hip_flexors", summary="Thomas {result}"),
        "(lcs.short_hip_flexors): summary: template names unknown placeholder(s) result",
        id="bad-template",
    ),
    pytest.param(
        lambda raw: _break(raw, "lcs.low_back_pain", id="lcs.prolonged_sitting"),
        "rule #2 (lcs.prolonged_sitting): duplicate rule id",
        id="duplicate-id",
    ),
    pytest.param(
        lambda raw: _break(raw, "lcs.low_back_pain", weight=None),
        "(lcs.low_back_pain): Object missing required field `weight`",
        id="missing-weight",
    ),
    pytest.param(
        lambda raw: _break(raw, "lcs.low_back_pain", weight=0),
        "(lcs.low_back_pain): Expected `float` >= 0.01 - at `$.weight`",
        id="zero-weight",
    ),
    pytest.param(
        lambda raw: _break(raw, "lcs.low_back_pain", supports=["flat_back_syndrome"]),
        "(lcs.low_back_pain): supports undeclared pattern(s) flat_back_syndrome",
        id="undeclared-pattern",
    ),
    pytest.param(
        lambda raw: _break(raw, "lcs.low_back_arches", underactive=["erector_spinae"]),
        "(lcs.low_back_arches): marks erector_spinae both overactive and underactive",
        id="both-ways",
    ),
    pytest.param(
        lambda raw: _break(raw, "ucs.upper_body_pain", supports=[]),
        "(ucs.upper_body_pain): has no effect",
        id="no-effect",
    ),
    pytest.param(
        lambda raw: _break(raw, "lcs.low_back_pain", item_marks="overactive"),
        "(lcs.low_back_pain): item_marks needs a single nonempty or contains_any leaf on a muscle list",
        id="item-marks-on-regions",
    ),
    pytest.param(
        lambda raw: _break(raw, "lcs.low_back_pain", threshold=3),
        "(lcs.low_back_pain): Object contains unknown field `threshold`",
        id="unknown-key",
    ),
    pytest.param(
        lambda raw: raw["rules"][rule_index(raw, "lcs.low_back_arches")]["when"].update({"in": [5064, "65_plus"]}),
        "(lcs.low_back_arches)",
        id="unquoted-age-band",
    ),
    pytest.param(
        lambda raw: raw["screening"]["screens"][1]["questions"].pop(0),
        "rules.yaml: screening: no question for red flag(s) saddle_numbness",
        id="unread-red-flag",
    ),
    pytest.param(
        lambda raw: raw["screening"]["clusters"][0].update({"any": ["fact.age_over_90"]}),
        "cluster.possible_fracture: fact.age_over_90 is neither a question code nor a defined fact",
        id="cluster-reads-undefined-fact",
    ),
    pytest.param(
        lambda raw: raw["screening"]["screens"][1]["applies"].update({"regions": ["elbowz"]}),
        "screen lumbar names unknown pain region(s) elbowz",
        id="screen-unknown-region",
    ),
    pytest.param(
        lambda raw: raw["screening"]["screens"][1]["questions"].append(
            dict(raw["screening"]["screens"][1]["questions"][0])
        ),
        "question code saddle_numbness is used twice",
        id="duplicate-question-code",
    ),
    pytest.param(
        lambda raw: raw["screening"]["nerve_root"].update({"not_read_as_muscle": ["lcs.short_hamstring"]}),
        "screening.nerve_root names unknown rule(s) lcs.short_hamstring",
        id="nerve-root-unknown-rule",
    ),
    pytest.param(
        lambda raw: raw["screening"]["nerve_root"].update({"not_read_as_asymmetry": ["tests.sit_and_reach_cm"]}),
        "screening.nerve_root names unknown asymmetry test(s) tests.sit_and_reach_cm",
        id="nerve-root-unknown-asymmetry",
    ),
    pytest.param(
        lambda raw: raw["screening"]["nerve_root"].update({"not_read_as_tight": ["hamstring"]}),
        "screening.nerve_root: not_read_as_tight names unknown muscle(s) hamstring",
        id="nerve-root-unknown-muscle",
    ),
    pytest.param(
        lambda raw: raw.update({"version": "v2"}),
        "rules.yaml: version must look like YYYY.M.N",
        id="bad-version",
    ),
]


@pytest.mark.parametrize(("breakage", "message"), BAD_RULES)
def test_a_bad_rule_fails_naming_the_rule(breakage: Any, message: str) -> None:
    raw = copy.deepcopy(raw_rules())
    breakage(raw)
    with pytest.raises(RulesError) as raised:
        parse_rules(raw, known_muscles=MUSCLES, known_patterns=PATTERNS)
    assert message in str(raised.value)


def test_patterns_must_be_in_the_catalogue() -> None:
    with pytest.raises(RulesError, match="patterns: not in the catalogue: upper_crossed_syndrome"):
        parse_rules(raw_rules(), known_patterns=frozenset({"lower_crossed_syndrome"}))


def test_unreadable_rules_file(tmp_path: Path) -> None:
    path = tmp_path / "rules.yaml"
    path.write_text("version: [unclosed\n", encoding="utf-8")
    with pytest.raises(RulesError, match=r"^rules\.yaml: cannot read"):
        load_rules(path)


def test_every_note_code_the_engine_writes_is_documented_in_the_contract() -> None:
    """Integrators branch on note codes: each one the code can write is named in the Note schema."""
    source = "".join(p.read_text() for p in Path(assess_on.__code__.co_filename).parent.glob("*.py"))
    written = set(re.findall(r'code="([a-z_]+)"', source))
    assert written, "no note codes found: the pattern above is out of date"
    description = msgspec.json.schema(Note)["$defs"]["Note"]["properties"]["code"]["description"]
    assert {code for code in written if code not in description} == set()
