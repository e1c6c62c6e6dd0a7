"""Findings (CLINICAL.md §2): patterns with a band, muscles with a role and a side, asymmetries and notes.

Pure functions of the input and the rules (service/assessments/rules.yaml). The screening outcome decides whether
they are computed at all (service/assessments/engine.py).

Each RuleSet is compiled once into a plan (its conditions as closures, each rule's constants worked out), which
took `assess` for the desk worker from about 350 µs to about 270 µs a call (2026-12-06).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from service.assessments.anatomy import Anatomy
from service.assessments.conditions import Evaluator, Match, Reader, compile_condition, reader
from service.assessments.rules import AsymmetryTest, MuscleRole, NoteRule, Resolution, Rule, RuleSet
from service.assessments.schemas import (
    AssessmentInput,
    Asymmetry,
    Band,
    Evidence,
    MuscleFinding,
    Note,
    PatternFinding,
    Side,
)
from service.lib.singleflight import LruCache


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(values))


def evidence_of(rule: _CompiledRule | _CompiledResolution, matches: list[Match]) -> Evidence:
    if len(matches) == 1:  # the usual case: one leaf matched, no facts to join
        (match,) = matches
        inputs, facts = _unique(match.paths), match.fact
    else:
        inputs = _unique([p for m in matches for p in m.paths])
        facts = ", ".join(_unique([m.fact for m in matches if m.fact]))
    return Evidence(rule=rule.id, inputs=inputs, summary=rule.summary.format(facts=facts), basis=rule.basis)


class _Mark(NamedTuple):
    evidence: Evidence
    weight: float
    side: Side


_Marks = dict[str, list[_Mark]]


_SIDES = {side.value: side for side in Side}


def _side(rule: _CompiledRule, matches: list[Match]) -> Side:
    if rule.side is not None:
        return rule.side
    sides = {m.side for m in matches}
    only = sides.pop() if len(sides) == 1 else None
    return _SIDES[only] if only is not None else Side.both


def _joined(sides: Iterable[Side]) -> Side:
    found = set(sides)
    return found.pop() if len(found) == 1 else Side.both


def _weight(marks: list[_Mark]) -> float:
    return round(math.fsum(m.weight for m in marks), 9)


# ---------------------------------------------------------------- the rules, compiled once per RuleSet


@dataclass(frozen=True, slots=True)
class _CompiledRule:
    """A finding rule with its conditions compiled and its per-finding constants worked out once."""

    rule: Rule
    id: str
    when: Evaluator
    unless: Evaluator | None
    summary: str
    basis: str
    side: Side | None
    explains: frozenset[str]

    @classmethod
    def of(cls, rule: Rule) -> _CompiledRule:
        return cls(
            rule=rule,
            id=rule.id,
            when=compile_condition(rule.when),
            unless=compile_condition(rule.unless) if rule.unless is not None else None,
            summary=rule.summary,
            basis=rule.basis.strip(),
            side=Side(rule.side.value) if rule.side is not None else None,
            explains=frozenset(r.value for r in rule.explains),
        )


@dataclass(frozen=True, slots=True)
class _CompiledResolution:
    resolution: Resolution
    id: str
    when: Evaluator
    summary: str
    basis: str

    @classmethod
    def of(cls, resolution: Resolution) -> _CompiledResolution:
        return cls(
            resolution=resolution,
            id=resolution.id,
            when=compile_condition(resolution.when),
            summary=resolution.summary,
            basis=resolution.basis.strip(),
        )


@dataclass(frozen=True, slots=True)
class _Plan:
    """A RuleSet ready to apply: every condition compiled, every constant of a finding computed."""

    rules: list[_CompiledRule]
    resolutions: list[_CompiledResolution]
    notes: list[tuple[NoteRule, Evaluator]]
    asymmetry: list[tuple[AsymmetryTest, Reader, Reader]]
    """Each paired test with the readers of its left and right values."""
    pattern_explains: dict[str, frozenset[str]]

    @classmethod
    def of(cls, rules: RuleSet) -> _Plan:
        return cls(
            rules=[_CompiledRule.of(rule) for rule in rules.rules],
            resolutions=[_CompiledResolution.of(resolution) for resolution in rules.resolutions],
            notes=[(note, compile_condition(note.when)) for note in rules.notes],
            asymmetry=[(t, reader(f"{t.test}.left"), reader(f"{t.test}.right")) for t in rules.asymmetry],
            pattern_explains={p.slug: frozenset(r.value for r in p.explains) for p in rules.patterns},
        )


# A service loads one RuleSet for its life, tests a few: the plans are kept by the RuleSet's identity (RuleSets are
# frozen and not hashable), each entry holding its RuleSet so that the id is not reused while the entry lives.
_PLANS: LruCache[int, tuple[RuleSet, _Plan]] = LruCache(max_entries=8)


def _plan(rules: RuleSet) -> _Plan:
    kept = _PLANS.get(id(rules))
    if kept is not None:
        return kept[1]
    plan = _Plan.of(rules)
    _PLANS.put(id(rules), (rules, plan))
    return plan


@dataclass
class Findings:
    patterns: list[PatternFinding]
    overactive: list[MuscleFinding]
    underactive: list[MuscleFinding]
    asymmetries: list[Asymmetry]
    notes: list[Note]
    explained_regions: set[str] = field(default_factory=set)


def find(data: AssessmentInput, rules: RuleSet, anatomy: Anatomy | None, *, neural: bool) -> Findings:
    """Apply the finding rules. With a `neural` reading (nerve-root signs, or a straight-leg raise below the neural
    threshold), the nerve-root section of the rules says what is not read as muscle."""
    plan = _plan(rules)
    nerve = rules.screening.nerve_root
    skip = frozenset(nerve.not_read_as_muscle) if neural else frozenset()
    not_tight = frozenset(nerve.not_read_as_tight) if neural else frozenset()
    notes: list[Note] = []
    supports: dict[str, list[tuple[Evidence, float, Rule]]] = defaultdict(list)
    over: _Marks = defaultdict(list)
    under: _Marks = defaultdict(list)
    marks = {MuscleRole.overactive: over, MuscleRole.underactive: under}
    explained: set[str] = set()
    for compiled in plan.rules:
        if compiled.id in skip:
            continue
        matches = compiled.when(data)
        if not matches or (compiled.unless is not None and compiled.unless(data)):
            continue
        rule = compiled.rule
        evidence = evidence_of(compiled, matches)
        side = _side(compiled, matches)
        explained |= compiled.explains
        for pattern in rule.supports:
            supports[pattern].append((evidence, rule.weight, rule))
        mark = _Mark(evidence, rule.weight, side)  # immutable: one for all the muscles the rule marks
        for muscle in rule.overactive:
            if muscle not in not_tight:
                over[muscle].append(mark)
        for muscle in rule.underactive:
            under[muscle].append(mark)
        if rule.item_marks is not None:
            by_item: dict[str, list[Match]] = defaultdict(list)
            for match in matches:
                if match.item is not None:
                    by_item[match.item].append(match)
            for item in sorted(by_item):
                item_evidence = evidence_of(compiled, by_item[item])
                marks[rule.item_marks][item].append(_Mark(item_evidence, rule.weight, Side.both))

    _apply_resolutions(data, plan, marks)
    notes += _resolve_conflicts(over, under, rules.conflicts.tie_break)
    if anatomy is not None:
        notes += _resolve_tree(over, under, anatomy)
    asymmetries = _asymmetries(data, plan, frozenset(nerve.not_read_as_asymmetry) if neural else frozenset())

    patterns = [_pattern(p.slug, p.name, supports[p.slug], rules) for p in rules.patterns if supports.get(p.slug)]
    patterns.sort(key=lambda p: (-p.score, p.slug))
    for finding in patterns:
        if finding.band is not Band.possible:
            explained |= plan.pattern_explains[finding.slug]

    for note, when in plan.notes:
        matches = when(data)
        if matches:
            notes.append(
                Note(code=note.code, message=note.message, inputs=_unique([p for m in matches for p in m.paths]))
            )

    return Findings(
        patterns=patterns,
        overactive=_muscles(over),
        underactive=_muscles(under),
        asymmetries=asymmetries,
        notes=notes,
        explained_regions=explained,
    )


def _pattern(slug: str, name: str, support: list[tuple[Evidence, float, Rule]], rules: RuleSet) -> PatternFinding:
    score = round(min(1.0, math.fsum(w for _, w, _ in support)), 2)
    direct = len({rule.id for _, _, rule in support if rule.strength in rules.bands.direct})
    bands = rules.bands
    if score >= bands.present_at_least and direct >= bands.present_direct:
        band = Band.present
    elif score >= bands.likely_at_least and direct >= bands.likely_direct:
        band = Band.likely
    else:
        band = Band.possible
    return PatternFinding(slug=slug, name=name, score=score, evidence=[e for e, _, _ in support], band=band)


def _muscles(marks: _Marks) -> list[MuscleFinding]:
    return [
        MuscleFinding(muscle=m, reasons=[k.evidence for k in marks[m]], side=_joined([k.side for k in marks[m]]))
        for m in sorted(marks)
    ]


def _apply_resolutions(data: AssessmentInput, plan: _Plan, marks: dict[MuscleRole, _Marks]) -> None:
    """A written resolution between two methods wins over either (rules.yaml `resolutions`)."""
    for compiled in plan.resolutions:
        matches = compiled.when(data)
        if not matches:
            continue
        resolution = compiled.resolution
        evidence = evidence_of(compiled, matches)
        other = MuscleRole.underactive if resolution.role is MuscleRole.overactive else MuscleRole.overactive
        for muscle in resolution.muscles:
            moved = marks[other].pop(muscle, None)
            if moved is not None or muscle in marks[resolution.role]:
                side = _joined(k.side for k in moved) if moved else Side.both
                marks[resolution.role][muscle].append(_Mark(evidence, 1.0, side))


def _resolve_conflicts(over: _Marks, under: _Marks, tie_break: MuscleRole) -> list[Note]:
    """A muscle marked both ways keeps the role with more summed weight (ties: `tie_break`; see rules.yaml), and a
    note says which signs were set aside."""
    notes: list[Note] = []
    for muscle in sorted(over.keys() & under.keys()):
        over_weight, under_weight = _weight(over[muscle]), _weight(under[muscle])
        if over_weight > under_weight or (over_weight == under_weight and tie_break is MuscleRole.overactive):
            kept, dropped = MuscleRole.overactive, under.pop(muscle)
        else:
            kept, dropped = MuscleRole.underactive, over.pop(muscle)
        lost = MuscleRole.underactive if kept is MuscleRole.overactive else MuscleRole.overactive
        notes.append(
            Note(
                code="opposite_findings_for_one_muscle",
                message=(
                    f"{_name(muscle)} looked both {lost.value} and {kept.value}: the signs for {kept.value} were "
                    f"{'as strong' if over_weight == under_weight else 'stronger'}, so it is treated as {kept.value}."
                ),
                inputs=_unique(p for k in dropped for p in k.evidence.inputs),
            )
        )
    return notes


def _resolve_tree(over: _Marks, under: _Marks, anatomy: Anatomy) -> list[Note]:
    """A muscle and a group that contains it cannot be marked opposite ways (a program would stretch the group and
    strengthen its member): the side with less evidence is dropped, and a note says so."""
    notes: list[Note] = []
    pairs = sorted(
        {
            (member, group, role)
            for marks, role in ((over, MuscleRole.overactive), (under, MuscleRole.underactive))
            for member in marks
            for group in anatomy.ancestors(member)
            if group in (under if role is MuscleRole.overactive else over)
        }
    )
    for member, group, member_role in pairs:
        member_marks = over if member_role is MuscleRole.overactive else under
        group_marks = under if member_role is MuscleRole.overactive else over
        if member not in member_marks or group not in group_marks:
            continue  # an earlier pair dropped one of them
        group_role = MuscleRole.underactive if member_role is MuscleRole.overactive else MuscleRole.overactive
        if _weight(member_marks[member]) > _weight(group_marks[group]):
            loser, loser_role, winner, winner_role, marks = group, group_role, member, member_role, group_marks
        else:
            loser, loser_role, winner, winner_role, marks = member, member_role, group, group_role, member_marks
        dropped = marks.pop(loser)
        notes.append(
            Note(
                code="opposite_findings_in_one_group",
                message=(
                    f"{_name(loser)} looked {loser_role.value}, but {_name(winner)} "
                    f"({'part of it' if loser == group else 'which it belongs to'}) looked {winner_role.value} "
                    "on stronger evidence: only the stronger finding is kept."
                ),
                inputs=_unique(p for k in dropped for p in k.evidence.inputs),
            )
        )
    return notes


def _name(slug: str) -> str:
    return slug.replace("_", " ").capitalize()


def _asymmetries(data: AssessmentInput, plan: _Plan, skip: frozenset[str]) -> list[Asymmetry]:
    found: list[Asymmetry] = []
    for test, read_left, read_right in plan.asymmetry:
        if test.test in skip:
            continue
        left, right = read_left(data), read_right(data)
        if not isinstance(left, int | float) or not isinstance(right, int | float):
            continue
        gap = abs(left - right)
        larger = max(left, right)
        if test.measure == "ratio":
            if larger <= 0 or gap / larger < test.at_least:
                continue
            difference = f"{round(gap / larger * 100)}%"
        else:
            if gap < test.at_least:
                continue
            difference = f"{gap:.10g}°"
        side = Side.left if left < right else Side.right
        summary = test.summary.format(
            left=f"{left:.10g}", right=f"{right:.10g}", side=side.value, difference=difference
        )
        found.append(
            Asymmetry(
                test=test.test,
                side=side,
                left=float(left),
                right=float(right),
                difference=difference,
                muscles=test.muscles,
                summary=summary,
            )
        )
    return found
