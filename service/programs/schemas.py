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

from service.assessments.enums import ConcernLevel
from service.assessments.schemas import OneSide
from service.catalog.enums import Level, Phase
from service.lib.pagination import NextCursor
from service.programs.requests import ProgramRequest, Slug, Weekday

__all__ = ["ProgramRequest", "Slug", "Weekday"]  # the request's, imported from here by the rest of the service

# The first program rules whose programs have the current shape (3); a program stored by an older ruleset is retired.
SHAPE_SINCE = (2026, 12, 10)


def retired(ruleset_version: str) -> bool:
    """Whether a program stored by this ruleset has an older shape, which this API no longer serves."""
    return tuple(int(part) for part in ruleset_version.split(".")) < SHAPE_SINCE


class _Struct(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    pass


class Irritability(StrEnum):
    """How easily the pain flares (CLINICAL.md §3): it decides how hard the program may load."""

    high = "high"
    moderate = "moderate"
    low = "low"


class ProgramParameters(_Struct, kw_only=True):
    """The request with every default filled in: what the program was generated from."""

    weeks: Annotated[int, msgspec.Meta(description="Program length in weeks.")]
    sessions_per_week: Annotated[int, msgspec.Meta(description="Strength sessions a week.")]
    session_minutes: Annotated[int, msgspec.Meta(description="Time budget of one strength session, in minutes.")]
    level: Annotated[Level, msgspec.Meta(description="Training level the program is pitched at.")]
    days: Annotated[list[Weekday], msgspec.Meta(description="The weekdays of the strength sessions.")] = []
    starts_on: Annotated[date | None, msgspec.Meta(description="The first day of week 1.")] = None
    available_equipment: Annotated[
        list[str], msgspec.Meta(description="Equipment slugs the program may use (bodyweight always among them).")
    ]
    exclude_exercises: Annotated[list[str], msgspec.Meta(description="Exercise slugs it was asked never to prescribe.")]
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
    slug: Annotated[str, msgspec.Meta(description="The exercise's slug (GET /v1/exercises/{slug} has all of it).")]
    name: Annotated[str, msgspec.Meta(description="The exercise's name.")]


class ProgramDose(_Struct, kw_only=True, omit_defaults=True):
    """A dose; a field at its default (null, false, 0) is left out of the JSON."""

    sets: Annotated[int, msgspec.Meta(description="Number of sets.")]
    reps: Annotated[int | None, msgspec.Meta(description="Repetitions per set; absent for holds and timed work.")] = (
        None
    )
    hold_seconds: Annotated[
        int | None, msgspec.Meta(description="Seconds each hold lasts; absent when not a hold.")
    ] = None
    duration_seconds: Annotated[int | None, msgspec.Meta(description="Per set (and per side when `per_side`).")] = None
    per_side: Annotated[bool, msgspec.Meta(description="Done on each side in turn; absent when false.")] = False
    tempo: Annotated[str | None, msgspec.Meta(description="Seconds lowering-pause-lifting-pause, e.g. `3-0-1-0`.")] = (
        None
    )
    rest_seconds: Annotated[int, msgspec.Meta(description="Rest between sets, in seconds; absent when none.")] = 0
    intensity: Annotated[str | None, msgspec.Meta(description="How hard it should feel, e.g. `RPE 7`.")] = None
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
    url: Annotated[str, msgspec.Meta(description="Where to get it.")]


class StartWith(_Struct, kw_only=True):
    """An easier exercise done first (a regression, or a static stretch while pain is severe): a prescription of
    its own."""

    id: Annotated[str, msgspec.Meta(description="Its prescription id, which the schedule refers to.")]
    exercise: Annotated[ExerciseRef, msgspec.Meta(description="The easier exercise.")]
    until_week: Annotated[int, msgspec.Meta(description="Last week it replaces the item's exercise.")]
    dose: Annotated[ProgramDose, msgspec.Meta(description="Its dose in its first week (`schedule.doses`: later).")]
    reason: Annotated[str, msgspec.Meta(description="Why it comes first, in plain words for the person.")]
    instructions: Annotated[list[str], msgspec.Meta(description="How to do it, step by step.")] = []
    cues: Annotated[list[str], msgspec.Meta(description="Short reminders while doing it.")] = []
    media: Annotated[list[Media], msgspec.Meta(description="Pictures and videos; empty until media exist.")] = []


class ProgramItem(_Struct, kw_only=True):
    """A prescription: an exercise, everything needed to do it, and why."""

    id: Annotated[str, msgspec.Meta(description="Its prescription id (e.g. `p4`), which the schedule refers to.")]
    exercise: Annotated[ExerciseRef, msgspec.Meta(description="The exercise prescribed.")]
    dose: Annotated[
        ProgramDose,
        msgspec.Meta(description="Its dose in its first week; `schedule.dose_changes` says how it changes later."),
    ]
    rationale: Annotated[str, msgspec.Meta(description="Why this exercise, in plain words for the person.")]
    finding: Annotated[str, msgspec.Meta(description="The id of the finding it serves (in `findings`).")]
    alternatives: Annotated[
        list[str], msgspec.Meta(description="Exercise slugs that fit every constraint and can be swapped in.")
    ]
    instructions: Annotated[list[str], msgspec.Meta(description="How to do it, step by step.")] = []
    cues: Annotated[list[str], msgspec.Meta(description="Short reminders while doing it.")] = []
    media: Annotated[list[Media], msgspec.Meta(description="Pictures and videos; empty until media exist.")] = []
    start_with: Annotated[
        StartWith | None,
        msgspec.Meta(description="An easier exercise to do instead in the first weeks; null when none."),
    ] = None
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

    muscle: Annotated[str, msgspec.Meta(description="The muscle slug the phase could not serve.")]
    reason: Annotated[str, msgspec.Meta(description="Why, in plain words.")]


class Unaddressed(_Struct, kw_only=True):
    """A finding of the assessment no item of the program serves, and why (CLINICAL.md §2)."""

    finding: Annotated[str, msgspec.Meta(description="The finding's id (in `findings`).")]
    reason: Annotated[str, msgspec.Meta(description="Why, in plain words for the person.")]


class ProgramPhase(_Struct, kw_only=True):
    key: Annotated[Phase, msgspec.Meta(description="Which phase: release, lengthen, strengthen or integrate.")]
    order: Annotated[int, msgspec.Meta(description="Its place in the sequence, from 1.")]
    title: Annotated[str, msgspec.Meta(description="The phase's title, for the person.")]
    goal: Annotated[str, msgspec.Meta(description="What the phase is for, in plain words.")]
    focus_muscles: Annotated[list[str], msgspec.Meta(description="Slugs of the muscles the phase targets.")]
    items: Annotated[list[ProgramItem], msgspec.Meta(description="Its prescriptions, in order.")]
    gaps: Annotated[list[Gap], msgspec.Meta(description="Targets it could not serve with the constraints given.")] = []


class DosePatch(_Struct, kw_only=True, omit_defaults=True):
    """The fields of a dose that change; a field left out stays as in the prescription's own `dose`."""

    sets: Annotated[int | None, msgspec.Meta(description="The new number of sets.")] = None
    reps: Annotated[int | None, msgspec.Meta(description="The new repetitions per set.")] = None
    hold_seconds: Annotated[int | None, msgspec.Meta(description="The new seconds each hold lasts.")] = None
    duration_seconds: Annotated[int | None, msgspec.Meta(description="The new seconds of work per set.")] = None
    per_side: Annotated[bool | None, msgspec.Meta(description="Whether it is now done on each side in turn.")] = None
    tempo: Annotated[str | None, msgspec.Meta(description="The new tempo, e.g. `3-0-1-0`.")] = None
    rest_seconds: Annotated[int | None, msgspec.Meta(description="The new rest between sets, in seconds.")] = None
    intensity: Annotated[str | None, msgspec.Meta(description="How hard it should now feel.")] = None
    weaker_side: Annotated[
        OneSide | None, msgspec.Meta(description="The side that now gets one extra set, done first.")
    ] = None


class DoseChange(_Struct, kw_only=True):
    """From `from_week` to `to_week`, these prescriptions' doses change by `dose`, in the weeks the schedule holds
    them."""

    prescriptions: Annotated[list[str], msgspec.Meta(description="Prescription ids.")]
    from_week: Annotated[int, msgspec.Meta(description="First week of the change.")]
    to_week: Annotated[int, msgspec.Meta(description="Last week of the change.")]
    dose: Annotated[DosePatch, msgspec.Meta(description="The fields of the dose that change in those weeks.")]


def patched(dose: ProgramDose, patch: DosePatch) -> ProgramDose:
    """`dose` with the fields `patch` gives."""
    fields = {name: value for name in patch.__struct_fields__ if (value := getattr(patch, name)) is not None}
    return msgspec.structs.replace(dose, **fields)


class Routine(_Struct, kw_only=True):
    """The daily mobility routine of a week (release and lengthen), the same every day of it."""

    items: Annotated[list[str], msgspec.Meta(description="Prescription ids, in order.")]
    estimated_minutes: Annotated[int, msgspec.Meta(description="About how long it takes.")]


class Session(_Struct, kw_only=True):
    """A strength session: the warm-up, then any preparation, then the training items (one at least)."""

    day: Annotated[Weekday, msgspec.Meta(description="The weekday of the session.")]
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
    week: Annotated[int, msgspec.Meta(description="The week's number, from 1.")]
    stage: Annotated[str, msgspec.Meta(description="Progression stage: foundation, volume or load.")]
    lighter: Annotated[
        bool,
        msgspec.Meta(
            description=(
                "A lighter week (about 60 % of the training volume, never a heavier load than the week before): "
                "every fourth week unless the program ends the week after it, and the last; a reassessment follows "
                "each."
            )
        ),
    ] = False
    routine: Annotated[Routine, msgspec.Meta(description="The daily mobility routine of the week.")]
    sessions: Annotated[list[Session], msgspec.Meta(description="The strength sessions of the week.")]
    rest_days: Annotated[list[Weekday], msgspec.Meta(description="Days without strength work (the routine stays).")]
    no_strength_work: Annotated[
        str | None,
        msgspec.Meta(
            description=(
                "Why one of the chosen strength days holds no session this week (it is then among `rest_days`), in "
                "plain words: every strength exercise works a muscle group the day before trained. Null when every "
                "chosen day holds one."
            )
        ),
    ] = None
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
    minutes: Annotated[int, msgspec.Meta(description="How long it takes.")]
    steps: Annotated[list[str], msgspec.Meta(description="What to do, in order.")]


class Reassessment(_Struct, kw_only=True):
    week: Annotated[int, msgspec.Meta(description="At the end of this week.")]
    date: Annotated[date, msgspec.Meta(description="The last day of that week.")]
    tests: Annotated[list[str], msgspec.Meta(description="What to measure again, in words.")]


class Schedule(_Struct, kw_only=True):
    days: Annotated[list[Weekday], msgspec.Meta(description="The weekdays of the strength sessions.")]
    warm_up: Annotated[WarmUp, msgspec.Meta(description="Done at the start of every strength session.")]
    weeks: Annotated[list[Week], msgspec.Meta(description="Every week of the program, in order.")]
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
    exercise: Annotated[str, msgspec.Meta(description="The exercise's slug.")]
    reason: Annotated[str, msgspec.Meta(description="Why it was left out, in plain words.")]


class Lesson(_Struct, kw_only=True):
    topic: Annotated[
        str,
        msgspec.Meta(
            description=(
                "pain_monitoring, sitting_breaks, daily_walking, effort, flare_up or stage_criteria; more may come."
            )
        ),
    ]
    title: Annotated[str, msgspec.Meta(description="The lesson's title.")]
    text: Annotated[str, msgspec.Meta(description="The lesson, in plain words for the person.")]


class ProgramBody(_Struct, kw_only=True):
    """What the generator produces."""

    assessment_id: Annotated[uuid.UUID, msgspec.Meta(description="The assessment it answers.")]
    ruleset_version: Annotated[str, msgspec.Meta(description="The version of the program rules that generated it.")]
    parameters: Annotated[ProgramParameters, msgspec.Meta(description="The request with every default filled in.")]
    findings: Annotated[
        list[Finding],
        msgspec.Meta(description="Every finding of the assessment the program answers or leaves unaddressed, once."),
    ]
    phases: Annotated[
        list[ProgramPhase],
        msgspec.Meta(
            description="The phases in order (release, lengthen, strengthen, integrate), with their prescriptions."
        ),
    ]
    schedule: Annotated[Schedule, msgspec.Meta(description="When to do what, week by week.")]
    excluded: Annotated[list[Exclusion], msgspec.Meta(description="Exercises left out and why.")]
    safety_notes: Annotated[list[str], msgspec.Meta(description="What to watch for and when to stop, in plain words.")]
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

    def exercises(self) -> dict[str, ExerciseRef]:
        """Prescription id → its exercise, items and their easier starts alike."""
        found = {}
        for phase in self.phases:
            for item in phase.items:
                found[item.id] = item.exercise
                if item.start_with is not None:
                    found[item.start_with.id] = item.start_with.exercise
        return found


class ProgramStatus(StrEnum):
    active = "active"
    paused = "paused"
    retired = "retired"


STATUS_DESCRIPTION = (
    "`active`; `paused`: a check-in or measure referred the person to a clinician (`paused` says whom and how soon), "
    "so the program takes no more check-ins; `retired`: made in an older program shape, which this API no longer "
    "serves (its GET answers 410): generate a new one from the same assessment."
)


class Pause(_Struct, kw_only=True):
    """Why a program is paused: the referral its check-ins or measures led to."""

    made_on: Annotated[date, msgspec.Meta(description="The day of the decision that referred the person.")]
    level: Annotated[ConcernLevel, msgspec.Meta(description="How soon: emergency (today), urgent (days), routine.")]
    message: Annotated[str, msgspec.Meta(description="Whom to see and how soon, in plain words.")]
    reasons: Annotated[list[str], msgspec.Meta(description="What led to it, each in plain words.")]


class Program(ProgramBody, kw_only=True):
    """A stored program, as the API returns it: its current revision."""

    id: Annotated[uuid.UUID, msgspec.Meta(description="The program's id; `Location` of the 201 names it.")]
    created_at: Annotated[datetime, msgspec.Meta(description="When it was generated.")]
    subject_ref: Annotated[
        str | None, msgspec.Meta(description="The assessment's `subject_ref`; null when it has none.")
    ]
    revision: Annotated[
        int,
        msgspec.Meta(
            ge=1,
            description=(
                "The revision shown: 1 as generated, then one more for each check-in decision that changed it "
                "(`GET /v1/programs/{id}/revisions` lists them with what changed and why)."
            ),
        ),
    ]
    status: Annotated[ProgramStatus, msgspec.Meta(description=STATUS_DESCRIPTION)]
    paused: Annotated[Pause | None, msgspec.Meta(description="The referral that paused it; null while active.")]


class ProgramSummary(_Struct, kw_only=True):
    """A program in a list: enough to choose one; `GET /v1/programs/{id}` gives the rest."""

    id: Annotated[uuid.UUID, msgspec.Meta(description="The program's id.")]
    assessment_id: Annotated[uuid.UUID, msgspec.Meta(description="The assessment it answers.")]
    subject_ref: Annotated[
        str | None, msgspec.Meta(description="The assessment's `subject_ref`; null when it has none.")
    ]
    created_at: Annotated[datetime, msgspec.Meta(description="When it was generated.")]
    ruleset_version: Annotated[str, msgspec.Meta(description="The version of the program rules that generated it.")]
    weeks: Annotated[int, msgspec.Meta(description="Program length in weeks.")]
    sessions_per_week: Annotated[int, msgspec.Meta(description="Strength sessions a week.")]
    days: Annotated[list[Weekday], msgspec.Meta(description="Empty on retired programs.")]
    starts_on: Annotated[date | None, msgspec.Meta(description="The first day of week 1; null on retired programs.")]
    revision: Annotated[int, msgspec.Meta(ge=1, description="The current revision: 1 as generated.")]
    status: Annotated[ProgramStatus, msgspec.Meta(description=STATUS_DESCRIPTION)]


class ProgramList(msgspec.Struct):
    items: Annotated[list[ProgramSummary], msgspec.Meta(description="This page of programs, newest first.")]
    next_cursor: NextCursor
