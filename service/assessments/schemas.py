"""The assessment's input (the `POST /v1/assessments` body) and the rule engine's result.

Field names are the public contract (PRODUCT.md §4). Every part of the input is optional and unknown fields are
rejected; the msgspec constraints make a decoding error name the offending field. Checks that need the catalogue
or look at several fields at once live in `service.assessments.engine.validate_input`.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

import msgspec

from service.lib.pagination import NextCursor

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


# ---------------------------------------------------------------- result


class _Output(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of every result part."""


class Evidence(_Output):
    rule: Annotated[
        str, msgspec.Meta(description="Id of the rule, in the ruleset of `ruleset_version`, that produced the finding.")
    ]
    inputs: Annotated[
        list[str],
        msgspec.Meta(
            description="The input paths that caused it, e.g. `tests.straight_leg_raise_deg.left` or `tender_spots[2]`."
        ),
    ]
    summary: Annotated[
        str,
        msgspec.Meta(
            description=(
                "For the person, in plain second-person words, e.g. `Your straight-leg raise reached 60° left, 62° "
                "right (45° to 70°): the muscles at the back of your thighs (hamstrings) are short`."
            )
        ),
    ]
    basis: Annotated[
        str,
        msgspec.Meta(
            description=(
                "For a trainer or clinician: the test or screen, its source and the muscles in the source's own "
                "terms (CLINICAL.md §7), e.g. `Passive straight-leg raise, 45° to under 70°: short hamstrings`. "
                "Empty on assessments made before ruleset 2026.12.3."
            )
        ),
    ] = ""


class Referral(_Output):
    reasons: Annotated[
        list[str],
        msgspec.Meta(description="Screening codes answered yes and other referral reasons, most serious first."),
    ]
    message: Annotated[str, msgspec.Meta(description="Plain-language advice: what to do and how soon.")]
    urgent: Annotated[
        bool, msgspec.Meta(description="The level is `emergency` or `urgent`: care is needed before any exercise.")
    ] = False
    evidence: Annotated[list[Evidence], msgspec.Meta(description="For each reason, the answers that raised it.")] = []
    level: (
        Annotated[
            ConcernLevel,
            msgspec.Meta(
                description=(
                    "emergency: seek care today; urgent: see a clinician within days; routine: see a clinician "
                    "before training (a clinician's clearance can lift it). Null on assessments made before "
                    "ruleset 2026.12.1."
                )
            ),
        ]
        | None
    ) = None


class MissingAnswer(_Output):
    field: Annotated[
        str, msgspec.Meta(description="Where the answer goes, e.g. `screening.saddle_numbness` or `pain.trauma`.")
    ]
    code: Annotated[str, msgspec.Meta(description="The screening code, or the field's name for other inputs.")]
    question: Annotated[str, msgspec.Meta(description="The question, in words for the person.")]
    screen: Annotated[str, msgspec.Meta(description="The screen that asks it.")]


class InferredCondition(_Output):
    condition: Annotated[str, msgspec.Meta(description="A condition slug that programs respect.")]
    reason: Annotated[str, msgspec.Meta(description="Why, in plain words; never a diagnosis.")]
    inputs: Annotated[list[str], msgspec.Meta(description="The input paths it was inferred from.")]


class Note(_Output):
    code: Annotated[
        str,
        msgspec.Meta(
            description=(
                "Stable code of what was noticed: clearance_cannot_lift, clearance_role_cannot_lift, "
                "clearance_too_old, opposite_findings_for_one_muscle, opposite_findings_in_one_group, "
                "straight_leg_raise_not_read, unexplained_pain, or a note of the rules file (e.g. "
                "weight_shift_side_unknown). New codes may be added."
            )
        ),
    ]
    message: Annotated[str, msgspec.Meta(description="Plain words for the person or their trainer.")]
    inputs: Annotated[list[str], msgspec.Meta(description="The input paths it concerns.")] = []


class Asymmetry(_Output):
    test: Annotated[str, msgspec.Meta(description="The input path of the paired test.")]
    side: Annotated[Side, msgspec.Meta(description="The weaker or tighter side, which gets the extra work.")]
    left: Annotated[float, msgspec.Meta(description="The left side's result, in the test's unit.")]
    right: Annotated[float, msgspec.Meta(description="The right side's result, in the test's unit.")]
    difference: Annotated[str, msgspec.Meta(description="The gap, as a percentage or in degrees.")]
    muscles: Annotated[list[str], msgspec.Meta(description="Slugs of the muscles the test measures.")]
    summary: Annotated[str, msgspec.Meta(description="For the person, in plain words.")]


class AppliedClearance(_Output):
    role: Annotated[ClinicianRole, msgspec.Meta(description="Who cleared the person.")]
    date: Annotated[date, msgspec.Meta(description="The day of the clearance.")]
    cleared: Annotated[list[str], msgspec.Meta(description="The routine referral reasons this clearance lifted.")]
    restrictions: Annotated[Restrictions, msgspec.Meta(description="What programs must leave out.")]


class PatternFinding(_Output):
    slug: Annotated[str, msgspec.Meta(description="The pattern's slug (GET /v1/patterns).")]
    name: Annotated[str, msgspec.Meta(description="The pattern's name.")]
    score: Annotated[
        float,
        msgspec.Meta(
            ge=0,
            le=1,
            description="Weighted evidence, capped at 1, rounded to 2 decimals; a pattern appears only above 0.",
        ),
    ]
    evidence: Annotated[list[Evidence], msgspec.Meta(description="Each rule that counted towards the score.")]
    band: (
        Annotated[
            Band,
            msgspec.Meta(
                description=(
                    "possible: weak or only indirect signs (it brings at most mobility work); likely; present. "
                    "Null on assessments made before ruleset 2026.12.1."
                )
            ),
        ]
        | None
    ) = None


class MuscleFinding(_Output):
    muscle: Annotated[str, msgspec.Meta(description="A muscle slug.")]
    reasons: Annotated[list[Evidence], msgspec.Meta(description="Each rule that found it, with the inputs.")]
    side: Annotated[Side, msgspec.Meta(description="The side the evidence points at; both when not one-sided.")] = (
        Side.both
    )


# The result's fields, described once: an assessment as stored carries them all.
ResultStatus = Annotated[
    AssessmentStatus,
    msgspec.Meta(
        description="ok: the findings are filled in; refer: see a clinician first (`referral` says why), no "
        "findings; incomplete: screening answers are missing (`missing` lists them), no findings."
    ),
]
ResultReferral = Annotated[
    Referral | None, msgspec.Meta(description="Why and how soon to see a clinician; null unless status is refer.")
]
Patterns = Annotated[list[PatternFinding], msgspec.Meta(description="By score, highest first, then by slug.")]
Overactive = Annotated[list[MuscleFinding], msgspec.Meta(description="Overactive or short muscles, by slug.")]
Underactive = Annotated[list[MuscleFinding], msgspec.Meta(description="Underactive or weak muscles, by slug.")]
TriggerPoints = Annotated[
    list[str], msgspec.Meta(description="The tender spots, deduplicated and sorted: the release phase's targets.")
]
RulesetVersion = Annotated[str, msgspec.Meta(description="The version of the assessment rules that produced it.")]
Level = Annotated[
    ConcernLevel,
    msgspec.Meta(
        description=(
            "The level of concern: `proceed` when status is ok, the referral's level when it is refer, null "
            "while incomplete (and on assessments made before ruleset 2026.12.1)."
        )
    ),
]
Screens = Annotated[list[str], msgspec.Meta(description="The screens that applied to this person.")]
Missing = Annotated[
    list[MissingAnswer], msgspec.Meta(description="With status `incomplete`: every answer still needed.")
]
SafetyNetting = Annotated[
    list[str], msgspec.Meta(description="When to stop and get checked, for the screens that applied.")
]
Conditions = Annotated[
    list[InferredCondition], msgspec.Meta(description="Conditions programs will respect, each with where it came from.")
]
Asymmetries = Annotated[
    list[Asymmetry], msgspec.Meta(description="Side-to-side differences big enough to train the sides apart.")
]
Notes = Annotated[list[Note], msgspec.Meta(description="What the assessment noticed and did not act on.")]
ClearanceApplied = Annotated[
    AppliedClearance | None, msgspec.Meta(description="The clinician's clearance, as applied; null without one.")
]


class AssessmentResult(_Output):
    """What the rule engine concludes; with status `refer` or `incomplete` no finding is filled in."""

    status: ResultStatus
    referral: ResultReferral
    patterns: Patterns
    overactive: Overactive
    underactive: Underactive
    trigger_points: TriggerPoints
    ruleset_version: RulesetVersion
    level: Level | None = None
    screens: Screens = []
    missing: Missing = []
    safety_netting: SafetyNetting = []
    conditions: Conditions = []
    asymmetries: Asymmetries = []
    notes: Notes = []
    clearance: ClearanceApplied = None


# ---------------------------------------------------------------- the stored resource (PRODUCT.md §4 response)


class Assessment(_Output):
    """An assessment as the API returns it: its identity, the engine's result and the input as stored."""

    id: Annotated[uuid.UUID, msgspec.Meta(description="The assessment's id; `Location` of the 201 names it.")]
    created_at: Annotated[datetime, msgspec.Meta(description="When it was made.")]
    subject_ref: Annotated[
        str | None, msgspec.Meta(description="The caller's reference for the person, as sent; null when none was.")
    ]
    status: ResultStatus
    referral: ResultReferral
    patterns: Patterns
    overactive: Overactive
    underactive: Underactive
    trigger_points: TriggerPoints
    ruleset_version: RulesetVersion
    input: Annotated[AssessmentInput, msgspec.Meta(description="The body it was made from, as stored.")]
    level: Level | None = None
    screens: Screens = []
    missing: Missing = []
    safety_netting: SafetyNetting = []
    conditions: Conditions = []
    asymmetries: Asymmetries = []
    notes: Notes = []
    clearance: ClearanceApplied = None


class AssessmentList(msgspec.Struct):
    items: Annotated[list[Assessment], msgspec.Meta(description="This page of assessments, newest first.")]
    next_cursor: NextCursor


# ---------------------------------------------------------------- the screening form (GET /v1/screening)


class FormQuestion(_Output):
    code: Annotated[str, msgspec.Meta(description="The answer's key in the assessment's `screening` object.")]
    question: Annotated[str, msgspec.Meta(description="The question, in words for the person; answered yes or no.")]
    level: Annotated[
        ConcernLevel,
        msgspec.Meta(description="The level of concern a yes implies (proceed: it changes the program, not whether)."),
    ]
    source: Annotated[str, msgspec.Meta(description="The published guidance behind the question.")]


class FormField(_Output):
    field: Annotated[str, msgspec.Meta(description="An assessment input that may be needed, e.g. `age_band`.")]
    question: Annotated[str, msgspec.Meta(description="What to ask the person to fill it in.")]


class FormScreen(_Output):
    slug: Annotated[str, msgspec.Meta(description="Stable code of the screen, e.g. `lumbar`.")]
    title: Annotated[str, msgspec.Meta(description="The screen's title, to show above its questions.")]
    questions: Annotated[list[FormQuestion], msgspec.Meta(description="Its yes/no questions, in the order to ask.")]
    may_also_need: Annotated[
        list[FormField],
        msgspec.Meta(description="Other inputs this screen reads; an assessment names them in `missing` when needed."),
    ]


class ScreeningForm(_Output):
    ruleset_version: Annotated[str, msgspec.Meta(description="The version of the rules the form comes from.")]
    screens: Annotated[list[FormScreen], msgspec.Meta(description="The screens that apply, in the order to ask them.")]
    undecided: Annotated[
        list[FormField],
        msgspec.Meta(description="Inputs that decide whether another screen applies (e.g. `pain.trauma`)."),
    ]
