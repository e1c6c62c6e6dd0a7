"""The desk worker of the seed text (PRODUCT.md §4), screened: the documented example of an assessment body, shared by
the OpenAPI examples, the tests and the benchmarks. The eight lumbar red flags travel in `red_flags`, as the
contract's example has them; the other questions that apply to this person travel in `screening`.

The OpenAPI examples are generated, not written: the real rules assess the desk worker and build the screening form,
so the documented example is always what the service would answer. The assessment read back (and listed first) is
the desk worker's reassessment four weeks later, which names the first one and compares with it."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec

from service.assessments.engine import assess
from service.assessments.reassessment import PainMcid, compare
from service.assessments.rules import RuleSet
from service.assessments.schemas import Assessment, AssessmentInput, AssessmentList
from service.assessments.screening import form

EXAMPLE_TIME = datetime(2026, 1, 1, tzinfo=UTC)
ASSESSMENT_ID = uuid.UUID("0b9c6a52-3f1e-4c8e-9a51-2d7f4e8b1c30")
REASSESSMENT_ID = uuid.UUID("5e2d8f41-7a6c-4b9e-8d13-c04f7a2b9e61")
REASSESSED_AT = EXAMPLE_TIME + timedelta(weeks=4)

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


# Four weeks into the program: less pain, longer hamstrings on the left, the hip flexors no longer short, stronger
# glutes, the IT band and the hamstrings no longer tender.
FOUR_WEEKS_LATER: dict[str, Any] = {
    **DESK_WORKER,
    "previous_assessment_id": str(ASSESSMENT_ID),
    "pain": {**DESK_WORKER["pain"], "intensity": 2},
    "movement_screen": {"overhead_squat": ["excessive_forward_lean"]},
    "tests": {
        "straight_leg_raise_deg": {"left": 72, "right": 64},
        "thomas_test": {"left": "negative", "right": "negative"},
        "sit_and_reach_cm": -3,
        "single_leg_bridge_seconds": {"left": 25, "right": 22},
    },
    "tender_spots": ["gastrocnemius", "piriformis", "gluteus_minimus"],
}


def example_assessment(
    data: AssessmentInput, rules: RuleSet, *, id: uuid.UUID = ASSESSMENT_ID, at: datetime = EXAMPLE_TIME
) -> Assessment:
    """`data` assessed by `rules` as the API would return it, with a fixed id and time."""
    return msgspec.convert(
        {
            **msgspec.to_builtins(assess(data, rules, on=at.date())),
            "id": str(id),
            "created_at": at.isoformat(),
            "subject_ref": data.subject_ref,
            "input": msgspec.to_builtins(data),
        },
        Assessment,
    )


def assessment_examples(rules: RuleSet, pain_mcid: PainMcid) -> dict[str, dict[str, Any]]:
    """operationId → {"request" or a status: example}: the desk worker's assessment (created and listed), the
    reassessment four weeks later (read and listed, with its comparison), and the screening form for low-back pain
    (the questions the desk worker answered)."""
    desk_worker = msgspec.convert(DESK_WORKER, AssessmentInput)
    assessment = example_assessment(desk_worker, rules)
    later = example_assessment(
        msgspec.convert(FOUR_WEEKS_LATER, AssessmentInput), rules, id=REASSESSMENT_ID, at=REASSESSED_AT
    )
    reassessment = msgspec.structs.replace(later, comparison=compare(assessment, later, rules.reassessment, pain_mcid))
    return {
        "createAssessment": {"request": DESK_WORKER, "201": assessment},
        "getAssessment": {"200": reassessment},
        "listAssessments": {"200": AssessmentList(items=[reassessment, assessment], next_cursor=None)},
        "getScreening": {"200": form(rules.screening, rules.version, ["lower_back"], pregnant=False, injury=None)},
    }
