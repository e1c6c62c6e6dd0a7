"""The assessment rules (`rules.yaml`): their types, loading and validation.

The rules are data: thresholds, weights, the muscles each finding marks and the patterns it supports all live in
the YAML file, under a version that every result names. A bad rule fails the load with a message naming the file
and the rule, before the engine ever sees it. Every path a condition reads is checked against `AssessmentInput`,
every enum value against its vocabulary and, when the catalogue is given, every muscle slug against it.

Conditions are small trees. A node is `all: [...]`, `any: [...]` or a leaf: `path` (a dotted field path into the
input) and exactly one operator:

- `eq` (a bool, an enum value or a number), `in` (a list of enum values);
- `lt`, `lte`, `gt`, `gte` (numbers);
- `contains` (one list item), `contains_any` (any of several list items), `nonempty: true` (every item of a list);
- `absent: true` (the field is not given);
- `differs_by_more_than` with `paired_with` (two numeric fields whose difference, as a fraction of the larger,
  exceeds the value; e.g. left/right asymmetry).

A leaf's `says` is the fact it contributes to the rule's `summary` (`{facts}`, joined with ", ") when it matches:
`{value}` is the value read (`{other}` and `{difference}` for `differs_by_more_than`).
"""

from __future__ import annotations

import re
import string
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import msgspec
import msgspec.inspect as mi
import yaml

from service.assessments import screening as screening_rules
from service.assessments.input_paths import NUMERIC, OPERATORS, field_type, strip_optional, values_ok
from service.assessments.schemas import FieldTests, OneSide, PainRegion, RedFlags
from service.assessments.screening import ScreeningRules

RULES_PATH = Path(__file__).parent / "rules.yaml"
RULE_ID_RE = re.compile(r"^[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)*$")
CODE_RE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
VERSION_RE = re.compile(r"^\d{4}\.\d{1,2}\.\d+$")

# Input lists whose items are muscle slugs (checked against the catalogue, and usable with `item_marks`).
MUSCLE_LIST_PATHS = frozenset({"tender_spots"})


class RulesError(ValueError):
    """The rules file or one of its rules is invalid."""


class MuscleRole(StrEnum):
    overactive = "overactive"
    underactive = "underactive"


class _Data(msgspec.Struct, forbid_unknown_fields=True, kw_only=True, frozen=True):
    """Base of the rule file's records."""


class Condition(_Data, frozen=True):
    all_: list[Condition] | None = msgspec.field(default=None, name="all")
    any_: list[Condition] | None = msgspec.field(default=None, name="any")
    path: str | None = None
    eq: bool | str | float | None = None
    in_: list[str] | None = msgspec.field(default=None, name="in")
    lt: float | None = None
    lte: float | None = None
    gt: float | None = None
    gte: float | None = None
    contains: str | None = None
    contains_any: list[str] | None = None
    nonempty: bool | None = None
    absent: bool | None = None
    differs_by_more_than: float | None = None
    paired_with: str | None = None
    says: str = "{value}"


class Strength(StrEnum):
    """Where a finding's evidence comes from; measured and observed are direct (see `bands` in rules.yaml)."""

    measured = "measured"
    observed = "observed"
    palpated = "palpated"
    reported = "reported"
    lifestyle = "lifestyle"


class Rule(_Data, frozen=True):
    """A finding: when its condition matches, it supports patterns and marks muscles, with evidence."""

    id: str
    when: Condition
    summary: str
    """For the person: plain words, second person (CLINICAL.md §7)."""
    basis: str
    """For their trainer or clinician: the test, the source and the muscles in the source's terms."""
    weight: Annotated[float, msgspec.Meta(ge=0.01, le=1)]
    strength: Strength
    unless: Condition | None = None
    """A measured result that outranks this rule: when it holds, the rule does not apply."""
    side: OneSide | None = None
    """The side its marks are on, for rules whose condition names it in a value rather than a left/right field."""
    explains: list[PainRegion] = []
    """Pain regions this finding accounts for on its own (besides its patterns')."""
    supports: list[str] = []
    overactive: list[str] = []
    underactive: list[str] = []
    item_marks: MuscleRole | None = None
    """Mark each matched list item (a muscle slug, e.g. a tender spot) with this role, each with its own evidence."""


class PatternDef(_Data, frozen=True):
    slug: str
    name: str
    explains: list[PainRegion] = []


class Bands(_Data, frozen=True):
    likely_at_least: Annotated[float, msgspec.Meta(gt=0, le=1)]
    likely_direct: Annotated[int, msgspec.Meta(ge=0)]
    present_at_least: Annotated[float, msgspec.Meta(gt=0, le=1)]
    present_direct: Annotated[int, msgspec.Meta(ge=0)]
    direct: list[Strength]


class AsymmetryTest(_Data, frozen=True):
    test: str
    measure: Annotated[str, msgspec.Meta(pattern="^(ratio|degrees)$")]
    at_least: Annotated[float, msgspec.Meta(gt=0)]
    muscles: list[str]
    summary: str


class Resolution(_Data, frozen=True):
    id: str
    when: Condition
    muscles: list[str]
    role: MuscleRole
    summary: str
    basis: str


class NoteRule(_Data, frozen=True):
    code: str
    when: Condition
    message: str


class RegionCondition(_Data, frozen=True):
    condition: str
    reason: str


class ConflictPolicy(_Data, frozen=True):
    tie_break: MuscleRole
    """A muscle marked both ways keeps the role with the larger summed weight; on a tie, this one."""


class MeasuredTest(_Data, frozen=True):
    """A measured field test of a reassessment: its name and unit in words, and how far it must move to count."""

    name: str
    unit: str
    at_least: Annotated[float, msgspec.Meta(gt=0)]


class Reassessment(_Data, frozen=True):
    """How far a reassessment's tests and pattern scores must move to count as improved or worse."""

    tests: dict[str, MeasuredTest]
    pattern_score_at_least: Annotated[float, msgspec.Meta(gt=0, le=1)]


class RuleSet(_Data, frozen=True):
    version: str
    patterns: list[PatternDef]
    bands: Bands
    asymmetry: list[AsymmetryTest]
    resolutions: list[Resolution]
    notes: list[NoteRule]
    conflicts: ConflictPolicy
    screening: ScreeningRules
    region_conditions: dict[PainRegion, RegionCondition]
    reassessment: Reassessment
    rules: list[Rule]


class _Document(_Data, frozen=True):
    version: str
    patterns: list[PatternDef]
    bands: Bands
    asymmetry: list[AsymmetryTest]
    resolutions: list[Resolution]
    notes: list[NoteRule]
    conflicts: ConflictPolicy
    screening: ScreeningRules
    region_conditions: dict[PainRegion, RegionCondition]
    reassessment: Reassessment
    rules: list[Any]


# ---------------------------------------------------------------- validation


def _template(label: str, where: str, template: str, allowed: set[str]) -> None:
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError as exc:
        raise RulesError(f"{label}: {where}: bad template {template!r}: {exc}") from exc
    unknown = sorted(names - allowed)
    if unknown:
        raise RulesError(f"{label}: {where}: template names unknown placeholder(s) {', '.join(unknown)}")
    try:
        template.format(**{name: "x" for name in allowed})
    except (ValueError, KeyError, IndexError) as exc:
        raise RulesError(f"{label}: {where}: bad template {template!r}: {exc}") from exc


def _check_condition(cond: Condition, label: str, where: str, known_muscles: frozenset[str] | None) -> None:
    operators = [name for name in OPERATORS if getattr(cond, name) is not None]
    branches = [name for name in ("all_", "any_") if getattr(cond, name) is not None]
    if branches:
        if len(branches) > 1 or cond.path is not None or operators or cond.paired_with is not None:
            raise RulesError(f"{label}: {where}: a node is either all, any or a leaf (path + one operator)")
        children: list[Condition] = getattr(cond, branches[0])
        if not children:
            raise RulesError(f"{label}: {where}: {branches[0].rstrip('_')} must not be empty")
        for index, child in enumerate(children):
            _check_condition(child, label, f"{where}.{branches[0].rstrip('_')}[{index}]", known_muscles)
        return
    if cond.path is None:
        raise RulesError(f"{label}: {where}: a leaf needs a path")
    if len(operators) != 1:
        found = ", ".join(op.rstrip("_") for op in operators) or "none"
        raise RulesError(f"{label}: {where}: a leaf needs exactly one operator (found {found})")
    op = operators[0]
    t = field_type(cond.path)
    if t is None:
        raise RulesError(f"{label}: {where}: unknown input path {cond.path!r}")
    if isinstance(t, mi.StructType):
        raise RulesError(f"{label}: {where}: path {cond.path!r} is a group of fields, not a field")
    if cond.paired_with is not None and op != "differs_by_more_than":
        raise RulesError(f"{label}: {where}: paired_with only goes with differs_by_more_than")
    placeholders = {"value"}

    def fail(message: str) -> RulesError:
        return RulesError(f"{label}: {where}: {op.rstrip('_')} on {cond.path!r}: {message}")

    if op == "eq":
        if isinstance(cond.eq, bool):
            if not isinstance(t, mi.BoolType):
                raise fail("a yes/no value needs a yes/no field")
        elif isinstance(cond.eq, str):
            if not isinstance(t, (mi.EnumType, mi.StrType)) or values_ok(t, [cond.eq]):
                raise fail(f"{cond.eq!r} is not a value of this field")
        elif not isinstance(t, NUMERIC):
            raise fail("a number needs a numeric field")
    elif op == "in_":
        values = cond.in_ or []
        if not values:
            raise fail("needs at least one value")
        bad = values_ok(t, values)
        if not isinstance(t, (mi.EnumType, mi.StrType)) or bad:
            raise fail(f"not values of this field: {', '.join(map(repr, bad or values))}")
    elif op in ("lt", "lte", "gt", "gte"):
        if not isinstance(t, NUMERIC):
            raise fail("needs a numeric field")
    elif op == "absent":
        if cond.absent is not True:
            raise fail("the only meaningful value is true")
    elif op in ("contains", "contains_any", "nonempty"):
        if not isinstance(t, mi.ListType):
            raise fail("needs a list field")
        if op == "nonempty":
            if cond.nonempty is not True:
                raise fail("the only meaningful value is true")
        else:
            values = [cond.contains] if op == "contains" and cond.contains is not None else (cond.contains_any or [])
            if not values:
                raise fail("needs at least one value")
            bad = values_ok(strip_optional(t.item_type), values)
            if bad:
                raise fail(f"not values of this list: {', '.join(map(repr, bad))}")
            if cond.path in MUSCLE_LIST_PATHS and known_muscles is not None:
                unknown = [v for v in values if v not in known_muscles]
                if unknown:
                    raise fail(f"unknown muscle(s) {', '.join(unknown)}")
    else:  # differs_by_more_than
        if not isinstance(t, NUMERIC):
            raise fail("needs a numeric field")
        if cond.paired_with is None:
            raise fail("needs paired_with (the field to compare with)")
        other = field_type(cond.paired_with)
        if not isinstance(other, NUMERIC):
            raise fail(f"paired_with {cond.paired_with!r} is not a numeric input field")
        if cond.differs_by_more_than is None or not 0 < cond.differs_by_more_than < 1:
            raise fail("the fraction must be between 0 and 1")
        placeholders |= {"other", "difference"}
    _template(label, f"{where}.says", cond.says, placeholders)


def _check_muscles(label: str, field: str, slugs: list[str], known_muscles: frozenset[str] | None) -> None:
    duplicates = sorted({s for s in slugs if slugs.count(s) > 1})
    if duplicates:
        raise RulesError(f"{label}: {field} lists {', '.join(duplicates)} more than once")
    if known_muscles is not None:
        unknown = [s for s in slugs if s not in known_muscles]
        if unknown:
            raise RulesError(f"{label}: {field} names unknown muscle(s) {', '.join(unknown)}")


def _check_rule(rule: Rule, label: str, patterns: set[str], known_muscles: frozenset[str] | None) -> None:
    _check_condition(rule.when, label, "when", known_muscles)
    if rule.unless is not None:
        _check_condition(rule.unless, label, "unless", known_muscles)
    _template(label, "summary", rule.summary, {"facts"})
    unknown_patterns = [p for p in rule.supports if p not in patterns]
    if unknown_patterns:
        raise RulesError(f"{label}: supports undeclared pattern(s) {', '.join(unknown_patterns)}")
    if len(set(rule.supports)) != len(rule.supports):
        raise RulesError(f"{label}: supports lists a pattern more than once")
    _check_muscles(label, "overactive", rule.overactive, known_muscles)
    _check_muscles(label, "underactive", rule.underactive, known_muscles)
    both = sorted(set(rule.overactive) & set(rule.underactive))
    if both:
        raise RulesError(f"{label}: marks {', '.join(both)} both overactive and underactive")
    if rule.item_marks is not None:
        when = rule.when
        if when.path not in MUSCLE_LIST_PATHS or (when.nonempty is None and when.contains_any is None):
            raise RulesError(
                f"{label}: item_marks needs a single nonempty or contains_any leaf on a muscle list "
                f"({', '.join(sorted(MUSCLE_LIST_PATHS))})"
            )
    if not (rule.supports or rule.overactive or rule.underactive or rule.item_marks):
        raise RulesError(f"{label}: has no effect (no supports, overactive, underactive or item_marks)")


def _label(source: str, kind: str, index: int, item: object) -> str:
    rule_id = item.get("id") if isinstance(item, dict) else None
    return f"{source}: {kind} #{index} ({rule_id or 'no id'})"


def _convert_rules(items: list[Any], record_type: type[Any], source: str, kind: str) -> list[tuple[Any, str]]:
    converted: list[tuple[Any, str]] = []
    seen: set[str] = set()
    for index, item in enumerate(items, start=1):
        label = _label(source, kind, index, item)
        try:
            record = msgspec.convert(item, record_type)
        except msgspec.ValidationError as exc:
            raise RulesError(f"{label}: {exc}") from exc
        if not RULE_ID_RE.fullmatch(record.id):
            raise RulesError(f"{label}: id must be dotted snake_case (e.g. lcs.short_hamstrings)")
        if record.id in seen:
            raise RulesError(f"{label}: duplicate rule id")
        seen.add(record.id)
        converted.append((record, label))
    return converted


def parse_rules(
    raw: object,
    *,
    source: str = "rules.yaml",
    known_muscles: frozenset[str] | None = None,
    known_patterns: frozenset[str] | None = None,
    known_conditions: frozenset[str] | None = None,
) -> RuleSet:
    """Validate an already-parsed rules document; `source` names it in error messages."""
    try:
        document = msgspec.convert(raw, _Document)
    except msgspec.ValidationError as exc:
        raise RulesError(f"{source}: {exc}") from exc
    if not VERSION_RE.fullmatch(document.version):
        raise RulesError(f"{source}: version must look like YYYY.M.N (e.g. 2026.11.1), got {document.version!r}")

    pattern_slugs = [p.slug for p in document.patterns]
    if len(set(pattern_slugs)) != len(pattern_slugs):
        raise RulesError(f"{source}: patterns: a slug is declared more than once")
    if known_patterns is not None:
        unknown = [p for p in pattern_slugs if p not in known_patterns]
        if unknown:
            raise RulesError(f"{source}: patterns: not in the catalogue: {', '.join(unknown)}")

    finding_rules = _convert_rules(document.rules, Rule, source, "rule")
    try:
        screening_rules.check(
            document.screening,
            source,
            pain_regions=frozenset(r.value for r in PainRegion),
            red_flags=RedFlags.__struct_fields__,
        )
    except screening_rules.ScreeningRulesError as exc:
        raise RulesError(str(exc)) from exc
    _check_extras(document, source, known_muscles)

    patterns = set(pattern_slugs)
    for rule, label in finding_rules:
        _check_rule(rule, label, patterns, known_muscles)

    if known_conditions is not None:
        named = {c.condition for c in document.region_conditions.values()} | {document.screening.nerve_root.condition}
        named |= set(document.screening.condition_answers)
        unknown_conditions = sorted(named - known_conditions)
        if unknown_conditions:
            raise RulesError(f"{source}: names unknown condition(s) {', '.join(unknown_conditions)}")
    rule_ids = {r.id for r, _ in finding_rules}
    nerve = document.screening.nerve_root
    unknown_ids = set(nerve.not_read_as_muscle) - rule_ids
    if unknown_ids:
        raise RulesError(f"{source}: screening.nerve_root names unknown rule(s) {', '.join(sorted(unknown_ids))}")
    unknown_tests = set(nerve.not_read_as_asymmetry) - {test.test for test in document.asymmetry}
    if unknown_tests:
        raise RulesError(
            f"{source}: screening.nerve_root names unknown asymmetry test(s) {', '.join(sorted(unknown_tests))}"
        )
    _check_muscles(f"{source}: screening.nerve_root", "not_read_as_tight", nerve.not_read_as_tight, known_muscles)
    return RuleSet(
        version=document.version,
        patterns=document.patterns,
        bands=document.bands,
        asymmetry=document.asymmetry,
        resolutions=document.resolutions,
        notes=document.notes,
        conflicts=document.conflicts,
        screening=document.screening,
        region_conditions=document.region_conditions,
        reassessment=document.reassessment,
        rules=[r for r, _ in finding_rules],
    )


def _check_extras(document: _Document, source: str, known_muscles: frozenset[str] | None) -> None:
    """The sections around the finding rules: bands, asymmetries, resolutions, notes and reassessment."""
    bands = document.bands
    if bands.present_at_least < bands.likely_at_least or bands.present_direct < bands.likely_direct:
        raise RulesError(f"{source}: bands: present must not be easier to reach than likely")
    for test in document.asymmetry:
        label = f"{source}: asymmetry {test.test}"
        for side in ("left", "right"):
            if not isinstance(field_type(f"{test.test}.{side}"), NUMERIC):
                raise RulesError(f"{label}: {test.test}.{side} is not a numeric input field")
        if test.measure == "ratio" and not test.at_least < 1:
            raise RulesError(f"{label}: a ratio must be below 1")
        _check_muscles(label, "muscles", test.muscles, known_muscles)
        _template(label, "summary", test.summary, {"left", "right", "side", "difference"})
    for resolution in document.resolutions:
        label = f"{source}: {resolution.id}"
        _check_condition(resolution.when, label, "when", known_muscles)
        _check_muscles(label, "muscles", resolution.muscles, known_muscles)
        _template(label, "summary", resolution.summary, {"facts"})
    measured = set(FieldTests.__struct_fields__) - {"thomas_test"}  # read positive or negative, not measured
    for name in document.reassessment.tests:
        if name not in measured:
            raise RulesError(f"{source}: reassessment.tests: {name!r} is not a measured field test")
    codes = [note.code for note in document.notes]
    if len(set(codes)) != len(codes):
        raise RulesError(f"{source}: notes: a code is used twice")
    for note in document.notes:
        _check_condition(note.when, f"{source}: note {note.code}", "when", known_muscles)


def load_rules(
    path: Path = RULES_PATH,
    *,
    known_muscles: frozenset[str] | None = None,
    known_patterns: frozenset[str] | None = None,
    known_conditions: frozenset[str] | None = None,
) -> RuleSet:
    """Load and validate the rules file; pass the catalogue's slugs to check every muscle, pattern and condition."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise RulesError(f"{path.name}: cannot read: {exc}") from exc
    return parse_rules(
        raw,
        source=path.name,
        known_muscles=known_muscles,
        known_patterns=known_patterns,
        known_conditions=known_conditions,
    )
