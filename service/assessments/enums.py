"""The assessment's vocabularies: the closed sets of values its input and result use (PRODUCT.md §4)."""

from __future__ import annotations

from enum import StrEnum

# ---------------------------------------------------------------- vocabularies


class AgeBand(StrEnum):
    under_30 = "under_30"
    age_30_49 = "30_49"
    age_50_64 = "50_64"
    age_65_plus = "65_plus"


class ActivityLevel(StrEnum):
    sedentary = "sedentary"
    lightly_active = "lightly_active"
    active = "active"
    very_active = "very_active"


class TrainingExperience(StrEnum):
    none = "none"
    beginner = "beginner"
    intermediate = "intermediate"
    advanced = "advanced"


class PainRegion(StrEnum):
    lower_back = "lower_back"
    upper_back = "upper_back"
    neck = "neck"
    shoulder = "shoulder"
    hip = "hip"
    knee = "knee"
    ankle = "ankle"
    headache = "headache"
    wrist = "wrist"
    elbow = "elbow"
    buttock = "buttock"
    leg = "leg"


class PainDuration(StrEnum):
    acute = "acute"
    subacute = "subacute"
    chronic = "chronic"


class Compensation(StrEnum):
    """Overhead-squat compensations (the NASM overhead-squat assessment's checkpoints)."""

    low_back_arches = "low_back_arches"
    excessive_forward_lean = "excessive_forward_lean"
    knees_move_inward = "knees_move_inward"
    knees_move_outward = "knees_move_outward"
    feet_turn_out = "feet_turn_out"
    feet_flatten = "feet_flatten"
    heels_rise = "heels_rise"
    asymmetric_weight_shift = "asymmetric_weight_shift"
    arms_fall_forward = "arms_fall_forward"
    head_forward = "head_forward"
    shoulders_elevate = "shoulders_elevate"


class ThomasResult(StrEnum):
    positive = "positive"
    negative = "negative"


class Side(StrEnum):
    left = "left"
    right = "right"
    both = "both"


class OneSide(StrEnum):
    left = "left"
    right = "right"


class AssessmentStatus(StrEnum):
    ok = "ok"
    refer = "refer"
    incomplete = "incomplete"


class ConcernLevel(StrEnum):
    """Levels of concern (CLINICAL.md §1), most serious first."""

    emergency = "emergency"
    urgent = "urgent"
    routine = "routine"
    proceed = "proceed"


class Band(StrEnum):
    """How strongly a pattern is shown (CLINICAL.md §2)."""

    possible = "possible"
    likely = "likely"
    present = "present"


class ClinicianRole(StrEnum):
    physician = "physician"
    physiotherapist = "physiotherapist"
    chiropractor = "chiropractor"
    osteopath = "osteopath"
    obstetric_provider = "obstetric_provider"
    nurse_practitioner = "nurse_practitioner"


Status = AssessmentStatus
