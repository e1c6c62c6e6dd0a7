"""A reassessment's comparison over GraphQL (`Assessment.comparison`): REST's `comparison`, field for field, in
camelCase. Its own module: the assessment's types fill service.graphql.assessments already."""

from __future__ import annotations

from datetime import datetime

import strawberry

from service.assessments import schemas as s
from service.assessments.comparison import FindingKind, Trend
from service.graphql.assessment_enums import ThomasResult

strawberry.enum(Trend, description="How a test or finding moved since the previous assessment.")
strawberry.enum(FindingKind, description="What kind of finding a comparison is about.")

TEST_TREND = (
    "improved, unchanged or worse: a measured test moves only by at least its threshold in the assessment rules; the "
    "Thomas test improves from positive to negative."
)
FINDING_TREND = (
    "resolved: found before, not now; new: found now, not before; a pattern found in both is improved or worse when "
    "its band changes or its score moves by at least the assessment rules' threshold, else unchanged, as is a muscle "
    "or tender spot found in both."
)


@strawberry.type(description="A field test both assessments measured, side by side.")
class TestComparison:
    test: str = strawberry.field(
        description="The input path, in REST's names, e.g. `tests.straight_leg_raise_deg.left`."
    )
    trend: Trend = strawberry.field(description=TEST_TREND)
    summary: str = strawberry.field(description="The change in plain second-person words, for the person.")
    before: float | None = strawberry.field(
        description="The earlier measurement, in the test's unit; null for the Thomas test."
    )
    after: float | None = strawberry.field(
        description="The new measurement, in the test's unit; null for the Thomas test."
    )
    before_result: ThomasResult | None = strawberry.field(
        description="The Thomas test's earlier result; null for a measured test."
    )
    after_result: ThomasResult | None = strawberry.field(
        description="The Thomas test's new result; null for a measured test."
    )


@strawberry.type(description="A finding of either assessment: a pattern, a muscle's role or a tender spot.")
class FindingComparison:
    type: FindingKind = strawberry.field(description="pattern, overactive, underactive or trigger_point.")
    target: str = strawberry.field(description="The pattern's or the muscle's slug.")
    before: str | None = strawberry.field(
        description=(
            "Then: a pattern's band (`found` on assessments made before bands), a muscle's side, or `tender`; null "
            "when it was not found then."
        )
    )
    after: str | None = strawberry.field(
        description="Now, in the same words as `before`; null when it is not found now."
    )
    trend: Trend = strawberry.field(description=FINDING_TREND)
    summary: str = strawberry.field(description="The change in plain second-person words, for the person.")


@strawberry.type(description="The pain intensity both assessments asked (0-10), against the NPRS's meaningful change.")
class PainComparison:
    before: int = strawberry.field(description="The earlier pain intensity, 0 to 10.")
    after: int = strawberry.field(description="The new pain intensity, 0 to 10.")
    trend: Trend = strawberry.field(
        description=(
            "improved: eased by at least the NPRS's meaningful change (points or percent); worse: up by at least its "
            "points; otherwise unchanged."
        )
    )
    mcid_reached: bool = strawberry.field(description="Eased by at least the NPRS's meaningful change.")
    summary: str = strawberry.field(description="The change in plain second-person words, for the person.")


@strawberry.type(
    description=(
        "A reassessment against the assessment it names (`input.previousAssessmentId`): each test both measured, "
        "each finding of either and the pain."
    )
)
class Comparison:
    previous_assessment_id: strawberry.ID = strawberry.field(description="The assessment compared with.")
    previous_created_at: datetime = strawberry.field(description="When that assessment was made.")
    tests: list[TestComparison] = strawberry.field(
        description="Each field test, and side, measured in both assessments."
    )
    findings: list[FindingComparison] = strawberry.field(
        description=(
            "Each finding of either assessment: patterns, then muscles, then tender spots. Empty unless both have "
            "status ok: one that refers or is incomplete has no findings to compare."
        )
    )
    pain: PainComparison | None = strawberry.field(description="The pain, when both assessments give its intensity.")

    @classmethod
    def from_domain(cls, c: s.Comparison) -> Comparison:
        pain = c.pain
        return cls(
            previous_assessment_id=strawberry.ID(str(c.previous_assessment_id)),
            previous_created_at=c.previous_created_at,
            tests=[
                TestComparison(
                    test=t.test,
                    trend=t.trend,
                    summary=t.summary,
                    before=t.before,
                    after=t.after,
                    before_result=t.before_result,
                    after_result=t.after_result,
                )
                for t in c.tests
            ],
            findings=[
                FindingComparison(
                    type=f.type, target=f.target, before=f.before, after=f.after, trend=f.trend, summary=f.summary
                )
                for f in c.findings
            ],
            pain=PainComparison(
                before=pain.before,
                after=pain.after,
                trend=pain.trend,
                mcid_reached=pain.mcid_reached,
                summary=pain.summary,
            )
            if pain
            else None,
        )
