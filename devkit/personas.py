"""Assessment bodies shared by the unit, integration and isolation tests and by the benchmarks. Each is screened:
every question that applies to the person is answered (here: no), so that it can have a program."""

from __future__ import annotations

from typing import Any

from service.assessments.examples import (
    DESK_WORKER,
    LUMBAR_REST_ANSWERED_NO,
    NERVE_ROOT_ANSWERED_NO,
    READINESS_ANSWERED_NO,
    RED_FLAGS_ANSWERED_NO,
)

CERVICAL_ANSWERED_NO = dict.fromkeys(
    [
        "dizziness_or_drop_attacks",
        "double_vision",
        "trouble_speaking_or_swallowing",
        "facial_numbness",
        "nausea_or_unsteady_walking",
        "clumsy_or_numb_hands",
        "walking_changed",
        "recent_head_or_neck_trauma",
    ],
    False,
)
ARM_NERVE_ROOT_ANSWERED_NO = {k: v for k, v in NERVE_ROOT_ANSWERED_NO.items() if "straight_leg" not in k}

__all__ = ["BOTH_PATTERNS", "DESK_WORKER", "RED_FLAGS_ANSWERED_NO", "SEVERE_ACUTE", "UPPER_CROSSED"]

# The desk worker a week into a bad flare: severe, recent pain (static stretches first, lower volume). Acute pain is
# new pain, so the age band is asked (and under 50, it refers no one).
SEVERE_ACUTE: dict[str, Any] = {
    **DESK_WORKER,
    "age_band": "30_49",
    "pain": {"regions": ["lower_back"], "intensity": 8, "duration": "acute"},
}

# Upper crossed syndrome only: forward head, elevated shoulders, rounded arms; neck pain; an active person.
UPPER_CROSSED: dict[str, Any] = {
    "subject_ref": "app-user-u2",
    "lifestyle": {"sitting_hours_per_day": 3, "activity_level": "active", "training_experience": "intermediate"},
    "pain": {"regions": ["neck"], "intensity": 3, "duration": "chronic"},
    "screening": {**READINESS_ANSWERED_NO, **CERVICAL_ANSWERED_NO, **ARM_NERVE_ROOT_ANSWERED_NO},
    "movement_screen": {"overhead_squat": ["head_forward", "shoulders_elevate", "arms_fall_forward"]},
    "tender_spots": ["upper_trapezius", "levator_scapulae"],
}

# Both patterns: the desk worker with the upper-body signs as well.
BOTH_PATTERNS: dict[str, Any] = {
    **DESK_WORKER,
    "pain": {"regions": ["lower_back", "neck"], "intensity": 4, "duration": "chronic"},
    "screening": {
        **READINESS_ANSWERED_NO,
        **LUMBAR_REST_ANSWERED_NO,
        **CERVICAL_ANSWERED_NO,
        **NERVE_ROOT_ANSWERED_NO,
    },
    "movement_screen": {
        "overhead_squat": ["low_back_arches", "excessive_forward_lean", "head_forward", "shoulders_elevate"]
    },
    "tender_spots": [*DESK_WORKER["tender_spots"], "upper_trapezius"],
}
