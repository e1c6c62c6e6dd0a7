"""Outcome measures as a client sends them (one measure per body, tagged by `measure`) and their scores."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

import msgspec

from service.lib.pagination import NextCursor


class _Input(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, tag_field="measure"):
    pass


class Nprs(_Input, tag="nprs"):
    """Numeric Pain Rating Scale: pain now, 0 (none) to 10 (worst imaginable)."""

    value: Annotated[int, msgspec.Meta(ge=0, le=10, description="Pain now, 0-10.")]


class Odi(_Input, tag="odi"):
    """Oswestry Disability Index: the 10 sections' answers, each 0-5, in order; null for a section left out."""

    answers: Annotated[
        list[int | None],
        msgspec.Meta(min_length=10, max_length=10, description="Sections 1-10 in order: 0-5 each, null if skipped."),
    ]


class Ndi(_Input, tag="ndi"):
    """Neck Disability Index: the 10 items' answers, each 0-5, in order; null for an item left out."""

    answers: Annotated[
        list[int | None],
        msgspec.Meta(min_length=10, max_length=10, description="Items 1-10 in order: 0-5 each, null if skipped."),
    ]


class Activity(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    # No control characters: they mean nothing in a name, and PostgreSQL refuses a NUL in JSON (a 500, not a 400).
    name: Annotated[
        str,
        msgspec.Meta(
            min_length=1,
            max_length=120,
            pattern=r"^[^\x00-\x1f\x7f-\x9f]*$",
            description="The activity, in the person's words.",
        ),
    ]
    score: Annotated[int, msgspec.Meta(description="0: unable to do it; 10: able as before.")]


class Psfs(_Input, tag="psfs"):
    """Patient-Specific Functional Scale: 3 to 5 activities the person names, each scored 0-10."""

    activities: Annotated[list[Activity], msgspec.Meta(description="3 to 5 activities; the same names each time.")]


class Bothersome(StrEnum):
    not_at_all = "not_at_all"
    slightly = "slightly"
    moderately = "moderately"
    very_much = "very_much"
    extremely = "extremely"


class StartBack(_Input, tag="start_back"):
    """STarT Back Screening Tool: items 1-8 agreed (true) or not (false), and item 9, how bothersome the pain was."""

    agree: Annotated[
        list[bool], msgspec.Meta(min_length=8, max_length=8, description="Items 1-8 in order: agreed (true) or not.")
    ]
    bothersome: Annotated[
        Bothersome, msgspec.Meta(description="Item 9: how bothersome the pain was, in the last 2 weeks.")
    ]


OutcomeInput = Nprs | Odi | Ndi | Psfs | StartBack


class Measure(StrEnum):
    nprs = "nprs"
    odi = "odi"
    ndi = "ndi"
    psfs = "psfs"
    start_back = "start_back"


class Score(msgspec.Struct, kw_only=True):
    """A measure's score under the outcome rules of `ruleset_version`, with its interpretation."""

    measure: Annotated[Measure, msgspec.Meta(description="Which measure.")]
    ruleset_version: Annotated[str, msgspec.Meta(description="The version of the outcome rules that scored it.")]
    score: Annotated[
        float,
        msgspec.Meta(
            description=(
                "NPRS: 0-10; ODI and NDI: % (0-100) of the sections answered; PSFS: the mean (0-10); STarT Back: "
                "the total (0-9)."
            )
        ),
    ]
    answered: Annotated[int | None, msgspec.Meta(description="Sections, items or activities counted.")] = None
    band: Annotated[str | None, msgspec.Meta(description="ODI and NDI: the disability band.")] = None
    subscale: Annotated[int | None, msgspec.Meta(description="STarT Back: the psychosocial subscale (0-5).")] = None
    risk: Annotated[str | None, msgspec.Meta(description="STarT Back: low, medium or high.")] = None
    advice: Annotated[str | None, msgspec.Meta(description="STarT Back: what the risk stratum means.")] = None


class Change(msgspec.Struct, kw_only=True):
    """A score against the baseline's, in the direction the measure counts as better."""

    baseline: Annotated[float, msgspec.Meta(description="The first taking's score.")]
    current: Annotated[float, msgspec.Meta(description="This taking's score.")]
    absolute: Annotated[float, msgspec.Meta(description="current - baseline.")]
    percent: Annotated[float | None, msgspec.Meta(description="Of the baseline; null when the baseline is 0.")]
    improved: Annotated[bool, msgspec.Meta(description="Moved in the measure's better direction.")]
    mcid_reached: Annotated[bool, msgspec.Meta(description="An improvement at least the measure's MCID.")]
    explanation: Annotated[str, msgspec.Meta(description="The change, in plain words.")]


class Outcome(msgspec.Struct, kw_only=True):
    """An outcome measure as stored: what was answered, on which day, its score, and its change against the first
    taking of the same measure for the assessment (null for that first taking, and for STarT Back)."""

    id: Annotated[uuid.UUID, msgspec.Meta(description="The measure's id.")]
    assessment_id: Annotated[uuid.UUID, msgspec.Meta(description="The assessment it measures.")]
    taken_on: Annotated[date, msgspec.Meta(description="The day it was answered.")]
    created_at: Annotated[datetime, msgspec.Meta(description="When it was recorded.")]
    answers: Annotated[OutcomeInput, msgspec.Meta(description="The answers as sent, tagged by `measure`.")]
    score: Annotated[Score, msgspec.Meta(description="Its score and interpretation.")]
    change: Annotated[
        Change | None,
        msgspec.Meta(description="Against the first taking of the same measure; null for that one and STarT Back."),
    ] = None


class OutcomeRequest(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """One outcome measure as the person answered it, and the day they did."""

    taken_on: Annotated[date, msgspec.Meta(description="The day it was answered; the first taking is the baseline.")]
    answers: Annotated[
        OutcomeInput, msgspec.Meta(description="The measure's answers, tagged by `measure` (CLINICAL.md §8).")
    ]


class OutcomeList(msgspec.Struct):
    items: Annotated[list[Outcome], msgspec.Meta(description="This page of measures, in the order taken.")]
    next_cursor: NextCursor
