"""The assessment's input: the `POST /v1/assessments` body, every part optional, unknown fields rejected.

Field names are the public contract (PRODUCT.md §4); the msgspec constraints make a decoding error name the offending
field. Checks that need the catalogue or look at several fields at once live in
`service.assessments.validation.validate_input`.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

import msgspec

from service.assessments.enums import (
    ActivityLevel,
    AgeBand,
    ClinicianRole,
    Compensation,
    OneSide,
    PainDuration,
    PainRegion,
    ThomasResult,
    TrainingExperience,
)

# ---------------------------------------------------------------- input


class _Input(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of every input part: unknown fields are an error, every field is optional."""


# validate_input's rules for a subject_ref (no "@", no control characters, not blank) as a pattern, for the OpenAPI
# document and the list filters; the body is checked by validate_input itself, so that the 400 says which rule broke.
_ALLOWED, _VISIBLE = r"[^@\x00-\x1f\x7f-\x9f]", r"[^@\s\x00-\x1f\x7f-\x9f]"
SUBJECT_REF_PATTERN = f"^{_ALLOWED}*{_VISIBLE}{_ALLOWED}*$"

SubjectRef = Annotated[
    str,
    msgspec.Meta(
        min_length=1,
        max_length=128,
        description=(
            "The caller's opaque reference for its end user (for example an internal user id or a hash of one). "
            "It must never be a name or an email address."
        ),
        examples=["app-user-8c1f"],
    ),
]
SittingHours = Annotated[float, msgspec.Meta(ge=0, le=24, description="Hours spent sitting on a typical day.")]
PainIntensity = Annotated[int, msgspec.Meta(ge=0, le=10, description="Pain intensity, 0 (none) to 10 (worst).")]
LegRaiseAngle = Annotated[
    float, msgspec.Meta(ge=0, le=180, description="Hip flexion angle in degrees at the end of the raise.")
]
BridgeSeconds = Annotated[
    float, msgspec.Meta(ge=0, le=600, description="Seconds the single-leg bridge is held with a level pelvis.")
]
SitAndReach = Annotated[
    float,
    msgspec.Meta(
        ge=-50,
        le=50,
        description="Sit-and-reach distance in cm relative to the toes: 0 reaches the toes, negative falls short.",
    ),
]
TenderSpot = Annotated[
    str, msgspec.Meta(min_length=1, max_length=64, description="A muscle, part or group slug (not a body region).")
]
ConditionSlug = Annotated[
    str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$", description="A condition slug.")
]
ExerciseSlug = Annotated[
    str, msgspec.Meta(min_length=1, max_length=80, pattern=r"^[a-z][a-z0-9_]*$", description="An exercise slug.")
]
ScreeningCode = Annotated[str, msgspec.Meta(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")]
YesNo = bool | None


class Lifestyle(_Input):
    sitting_hours_per_day: SittingHours | None = None
    activity_level: (
        Annotated[ActivityLevel, msgspec.Meta(description="How active the person is day to day, outside training.")]
        | None
    ) = None
    training_experience: (
        Annotated[TrainingExperience, msgspec.Meta(description="How much strength training the person has done.")]
        | None
    ) = None


class Pain(_Input):
    regions: (
        Annotated[
            list[PainRegion],
            msgspec.Meta(
                max_length=10, description="Where it hurts; each region once.", extra_json_schema={"uniqueItems": True}
            ),
        ]
        | None
    ) = None
    intensity: PainIntensity | None = None
    duration: (
        Annotated[
            PainDuration,
            msgspec.Meta(description="acute: under 6 weeks; subacute: 6 to 12 weeks; chronic: over 12 weeks."),
        ]
        | None
    ) = None
    new_pain: Annotated[bool, msgspec.Meta(description="The pain is new (not a known, long-standing one).")] | None = (
        None
    )
    trauma: (
        Annotated[bool, msgspec.Meta(description="The pain began with an injury (a fall, a twist, a blow).")] | None
    ) = None


class RedFlags(_Input):
    """The first eight lumbar screening questions, answered yes (true) or no (false); null or absent means not
    answered. Each field name is a screening code: the same answers can travel in `screening` instead."""

    saddle_numbness: (
        Annotated[
            bool,
            msgspec.Meta(
                description="Numbness or tingling between the legs, around the bottom or on the inner thighs."
            ),
        ]
        | None
    ) = None
    bladder_or_bowel_dysfunction: (
        Annotated[
            bool, msgspec.Meta(description="New trouble passing or holding urine or stools since the pain started.")
        ]
        | None
    ) = None
    progressive_leg_weakness_or_numbness: (
        Annotated[bool, msgspec.Meta(description="Weakness or numbness in a leg that is getting worse.")] | None
    ) = None
    significant_trauma: (
        Annotated[
            bool,
            msgspec.Meta(
                description="The pain started after a significant injury, e.g. a car accident or a fall from a height."
            ),
        ]
        | None
    ) = None
    fever_or_unexplained_weight_loss: (
        Annotated[bool, msgspec.Meta(description="A fever or chills, or weight lost without trying.")] | None
    ) = None
    history_of_cancer: Annotated[bool, msgspec.Meta(description="Cancer, now or in the past.")] | None = None
    constant_night_pain: (
        Annotated[bool, msgspec.Meta(description="The pain is constant, even at night, or worse lying down.")] | None
    ) = None
    diagnosed_acute_disc_injury: (
        Annotated[
            bool, msgspec.Meta(description="A clinician has diagnosed a recent slipped, bulging or herniated disc.")
        ]
        | None
    ) = None


class MovementScreen(_Input):
    overhead_squat: (
        Annotated[
            list[Compensation],
            msgspec.Meta(
                max_length=11,
                description="Compensations seen in the overhead squat; each code once.",
                extra_json_schema={"uniqueItems": True},
            ),
        ]
        | None
    ) = None
    weight_shift_to: (
        Annotated[OneSide, msgspec.Meta(description="With `asymmetric_weight_shift`: the side the weight shifts to.")]
        | None
    ) = None


class StraightLegRaise(_Input):
    left: LegRaiseAngle | None = None
    right: LegRaiseAngle | None = None


ThomasSide = Annotated[
    ThomasResult, msgspec.Meta(description="positive: the thigh rises off the table, the hip flexors are short.")
]


class ThomasTest(_Input):
    left: ThomasSide | None = None
    right: ThomasSide | None = None


class SingleLegBridge(_Input):
    left: BridgeSeconds | None = None
    right: BridgeSeconds | None = None


class FieldTests(_Input):
    straight_leg_raise_deg: (
        Annotated[StraightLegRaise, msgspec.Meta(description="Passive straight-leg raise, per side, in degrees.")]
        | None
    ) = None
    thomas_test: Annotated[ThomasTest, msgspec.Meta(description="Modified Thomas test, per side.")] | None = None
    sit_and_reach_cm: SitAndReach | None = None
    single_leg_bridge_seconds: (
        Annotated[SingleLegBridge, msgspec.Meta(description="Single-leg bridge hold, per side, in seconds.")] | None
    ) = None


class Pregnancy(_Input):
    pregnant: Annotated[bool, msgspec.Meta(description="The person is pregnant.")]
    weeks: Annotated[int, msgspec.Meta(ge=0, le=42, description="Weeks of pregnancy.")] | None = None
    trimester: Annotated[int, msgspec.Meta(ge=1, le=3, description="Trimester, when weeks are not known.")] | None = (
        None
    )
    obstetric_clearance: (
        Annotated[
            bool, msgspec.Meta(description="A midwife, obstetrician or doctor has cleared exercise in this pregnancy.")
        ]
        | None
    ) = None


class Restrictions(_Input):
    conditions: Annotated[
        list[ConditionSlug],
        msgspec.Meta(
            max_length=20,
            description="Conditions to respect (GET /v1/conditions).",
            extra_json_schema={"uniqueItems": True},
        ),
    ] = []
    exercises: Annotated[
        list[ExerciseSlug],
        msgspec.Meta(
            max_length=100, description="Exercises never to prescribe.", extra_json_schema={"uniqueItems": True}
        ),
    ] = []


class Clearance(_Input):
    """A clinician's clearance to train: it turns a `routine` referral into a program, with these restrictions.
    `emergency` and `urgent` concerns cannot be cleared here: they need a new assessment after care."""

    role: Annotated[ClinicianRole, msgspec.Meta(description="Who cleared the person.")]
    date: Annotated[date, msgspec.Meta(description="The day the clinician cleared the person (not in the future).")]
    restrictions: (
        Annotated[Restrictions, msgspec.Meta(description="What the clinician ruled out; none when absent.")] | None
    ) = None


class AssessmentInput(_Input):
    """The `POST /v1/assessments` body: screening, questionnaire, movement screen, field tests and tender spots."""

    subject_ref: SubjectRef | None = None
    previous_assessment_id: (
        Annotated[
            uuid.UUID,
            msgspec.Meta(
                description=(
                    "For a reassessment: the id of this person's earlier assessment (one of yours, made before this "
                    "one, of the same `subject_ref` when both have one). The answer's `comparison` then compares "
                    "the tests, findings and pain with it."
                )
            ),
        ]
        | None
    ) = None
    age_band: Annotated[AgeBand, msgspec.Meta(description="The person's age range, in years.")] | None = None
    lifestyle: Annotated[Lifestyle, msgspec.Meta(description="Daily activity and training background.")] | None = None
    pain: Annotated[Pain, msgspec.Meta(description="Where it hurts, how much and since when.")] | None = None
    red_flags: (
        Annotated[
            RedFlags, msgspec.Meta(description="The eight lumbar red-flag questions (or send them in `screening`).")
        ]
        | None
    ) = None
    screening: (
        Annotated[
            dict[ScreeningCode, bool],
            msgspec.Meta(
                description=(
                    "Screening answers by code, yes (true) or no (false): `GET /v1/screening` lists the questions "
                    "that apply. A question that applies and is not answered makes the assessment `incomplete`."
                ),
                extra_json_schema={"maxProperties": 100},
            ),
        ]
        | None
    ) = None
    pregnancy: (
        Annotated[Pregnancy, msgspec.Meta(description="Pregnancy, which changes the screens and the exercises.")] | None
    ) = None
    conditions: (
        Annotated[
            list[ConditionSlug],
            msgspec.Meta(
                max_length=20,
                description="Diagnosed conditions known for this person (GET /v1/conditions), e.g. `osteoporosis`.",
                extra_json_schema={"uniqueItems": True},
            ),
        ]
        | None
    ) = None
    clearance: (
        Annotated[Clearance, msgspec.Meta(description="A clinician's clearance to train despite a routine referral.")]
        | None
    ) = None
    movement_screen: (
        Annotated[MovementScreen, msgspec.Meta(description="What the overhead-squat screen showed.")] | None
    ) = None
    tests: (
        Annotated[FieldTests, msgspec.Meta(description="Results of the flexibility and strength field tests.")] | None
    ) = None
    tender_spots: (
        Annotated[
            list[TenderSpot],
            msgspec.Meta(max_length=40, description="Muscle slugs the person reports or a trainer palpates as tender."),
        ]
        | None
    ) = None
