"""Check-ins as a client sends them, and the decisions made over them (CLINICAL.md §8)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

import msgspec

from service.assessments.schemas import ConcernLevel

Pain = Annotated[int, msgspec.Meta(ge=0, le=10, description="0 (none) to 10 (worst imaginable).")]


class CheckInKind(StrEnum):
    routine = "routine"  # the daily mobility routine
    session = "session"  # a strength session


class ItemDone(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """One prescription as it was done."""

    prescription: Annotated[str, msgspec.Meta(pattern=r"^p[1-9][0-9]{0,2}$", description="Its id in the program.")]
    sets: Annotated[int, msgspec.Meta(ge=0, le=20)]
    reps: Annotated[int, msgspec.Meta(ge=0, le=200, description="Per set.")] | None = None
    seconds: Annotated[int, msgspec.Meta(ge=0, le=3600, description="Per set: a hold or a duration.")] | None = None
    load_kg: Annotated[float, msgspec.Meta(ge=0, le=500, description="Where loaded.")] | None = None


class CheckInInput(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """One daily routine or strength session, as the person did it and felt it."""

    date: date
    kind: CheckInKind
    items: Annotated[list[ItemDone], msgspec.Meta(max_length=40)] = []
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
                "The short symptom re-screen: red-flag screening codes (see `rescreen`) answered yes (true) or no."
            )
        ),
    ] = {}


class DecisionKind(StrEnum):
    progress = "progress"
    hold = "hold"
    regress = "regress"
    simplify = "simplify"
    refer = "refer"


class Referral(msgspec.Struct, kw_only=True):
    level: Annotated[ConcernLevel, msgspec.Meta(description="How soon: emergency (today), urgent (days), routine.")]
    message: Annotated[str, msgspec.Meta(description="Whom to see and how soon, in plain words.")]


class Simplification(msgspec.Struct, kw_only=True):
    """The program's new shape: fewer, shorter strength sessions."""

    sessions_per_week: int
    session_minutes: int


class Decision(msgspec.Struct, kw_only=True, omit_defaults=True):
    """What the program does next, and why: made over the 7 days up to `made_on`."""

    kind: DecisionKind
    ruleset_version: str
    made_on: date
    week: Annotated[int, msgspec.Meta(description="The program week `made_on` falls in (1 from `starts_on`).")]
    explanation: Annotated[str, msgspec.Meta(description="What it means for the person, in plain words.")]
    reasons: Annotated[list[str], msgspec.Meta(description="What led to it, each in plain words.")]
    adherence: Annotated[
        float | None, msgspec.Meta(description="Strength sessions done of those scheduled in the 7 days (0-1).")
    ] = None
    regress: Annotated[
        list[str], msgspec.Meta(description="`regress`: the prescriptions done in the sessions that hurt.")
    ] = []
    simplify: Simplification | None = None
    refer: Referral | None = None
