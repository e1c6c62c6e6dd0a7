"""The program request (`POST /v1/programs` body) and the generated program, as the API shows them.

Field names are the public contract (PRODUCT.md §4); fields beyond it (`start_with`, `cues`, `gaps`, …) are
additions. The generator (service/programs/generator/) builds a `ProgramBody`; the stored resource adds its
identity.

Shape 2 (program rules 2026.12.9, issue 16): every exercise is prescribed once (`phases[].items[]` and their
`start_with`, each with an `id`), every finding is listed once (`findings`, each with an `id`), and the schedule
refers to both by id.

Shape 3 (program rules 2026.12.10): where doses change over the weeks, the schedule lists each change once, for every
prescription it applies to, with only the fields that change (`schedule.dose_changes`); the desk worker's dose table
went from 68 runs of whole doses (13.0 KB) to 23 changes (2.6 KB). Programs stored in an older shape are listed as
`retired` and answer 410.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

import msgspec

from service.assessments.schemas import OneSide
from service.catalog.enums import Level, Phase

# The first program rules whose programs have the current shape (3); a program stored by an older ruleset is retired.
SHAPE_SINCE = (2026, 12, 10)


def retired(ruleset_version: str) -> bool:
    """Whether a program stored by this ruleset has an older shape, which this API no longer serves."""
    return tuple(int(part) for part in ruleset_version.split(".")) < SHAPE_SINCE


class Weekday(StrEnum):
    mon = "mon"
    tue = "tue"
    wed = "wed"
    thu = "thu"
    fri = "fri"
    sat = "sat"
    sun = "sun"


Slug = Annotated[str, msgspec.Meta(min_length=1, max_length=80, pattern=r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")]


class _Struct(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    pass


# ---------------------------------------------------------------- request


class ProgramRequest(_Struct, kw_only=True):
    """What to generate: the assessment it answers and the person's constraints."""

    assessment_id: Annotated[uuid.UUID, msgspec.Meta(description="An assessment of the calling client.")]
    weeks: Annotated[
        int,
        msgspec.Meta(
            ge=1, le=12, description="Program length in weeks; twelve at most, then reassess and generate the next."
        ),
    ] = 8
    sessions_per_week: (
        Annotated[
            int,
            msgspec.Meta(
                ge=2,
                le=4,
                description=(
                    "Strength sessions a week (CLINICAL.md §6); the daily mobility routine comes on top, every day. "
                    "Default: as many as `days` names, else 3."
                ),
            ),
        ]
        | None
    ) = None
    days: (
        Annotated[
            list[Weekday],
            msgspec.Meta(
                min_length=2,
                max_length=4,
                description=(
                    'The weekdays of the strength sessions, e.g. `["mon", "wed", "fri"]`; as many as '
                    "`sessions_per_week` when both are given. Default: mon and thu for 2, mon, wed and fri for 3, "
                    "mon, tue, thu and fri for 4. Sessions on consecutive days never load the same muscle groups."
                ),
                extra_json_schema={"uniqueItems": True},
            ),
        ]
        | None
    ) = None
    starts_on: Annotated[
        date | None,
        msgspec.Meta(
            description=(
                "The first day of week 1 (reassessment dates count from it). Default: the day the program is made."
            )
        ),
    ] = None
    session_minutes: Annotated[
        int,
        msgspec.Meta(
            ge=20,
            le=180,
            description=(
                "Time budget of one strength session, warm-up, set-up and changes included; every session fits it."
            ),
        ),
    ] = 45
    level: (
        Annotated[
            Level,
            msgspec.Meta(
                description=(
                    "Training level. Default: from the assessment's `lifestyle.training_experience` "
                    "(none or beginner → beginner), else beginner."
                )
            ),
        ]
        | None
    ) = None
    available_equipment: (
        Annotated[
            list[Slug],
            msgspec.Meta(
                max_length=64,
                description=(
                    "Equipment slugs the person can use; `bodyweight` is always available. "
                    "Default (absent or null): a full gym, every equipment of the catalogue. `[]` means nothing."
                ),
                extra_json_schema={"uniqueItems": True},
            ),
        ]
        | None
    ) = None
    exclude_exercises: Annotated[
        list[Slug],
        msgspec.Meta(
            max_length=200,
            description="Exercise slugs never to prescribe (listed in `excluded`).",
            extra_json_schema={"uniqueItems": True},
        ),
    ] = []
    conditions: Annotated[
        list[Slug],
        msgspec.Meta(
            max_length=20,
            description=(
                "Condition slugs (GET /v1/conditions) known for this person beyond what the assessment's pain "
                "regions imply, e.g. `pregnancy` or `osteoporosis`; exercises contraindicated for them are left out."
            ),
            extra_json_schema={"uniqueItems": True},
        ),
    ] = []


class Irritability(StrEnum):
    """How easily the pain flares (CLINICAL.md §3): it decides how hard the program may load."""

    high = "high"
    moderate = "moderate"
    low = "low"


class ProgramParameters(_Struct, kw_only=True):
    """The request with every default filled in: what the program was generated from."""

    weeks: int
    sessions_per_week: int
    session_minutes: int
    level: Level
    days: Annotated[list[Weekday], msgspec.Meta(description="The weekdays of the strength sessions.")] = []
    starts_on: Annotated[date | None, msgspec.Meta(description="The first day of week 1.")] = None
    available_equipment: list[str]
    exclude_exercises: list[str]
    conditions: Annotated[
        list[str],
        msgspec.Meta(description="Every condition the generator honoured: declared ones and those from pain regions."),
    ]
    irritability: Annotated[
        Irritability | None,
        msgspec.Meta(
            description=(
                "How easily the pain flares, from the assessment's pain (CLINICAL.md §3): high (≥ 6/10 or acute) keeps "
                "to gentle work, moderate (3-5/10 or subacute) to light strength and a light spinal load, low allows "
                "the full program. Null on programs made before program rules 2026.12.2."
            )
        ),
    ] = None


# ---------------------------------------------------------------- program


class ExerciseRef(_Struct, kw_only=True):
    slug: str
    name: str


class ProgramDose(_Struct, kw_only=True, omit_defaults=True):
    """A dose; a field at its default (null, false, 0) is left out of the JSON."""

    sets: int
    reps: int | None = None
    hold_seconds: int | None = None
    duration_seconds: Annotated[int | None, msgspec.Meta(description="Per set (and per side when `per_side`).")] = None
    per_side: bool = False
    tempo: Annotated[str | None, msgspec.Meta(description="Seconds lowering-pause-lifting-pause, e.g. `3-0-1-0`.")] = (
        None
    )
    rest_seconds: int = 0
    intensity: str | None = None
    weaker_side: Annotated[
        OneSide | None,
        msgspec.Meta(
            description=(
                "The weaker or tighter side of an asymmetry the assessment found in this exercise's muscles "
                "(CLINICAL.md §2): do one extra set on this side, and start with it. Null when the sides are even "
                "or the exercise works both sides at once."
            )
        ),
    ] = None


class FindingType(StrEnum):
    trigger_point = "trigger_point"
    overactive = "overactive"
    underactive = "underactive"
    pattern = "pattern"
    baseline = "baseline"


class Finding(_Struct, kw_only=True):
    """An assessment finding the program answers, listed once; items and `unaddressed` refer to it by `id`."""

    id: Annotated[str, msgspec.Meta(description="Its id within this program, e.g. `f3`.")]
    type: Annotated[
        FindingType,
        msgspec.Meta(
            description=(
                "`trigger_point`, `overactive`, `underactive`: a muscle finding of the assessment; `pattern`: a "
                "pattern's standard prescription; `baseline`: no finding calls for the phase, general upkeep."
            )
        ),
    ]
    target: Annotated[str | None, msgspec.Meta(description="The muscle or pattern slug; null for `baseline`.")]
    rules: Annotated[
        list[str],
        msgspec.Meta(
            description=(
                "Assessment rule ids behind the finding: the assessment's evidence for them carries the "
                "professional basis."
            )
        ),
    ] = []
    summary: Annotated[str, msgspec.Meta(description="In plain words for the person.")]


class Media(_Struct, kw_only=True):
    """A picture or video of the exercise."""

    kind: Annotated[str, msgspec.Meta(description="`image` or `video`.")]
    url: str


class StartWith(_Struct, kw_only=True):
    """An easier exercise done first (a regression, or a static stretch while pain is severe): a prescription of
    its own."""

    id: Annotated[str, msgspec.Meta(description="Its prescription id, which the schedule refers to.")]
    exercise: ExerciseRef
    until_week: Annotated[int, msgspec.Meta(description="Last week it replaces the item's exercise.")]
    dose: ProgramDose
    reason: str
    instructions: list[str] = []
    cues: list[str] = []
    media: list[Media] = []


class ProgramItem(_Struct, kw_only=True):
    """A prescription: an exercise, everything needed to do it, and why."""

    id: Annotated[str, msgspec.Meta(description="Its prescription id (e.g. `p4`), which the schedule refers to.")]
    exercise: ExerciseRef
    dose: Annotated[
        ProgramDose,
        msgspec.Meta(description="Its dose in its first week; `schedule.dose_changes` says how it changes later."),
    ]
    rationale: str
    finding: Annotated[str, msgspec.Meta(description="The id of the finding it serves (in `findings`).")]
    alternatives: Annotated[
        list[str], msgspec.Meta(description="Exercise slugs that fit every constraint and can be swapped in.")
    ]
    instructions: Annotated[list[str], msgspec.Meta(description="How to do it, step by step.")] = []
    cues: list[str] = []
    media: Annotated[list[Media], msgspec.Meta(description="Pictures and videos; empty until media exist.")] = []
    start_with: StartWith | None = None
    also_serves: Annotated[
        list[str],
        msgspec.Meta(
            description=(
                "The ids of the other findings this item serves besides `finding`: one exercise can treat several "
                "(rolling the calves serves a tender gastrocnemius and an overactive soleus), and an item of a "
                "pattern's block serves the pattern."
            )
        ),
    ] = []


class Gap(_Struct, kw_only=True):
    """A target the phase could not serve with the constraints given."""

    muscle: str
    reason: str


class Unaddressed(_Struct, kw_only=True):
    """A finding of the assessment no item of the program serves, and why (CLINICAL.md §2)."""

    finding: Annotated[str, msgspec.Meta(description="The finding's id (in `findings`).")]
    reason: Annotated[str, msgspec.Meta(description="Why, in plain words for the person.")]


class ProgramPhase(_Struct, kw_only=True):
    key: Phase
    order: int
    title: str
    goal: str
    focus_muscles: list[str]
    items: list[ProgramItem]
    gaps: list[Gap] = []


class DosePatch(_Struct, kw_only=True, omit_defaults=True):
    """The fields of a dose that change; a field left out stays as in the prescription's own `dose`."""

    sets: int | None = None
    reps: int | None = None
    hold_seconds: int | None = None
    duration_seconds: int | None = None
    per_side: bool | None = None
    tempo: str | None = None
    rest_seconds: int | None = None
    intensity: str | None = None
    weaker_side: OneSide | None = None


class DoseChange(_Struct, kw_only=True):
    """From `from_week` to `to_week`, these prescriptions' doses change by `dose`, in the weeks the schedule holds
    them."""

    prescriptions: Annotated[list[str], msgspec.Meta(description="Prescription ids.")]
    from_week: int
    to_week: int
    dose: DosePatch


def patched(dose: ProgramDose, patch: DosePatch) -> ProgramDose:
    """`dose` with the fields `patch` gives."""
    fields = {name: value for name in patch.__struct_fields__ if (value := getattr(patch, name)) is not None}
    return msgspec.structs.replace(dose, **fields)


class Routine(_Struct, kw_only=True):
    """The daily mobility routine of a week (release and lengthen), the same every day of it."""

    items: Annotated[list[str], msgspec.Meta(description="Prescription ids, in order.")]
    estimated_minutes: int


class Session(_Struct, kw_only=True):
    """A strength session: the warm-up, then any preparation, then the training items."""

    day: Weekday
    preparation: Annotated[
        list[str],
        msgspec.Meta(
            description="Release and lengthen prescriptions the daily routine has no room for, done after the warm-up."
        ),
    ] = []
    items: Annotated[list[str], msgspec.Meta(description="Training prescription ids (8 at most), in order.")]
    estimated_minutes: Annotated[
        int, msgspec.Meta(description="Warm-up, set-up and changes between exercises included.")
    ]


class Week(_Struct, kw_only=True):
    week: int
    stage: Annotated[str, msgspec.Meta(description="Progression stage: foundation, volume or load.")]
    lighter: Annotated[
        bool, msgspec.Meta(description="A lighter week (about 60 % of the training volume), every fourth.")
    ] = False
    routine: Routine
    sessions: list[Session]
    rest_days: Annotated[list[Weekday], msgspec.Meta(description="Days without strength work (the routine stays).")]
    move_on_when: Annotated[
        str | None,
        msgspec.Meta(
            description=(
                "On the first week of a stage: what must hold before starting it (pain during and after exercise, "
                "sessions done); otherwise repeat the week before. Progress follows these criteria, not the calendar."
            )
        ),
    ] = None


class WarmUp(_Struct, kw_only=True):
    minutes: int
    steps: list[str]


class Reassessment(_Struct, kw_only=True):
    week: Annotated[int, msgspec.Meta(description="At the end of this week.")]
    date: Annotated[date, msgspec.Meta(description="The last day of that week.")]
    tests: Annotated[list[str], msgspec.Meta(description="What to measure again, in words.")]


class Schedule(_Struct, kw_only=True):
    days: Annotated[list[Weekday], msgspec.Meta(description="The weekdays of the strength sessions.")]
    warm_up: Annotated[WarmUp, msgspec.Meta(description="Done at the start of every strength session.")]
    weeks: list[Week]
    dose_changes: Annotated[
        list[DoseChange],
        msgspec.Meta(
            description=(
                "Where doses differ from the prescriptions' own `dose`, each change once: the dose of prescription P "
                "in week W is P's own `dose` (the item's, or its `start_with`'s) with the fields of the `dose` of "
                "the change that lists P and has `from_week` ≤ W ≤ `to_week` (at most one does)."
            )
        ),
    ]
    reassessments: Annotated[
        list[Reassessment],
        msgspec.Meta(description="When to measure progress again (after a lighter week, and at the end)."),
    ]

    def dose(self, prescription: str, own: ProgramDose, week: int) -> ProgramDose:
        """The dose of `prescription` (whose own dose is `own`) in `week`."""
        for change in self.dose_changes:
            if change.from_week <= week <= change.to_week and prescription in change.prescriptions:
                return patched(own, change.dose)
        return own


class Exclusion(_Struct, kw_only=True):
    exercise: str
    reason: str


class Lesson(_Struct, kw_only=True):
    topic: Annotated[
        str,
        msgspec.Meta(
            description=(
                "pain_monitoring, sitting_breaks, daily_walking, effort, flare_up or stage_criteria; more may come."
            )
        ),
    ]
    title: str
    text: str


class ProgramBody(_Struct, kw_only=True):
    """What the generator produces."""

    assessment_id: uuid.UUID
    ruleset_version: str
    parameters: ProgramParameters
    findings: Annotated[
        list[Finding],
        msgspec.Meta(description="Every finding of the assessment the program answers or leaves unaddressed, once."),
    ]
    phases: list[ProgramPhase]
    schedule: Schedule
    excluded: list[Exclusion]
    safety_notes: list[str]
    education: Annotated[
        list[Lesson],
        msgspec.Meta(
            description=(
                "What the person should know (CLINICAL.md §6): the pain-monitoring rule, sitting breaks, daily "
                "walking, what a flare-up is and what to do, and the stage criteria."
            )
        ),
    ]
    unaddressed: Annotated[
        list[Unaddressed],
        msgspec.Meta(
            description=(
                "Every finding (pattern, trigger point, overactive or underactive muscle) that no item serves, with "
                "the reason: every other one is the `finding` of an item or in its `also_serves` (CLINICAL.md §2)."
            )
        ),
    ] = []


class Program(ProgramBody, kw_only=True):
    """A stored program, as the API returns it."""

    id: uuid.UUID
    created_at: datetime
    subject_ref: str | None


class ProgramStatus(StrEnum):
    active = "active"
    retired = "retired"


class ProgramSummary(_Struct, kw_only=True):
    """A program in a list: enough to choose one; `GET /v1/programs/{id}` gives the rest."""

    id: uuid.UUID
    assessment_id: uuid.UUID
    subject_ref: str | None
    created_at: datetime
    ruleset_version: str
    weeks: int
    sessions_per_week: int
    days: Annotated[list[Weekday], msgspec.Meta(description="Empty on retired programs.")]
    starts_on: date | None
    status: Annotated[
        ProgramStatus,
        msgspec.Meta(
            description=(
                "`active`; `retired`: made in an older program shape, which this API no longer serves (its GET "
                "answers 410): generate a new one from the same assessment."
            )
        ),
    ]


class ProgramList(msgspec.Struct):
    items: list[ProgramSummary]
    next_cursor: str | None
