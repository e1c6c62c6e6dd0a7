"""The assessment rule engine: a pure function of an input and a ruleset.

No I/O, no clock, no randomness: the same input and ruleset give the same result, byte for byte once encoded.
Ordering is fixed everywhere: evidence follows the rules file, patterns go by score then slug, muscles by slug,
trigger points by slug, referral reasons by code.
"""

from __future__ import annotations

import functools
import math
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from service.assessments.rules import Condition, MuscleRole, RuleSet
from service.assessments.schemas import (
    AssessmentInput,
    AssessmentResult,
    AssessmentStatus,
    Evidence,
    MuscleFinding,
    PatternFinding,
    Referral,
)


@dataclass(frozen=True, slots=True)
class _Match:
    """One matched leaf: the input paths it read, the fact it contributes and, for list items, the item."""

    paths: tuple[str, ...]
    fact: str
    item: str | None = None


@functools.cache
def _parts(path: str) -> tuple[str, ...]:
    return tuple(path.split("."))  # the rules name a few dozen paths: split each once


def _resolve(data: AssessmentInput, path: str) -> object:
    value: object = data
    for part in _parts(path):
        if value is None:
            return None
        value = getattr(value, part)
    return value


def _format(value: object) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return format(value, ".10g")
    return str(value).replace("_", " ")


def _evaluate(cond: Condition, data: AssessmentInput) -> list[_Match]:
    if cond.all_ is not None:
        matched: list[_Match] = []
        for child in cond.all_:
            found = _evaluate(child, data)
            if not found:
                return []
            matched.extend(found)
        return matched
    if cond.any_ is not None:
        return [m for child in cond.any_ for m in _evaluate(child, data)]
    return _evaluate_leaf(cond, data)


def _evaluate_leaf(cond: Condition, data: AssessmentInput) -> list[_Match]:
    path = cond.path
    assert path is not None  # guaranteed by rules.py
    value = _resolve(data, path)
    if value is None:
        return []
    if isinstance(value, list):
        if cond.contains is not None:
            wanted: frozenset[str] | None = frozenset((cond.contains,))
        elif cond.contains_any is not None:
            wanted = frozenset(cond.contains_any)
        else:  # nonempty
            wanted = None
        return [
            _Match((f"{path}[{index}]",), cond.says.format(value=_format(item)), str(item))
            for index, item in enumerate(value)
            if wanted is None or item in wanted
        ]
    if cond.differs_by_more_than is not None and cond.paired_with is not None:
        other = _resolve(data, cond.paired_with)
        if not isinstance(value, int | float) or not isinstance(other, int | float):
            return []
        larger = max(value, other)
        if larger <= 0:
            return []
        difference = abs(value - other) / larger
        if difference <= cond.differs_by_more_than:
            return []
        fact = cond.says.format(value=_format(value), other=_format(other), difference=f"{round(difference * 100)}%")
        return [_Match((path, cond.paired_with), fact)]
    if _compare(cond, value):
        return [_Match((path,), cond.says.format(value=_format(value)))]
    return []


def _compare(cond: Condition, value: object) -> bool:
    if cond.eq is not None:
        return bool(value == cond.eq)
    if cond.in_ is not None:
        return value in cond.in_
    if not isinstance(value, int | float) or isinstance(value, bool):
        return False
    if cond.lt is not None:
        return value < cond.lt
    if cond.lte is not None:
        return value <= cond.lte
    if cond.gt is not None:
        return value > cond.gt
    if cond.gte is not None:
        return value >= cond.gte
    return False


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def _evidence(rule_id: str, summary: str, matches: list[_Match]) -> Evidence:
    return Evidence(
        rule=rule_id,
        inputs=_unique(p for m in matches for p in m.paths),
        summary=summary.format(facts=", ".join(_unique(m.fact for m in matches))),
    )


def _referral(data: AssessmentInput, rules: RuleSet) -> Referral | None:
    fired: list[tuple[str, bool, Evidence]] = []
    for rule in rules.referral.rules:
        matches = _evaluate(rule.when, data)
        if matches:
            fired.append((rule.reason, rule.urgent, _evidence(rule.id, rule.summary, matches)))
    if not fired:
        return None
    fired.sort(key=lambda f: f[0])
    urgent = any(u for _, u, _ in fired)
    return Referral(
        reasons=[reason for reason, _, _ in fired],
        message=rules.referral.urgent_message if urgent else rules.referral.message,
        urgent=urgent,
        evidence=[evidence for _, _, evidence in fired],
    )


_Marks = dict[str, list[tuple[Evidence, float]]]


def _resolve_conflicts(over: _Marks, under: _Marks, tie_break: MuscleRole) -> None:
    """A muscle marked both ways keeps the role with more summed weight (ties: `tie_break`); see rules.yaml."""
    for muscle in sorted(over.keys() & under.keys()):
        over_weight = round(math.fsum(w for _, w in over[muscle]), 9)
        under_weight = round(math.fsum(w for _, w in under[muscle]), 9)
        if over_weight > under_weight or (over_weight == under_weight and tie_break is MuscleRole.overactive):
            del under[muscle]
        else:
            del over[muscle]


def _muscles(marks: _Marks) -> list[MuscleFinding]:
    return [MuscleFinding(muscle=m, reasons=[e for e, _ in marks[m]]) for m in sorted(marks)]


def assess(data: AssessmentInput, rules: RuleSet) -> AssessmentResult:
    """Apply the ruleset to one assessment input. Pure and deterministic."""
    referral = _referral(data, rules)
    if referral is not None:
        return AssessmentResult(
            status=AssessmentStatus.refer,
            referral=referral,
            patterns=[],
            overactive=[],
            underactive=[],
            trigger_points=[],
            ruleset_version=rules.version,
        )

    pattern_evidence: dict[str, list[tuple[Evidence, float]]] = defaultdict(list)
    marks: dict[MuscleRole, _Marks] = {role: defaultdict(list) for role in MuscleRole}
    for rule in rules.rules:
        matches = _evaluate(rule.when, data)
        if not matches:
            continue
        evidence = _evidence(rule.id, rule.summary, matches)
        for pattern in rule.supports:
            pattern_evidence[pattern].append((evidence, rule.weight))
        for muscle in rule.overactive:
            marks[MuscleRole.overactive][muscle].append((evidence, rule.weight))
        for muscle in rule.underactive:
            marks[MuscleRole.underactive][muscle].append((evidence, rule.weight))
        if rule.item_marks is not None:
            by_item: dict[str, list[_Match]] = defaultdict(list)
            for match in matches:
                if match.item is not None:
                    by_item[match.item].append(match)
            for item in sorted(by_item):
                marks[rule.item_marks][item].append((_evidence(rule.id, rule.summary, by_item[item]), rule.weight))

    over, under = marks[MuscleRole.overactive], marks[MuscleRole.underactive]
    _resolve_conflicts(over, under, rules.conflicts.tie_break)

    patterns = [
        PatternFinding(
            slug=pattern.slug,
            name=pattern.name,
            score=round(min(1.0, math.fsum(w for _, w in pattern_evidence[pattern.slug])), 2),
            evidence=[e for e, _ in pattern_evidence[pattern.slug]],
        )
        for pattern in rules.patterns
        if pattern_evidence.get(pattern.slug)
    ]
    patterns.sort(key=lambda p: (-p.score, p.slug))

    return AssessmentResult(
        status=AssessmentStatus.ok,
        referral=None,
        patterns=patterns,
        overactive=_muscles(over),
        underactive=_muscles(under),
        trigger_points=sorted(set(data.tender_spots or [])),
        ruleset_version=rules.version,
    )


def _duplicates(path: str, items: list[str] | None, what: str) -> list[tuple[str, str]]:
    seen: set[str] = set()
    problems: list[tuple[str, str]] = []
    for index, item in enumerate(items or []):
        if item in seen:
            problems.append((f"{path}[{index}]", f"duplicate {what} {str(item)!r}"))
        seen.add(item)
    return problems


def validate_input(data: AssessmentInput, known_muscles: frozenset[str]) -> list[tuple[str, str]]:
    """Every semantic problem msgspec's schema cannot catch, as (field path, message), in input order."""
    problems: list[tuple[str, str]] = []
    ref = data.subject_ref
    if ref is not None:
        if "@" in ref:
            problems.append(
                ("subject_ref", "looks like an email address: use an opaque reference, never an email or a name")
            )
        if any(unicodedata.category(c) in ("Cc", "Cs") for c in ref):
            problems.append(("subject_ref", "must not contain control characters"))
        elif not ref.strip():
            problems.append(("subject_ref", "must not be blank"))
    if data.pain is not None:
        problems += _duplicates("pain.regions", list(data.pain.regions or []), "region")
    if data.movement_screen is not None:
        problems += _duplicates(
            "movement_screen.overhead_squat", list(data.movement_screen.overhead_squat or []), "code"
        )
    for index, slug in enumerate(data.tender_spots or []):
        if slug not in known_muscles:
            problems.append((f"tender_spots[{index}]", f"unknown muscle {slug!r}"))
    return problems
