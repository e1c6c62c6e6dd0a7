"""The rule engine's result and the assessment resource; the input and the vocabularies live in `inputs` and
`enums`, and are imported from here too (`schemas` is what the rest of the service reads).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated

import msgspec

from service.assessments.comparison import Comparison
from service.assessments.enums import (
    ActivityLevel,
    AgeBand,
    AssessmentStatus,
    Band,
    ClinicianRole,
    Compensation,
    ConcernLevel,
    OneSide,
    PainDuration,
    PainRegion,
    Side,
    Status,
    ThomasResult,
    TrainingExperience,
)
from service.assessments.inputs import (
    SUBJECT_REF_PATTERN,
    AssessmentInput,
    BridgeSeconds,
    Clearance,
    ConditionSlug,
    ExerciseSlug,
    FieldTests,
    LegRaiseAngle,
    Lifestyle,
    MovementScreen,
    Pain,
    PainIntensity,
    Pregnancy,
    RedFlags,
    Restrictions,
    ScreeningCode,
    SingleLegBridge,
    SitAndReach,
    SittingHours,
    StraightLegRaise,
    SubjectRef,
    TenderSpot,
    ThomasSide,
    ThomasTest,
    YesNo,
)
from service.lib.pagination import NextCursor

__all__ = [
    "SUBJECT_REF_PATTERN",
    "ActivityLevel",
    "AgeBand",
    "AssessmentInput",
    "AssessmentStatus",
    "Band",
    "BridgeSeconds",
    "Clearance",
    "ClinicianRole",
    "Comparison",
    "Compensation",
    "ConcernLevel",
    "ConditionSlug",
    "ExerciseSlug",
    "FieldTests",
    "LegRaiseAngle",
    "Lifestyle",
    "MovementScreen",
    "OneSide",
    "Pain",
    "PainDuration",
    "PainIntensity",
    "PainRegion",
    "Pregnancy",
    "RedFlags",
    "Restrictions",
    "ScreeningCode",
    "Side",
    "SingleLegBridge",
    "SitAndReach",
    "SittingHours",
    "Status",
    "StraightLegRaise",
    "SubjectRef",
    "TenderSpot",
    "ThomasResult",
    "ThomasSide",
    "ThomasTest",
    "TrainingExperience",
    "YesNo",
]

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
Compared = Annotated[
    Comparison | None,
    msgspec.Meta(
        description=(
            "A reassessment's comparison with the assessment `input.previous_assessment_id` names: each test, "
            "finding and the pain resolved, improved, unchanged, worse or new. Null when none was named, or once "
            "that assessment has been erased (the comparison and the link are erased with it)."
        )
    ),
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
    comparison: Compared = None


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
