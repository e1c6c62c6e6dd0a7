"""Assessment bodies shared by the unit, integration and isolation tests and by the benchmarks."""

from __future__ import annotations

from typing import Any

from service.assessments.schemas import RedFlags

# The article's desk worker (PRODUCT.md §4): long sitting, chronic low-back pain, tight hamstrings and hip flexors.
DESK_WORKER: dict[str, Any] = {
    "subject_ref": "app-user-8c1f",
    "lifestyle": {"sitting_hours_per_day": 10, "activity_level": "sedentary", "training_experience": "beginner"},
    "pain": {"regions": ["lower_back"], "intensity": 4, "duration": "chronic"},
    "red_flags": dict.fromkeys(RedFlags.__struct_fields__, False),
    "movement_screen": {"overhead_squat": ["low_back_arches", "excessive_forward_lean"]},
    "tests": {
        "straight_leg_raise_deg": {"left": 60, "right": 62},
        "thomas_test": {"left": "positive", "right": "negative"},
        "sit_and_reach_cm": -4,
        "single_leg_bridge_seconds": {"left": 12, "right": 20},
    },
    "tender_spots": ["gastrocnemius", "iliotibial_band", "piriformis", "gluteus_minimus", "hamstrings"],
}

# The desk worker a week into a bad flare: severe, recent pain (static stretches first, lower volume).
SEVERE_ACUTE: dict[str, Any] = {**DESK_WORKER, "pain": {"regions": ["lower_back"], "intensity": 8, "duration": "acute"}}

# Upper crossed syndrome only: forward head, elevated shoulders, rounded arms; neck pain; an active person.
UPPER_CROSSED: dict[str, Any] = {
    "subject_ref": "app-user-u2",
    "lifestyle": {"sitting_hours_per_day": 3, "activity_level": "active", "training_experience": "intermediate"},
    "pain": {"regions": ["neck"], "intensity": 3, "duration": "chronic"},
    "red_flags": dict.fromkeys(RedFlags.__struct_fields__, False),
    "movement_screen": {"overhead_squat": ["head_forward", "shoulders_elevate", "arms_fall_forward"]},
    "tender_spots": ["upper_trapezius", "levator_scapulae"],
}

# Both patterns: the desk worker with the upper-body signs as well.
BOTH_PATTERNS: dict[str, Any] = {
    **DESK_WORKER,
    "pain": {"regions": ["lower_back", "neck"], "intensity": 4, "duration": "chronic"},
    "movement_screen": {
        "overhead_squat": ["low_back_arches", "excessive_forward_lean", "head_forward", "shoulders_elevate"]
    },
    "tender_spots": [*DESK_WORKER["tender_spots"], "upper_trapezius"],
}
