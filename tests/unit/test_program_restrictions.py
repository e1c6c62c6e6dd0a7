"""Conditions as movement restrictions (issue 15, finding 2; CLINICAL.md §4): the programs the clinical review found
contradicting their own safety notes, as persona tests, and the restriction engine's edges."""

from __future__ import annotations

from typing import Any

import pytest

from devkit.programs import ASSESSMENT_RULES, CATALOG, RULES, program_for
from service.programs.schemas import ProgramBody
from tests.unit.test_program_properties import used_exercises

RECORDS = {e.slug: e for e in CATALOG.exercises}
EVERY_CODE_NO = dict.fromkeys(ASSESSMENT_RULES.screening.codes(), False)
NOTES = {r.id: " ".join(r.note.split()) for r in RULES.restrictions}
GYM: dict[str, Any] = {}  # every piece of equipment
HOME = {"available_equipment": ["foam_roller", "resistance_band", "dumbbell", "step"]}


def person(*regions: str, intensity: int = 3, duration: str = "chronic", **extra: Any) -> dict[str, Any]:
    """Screened (every question answered no), with the article's desk-worker findings so that every phase fills."""
    body: dict[str, Any] = {
        "subject_ref": "persona",
        "age_band": "30_49",
        "screening": EVERY_CODE_NO,
        "lifestyle": {"sitting_hours_per_day": 9, "activity_level": "sedentary", "training_experience": "beginner"},
        "movement_screen": {"overhead_squat": ["low_back_arches", "excessive_forward_lean", "arms_fall_forward"]},
        "tests": {"thomas_test": {"left": "positive", "right": "positive"}},
        "tender_spots": ["gastrocnemius", "piriformis", "upper_trapezius"],
    }
    if regions:
        body["pain"] = {"regions": list(regions), "intensity": intensity, "duration": duration, "trauma": False}
    return {**body, **extra}


def exercises(program: ProgramBody) -> set[str]:
    return used_exercises(program)


def with_attribute(program: ProgramBody, kind: str, values: set[str]) -> set[str]:
    return {slug for slug in exercises(program) if set(getattr(RECORDS[slug], kind)) & values}


def test_pregnancy_after_the_first_trimester_has_nothing_lying_down_and_says_so() -> None:
    """Issue 15: the note said avoid lying on the back, yet dead_bug was in 21 of 24 sessions; reverse lunges in 22."""
    body = person("lower_back", pregnancy={"pregnant": True, "weeks": 24, "obstetric_clearance": True})
    for equipment in (GYM, HOME):
        program = program_for(body, weeks=8, sessions_per_week=3, **equipment)
        assert with_attribute(program, "positions", {"supine", "prone", "inverted"}) == set()
        assert with_attribute(program, "demands", {"balance_demand", "impact", "valsalva"}) == set()
        assert {"dead_bug", "reverse_lunge"} & exercises(program) == set()
        assert NOTES["pregnancy_after_first_trimester"] in program.safety_notes
        assert NOTES["pregnancy"] in program.safety_notes


def test_early_pregnancy_may_lie_down_but_keeps_the_pregnancy_rules() -> None:
    body = person("lower_back", pregnancy={"pregnant": True, "weeks": 9, "obstetric_clearance": True})
    program = program_for(body, weeks=4)
    assert NOTES["pregnancy_after_first_trimester"] not in program.safety_notes
    assert NOTES["pregnancy"] in program.safety_notes
    assert with_attribute(program, "positions", {"inverted"}) == set()
    assert with_attribute(program, "positions", {"supine"})  # the first trimester allows the back-lying work


def test_a_pregnancy_of_unknown_stage_is_read_cautiously() -> None:
    # The assessment asks for the stage; a caller that names the condition only on the generator is read cautiously.
    program = program_for(person("lower_back"), weeks=4, conditions=["pregnancy"])
    assert NOTES["pregnancy_after_first_trimester"] in program.safety_notes
    assert with_attribute(program, "positions", {"supine", "prone"}) == set()


def test_osteoporosis_and_high_blood_pressure() -> None:
    """Issue 15: open_book_thoracic_rotation and childs_pose_lat_stretch (head down) with a trap-bar deadlift."""
    cleared = {"role": "physician", "date": "2026-11-01"}  # high blood pressure is a routine concern until cleared
    body = person("lower_back", conditions=["osteoporosis", "hypertension"], clearance=cleared)
    program = program_for(body, weeks=8)
    assert {"open_book_thoracic_rotation", "childs_pose_lat_stretch", "trap_bar_deadlift"} & exercises(program) == set()
    assert (
        with_attribute(
            program,
            "demands",
            {"loaded_spinal_flexion", "loaded_spinal_rotation", "end_range_spinal_rotation", "valsalva", "impact"},
        )
        == set()
    )
    assert with_attribute(program, "positions", {"inverted"}) == set()
    assert NOTES["osteoporosis"] in program.safety_notes and NOTES["hypertension"] in program.safety_notes


def test_shoulder_pain_has_nothing_overhead() -> None:
    """Issue 15: "stop any overhead movement that pinches", yet lat_pulldown, wall_slide and prone_y_raise."""
    program = program_for(person("shoulder", "neck"), weeks=6)
    assert {"lat_pulldown", "wall_slide", "prone_y_raise"} & exercises(program) == set()
    assert with_attribute(program, "demands", {"overhead"}) == set()
    assert with_attribute(program, "positions", {"hanging"}) == set()
    assert NOTES["shoulder_pain"] in program.safety_notes


def test_knee_pain_has_no_kneeling_and_no_deep_loaded_knee_bends() -> None:
    """Issue 15: loaded knee-dominant exercises every session and kneeling stretches despite the condition."""
    program = program_for(person("knee", "lower_back"), weeks=6)
    assert with_attribute(program, "positions", {"kneeling", "quadruped"}) == set()
    assert with_attribute(program, "demands", {"deep_knee_flexion_loaded", "impact"}) == set()
    assert NOTES["knee_pain"] in program.safety_notes


def test_without_a_condition_the_restricted_exercises_are_still_used() -> None:
    """The control for the tests above: the restrictions, not a thinner catalogue, keep those exercises out."""
    program = program_for(person("lower_back"), weeks=6)
    assert with_attribute(program, "positions", {"supine"} | {"kneeling"})
    assert not {NOTES[r] for r in ("pregnancy", "knee_pain", "osteoporosis")} & set(program.safety_notes)


def test_an_older_adult_gets_supported_balance_work() -> None:
    program = program_for(person("lower_back", age_band="65_plus"), weeks=6)
    assert with_attribute(program, "demands", {"balance_demand"}) == set()
    assert NOTES["age_65_plus"] in program.safety_notes


@pytest.mark.parametrize("restriction", RULES.restrictions, ids=lambda r: r.id)
def test_every_restriction_leaves_something_out_of_the_catalogue(restriction: Any) -> None:
    """A restriction that matches no curated exercise is a typo in the rules or a gap in the attributes."""
    hit = [
        e.slug
        for e in CATALOG.exercises
        if set(e.positions) & set(restriction.positions)
        or set(e.demands) & set(restriction.demands)
        or (
            restriction.spinal_load_at_most is not None
            and ["none", "low", "moderate", "high"].index(e.spinal_load.value)
            > ["none", "low", "moderate", "high"].index(restriction.spinal_load_at_most.value)
        )
    ]
    assert hit, restriction.id


def test_the_exclusion_names_the_restriction() -> None:
    program = program_for(person("shoulder"), weeks=4)
    reasons = {x.exercise: x.reason for x in program.excluded}
    overhead = [slug for slug in reasons if "overhead" in {d.value for d in RECORDS[slug].demands}]
    assert overhead, "no overhead exercise was considered and left out"
    # An exercise's own contraindication is checked first; where it has none, the restriction's words say why.
    by_restriction = {slug for slug in overhead if reasons[slug] == NOTES["shoulder_pain"]}
    assert {"wall_slide", "face_pull"} <= by_restriction
