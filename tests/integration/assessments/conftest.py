from __future__ import annotations

from typing import Any

import pytest

from service.settings import Settings
from tests.conftest import make_key

DESK_WORKER: dict[str, Any] = {
    "subject_ref": "app-user-8c1f",
    "lifestyle": {"sitting_hours_per_day": 10, "activity_level": "sedentary", "training_experience": "beginner"},
    "pain": {"regions": ["lower_back"], "intensity": 4, "duration": "chronic"},
    "red_flags": {
        "saddle_numbness": False,
        "bladder_or_bowel_dysfunction": False,
        "progressive_leg_weakness_or_numbness": False,
        "significant_trauma": False,
        "fever_or_unexplained_weight_loss": False,
        "history_of_cancer": False,
        "constant_night_pain": False,
        "diagnosed_acute_disc_injury": False,
    },
    "movement_screen": {"overhead_squat": ["low_back_arches", "excessive_forward_lean"]},
    "tests": {
        "straight_leg_raise_deg": {"left": 60, "right": 62},
        "thomas_test": {"left": "positive", "right": "negative"},
        "sit_and_reach_cm": -4,
        "single_leg_bridge_seconds": {"left": 12, "right": 20},
    },
    "tender_spots": ["gastrocnemius", "iliotibial_band", "piriformis", "gluteus_minimus", "hamstrings"],
}


@pytest.fixture(scope="session")
async def assessor(settings: Settings) -> dict[str, str]:
    key = await make_key(settings, "assessor-app", ["assessments:read", "assessments:write"])
    return {"Authorization": f"Bearer {key}"}
