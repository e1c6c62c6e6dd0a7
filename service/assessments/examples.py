"""The desk worker of the seed text (PRODUCT.md §4), screened: the documented example of an assessment body, shared by
the OpenAPI examples, the tests and the benchmarks. The eight lumbar red flags travel in `red_flags`, as the
contract's example has them; the other questions that apply to this person travel in `screening`.

The OpenAPI examples are generated, not written: the real rules assess the desk worker and build the screening form,
so the documented example is always what the service would answer."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import msgspec

from service.assessments.engine import assess
from service.assessments.rules import RuleSet
from service.assessments.schemas import Assessment, AssessmentInput, AssessmentList
from service.assessments.screening import form

EXAMPLE_TIME = datetime(2026, 1, 1, tzinfo=UTC)
ASSESSMENT_ID = uuid.UUID("0b9c6a52-3f1e-4c8e-9a51-2d7f4e8b1c30")

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


def example_assessment(data: AssessmentInput, rules: RuleSet) -> Assessment:
    """`data` assessed by `rules` as the API would return it, with a fixed id and time."""
    return msgspec.convert(
        {
            **msgspec.to_builtins(assess(data, rules, on=EXAMPLE_TIME.date())),
            "id": str(ASSESSMENT_ID),
            "created_at": EXAMPLE_TIME.isoformat(),
            "subject_ref": data.subject_ref,
            "input": msgspec.to_builtins(data),
        },
        Assessment,
    )


def assessment_examples(rules: RuleSet) -> dict[str, dict[str, Any]]:
    """operationId → {"request" or a status: example}: the desk worker's assessment (created, read and listed), and
    the screening form for low-back pain (the questions the desk worker answered)."""
    desk_worker = msgspec.convert(DESK_WORKER, AssessmentInput)
    assessment = example_assessment(desk_worker, rules)
    return {
        "createAssessment": {"request": DESK_WORKER, "201": assessment},
        "getAssessment": {"200": assessment},
        "listAssessments": {"200": AssessmentList(items=[assessment], next_cursor=None)},
        "getScreening": {"200": form(rules.screening, rules.version, ["lower_back"], pregnant=False, injury=None)},
    }
