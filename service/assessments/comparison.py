"""A reassessment's answer: the assessment compared with the one before it (issue 18, item 4). Its own module so that
`schemas` (the resource) stays small; `schemas` imports it and the rest of the service reads it from there.

One shape for both front doors: a test's reading is a number (`before`, `after`) or, for the Thomas test, a result
(`before_result`, `after_result`), never one field holding either, which neither GraphQL nor generated clients type.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated

import msgspec

from service.assessments.enums import ThomasResult


class Trend(StrEnum):
    """How a test or finding moved since the previous assessment."""

    resolved = "resolved"
    improved = "improved"
    unchanged = "unchanged"
    worse = "worse"
    new = "new"


class FindingKind(StrEnum):
    """What kind of finding a comparison is about."""

    pattern = "pattern"
    overactive = "overactive"
    underactive = "underactive"
    trigger_point = "trigger_point"


class _Output(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """Base of the comparison's parts."""


TestTrend = Annotated[
    Trend,
    msgspec.Meta(
        description=(
            "improved, unchanged or worse: a measured test moves only by at least its threshold in the assessment "
            "rules (`reassessment.tests`); the Thomas test improves from positive to negative."
        )
    ),
]
FindingTrend = Annotated[
    Trend,
    msgspec.Meta(
        description=(
            "resolved: found before, not now; new: found now, not before; a pattern found in both is improved or "
            "worse when its band changes or its score moves by at least the assessment rules' threshold, else "
            "unchanged, as is a muscle or tender spot found in both."
        )
    ),
]
Summary = Annotated[str, msgspec.Meta(description="The change in plain second-person words, for the person.")]


class TestComparison(_Output):
    """A field test both assessments measured, side by side."""

    test: Annotated[str, msgspec.Meta(description="The input path, e.g. `tests.straight_leg_raise_deg.left`.")]
    trend: TestTrend
    summary: Summary
    before: Annotated[
        float | None,
        msgspec.Meta(description="The earlier measurement, in the test's unit; null for the Thomas test."),
    ] = None
    after: Annotated[
        float | None, msgspec.Meta(description="The new measurement, in the test's unit; null for the Thomas test.")
    ] = None
    before_result: Annotated[
        ThomasResult | None, msgspec.Meta(description="The Thomas test's earlier result; null for a measured test.")
    ] = None
    after_result: Annotated[
        ThomasResult | None, msgspec.Meta(description="The Thomas test's new result; null for a measured test.")
    ] = None


class FindingComparison(_Output):
    """A finding of either assessment: a pattern, a muscle's role or a tender spot."""

    type: Annotated[FindingKind, msgspec.Meta(description="pattern, overactive, underactive or trigger_point.")]
    target: Annotated[str, msgspec.Meta(description="The pattern's or the muscle's slug.")]
    before: Annotated[
        str | None,
        msgspec.Meta(
            description=(
                "Then: a pattern's band (`found` on assessments made before bands), a muscle's side, or `tender`; "
                "null when it was not found then."
            )
        ),
    ]
    after: Annotated[
        str | None, msgspec.Meta(description="Now, in the same words as `before`; null when it is not found now.")
    ]
    trend: FindingTrend
    summary: Summary


class PainComparison(_Output):
    """The pain intensity both assessments asked (0-10), against the NPRS's meaningful change."""

    before: Annotated[int, msgspec.Meta(ge=0, le=10, description="The earlier pain intensity, 0 to 10.")]
    after: Annotated[int, msgspec.Meta(ge=0, le=10, description="The new pain intensity, 0 to 10.")]
    trend: Annotated[
        Trend,
        msgspec.Meta(
            description=(
                "improved: eased by at least the NPRS's meaningful change (points or percent); worse: up by at "
                "least its points; otherwise unchanged."
            )
        ),
    ]
    mcid_reached: Annotated[bool, msgspec.Meta(description="Eased by at least the NPRS's meaningful change.")]
    summary: Summary


class Comparison(_Output):
    """A reassessment against the assessment it names (`previous_assessment_id`): each test both measured, each
    finding of either and the pain."""

    previous_assessment_id: Annotated[uuid.UUID, msgspec.Meta(description="The assessment compared with.")]
    previous_created_at: Annotated[datetime, msgspec.Meta(description="When that assessment was made.")]
    tests: Annotated[
        list[TestComparison], msgspec.Meta(description="Each field test, and side, measured in both assessments.")
    ]
    findings: Annotated[
        list[FindingComparison],
        msgspec.Meta(
            description=(
                "Each finding of either assessment: patterns, then muscles, then tender spots. Empty unless both "
                "have status ok: one that refers or is incomplete has no findings to compare."
            )
        ),
    ]
    pain: Annotated[
        PainComparison | None, msgspec.Meta(description="The pain, when both assessments give its intensity.")
    ]
