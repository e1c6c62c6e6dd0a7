"""The article's desk worker (PRODUCT.md §4), screened: the documented example of an assessment body, shared by
the OpenAPI examples of programs, the tests and the benchmarks. The eight lumbar red flags travel in `red_flags`, as
the contract's example has them; the other questions that apply to this person travel in `screening`."""

from __future__ import annotations

from typing import Any

RED_FLAGS_ANSWERED_NO = {
    "saddle_numbness": False,
    "bladder_or_bowel_dysfunction": False,
    "progressive_leg_weakness_or_numbness": False,
    "significant_trauma": False,
    "fever_or_unexplained_weight_loss": False,
    "history_of_cancer": False,
    "constant_night_pain": False,
    "diagnosed_acute_disc_injury": False,
}
READINESS_ANSWERED_NO = {
    "heart_condition_or_high_blood_pressure": False,
    "chest_pain": False,
    "dizziness_or_fainting": False,
    "supervised_exercise_only": False,
}
LUMBAR_REST_ANSWERED_NO = {"minor_fall": False, "infection_risk": False}
NERVE_ROOT_ANSWERED_NO = {
    "radiating_limb_pain": False,
    "limb_pins_and_needles": False,
    "straight_leg_raise_reproduces_leg_pain": False,
    "limb_numbness": False,
    "limb_weakness": False,
}

DESK_WORKER: dict[str, Any] = {
    "subject_ref": "app-user-8c1f",
    "lifestyle": {"sitting_hours_per_day": 10, "activity_level": "sedentary", "training_experience": "beginner"},
    "pain": {"regions": ["lower_back"], "intensity": 4, "duration": "chronic"},
    "red_flags": RED_FLAGS_ANSWERED_NO,
    "screening": {**READINESS_ANSWERED_NO, **LUMBAR_REST_ANSWERED_NO, **NERVE_ROOT_ANSWERED_NO},
    "movement_screen": {"overhead_squat": ["low_back_arches", "excessive_forward_lean"]},
    "tests": {
        "straight_leg_raise_deg": {"left": 60, "right": 62},
        "thomas_test": {"left": "positive", "right": "negative"},
        "sit_and_reach_cm": -4,
        "single_leg_bridge_seconds": {"left": 12, "right": 20},
    },
    "tender_spots": ["gastrocnemius", "iliotibial_band", "piriformis", "gluteus_minimus", "hamstrings"],
}
