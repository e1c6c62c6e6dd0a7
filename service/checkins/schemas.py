"""Check-ins as a client sends them, and the decisions made over them (CLINICAL.md §8)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

import msgspec

from service.assessments.schemas import ConcernLevel
from service.lib.pagination import NextCursor
from service.outcomes.schemas import Change, Outcome
from service.programs.schemas import ProgramBody, ProgramStatus

Pain = Annotated[int, msgspec.Meta(ge=0, le=10, description="0 (none) to 10 (worst imaginable).")]


class CheckInKind(StrEnum):
    routine = "routine"  # the daily mobility routine
    session = "session"  # a strength session


class ItemDone(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """One prescription as it was done."""

    prescription: Annotated[str, msgspec.Meta(pattern=r"^p[1-9][0-9]{0,2}$", description="Its id in the program.")]
    sets: Annotated[int, msgspec.Meta(ge=0, le=20, description="Sets done (0: skipped).")]
    reps: Annotated[int, msgspec.Meta(ge=0, le=200, description="Per set.")] | None = None
    seconds: Annotated[int, msgspec.Meta(ge=0, le=3600, description="Per set: a hold or a duration.")] | None = None
    load_kg: Annotated[float, msgspec.Meta(ge=0, le=500, description="Where loaded.")] | None = None


class CheckInInput(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """One daily routine or strength session, as the person did it and felt it."""

    date: Annotated[date, msgspec.Meta(description="The day it was done, within the program and not in the future.")]
    kind: Annotated[
        CheckInKind, msgspec.Meta(description="`routine`: the daily routine; `session`: a strength session.")
    ]
    items: Annotated[
        list[ItemDone],
        msgspec.Meta(max_length=40, description="Each prescription done, by its id in the program's current revision."),
    ] = []
    pain_before: Pain
    pain_during: Annotated[int, msgspec.Meta(ge=0, le=10, description="The worst pain during, 0-10.")]
    pain_after: Pain
    pain_next_morning: (
        Annotated[int, msgspec.Meta(ge=0, le=10, description="0-10; null until the next morning (send it then).")]
        | None
    ) = None
    effort: Annotated[int, msgspec.Meta(ge=0, le=10, description="How hard it felt: RPE 0-10.")] | None = None
    symptoms: Annotated[
        dict[str, bool],
        msgspec.Meta(
            description=(
                "The short symptom re-screen: red-flag screening questions answered again, by code, yes (true) or "
                "no. A yes refers the person to a clinician and pauses the program."
            )
        ),
    ] = {}


class DecisionKind(StrEnum):
    progress = "progress"
    hold = "hold"
    regress = "regress"
    simplify = "simplify"
    refer = "refer"


class DecisionReferral(msgspec.Struct, kw_only=True):
    level: Annotated[ConcernLevel, msgspec.Meta(description="How soon: emergency (today), urgent (days), routine.")]
    message: Annotated[str, msgspec.Meta(description="Whom to see and how soon, in plain words.")]


class Simplification(msgspec.Struct, kw_only=True):
    """The program's new shape: fewer, shorter strength sessions."""

    sessions_per_week: Annotated[int, msgspec.Meta(description="Strength sessions a week from now on.")]
    session_minutes: Annotated[int, msgspec.Meta(description="Minutes a session from now on.")]


class Decision(msgspec.Struct, kw_only=True, omit_defaults=True):
    """What the program does next, and why: made over the 7 days up to `made_on`."""

    kind: Annotated[DecisionKind, msgspec.Meta(description="What the program does next.")]
    ruleset_version: Annotated[str, msgspec.Meta(description="The version of the check-in rules that made it.")]
    made_on: Annotated[date, msgspec.Meta(description="The day it is made for: the check-in's or the measure's.")]
    week: Annotated[int, msgspec.Meta(description="The program week `made_on` falls in (1 from `starts_on`).")]
    explanation: Annotated[str, msgspec.Meta(description="What it means for the person, in plain words.")]
    reasons: Annotated[list[str], msgspec.Meta(description="What led to it, each in plain words.")]
    adherence: Annotated[
        float | None, msgspec.Meta(description="Strength sessions done of those scheduled in the 7 days (0-1).")
    ] = None
    regress: Annotated[
        list[str], msgspec.Meta(description="`regress`: the prescriptions done in the sessions that hurt.")
    ] = []
    simplify: Annotated[Simplification | None, msgspec.Meta(description="`simplify`: the new sessions.")] = None
    refer: Annotated[DecisionReferral | None, msgspec.Meta(description="`refer`: whom to see, how soon.")] = None
    revision: Annotated[
        int | None,
        msgspec.Meta(description="The program revision it made; absent when it kept the program as it was."),
    ] = None


class CheckInUpdate(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, omit_defaults=True):
    """What can change in a recorded check-in: each field given replaces the recorded one (null or absent: kept).
    The date and kind cannot change: erase the check-in and record it again."""

    items: Annotated[list[ItemDone], msgspec.Meta(max_length=40, description="Replaces the items done.")] | None = None
    pain_before: Pain | None = None
    pain_during: Annotated[int, msgspec.Meta(ge=0, le=10, description="The worst pain during, 0-10.")] | None = None
    pain_after: Pain | None = None
    pain_next_morning: (
        Annotated[int, msgspec.Meta(ge=0, le=10, description="0-10, the morning after: usually what is sent later.")]
        | None
    ) = None
    effort: Annotated[int, msgspec.Meta(ge=0, le=10, description="How hard it felt: RPE 0-10.")] | None = None
    symptoms: Annotated[
        dict[str, bool] | None, msgspec.Meta(description="The symptom re-screen answers, replacing those recorded.")
    ] = None


class CheckIn(CheckInInput, kw_only=True):
    """A recorded check-in, with the decision made after it was last recorded or updated."""

    id: Annotated[uuid.UUID, msgspec.Meta(description="The check-in's id.")]
    program_id: Annotated[uuid.UUID, msgspec.Meta(description="The program it belongs to.")]
    revision: Annotated[
        int, msgspec.Meta(description="The program revision it was done against: its prescription ids are that one's.")
    ]
    created_at: Annotated[datetime, msgspec.Meta(description="When it was recorded.")]
    updated_at: Annotated[datetime, msgspec.Meta(description="When it was last changed.")]
    decision: Annotated[
        Decision | None,
        msgspec.Meta(description="What the program does next, decided over the 7 days up to the check-in's date."),
    ]


class CheckInList(msgspec.Struct):
    items: Annotated[list[CheckIn], msgspec.Meta(description="This page of check-ins, most recently recorded first.")]
    next_cursor: NextCursor


class Revision(msgspec.Struct, kw_only=True):
    """One revision of a program: what changed, why, and (in a revision's own GET) the whole program it became."""

    number: Annotated[int, msgspec.Meta(ge=1, description="1: as generated; each later one made by a decision.")]
    created_at: Annotated[datetime, msgspec.Meta(description="When it was made.")]
    changes: Annotated[list[str], msgspec.Meta(description="What changed against the revision before, in plain words.")]
    decision: Annotated[Decision | None, msgspec.Meta(description="The decision that made it; null for revision 1.")]


class RevisionList(msgspec.Struct):
    items: Annotated[list[Revision], msgspec.Meta(description="Every revision, first to last.")]


class RevisionDetail(Revision, kw_only=True):
    program: Annotated[ProgramBody, msgspec.Meta(description="The program as this revision made it.")]


class ProgramDecision(msgspec.Struct, kw_only=True):
    """A decision made over one program after an outcome measure was recorded."""

    program_id: Annotated[uuid.UUID, msgspec.Meta(description="The program it is about.")]
    decision: Annotated[Decision, msgspec.Meta(description="What that program does next, and why.")]


class RecordedOutcome(Outcome, kw_only=True):
    """An outcome measure as just recorded, with the decisions made after it."""

    decisions: Annotated[
        list[ProgramDecision],
        msgspec.Meta(
            description=(
                "One per program of the assessment that runs on `taken_on` and is not paused: what each does next. "
                "Also in each program's progress."
            )
        ),
    ]


class WeekProgress(msgspec.Struct, kw_only=True):
    """One program week as the person's check-ins tell it."""

    week: Annotated[int, msgspec.Meta(ge=1, description="The program week (1 from `starts_on`).")]
    starts_on: Annotated[date, msgspec.Meta(description="Its first day.")]
    sessions_scheduled: Annotated[int, msgspec.Meta(description="Strength sessions the current revision sets for it.")]
    sessions_done: Annotated[int, msgspec.Meta(description="Days with a strength session checked in.")]
    routines_done: Annotated[int, msgspec.Meta(description="Days with the daily routine checked in.")]
    adherence: Annotated[
        float | None,
        msgspec.Meta(description="Sessions done of those scheduled (0-1, capped at 1); null when none is scheduled."),
    ]
    pain_before: Annotated[float | None, msgspec.Meta(description="Mean pain before, 0-10; null without check-ins.")]
    pain_during_worst: Annotated[
        int | None, msgspec.Meta(description="The worst pain during any check-in, 0-10; null without check-ins.")
    ]
    pain_next_morning: Annotated[
        float | None, msgspec.Meta(description="Mean next-morning pain of those given, 0-10; null when none was.")
    ]


class MeasurePoint(msgspec.Struct, kw_only=True):
    """One outcome measure on the trend: its score and its change against the first taking."""

    measure: Annotated[str, msgspec.Meta(description="nprs, odi, ndi, psfs or start_back.")]
    taken_on: Annotated[date, msgspec.Meta(description="The day it was answered.")]
    score: Annotated[float, msgspec.Meta(description="The score (see the measure's `score`).")]
    change: Annotated[Change | None, msgspec.Meta(description="Against the first taking; null for that one.")]


class DecisionMade(msgspec.Struct, kw_only=True):
    """A decision as it was made, and what it was made after."""

    decision: Annotated[Decision, msgspec.Meta(description="What it said.")]
    check_in_id: Annotated[
        uuid.UUID | None, msgspec.Meta(description="The check-in it was made after; null after a measure or erased.")
    ]
    outcome_id: Annotated[
        uuid.UUID | None, msgspec.Meta(description="The measure it was made after; null after a check-in or erased.")
    ]
    created_at: Annotated[datetime, msgspec.Meta(description="When it was made.")]


class Progress(msgspec.Struct, kw_only=True):
    """How the program is going: adherence and pain week by week, the outcome measures with their meaningful-change
    markers, and every decision so far."""

    program_id: Annotated[uuid.UUID, msgspec.Meta(description="The program.")]
    revision: Annotated[int, msgspec.Meta(description="Its current revision.")]
    status: Annotated[ProgramStatus, msgspec.Meta(description="`active` or `paused` (see the program's `paused`).")]
    weeks: Annotated[
        list[WeekProgress], msgspec.Meta(description="Every program week begun by today (or by its end), in order.")
    ]
    outcomes: Annotated[list[MeasurePoint], msgspec.Meta(description="The assessment's measures in the order taken.")]
    decisions: Annotated[list[DecisionMade], msgspec.Meta(description="Every decision so far, oldest first.")]
