"""Screening and findings on realistic people (CLINICAL.md §1-2, issue 14), through `validate_input` and `assess`.

Each person is answered in full for the screens that apply to them, so that only the thing under test varies. The
answers are built from the loaded rules' codes (`no(...)`), never typed out one by one, and which screens apply to
a region is written here from CLINICAL.md's table, not asked of the code. Pure unit tests: no database, a fixed day.
"""

from __future__ import annotations

import copy
from datetime import date, timedelta
from typing import Any

import msgspec
import pytest

from devkit.programs import ANATOMY, ASSESSMENT_RULES
from service.assessments.engine import assess
from service.assessments.examples import DESK_WORKER, RED_FLAGS_ANSWERED_NO
from service.assessments.schemas import (
    AssessmentInput,
    AssessmentResult,
    AssessmentStatus,
    Band,
    ConcernLevel,
    MuscleFinding,
    Side,
)
from service.assessments.validation import validate_input

TODAY = date(2026, 12, 15)
RULES = ASSESSMENT_RULES  # loaded against the catalogue's muscles, patterns and conditions
SCREENS = {s.slug: s for s in RULES.screening.screens}
QUESTIONS = {q.code: q for s in RULES.screening.screens for q in s.questions}
MAX_CLEARANCE_AGE = RULES.screening.clearance.max_age_days

OK, REFER, INCOMPLETE = AssessmentStatus.ok, AssessmentStatus.refer, AssessmentStatus.incomplete

# CLINICAL.md §1, "Screens by region": written out here so that a wrong `applies` in the rules file fails a test.
LUMBAR_REGIONS = frozenset({"lower_back", "hip", "buttock", "leg"})
CERVICAL_REGIONS = frozenset({"neck", "upper_back", "headache", "shoulder"})
JOINT_REGIONS = frozenset({"knee", "shoulder"})
SLR_QUESTION = "straight_leg_raise_reproduces_leg_pain"
CLEARED_PREGNANCY = {"pregnant": True, "weeks": 20, "obstetric_clearance": True}


def screens_for(regions: set[str], *, pregnant: bool = False, trauma: bool | None = None) -> set[str]:
    screens = {"readiness"}
    if regions & LUMBAR_REGIONS:
        screens.add("lumbar")
    if regions & CERVICAL_REGIONS:
        screens.add("cervical")
    if "headache" in regions:
        screens.add("headache")
    if screens & {"lumbar", "cervical"}:
        screens.add("nerve_root")
    if pregnant:
        screens.add("pregnancy")
    if regions & JOINT_REGIONS and trauma:
        screens.add("joint_injury")
    return screens


def codes(*screens: str) -> list[str]:
    """The question codes of these screens, in the rules file's order."""
    return [q.code for slug in screens for q in SCREENS[slug].questions]


def no(*screens: str, **answers: bool) -> dict[str, bool]:
    """Every question of these screens answered no, then `answers` on top."""
    unknown = set(answers) - set(QUESTIONS)
    assert not unknown, f"not screening codes: {unknown}"
    return {**dict.fromkeys(codes(*screens), False), **answers}


def without(answers: dict[str, bool], *dropped: str) -> dict[str, bool]:
    return {code: value for code, value in answers.items() if code not in dropped}


def screened(
    *regions: str,
    age: str | None = "30_49",
    intensity: int | None = 3,
    duration: str | None = "chronic",
    trauma: bool | None = None,
    pregnancy: dict[str, Any] | None = None,
    yes: tuple[str, ...] = (),
    **extra: Any,
) -> dict[str, Any]:
    """A person with pain in `regions` who answered no to every question of every screen that applies to them
    (CLINICAL.md's table), then yes to `yes`; `extra` adds or replaces top-level fields."""
    pregnant = bool(pregnancy and pregnancy.get("pregnant"))
    applied = screens_for(set(regions), pregnant=pregnant, trauma=trauma)
    body: dict[str, Any] = {"subject_ref": "persona", "screening": no(*sorted(applied), **dict.fromkeys(yes, True))}
    if age is not None:
        body["age_band"] = age
    if regions:
        pain: dict[str, Any] = {"regions": list(regions)}
        for name, value in (("intensity", intensity), ("duration", duration), ("trauma", trauma)):
            if value is not None:
                pain[name] = value
        body["pain"] = pain
    if pregnancy is not None:
        body["pregnancy"] = pregnancy
    body.update(extra)
    return body


def decode(body: dict[str, Any]) -> AssessmentInput:
    return msgspec.convert(body, AssessmentInput)


def problems(body: dict[str, Any], on: date = TODAY) -> list[tuple[str, str]]:
    return validate_input(decode(body), RULES, ANATOMY, on)


def run(body: dict[str, Any], on: date = TODAY) -> AssessmentResult:
    """Assess a valid body (its validation problems fail the test first)."""
    data = decode(body)
    assert validate_input(data, RULES, ANATOMY, on) == []
    return assess(data, RULES, on=on, anatomy=ANATOMY)


def missing_codes(result: AssessmentResult) -> set[str]:
    return {m.code for m in result.missing}


def missing_fields(result: AssessmentResult) -> set[str]:
    return {m.field for m in result.missing}


def reasons(result: AssessmentResult) -> list[str]:
    return result.referral.reasons if result.referral else []


def muscle(findings: list[MuscleFinding], slug: str) -> MuscleFinding | None:
    return next((f for f in findings if f.muscle == slug), None)


def muscles(findings: list[MuscleFinding]) -> set[str]:
    return {f.muscle for f in findings}


def rules_behind(result: AssessmentResult) -> set[str]:
    """Every rule id cited anywhere in the findings (muscles and patterns)."""
    cited = {e.rule for f in [*result.overactive, *result.underactive] for e in f.reasons}
    return cited | {e.rule for p in result.patterns for e in p.evidence}


def note_codes(result: AssessmentResult) -> list[str]:
    return [n.code for n in result.notes]


def conditions(result: AssessmentResult) -> dict[str, Any]:
    return {c.condition: c for c in result.conditions}


def assert_refer(result: AssessmentResult, level: ConcernLevel) -> None:
    assert result.status is REFER, result
    assert result.level is level
    assert result.referral is not None
    assert result.referral.level is level
    assert result.referral.urgent is (level in (ConcernLevel.emergency, ConcernLevel.urgent))
    assert result.referral.message == RULES.screening.message(level)
    assert result.missing == [] and result.safety_netting == []
    assert result.overactive == [] and result.underactive == [] and result.patterns == []


def assert_ok(result: AssessmentResult) -> None:
    assert result.status is OK, (result.status, reasons(result), missing_codes(result))
    assert result.level is ConcernLevel.proceed
    assert result.referral is None and result.missing == []
    assert result.safety_netting == [SCREENS[s].safety_net for s in result.screens]


def assert_incomplete(result: AssessmentResult) -> None:
    assert result.status is INCOMPLETE, (result.status, reasons(result))
    assert result.level is None and result.referral is None and result.missing
    assert result.safety_netting == [] and result.overactive == [] and result.patterns == []


def desk_worker(**changes: Any) -> dict[str, Any]:
    body = copy.deepcopy(DESK_WORKER)
    body.update(changes)
    return body


# ================================================================ which screens apply to whom

REGION_SCREENS = [
    ("lower_back", {"readiness", "lumbar", "nerve_root"}),
    ("hip", {"readiness", "lumbar", "nerve_root"}),
    ("buttock", {"readiness", "lumbar", "nerve_root"}),
    ("leg", {"readiness", "lumbar", "nerve_root"}),
    ("neck", {"readiness", "cervical", "nerve_root"}),
    ("upper_back", {"readiness", "cervical", "nerve_root"}),
    ("shoulder", {"readiness", "cervical", "nerve_root"}),
    ("headache", {"readiness", "cervical", "nerve_root", "headache"}),
    ("knee", {"readiness"}),
    ("ankle", {"readiness"}),
    ("wrist", {"readiness"}),
    ("elbow", {"readiness"}),
]


@pytest.mark.parametrize(("region", "expected"), REGION_SCREENS)
def test_a_fully_answered_person_with_pain_in_one_region_gets_exactly_its_screens(region, expected):
    result = run(screened(region, trauma=False))
    assert_ok(result)
    assert set(result.screens) == expected


@pytest.mark.parametrize(("region", "expected"), [(r, e) for r, e in REGION_SCREENS if e != {"readiness"}])
def test_a_person_who_answered_only_readiness_is_asked_every_question_of_the_region_screens(region, expected):
    body = screened(region, trauma=False, screening=no("readiness"))
    result = run(body)
    assert_incomplete(result)
    wanted = set(codes(*sorted(expected - {"readiness"})))
    if "lumbar" not in expected:
        wanted.discard(SLR_QUESTION)
    assert missing_codes(result) == wanted
    for item in result.missing:
        assert item.field == f"screening.{item.code}"
        assert item.question == QUESTIONS[item.code].question
        assert item.screen in expected


def test_empty_input_is_asked_the_readiness_questions_and_nothing_else():
    result = run({"subject_ref": "x"})
    assert_incomplete(result)
    assert result.screens == ["readiness"]
    assert [m.code for m in result.missing] == codes("readiness")


def test_readiness_applies_to_a_runner_with_knee_pain_too():
    """Sam, 27, runner with knee pain and no injury: no region screen, but readiness still applies."""
    result = run(screened("knee", trauma=False, screening={}))
    assert_incomplete(result)
    assert missing_codes(result) == set(codes("readiness"))


def test_an_office_worker_with_neck_pain_is_not_asked_the_straight_leg_raise():
    """Tom, 29, graphic designer with neck pain: the leg-raise question belongs to the lumbar screen."""
    body = screened("neck", intensity=4)
    assert SLR_QUESTION in body["screening"]
    body["screening"] = without(body["screening"], SLR_QUESTION)
    result = run(body)
    assert_ok(result)
    assert "nerve_root" in result.screens


def test_a_person_with_low_back_pain_must_answer_the_straight_leg_raise():
    body = screened("lower_back", intensity=4)
    body["screening"] = without(body["screening"], SLR_QUESTION)
    result = run(body)
    assert_incomplete(result)
    assert [m.code for m in result.missing] == [SLR_QUESTION]
    assert result.missing[0].screen == "nerve_root"


def test_neck_and_low_back_pain_together_get_both_spinal_screens_and_the_leg_raise_question():
    result = run(screened("neck", "lower_back", screening=no("readiness")))
    assert_incomplete(result)
    assert set(result.screens) == {"readiness", "lumbar", "cervical", "nerve_root"}
    assert SLR_QUESTION in missing_codes(result)


def test_a_migraine_sufferer_gets_the_headache_screen_and_the_cervical_screen():
    """Lena, 35, recurring headaches; answered everything but the headache screen."""
    body = screened("headache", intensity=5)
    body["screening"] = no("readiness", "cervical", "nerve_root")
    result = run(body)
    assert_incomplete(result)
    assert missing_codes(result) == set(codes("headache"))


def test_pregnancy_screen_applies_when_pregnant_even_without_pain():
    """Amira, 31, 24 weeks pregnant, no pain, cleared by her midwife; pregnancy questions not yet answered."""
    body = screened(pregnancy={"pregnant": True, "weeks": 24, "obstetric_clearance": True}, screening=no("readiness"))
    result = run(body)
    assert_incomplete(result)
    assert set(result.screens) == {"readiness", "pregnancy"}
    assert missing_codes(result) == set(codes("pregnancy"))


def test_pregnancy_given_as_a_condition_opens_the_screen_and_asks_for_the_stage_and_the_clearance():
    result = run(screened(conditions=["pregnancy"], screening=no("readiness", "pregnancy")))
    assert_incomplete(result)
    assert "pregnancy" in result.screens
    assert missing_fields(result) == {"pregnancy.weeks", "pregnancy.obstetric_clearance"}


def test_not_pregnant_means_no_pregnancy_screen():
    result = run(screened(pregnancy={"pregnant": False}))
    assert_ok(result)
    assert "pregnancy" not in result.screens


def test_a_footballer_who_twisted_his_knee_gets_the_knee_questions_not_the_shoulder_one():
    """Kofi, 24, twisted his knee in a match two weeks ago."""
    body = screened("knee", duration="acute", trauma=True, screening=no("readiness"))
    result = run(body)
    assert_incomplete(result)
    assert "joint_injury" in result.screens
    assert missing_codes(result) == {"could_not_bear_weight", "joint_locking_giving_way_or_swelling"}


def test_a_climber_who_fell_on_her_shoulder_gets_the_shoulder_question_not_the_knee_one():
    """Ines, 33, fell on her shoulder bouldering: cervical and nerve-root screens too (shoulder pain)."""
    body = screened("shoulder", duration="acute", trauma=True)
    body["screening"] = no("readiness", "cervical", "nerve_root")
    result = run(body)
    assert_incomplete(result)
    assert set(result.screens) == {"readiness", "cervical", "nerve_root", "joint_injury"}
    assert missing_codes(result) == {"could_not_lift_arm", "joint_locking_giving_way_or_swelling"}


def test_knee_pain_without_an_injury_gets_no_joint_injury_screen():
    result = run(screened("knee", trauma=False))
    assert_ok(result)
    assert "joint_injury" not in result.screens


@pytest.mark.parametrize("region", ["knee", "shoulder"])
def test_knee_or_shoulder_pain_without_saying_whether_it_began_with_an_injury_is_incomplete(region):
    result = run(screened(region, trauma=None))
    assert_incomplete(result)
    assert missing_fields(result) == {"pain.trauma"}
    assert "joint_injury" not in result.screens


def test_an_injured_ankle_is_not_a_knee_or_shoulder_injury():
    result = run(screened("ankle", duration="acute", trauma=True))
    assert_ok(result)
    assert "joint_injury" not in result.screens


# ================================================================ levels of concern


def _person_for(screen: str, code: str) -> dict[str, Any]:
    """Someone to whom `screen` applies, answered no everywhere, then yes to `code`."""
    if screen == "readiness":
        return screened(yes=(code,))
    if screen in ("lumbar", "nerve_root"):
        return screened("lower_back", intensity=4, yes=(code,))
    if screen == "cervical":
        return screened("neck", intensity=4, yes=(code,))
    if screen == "headache":
        return screened("headache", intensity=4, yes=(code,))
    if screen == "pregnancy":
        return screened(pregnancy=dict(CLEARED_PREGNANCY), yes=(code,))
    assert screen == "joint_injury"
    region = "shoulder" if code == "could_not_lift_arm" else "knee"
    return screened(region, duration="acute", trauma=True, yes=(code,))


SERIOUS = [
    pytest.param(s.slug, q.code, q.level, id=q.code)
    for s in RULES.screening.screens
    for q in s.questions
    if q.level in (ConcernLevel.emergency, ConcernLevel.urgent)
]


@pytest.mark.parametrize(("screen", "code", "level"), SERIOUS)
def test_every_emergency_or_urgent_question_answered_yes_refers_at_its_level(screen, code, level):
    result = run(_person_for(screen, code))
    assert_refer(result, level)
    assert reasons(result) == [code]
    assert result.referral is not None
    assert result.referral.evidence[0].inputs == [f"screening.{code}"]


def test_the_levels_of_the_clinical_examples():
    """CLINICAL.md §1's examples carry the level its table gives them."""
    emergency = [
        "saddle_numbness",
        "bladder_or_bowel_dysfunction",
        "chest_pain",
        "dizziness_or_drop_attacks",
        "double_vision",
        "trouble_speaking_or_swallowing",
        "facial_numbness",
        "clumsy_or_numb_hands",
        "walking_changed",
        "thunderclap_headache",
    ]
    urgent = [
        "progressive_leg_weakness_or_numbness",
        "vaginal_bleeding",
        "fluid_leakage",
        "regular_painful_contractions",
        "calf_pain_or_swelling",
        "could_not_bear_weight",
        "could_not_lift_arm",
    ]
    routine = [
        "diagnosed_acute_disc_injury",
        "limb_numbness",
        "limb_weakness",
        "heart_condition_or_high_blood_pressure",
    ]
    assert {c: QUESTIONS[c].level for c in emergency} == dict.fromkeys(emergency, ConcernLevel.emergency)
    assert {c: QUESTIONS[c].level for c in urgent} == dict.fromkeys(urgent, ConcernLevel.urgent)
    assert {c: QUESTIONS[c].level for c in routine} == dict.fromkeys(routine, ConcernLevel.routine)


def test_a_courier_with_saddle_numbness_is_sent_for_care_today():
    """Dev, 41, courier, sudden low-back pain and numbness around his bottom."""
    result = run(screened("lower_back", intensity=7, duration="acute", yes=("saddle_numbness",)))
    assert_refer(result, ConcernLevel.emergency)
    assert reasons(result) == ["saddle_numbness"]
    assert result.referral is not None and "today" in result.referral.message


def test_chest_pain_on_exertion_is_an_emergency_without_any_pain_region():
    """Harold, 58, wants to start training; gets chest pain climbing stairs."""
    result = run(screened(age="50_64", yes=("chest_pain",)))
    assert_refer(result, ConcernLevel.emergency)


def test_neck_pain_with_dizziness_and_double_vision_is_an_emergency_with_both_reasons():
    """Mei, 45, neck pain after a chiropractic session, dizzy and seeing double."""
    result = run(screened("neck", intensity=6, duration="acute", yes=("dizziness_or_drop_attacks", "double_vision")))
    assert_refer(result, ConcernLevel.emergency)
    assert reasons(result) == ["dizziness_or_drop_attacks", "double_vision"]


def test_a_thunderclap_headache_is_an_emergency():
    result = run(screened("headache", intensity=9, duration="acute", yes=("thunderclap_headache",)))
    assert_refer(result, ConcernLevel.emergency)


def test_a_leg_getting_weaker_is_urgent():
    """Rita, 52, sciatica for a month, her foot now slaps when she walks."""
    result = run(screened("lower_back", "leg", age="50_64", intensity=6, yes=("progressive_leg_weakness_or_numbness",)))
    assert_refer(result, ConcernLevel.urgent)
    assert reasons(result) == ["progressive_leg_weakness_or_numbness"]


def test_bleeding_in_pregnancy_is_urgent_even_with_obstetric_clearance():
    result = run(screened(pregnancy=dict(CLEARED_PREGNANCY), yes=("vaginal_bleeding",)))
    assert_refer(result, ConcernLevel.urgent)


def test_a_knee_injury_she_could_not_walk_on_is_urgent():
    """Jo, 19, netball player, landed badly and could not take four steps."""
    result = run(screened("knee", intensity=6, duration="acute", trauma=True, yes=("could_not_bear_weight",)))
    assert_refer(result, ConcernLevel.urgent)
    assert reasons(result) == ["could_not_bear_weight"]


def test_an_emergency_outranks_an_urgent_answer_and_both_are_reasons_most_serious_first():
    result = run(screened("lower_back", intensity=5, yes=("fever_or_unexplained_weight_loss", "saddle_numbness")))
    assert_refer(result, ConcernLevel.emergency)
    assert reasons(result) == ["saddle_numbness", "fever_or_unexplained_weight_loss"]


def test_an_emergency_answer_refers_at_once_even_with_every_other_answer_missing():
    body = screened("lower_back", screening={"saddle_numbness": True})
    result = run(body)
    assert_refer(result, ConcernLevel.emergency)


def test_a_volunteered_yes_counts_even_when_its_screen_does_not_apply():
    """Neck pain only, yet saddle numbness reported: it is still an emergency."""
    result = run(screened("neck", yes=("saddle_numbness",)))
    assert_refer(result, ConcernLevel.emergency)


def test_a_disc_injury_in_red_flags_refers_routine():
    body = screened("lower_back", intensity=4)
    body["screening"] = without(body["screening"], *RED_FLAGS_ANSWERED_NO)
    body["red_flags"] = {**RED_FLAGS_ANSWERED_NO, "diagnosed_acute_disc_injury": True}
    result = run(body)
    assert_refer(result, ConcernLevel.routine)
    assert reasons(result) == ["diagnosed_acute_disc_injury"]
    assert result.referral is not None
    assert result.referral.evidence[0].inputs == ["red_flags.diagnosed_acute_disc_injury"]


def test_a_disc_injury_in_screening_refers_routine():
    result = run(screened("lower_back", intensity=4, yes=("diagnosed_acute_disc_injury",)))
    assert_refer(result, ConcernLevel.routine)
    assert reasons(result) == ["diagnosed_acute_disc_injury"]


def test_a_disc_injury_given_as_a_condition_refers_routine_like_the_same_answer():
    """Loophole of issue 14: `conditions: ["acute_disc_injury"]` used to give a program."""
    body = screened("lower_back", intensity=4, conditions=["acute_disc_injury"])
    body["screening"] = without(body["screening"], "diagnosed_acute_disc_injury")
    result = run(body)
    assert_refer(result, ConcernLevel.routine)
    assert reasons(result) == ["diagnosed_acute_disc_injury"]
    assert result.referral is not None
    assert result.referral.evidence[0].inputs == ["conditions[0]"]


def test_a_disc_injury_condition_contradicting_a_no_answer_is_a_validation_problem():
    body = screened("lower_back", intensity=4, conditions=["acute_disc_injury"])
    assert [field for field, _ in problems(body)] == ["conditions[0]"]


def test_high_blood_pressure_given_as_a_condition_needs_a_doctor_first():
    body = screened(age="50_64", conditions=["hypertension"])
    body["screening"] = without(body["screening"], "heart_condition_or_high_blood_pressure")
    result = run(body)
    assert_refer(result, ConcernLevel.routine)
    assert reasons(result) == ["heart_condition_or_high_blood_pressure"]


@pytest.mark.parametrize("code", ["limb_numbness", "limb_weakness"])
def test_nerve_signs_with_numbness_or_weakness_refer_routine(code):
    """Carlos, 44, sciatica with a numb patch on the outside of his foot (or a weak ankle)."""
    result = run(screened("lower_back", "leg", intensity=5, yes=("radiating_limb_pain", code)))
    assert_refer(result, ConcernLevel.routine)
    assert reasons(result) == [code]


@pytest.mark.parametrize("code", ["heart_condition_or_high_blood_pressure", "dizziness_or_fainting"])
def test_a_readiness_yes_without_clearance_refers_routine(code):
    result = run(screened(age="50_64", yes=(code,)))
    assert_refer(result, ConcernLevel.routine)


def test_pregnancy_without_obstetric_clearance_refers_routine():
    """Beth, 29, 16 weeks pregnant; her midwife has not said exercise is fine yet."""
    result = run(screened(pregnancy={"pregnant": True, "weeks": 16, "obstetric_clearance": False}))
    assert_refer(result, ConcernLevel.routine)
    assert reasons(result) == ["pregnancy_without_clearance"]


def test_pregnancy_with_obstetric_clearance_proceeds_with_the_pregnancy_condition():
    """Amira, 31, 24 weeks pregnant, cleared by her midwife, mild low-back ache."""
    body = screened("lower_back", intensity=2, pregnancy={"pregnant": True, "weeks": 24, "obstetric_clearance": True})
    result = run(body)
    assert_ok(result)
    assert "pregnancy" in result.screens
    assert "pregnancy" in conditions(result)
    assert SCREENS["pregnancy"].safety_net in result.safety_netting


def test_pregnancy_with_unknown_obstetric_clearance_is_incomplete():
    result = run(screened(pregnancy={"pregnant": True, "weeks": 30}))
    assert_incomplete(result)
    assert missing_fields(result) == {"pregnancy.obstetric_clearance"}


def test_pregnancy_without_weeks_or_trimester_is_incomplete():
    result = run(screened(pregnancy={"pregnant": True, "obstetric_clearance": True}))
    assert_incomplete(result)
    assert missing_fields(result) == {"pregnancy.weeks"}


def test_pregnancy_with_a_trimester_instead_of_weeks_is_enough():
    result = run(screened(pregnancy={"pregnant": True, "trimester": 2, "obstetric_clearance": True}))
    assert_ok(result)


@pytest.mark.parametrize(("weeks", "trimester"), [(20, 3), (10, 2), (30, 1), (13, 2), (28, 2)])
def test_weeks_and_trimester_that_disagree_are_a_validation_problem(weeks, trimester):
    body = screened(pregnancy={"pregnant": True, "weeks": weeks, "trimester": trimester, "obstetric_clearance": True})
    assert [field for field, _ in problems(body)] == ["pregnancy.trimester"]


@pytest.mark.parametrize(("weeks", "trimester"), [(13, 1), (14, 2), (27, 2), (28, 3), (40, 3)])
def test_weeks_and_trimester_that_agree_are_accepted(weeks, trimester):
    body = screened(pregnancy={"pregnant": True, "weeks": weeks, "trimester": trimester, "obstetric_clearance": True})
    assert problems(body) == []


def test_not_pregnant_with_the_pregnancy_condition_is_a_validation_problem():
    body = screened(pregnancy={"pregnant": False}, conditions=["pregnancy"])
    assert [field for field, _ in problems(body)] == ["pregnancy.pregnant"]


def test_pregnancy_not_cleared_by_the_midwife_but_cleared_by_an_obstetrician_in_the_api_proceeds():
    body = screened(
        pregnancy={"pregnant": True, "weeks": 22, "obstetric_clearance": False},
        clearance={"role": "obstetric_provider", "date": (TODAY - timedelta(days=3)).isoformat()},
    )
    result = run(body)
    assert_ok(result)
    assert result.clearance is not None
    assert result.clearance.cleared == ["pregnancy_without_clearance"]


def test_severe_pain_that_nothing_explains_refers_routine():
    """Nadia, 36, low-back pain 8/10; every test normal, a clean overhead squat (issue 14: was `ok`, silent)."""
    body = screened(
        "lower_back",
        intensity=8,
        tests={
            "straight_leg_raise_deg": {"left": 85, "right": 88},
            "thomas_test": {"left": "negative", "right": "negative"},
            "single_leg_bridge_seconds": {"left": 40, "right": 42},
            "sit_and_reach_cm": 5,
        },
        movement_screen={"overhead_squat": []},
    )
    result = run(body)
    assert_refer(result, ConcernLevel.routine)
    assert reasons(result) == ["unexplained_severe_pain"]
    assert result.referral is not None
    assert set(result.referral.evidence[0].inputs) == {"pain.intensity", "pain.regions"}


def test_pain_at_the_referral_threshold_that_nothing_explains_refers():
    threshold = RULES.screening.unexplained_pain.refer_at_least
    result = run(screened("neck", intensity=threshold))
    assert_refer(result, ConcernLevel.routine)
    assert reasons(result) == ["unexplained_severe_pain"]


def test_moderate_pain_that_nothing_explains_proceeds_and_says_so():
    result = run(screened("neck", intensity=5))
    assert_ok(result)
    assert "unexplained_pain" in note_codes(result)


def test_severe_pain_explained_by_a_present_pattern_proceeds():
    body = desk_worker(pain={"regions": ["lower_back"], "intensity": 8, "duration": "chronic"})
    result = run(body)
    assert_ok(result)
    assert result.patterns[0].band is Band.present
    assert "unexplained_pain" not in note_codes(result)


def test_the_desk_worker_proceeds_with_safety_netting_for_every_screen():
    result = run(desk_worker())
    assert_ok(result)
    assert set(result.screens) == {"readiness", "lumbar", "nerve_root"}
    assert len(result.safety_netting) == 3
    assert result.patterns[0].slug == "lower_crossed_syndrome"
    assert result.patterns[0].band is Band.present


def test_a_minor_fall_at_thirty_is_no_concern():
    result = run(screened("lower_back", intensity=3, yes=("minor_fall",)))
    assert_ok(result)


def test_long_standing_stable_back_pain_after_65_proceeds():
    """Walter, 71, the same stiff back for ten years: a single weak flag (CLINICAL.md §1, proceed)."""
    result = run(screened("lower_back", age="65_plus", intensity=3, duration="chronic"))
    assert_ok(result)


# ================================================================ clusters


def test_history_of_cancer_at_fifty_with_back_pain_is_urgent():
    """Ruth, 57, breast cancer ten years ago, new back ache."""
    result = run(screened("lower_back", age="50_64", intensity=4, yes=("history_of_cancer",)))
    assert_refer(result, ConcernLevel.urgent)
    assert reasons(result) == ["possible_serious_cause", "history_of_cancer"]


def test_history_of_cancer_with_night_pain_is_urgent_at_any_age():
    result = run(screened("lower_back", intensity=5, yes=("history_of_cancer", "constant_night_pain")))
    assert_refer(result, ConcernLevel.urgent)
    assert "possible_serious_cause" in reasons(result)


def test_history_of_cancer_alone_at_forty_refers_routine():
    result = run(screened("lower_back", age="30_49", intensity=4, yes=("history_of_cancer",)))
    assert_refer(result, ConcernLevel.routine)
    assert reasons(result) == ["history_of_cancer"]


def test_history_of_cancer_with_back_pain_and_no_age_band_asks_for_the_age():
    result = run(screened("lower_back", age=None, intensity=4, yes=("history_of_cancer",)))
    assert_incomplete(result)
    assert missing_fields(result) == {"age_band"}


def test_a_minor_fall_after_65_is_urgent():
    """Edith, 78, slipped on the kitchen floor; her back has hurt since."""
    result = run(screened("lower_back", age="65_plus", duration="acute", yes=("minor_fall",)))
    assert_refer(result, ConcernLevel.urgent)
    assert "possible_fracture" in reasons(result)


def test_a_minor_fall_with_osteoporosis_is_urgent_at_any_age():
    result = run(screened("lower_back", age="30_49", conditions=["osteoporosis"], yes=("minor_fall",)))
    assert_refer(result, ConcernLevel.urgent)
    assert reasons(result) == ["possible_fracture"]


def test_a_minor_fall_with_the_age_unknown_asks_for_the_age_band():
    result = run(screened("lower_back", age=None, yes=("minor_fall",)))
    assert_incomplete(result)
    assert missing_fields(result) == {"age_band"}
    assert result.missing[0].code == "age_band"


def test_fever_with_a_recent_infection_is_urgent_with_the_infection_cluster():
    result = run(screened("lower_back", intensity=6, yes=("infection_risk", "fever_or_unexplained_weight_loss")))
    assert_refer(result, ConcernLevel.urgent)
    assert "possible_infection" in reasons(result)


def test_acute_back_pain_after_65_is_new_pain_even_without_new_pain():
    """Loophole of issue 14: `65_plus` with `duration: acute` and no `new_pain` used to be ok."""
    body = screened("lower_back", age="65_plus", intensity=4, duration="acute")
    assert "new_pain" not in body["pain"]
    result = run(body)
    assert_refer(result, ConcernLevel.routine)
    assert reasons(result) == ["age_over_50_with_new_pain"]


def test_back_pain_after_50_without_a_duration_asks_for_it():
    result = run(screened("lower_back", age="50_64", intensity=4, duration=None))
    assert_incomplete(result)
    assert missing_fields(result) == {"pain.duration"}


# ================================================================ clearance


def _cleared_by(days_ago: int, role: str = "physiotherapist", **restrictions: list[str]) -> dict[str, Any]:
    clearance: dict[str, Any] = {"role": role, "date": (TODAY - timedelta(days=days_ago)).isoformat()}
    if restrictions:
        clearance["restrictions"] = restrictions
    return clearance


def test_a_recent_clearance_lifts_a_routine_referral_and_passes_its_restrictions_on():
    """Ahmed, 39, diagnosed disc bulge and high blood pressure; his doctor cleared him, no loaded flexion."""
    body = screened(
        "lower_back",
        intensity=4,
        yes=("diagnosed_acute_disc_injury", "heart_condition_or_high_blood_pressure"),
        clearance=_cleared_by(
            20, "physician", conditions=["acute_disc_injury", "hypertension"], exercises=["jefferson_curl"]
        ),
    )
    result = run(body)
    assert_ok(result)
    assert result.clearance is not None
    assert result.clearance.cleared == ["diagnosed_acute_disc_injury", "heart_condition_or_high_blood_pressure"]
    assert result.clearance.restrictions.exercises == ["jefferson_curl"]
    found = conditions(result)
    assert {"acute_disc_injury", "hypertension"} <= set(found)
    assert found["acute_disc_injury"].inputs == ["clearance.restrictions"]
    assert "physician" in found["acute_disc_injury"].reason


def test_a_physiotherapist_can_lift_a_disc_injury_but_not_high_blood_pressure():
    """PAR-Q+: a heart condition or high blood pressure is a doctor's call."""
    body = screened(
        "lower_back",
        intensity=4,
        yes=("diagnosed_acute_disc_injury", "heart_condition_or_high_blood_pressure"),
        clearance=_cleared_by(20),
    )
    result = run(body)
    assert_refer(result, ConcernLevel.routine)
    assert result.referral is not None
    assert result.referral.reasons == ["heart_condition_or_high_blood_pressure"]
    assert result.clearance is None
    (note,) = [n for n in result.notes if n.code == "clearance_role_cannot_lift"]
    assert "physician or nurse practitioner" in note.message
    assert note.inputs == ["clearance.role", "screening.heart_condition_or_high_blood_pressure"]


@pytest.mark.parametrize(
    ("role", "status"),
    [("chiropractor", REFER), ("physiotherapist", REFER), ("obstetric_provider", OK), ("physician", OK)],
)
def test_only_an_obstetric_provider_or_a_doctor_clears_pregnancy(role, status):
    """ACOG: whether a pregnant person may exercise is for the obstetric provider (or a doctor) to say."""
    body = screened(
        pregnancy={"pregnant": True, "weeks": 20, "obstetric_clearance": False}, clearance=_cleared_by(5, role)
    )
    result = run(body)
    assert result.status is status
    if status is REFER:
        assert result.referral is not None and result.referral.reasons == ["pregnancy_without_clearance"]
        assert "clearance_role_cannot_lift" in note_codes(result)
    else:
        assert result.clearance is not None and result.clearance.cleared == ["pregnancy_without_clearance"]


def test_a_clearance_exactly_at_the_maximum_age_still_applies():
    body = screened("lower_back", intensity=4, yes=("history_of_cancer",), clearance=_cleared_by(MAX_CLEARANCE_AGE))
    result = run(body)
    assert_ok(result)
    assert result.clearance is not None and result.clearance.cleared == ["history_of_cancer"]


def test_a_clearance_older_than_the_maximum_age_does_not_lift_the_referral():
    body = screened("lower_back", intensity=4, yes=("history_of_cancer",), clearance=_cleared_by(MAX_CLEARANCE_AGE + 1))
    result = run(body)
    assert_refer(result, ConcernLevel.routine)
    assert result.clearance is None
    assert "clearance_too_old" in note_codes(result)


def test_a_clearance_cannot_lift_an_emergency():
    body = screened("lower_back", intensity=5, yes=("bladder_or_bowel_dysfunction",), clearance=_cleared_by(1))
    result = run(body)
    assert_refer(result, ConcernLevel.emergency)
    assert result.clearance is None
    assert "clearance_cannot_lift" in note_codes(result)


def test_a_clearance_cannot_lift_an_urgent_cluster():
    body = screened("lower_back", age="65_plus", yes=("minor_fall",), clearance=_cleared_by(1))
    result = run(body)
    assert_refer(result, ConcernLevel.urgent)
    assert "clearance_cannot_lift" in note_codes(result)


def test_a_clearance_does_not_stand_in_for_missing_answers():
    body = screened("lower_back", yes=("history_of_cancer",), clearance=_cleared_by(1))
    body["screening"] = without(body["screening"], "saddle_numbness")
    result = run(body)
    assert_incomplete(result)
    assert missing_codes(result) == {"saddle_numbness"}


def test_a_clearance_dated_in_the_future_is_a_validation_problem():
    body = screened(clearance={"role": "physician", "date": (TODAY + timedelta(days=1)).isoformat()})
    assert [field for field, _ in problems(body)] == ["clearance.date"]


def test_a_clearance_dated_today_is_fine():
    assert problems(screened(clearance=_cleared_by(0))) == []


def test_a_clearance_restriction_must_be_a_known_condition():
    body = screened(clearance=_cleared_by(5, conditions=["bad_back"]))
    assert [field for field, _ in problems(body)] == ["clearance.restrictions.conditions[0]"]


def test_a_cancer_survivor_without_pain_has_a_way_back():
    """Issue 14 ("no way back"): Grace, 44, treated for lymphoma five years ago, no pain, her doctor cleared her."""
    without_clearance = run(screened(age="30_49", yes=("history_of_cancer",)))
    assert_refer(without_clearance, ConcernLevel.routine)
    result = run(screened(age="30_49", yes=("history_of_cancer",), clearance=_cleared_by(30)))
    assert_ok(result)
    assert result.clearance is not None and result.clearance.cleared == ["history_of_cancer"]


def test_a_cancer_survivor_over_65_without_pain_has_a_way_back_too():
    """Margaret, 68, treated for breast cancer twelve years ago, no pain, cleared by her oncologist."""
    result = run(screened(age="65_plus", yes=("history_of_cancer",), clearance=_cleared_by(30)))
    assert_ok(result)


def test_a_new_wrist_ache_after_50_is_not_new_back_pain():
    """Paul, 56, sore wrist from a week of gardening, no back pain."""
    assert_ok(run(screened("wrist", age=None, intensity=3, duration="acute")))
    result = run(screened("wrist", age="50_64", intensity=3, duration="acute"))
    assert "age_over_50_with_new_pain" not in reasons(result)
    assert_ok(result)


# ================================================================ nerve-root signs

NERVE_SIGNS = ["radiating_limb_pain", "limb_pins_and_needles", SLR_QUESTION]
SHORT_HAMSTRING_RULES = {"lcs.short_hamstrings", "test.sit_and_reach_short"}


@pytest.mark.parametrize("code", NERVE_SIGNS)
def test_a_nerve_sign_without_deficit_proceeds_with_nerve_root_irritation_and_no_short_hamstrings(code):
    """Sofia, 42, low-back pain shooting below the knee; straight-leg raise 60°/62°, fingertips 5 cm short."""
    body = screened(
        "lower_back",
        "leg",
        intensity=5,
        yes=(code,),
        tests={"straight_leg_raise_deg": {"left": 60, "right": 62}, "sit_and_reach_cm": -5},
    )
    result = run(body)
    assert_ok(result)
    found = conditions(result)
    assert "nerve_root_irritation" in found
    assert found["nerve_root_irritation"].inputs == [f"screening.{code}"]
    assert "not a diagnosis" in found["nerve_root_irritation"].reason
    assert not rules_behind(result) & SHORT_HAMSTRING_RULES
    assert muscle(result.overactive, "hamstrings") is None


def test_the_same_leg_raise_without_nerve_signs_reads_as_short_hamstrings():
    """The control for the test above: 60°/62° with no nerve sign is muscle length."""
    body = screened("lower_back", "leg", intensity=5, tests={"straight_leg_raise_deg": {"left": 60, "right": 62}})
    result = run(body)
    assert_ok(result)
    hamstrings = muscle(result.overactive, "hamstrings")
    assert hamstrings is not None
    assert "lcs.short_hamstrings" in {e.rule for e in hamstrings.reasons}
    assert "nerve_root_irritation" not in conditions(result)


def test_a_straight_leg_raise_of_40_degrees_with_back_pain_is_a_nerve_sign_not_short_hamstrings():
    """Issue 14: Marco, 37, low-back pain 6/10, straight-leg raise 40° left, 75° right."""
    body = screened("lower_back", intensity=6, tests={"straight_leg_raise_deg": {"left": 40, "right": 75}})
    result = run(body)
    assert_ok(result)
    found = conditions(result)
    assert "nerve_root_irritation" in found
    assert found["nerve_root_irritation"].inputs == ["tests.straight_leg_raise_deg.left"]
    assert "lcs.short_hamstrings" not in rules_behind(result)
    assert muscle(result.overactive, "hamstrings") is None


def test_a_straight_leg_raise_under_45_without_back_or_leg_pain_is_not_read_and_says_so():
    body = screened(tests={"straight_leg_raise_deg": {"left": 38, "right": 41}})
    result = run(body)
    assert_ok(result)
    assert "straight_leg_raise_not_read" in note_codes(result)
    assert muscle(result.overactive, "hamstrings") is None
    assert "nerve_root_irritation" not in conditions(result)


@pytest.mark.parametrize(
    ("regions", "legs", "yes"),
    [
        pytest.param(("lower_back",), {"left": 40, "right": 75}, (), id="40-degrees-with-back-pain"),
        pytest.param(("lower_back",), {"left": 55, "right": 75}, (SLR_QUESTION,), id="reproduces-leg-pain"),
        pytest.param((), {"left": 40, "right": 75}, (), id="40-degrees-without-pain"),
    ],
)
def test_a_neural_straight_leg_raise_gives_no_hamstring_asymmetry(regions, legs, yes):
    """Marco again: the raise that was read as a nerve sign must not come back as 'tighter hamstrings'."""
    body = screened(*regions, intensity=6, yes=yes, tests={"straight_leg_raise_deg": legs})
    result = run(body)
    assert_ok(result)
    assert "lcs.short_hamstrings" not in rules_behind(result)
    assert [a.summary for a in result.asymmetries if "hamstrings" in a.muscles] == []


def test_with_nerve_root_signs_sitting_does_not_call_the_hamstrings_tight():
    """Sitting 9 h would mark the hamstrings overactive, and the program would lengthen them: with pins and needles
    in the leg that tension is the nerve's (CLINICAL.md §1)."""
    body = screened("lower_back", intensity=4, yes=("limb_pins_and_needles",), lifestyle={"sitting_hours_per_day": 9})
    result = run(body)
    assert_ok(result)
    assert "nerve_root_irritation" in conditions(result)
    assert muscle(result.overactive, "hamstrings") is None
    assert "lcs.prolonged_sitting" in rules_behind(result)  # it still supports the pattern


def test_without_nerve_root_signs_sitting_still_calls_the_hamstrings_tight():
    result = run(screened("lower_back", intensity=4, lifestyle={"sitting_hours_per_day": 9}))
    assert_ok(result)
    assert muscle(result.overactive, "hamstrings") is not None


# ================================================================ sides


def test_a_weak_left_glute_in_the_single_leg_bridge_is_an_asymmetry_on_the_left():
    """Issue 14: Hannah, 30, single-leg bridge 9 s left, 35 s right."""
    body = screened(tests={"single_leg_bridge_seconds": {"left": 9, "right": 35}})
    result = run(body)
    assert_ok(result)
    assert len(result.asymmetries) == 1
    asymmetry = result.asymmetries[0]
    assert (asymmetry.test, asymmetry.side, asymmetry.left, asymmetry.right) == (
        "tests.single_leg_bridge_seconds",
        Side.left,
        9,
        35,
    )
    assert asymmetry.muscles == ["gluteus_maximus"]
    glute = muscle(result.underactive, "gluteus_maximus")
    assert glute is not None and glute.side is Side.left


def test_a_weak_right_glute_is_on_the_right():
    result = run(screened(tests={"single_leg_bridge_seconds": {"left": 40, "right": 15}}))
    assert [a.side for a in result.asymmetries] == [Side.right]
    glute = muscle(result.underactive, "gluteus_maximus")
    assert glute is not None and glute.side is Side.right


def test_bridges_within_twenty_percent_are_not_an_asymmetry():
    result = run(screened(tests={"single_leg_bridge_seconds": {"left": 30, "right": 36}}))
    assert result.asymmetries == []
    assert muscle(result.underactive, "gluteus_maximus") is None


def test_a_tighter_left_hamstring_is_on_the_left():
    body = screened(tests={"straight_leg_raise_deg": {"left": 60, "right": 75}})
    result = run(body)
    assert [(a.test, a.side) for a in result.asymmetries] == [("tests.straight_leg_raise_deg", Side.left)]
    hamstrings = muscle(result.overactive, "hamstrings")
    assert hamstrings is not None and hamstrings.side is Side.left


def test_a_weight_shift_without_its_side_marks_nothing_and_says_so():
    """Issue 14: `asymmetric_weight_shift` used to be dropped without a word."""
    body = screened(movement_screen={"overhead_squat": ["asymmetric_weight_shift"]})
    result = run(body)
    assert_ok(result)
    assert "weight_shift_side_unknown" in note_codes(result)
    assert result.overactive == [] and result.underactive == []


@pytest.mark.parametrize("side", [Side.left, Side.right])
def test_a_weight_shift_to_one_side_weakens_that_sides_gluteus_medius(side):
    body = screened(movement_screen={"overhead_squat": ["asymmetric_weight_shift"], "weight_shift_to": side.value})
    result = run(body)
    assert_ok(result)
    medius = muscle(result.underactive, "gluteus_medius")
    assert medius is not None and medius.side is side
    for slug in ("adductors", "tensor_fasciae_latae"):
        found = muscle(result.overactive, slug)
        assert found is not None and found.side is side
    assert "weight_shift_side_unknown" not in note_codes(result)


def test_a_weight_shift_side_without_the_shift_is_a_validation_problem():
    body = screened(movement_screen={"overhead_squat": ["head_forward"], "weight_shift_to": "left"})
    assert [field for field, _ in problems(body)] == ["movement_screen.weight_shift_to"]


# ================================================================ issue 14, "What the review found", one by one


def test_review_empty_input_is_incomplete_not_a_program():
    result = run({"subject_ref": "x"})
    assert_incomplete(result)


def test_review_low_back_pain_with_no_red_flag_answers_is_incomplete():
    body = {
        "subject_ref": "x",
        "age_band": "30_49",
        "pain": {"regions": ["lower_back"], "intensity": 4, "duration": "chronic"},
        "screening": no("readiness"),
    }
    result = run(body)
    assert_incomplete(result)
    assert set(RED_FLAGS_ANSWERED_NO) <= missing_codes(result)


@pytest.mark.parametrize(
    ("region", "screen"),
    [("neck", "cervical"), ("headache", "headache"), ("shoulder", "cervical"), ("upper_back", "cervical")],
)
def test_review_neck_headache_and_shoulder_pain_are_screened(region, screen):
    result = run(screened(region, screening=no("readiness")))
    assert_incomplete(result)
    assert screen in result.screens
    assert {m.screen for m in result.missing} >= {screen}


def test_review_sitting_alone_is_only_a_possible_lower_crossed_syndrome():
    result = run(screened(lifestyle={"sitting_hours_per_day": 8}))
    assert_ok(result)
    assert [(p.slug, p.band) for p in result.patterns] == [("lower_crossed_syndrome", Band.possible)]


def test_review_low_back_pain_of_zero_does_not_count_towards_the_pattern():
    sitting = run(screened(lifestyle={"sitting_hours_per_day": 8}))
    with_zero_pain = run(screened("lower_back", intensity=0, lifestyle={"sitting_hours_per_day": 8}))
    assert_ok(with_zero_pain)
    assert [(p.slug, p.score) for p in with_zero_pain.patterns] == [(p.slug, p.score) for p in sitting.patterns]
    assert "lcs.low_back_pain" not in rules_behind(with_zero_pain)
    assert "low_back_pain" not in conditions(with_zero_pain)


def test_review_one_tender_it_band_is_only_a_possible_pattern():
    result = run(screened(tender_spots=["iliotibial_band"]))
    assert_ok(result)
    assert [(p.slug, p.band) for p in result.patterns] == [("lower_crossed_syndrome", Band.possible)]


def test_review_a_normal_straight_leg_raise_outranks_ten_hours_of_sitting():
    body = screened(
        lifestyle={"sitting_hours_per_day": 10}, tests={"straight_leg_raise_deg": {"left": 85, "right": 90}}
    )
    result = run(body)
    assert_ok(result)
    assert muscle(result.overactive, "hamstrings") is None
    assert "lcs.prolonged_sitting" not in rules_behind(result)


def test_review_one_normal_leg_does_not_cancel_sitting():
    body = screened(lifestyle={"sitting_hours_per_day": 10}, tests={"straight_leg_raise_deg": {"left": 85}})
    result = run(body)
    assert muscle(result.overactive, "hamstrings") is not None


def test_review_pain_8_with_every_test_normal_is_not_ok():
    body = screened(
        "neck",
        intensity=8,
        tests={
            "straight_leg_raise_deg": {"left": 85, "right": 85},
            "single_leg_bridge_seconds": {"left": 40, "right": 40},
        },
    )
    result = run(body)
    assert_refer(result, ConcernLevel.routine)


def test_review_forward_lean_with_low_back_pain_trains_the_abdominals():
    """Issue 14 ("wrong way round"): the forward-lean rule's abdominals end underactive with low-back pain."""
    body = screened("lower_back", intensity=3, movement_screen={"overhead_squat": ["excessive_forward_lean"]})
    result = run(body)
    assert_ok(result)
    over = muscles(result.overactive)
    assert not over & {"rectus_abdominis", "external_oblique", "internal_oblique", "obliques", "abdominals"}
    for slug in ("rectus_abdominis", "external_oblique"):
        found = muscle(result.underactive, slug)
        assert found is not None, slug
        assert [e.rule for e in found.reasons] == ["resolution.abdominals_trained_with_low_back_pain"]
        assert "never stretched" in found.reasons[0].summary


@pytest.mark.parametrize("region", ["neck", "trunk", "lower_body", "upper_body"])
def test_review_a_body_region_is_not_a_tender_muscle(region):
    body = screened(tender_spots=["upper_trapezius", region])
    found = problems(body)
    assert [field for field, _ in found] == ["tender_spots[1]"]
    assert "body region" in found[0][1]


def test_review_an_unknown_tender_spot_is_a_validation_problem():
    body = screened(tender_spots=["funny_bone"])
    assert [field for field, _ in problems(body)] == ["tender_spots[0]"]


def test_review_a_group_and_its_member_cannot_point_opposite_ways():
    """Short hamstrings by the leg raise (0.15) against weak inner hamstrings from the knees moving out (0.10):
    the group's stronger finding stands, the members are dropped and a note says so."""
    body = screened(
        tests={"straight_leg_raise_deg": {"left": 60, "right": 62}},
        movement_screen={"overhead_squat": ["knees_move_outward"]},
    )
    result = run(body)
    assert_ok(result)
    assert muscle(result.overactive, "hamstrings") is not None
    under = muscles(result.underactive)
    assert not under & {"semitendinosus", "semimembranosus"}
    assert "opposite_findings_in_one_group" in note_codes(result)
    _assert_no_group_conflict(result)


def test_review_a_tender_member_does_not_stand_against_its_weak_group():
    """A tender adductor longus (0.05) against weak adductors from the knees moving out (0.10)."""
    body = screened(tender_spots=["adductor_longus"], movement_screen={"overhead_squat": ["knees_move_outward"]})
    result = run(body)
    assert_ok(result)
    assert muscle(result.underactive, "adductors") is not None
    assert muscle(result.overactive, "adductor_longus") is None
    assert "opposite_findings_in_one_group" in note_codes(result)
    assert "adductor_longus" in result.trigger_points
    _assert_no_group_conflict(result)


def test_review_a_tender_muscle_marked_weak_by_a_movement_keeps_one_role():
    """A tender semitendinosus (0.05) with the knees moving out (weak inner hamstrings, 0.10): one role only."""
    body = screened(tender_spots=["semitendinosus"], movement_screen={"overhead_squat": ["knees_move_outward"]})
    result = run(body)
    assert_ok(result)
    assert muscle(result.underactive, "semitendinosus") is not None
    assert muscle(result.overactive, "semitendinosus") is None
    _assert_no_group_conflict(result)


def _assert_no_group_conflict(result: AssessmentResult) -> None:
    over, under = muscles(result.overactive), muscles(result.underactive)
    assert not over & under
    for slug in over:
        assert not set(ANATOMY.ancestors(slug)) & under, slug
    for slug in under:
        assert not set(ANATOMY.ancestors(slug)) & over, slug


def test_review_shoulder_pain_is_shoulder_pain_not_impingement():
    """Olu, 46, aching shoulder, no injury."""
    result = run(screened("shoulder", intensity=3, trauma=False))
    assert_ok(result)
    found = conditions(result)
    assert "shoulder_impingement" not in found
    assert "shoulder_pain" in found
    assert "not a diagnosis" in found["shoulder_pain"].reason
    assert found["shoulder_pain"].inputs == ["pain.regions[0]"]


def test_review_every_inferred_region_condition_says_it_is_not_a_diagnosis():
    regions = ["lower_back", "neck", "knee", "shoulder", "hip", "wrist", "ankle"]
    result = run(screened(*regions, intensity=3, trauma=False))
    assert_ok(result)
    for item in result.conditions:
        assert "not a diagnosis" in item.reason, item


def test_review_history_of_cancer_with_no_pain_has_a_clearance_path():
    result = run(screened(yes=("history_of_cancer",), clearance=_cleared_by(10)))
    assert_ok(result)


def test_review_red_flags_still_accepted_from_old_clients():
    """The desk worker sends the eight lumbar flags in `red_flags` and the rest in `screening`."""
    body = desk_worker()
    assert set(body["red_flags"]) == set(RED_FLAGS_ANSWERED_NO)
    assert_ok(run(body))


# ================================================================ validation of the screening answers


def test_an_unknown_screening_code_is_a_validation_problem():
    body = screened(screening={**no("readiness"), "feeling_blue": False})
    assert [field for field, _ in problems(body)] == ["screening.feeling_blue"]


def test_one_answer_given_two_ways_in_two_fields_is_a_validation_problem():
    body = screened("lower_back", red_flags={"saddle_numbness": True})
    assert [field for field, _ in problems(body)] == ["screening.saddle_numbness"]


def test_every_question_has_a_code_a_level_a_wording_and_a_source():
    for screen in RULES.screening.screens:
        assert screen.safety_net.strip()
        for q in screen.questions:
            assert q.code and q.question.strip().endswith("?") and q.means.strip() and q.source.strip()
            assert q.level in ConcernLevel
