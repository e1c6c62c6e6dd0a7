"""Reassessment (issue 18, item 4): a new assessment compared with the one before it — the tests both measured, the
findings of either (patterns, overactive and underactive muscles, tender spots) and the pain — each resolved,
improved, unchanged, worse or new, in plain words. A pure function of the two assessments.

The thresholds are data (rules.yaml, `reassessment`). Pain is compared by the NPRS's meaningful change, a clinical
number the outcome rules own (service/outcomes/rules.yaml): outcomes sit above assessments and may not be imported
here, so the composition root reads it from them and passes it in as a `PainMcid`.
"""

from __future__ import annotations

from collections.abc import Iterator

import msgspec

from service.assessments.comparison import (
    Comparison,
    FindingComparison,
    FindingKind,
    PainComparison,
    TestComparison,
    Trend,
)
from service.assessments.rules import Reassessment
from service.assessments.schemas import Assessment, AssessmentStatus, Band, FieldTests, PatternFinding, ThomasResult

BAND_RANK = {band: rank for rank, band in enumerate(Band)}  # possible < likely < present
SIDES = ("left", "right")


class PainMcid(msgspec.Struct, frozen=True, kw_only=True):
    """The NPRS's minimal clinically important difference: pain eased by `points`, or by `percent` of the earlier
    pain. Filled from the outcome rules by the composition root (service.app)."""

    points: float
    percent: float | None = None


def compare(before: Assessment, after: Assessment, rules: Reassessment, pain: PainMcid) -> Comparison:
    """`after` against `before`. Findings are compared only when both assessments have them (status ok): one that
    refers or is incomplete found nothing because it did not look, which must not read as `resolved` or `new`."""
    both_ok = before.status is AssessmentStatus.ok and after.status is AssessmentStatus.ok
    findings = [*_patterns(before, after, rules), *_muscles(before, after), *_tender(before, after)] if both_ok else []
    return Comparison(
        previous_assessment_id=before.id,
        previous_created_at=before.created_at,
        tests=list(_tests(before.input.tests, after.input.tests, rules)),
        findings=findings,
        pain=_pain(before, after, pain),
    )


def _values(tests: FieldTests | None, name: str) -> dict[str, float | str]:
    """A test's values by side (`""` for a test of both sides at once), where measured."""
    value = getattr(tests, name, None) if tests is not None else None
    if value is None:
        return {}
    if isinstance(value, float | int):
        return {"": float(value)}
    return {side: getattr(value, side) for side in SIDES if getattr(value, side) is not None}


def _tests(old: FieldTests | None, new: FieldTests | None, rules: Reassessment) -> Iterator[TestComparison]:
    for name, test in rules.tests.items():
        was, now = _values(old, name), _values(new, name)
        for side in sorted(was.keys() & now.keys()):
            a, b = float(was[side]), float(now[side])
            trend = Trend.improved if b - a >= test.at_least else Trend.worse if a - b >= test.at_least else None
            trend = trend or Trend.unchanged
            where = f" ({side})" if side else ""
            yield TestComparison(
                test=f"tests.{name}" + (f".{side}" if side else ""),
                before=a,
                after=b,
                trend=trend,
                summary=f"Your {test.name}{where} went from {a:g}{test.unit} to {b:g}{test.unit}: {trend.value}.",
            )
    was, now = _values(old, "thomas_test"), _values(new, "thomas_test")
    for side in sorted(was.keys() & now.keys()):
        then, later = ThomasResult(str(was[side])), ThomasResult(str(now[side]))
        trend = Trend.unchanged if then is later else Trend.improved if later is ThomasResult.negative else Trend.worse
        yield TestComparison(
            test=f"tests.thomas_test.{side}",
            before_result=then,
            after_result=later,
            trend=trend,
            summary=f"Your Thomas test ({side}) was {then.value} and is {later.value} now: {trend.value}.",
        )


def _patterns(before: Assessment, after: Assessment, rules: Reassessment) -> Iterator[FindingComparison]:
    was = {p.slug: p for p in before.patterns}
    now = {p.slug: p for p in after.patterns}
    for slug in sorted(was.keys() | now.keys()):
        a, b = was.get(slug), now.get(slug)
        name = (b or a).name  # type: ignore[union-attr]
        if a is None or b is None:
            trend = Trend.new if a is None else Trend.resolved
        else:
            # Assessments before ruleset 2026.12.1 have no band: their scores alone say.
            step = BAND_RANK[b.band] - BAND_RANK[a.band] if a.band and b.band else 0
            moved = b.score - a.score
            enough = rules.pattern_score_at_least
            trend = (
                Trend.improved
                if step < 0 or (step == 0 and moved <= -enough)
                else Trend.worse
                if step > 0 or moved >= enough
                else Trend.unchanged
            )
        then, later = _band(a), _band(b)
        bands = f"{then or 'not found'} before, {later or 'not found'} now"
        yield FindingComparison(
            type=FindingKind.pattern,
            target=slug,
            before=then,
            after=later,
            trend=trend,
            summary=f"{name}: {bands}: {trend.value}.",
        )


def _band(pattern: PatternFinding | None) -> str | None:
    if pattern is None:
        return None
    return pattern.band.value if pattern.band else "found"


def _muscles(before: Assessment, after: Assessment) -> Iterator[FindingComparison]:
    for role, words in (
        (FindingKind.overactive, "short or overactive"),
        (FindingKind.underactive, "weak or underactive"),
    ):
        was = {m.muscle: m.side.value for m in getattr(before, role.value)}
        now = {m.muscle: m.side.value for m in getattr(after, role.value)}
        yield from _presence(role, was, now, words)


def _tender(before: Assessment, after: Assessment) -> Iterator[FindingComparison]:
    yield from _presence(
        FindingKind.trigger_point,
        dict.fromkeys(before.trigger_points, "tender"),
        dict.fromkeys(after.trigger_points, "tender"),
        "tender",
    )


def _presence(kind: FindingKind, was: dict[str, str], now: dict[str, str], words: str) -> Iterator[FindingComparison]:
    """Findings that are there or not (a muscle's role, a tender spot): still, no longer (resolved) or now (new)."""
    for target in sorted(was.keys() | now.keys()):
        trend = Trend.unchanged if target in was and target in now else Trend.resolved if target in was else Trend.new
        said = {Trend.unchanged: "still", Trend.resolved: "no longer", Trend.new: "now"}[trend]
        yield FindingComparison(
            type=kind,
            target=target,
            before=was.get(target),
            after=now.get(target),
            trend=trend,
            summary=f"{target.replace('_', ' ').capitalize()}: {said} {words}.",
        )


def _pain(before: Assessment, after: Assessment, mcid: PainMcid) -> PainComparison | None:
    a = before.input.pain.intensity if before.input.pain else None
    b = after.input.pain.intensity if after.input.pain else None
    if a is None or b is None:
        return None
    eased = a - b
    reached = eased > 0 and (eased >= mcid.points or (mcid.percent is not None and eased / a * 100 >= mcid.percent))
    trend = Trend.improved if reached else Trend.worse if -eased >= mcid.points else Trend.unchanged
    return PainComparison(
        before=a,
        after=b,
        trend=trend,
        mcid_reached=reached,
        summary=f"Your pain went from {a}/10 to {b}/10: {trend.value}"
        + (" (a meaningful change)." if reached else "."),
    )
