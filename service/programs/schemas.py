"""The program request (`POST /v1/programs` body) and the generated program, as the API shows them.

Field names are the public contract (PRODUCT.md §4); fields beyond it (`start_with`, `cues`, `gaps`, …) are
additions. The generator (service/programs/generator/) builds a `ProgramBody`; the stored resource adds its
identity.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

import msgspec

from service.assessments.schemas import OneSide
from service.catalog.enums import Level, Phase

Slug = Annotated[str, msgspec.Meta(min_length=1, max_length=80, pattern=r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")]


class _Struct(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    pass


# ---------------------------------------------------------------- request


class ProgramRequest(_Struct, kw_only=True):
    """What to generate: the assessment it answers and the person's constraints."""

    assessment_id: Annotated[uuid.UUID, msgspec.Meta(description="An assessment of the calling client.")]
    weeks: Annotated[int, msgspec.Meta(ge=1, le=16, description="Program length in weeks.")] = 8
    sessions_per_week: Annotated[int, msgspec.Meta(ge=1, le=7)] = 3
    session_minutes: Annotated[
        int, msgspec.Meta(ge=10, le=180, description="Time budget of one session; every session fits it.")
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


class Dose(_Struct, kw_only=True):
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
    """The assessment finding an item serves."""

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
    rules: Annotated[list[str], msgspec.Meta(description="Assessment rule ids behind the finding.")] = []
    summary: str


class StartWith(_Struct, kw_only=True):
    """An easier exercise done first (a regression, or a static stretch while pain is severe)."""

    exercise: ExerciseRef
    until_week: Annotated[int, msgspec.Meta(description="Last week it replaces the item's exercise.")]
    dose: Dose
    reason: str


class ProgramItem(_Struct, kw_only=True):
    exercise: ExerciseRef
    dose: Annotated[Dose, msgspec.Meta(description="The exercise's dose in its first week (see `schedule`).")]
    rationale: str
    finding: Finding
    alternatives: Annotated[
        list[str], msgspec.Meta(description="Exercise slugs that fit every constraint and can be swapped in.")
    ]
    cues: list[str] = []
    start_with: StartWith | None = None
    also_serves: Annotated[
        list[Finding],
        msgspec.Meta(
            description=(
                "The other findings of the assessment this item serves besides `finding`: one exercise can treat "
                "several (rolling the calves serves a tender gastrocnemius and an overactive soleus), and an item of "
                "a pattern's block serves the pattern."
            )
        ),
    ] = []


class Gap(_Struct, kw_only=True):
    """A target the phase could not serve with the constraints given."""

    muscle: str
    reason: str


class Unaddressed(_Struct, kw_only=True):
    """A finding of the assessment no item of the program serves, and why (CLINICAL.md §2)."""

    finding: Finding
    reason: Annotated[str, msgspec.Meta(description="Why, in plain words for the person.")]


class ProgramPhase(_Struct, kw_only=True):
    key: Phase
    order: int
    title: str
    goal: str
    focus_muscles: list[str]
    items: list[ProgramItem]
    gaps: list[Gap] = []


class ScheduledItem(_Struct, kw_only=True):
    phase: Phase
    exercise: ExerciseRef
    dose: Dose


class Session(_Struct, kw_only=True):
    session: int
    estimated_minutes: int
    items: list[ScheduledItem]


class Week(_Struct, kw_only=True):
    week: int
    stage: Annotated[str, msgspec.Meta(description="Progression stage: foundation, volume or load.")]
    sessions: list[Session]
    move_on_when: Annotated[
        str | None,
        msgspec.Meta(
            description=(
                "On the first week of a stage: what must hold before starting it (pain during and after exercise, "
                "sessions done); otherwise repeat the week before. Progress follows these criteria, not the calendar."
            )
        ),
    ] = None


class Schedule(_Struct, kw_only=True):
    weeks: list[Week]


class Exclusion(_Struct, kw_only=True):
    exercise: str
    reason: str


class ProgramBody(_Struct, kw_only=True):
    """What the generator produces."""

    assessment_id: uuid.UUID
    ruleset_version: str
    parameters: ProgramParameters
    phases: list[ProgramPhase]
    schedule: Schedule
    excluded: list[Exclusion]
    safety_notes: list[str]
    unaddressed: Annotated[
        list[Unaddressed],
        msgspec.Meta(
            description=(
                "Every finding of the assessment (pattern, trigger point, overactive or underactive muscle) that no "
                "item serves, with the reason: every other one is the `finding` of an item or in its `also_serves` "
                "(CLINICAL.md §2). Not recorded (empty) on programs made before program rules 2026.12.3."
            )
        ),
    ] = []


class Program(ProgramBody, kw_only=True):
    """A stored program, as the API returns it."""

    id: uuid.UUID
    created_at: datetime
    subject_ref: str | None


class ProgramList(msgspec.Struct):
    items: list[Program]
    next_cursor: str | None
