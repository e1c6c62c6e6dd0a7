"""The curated catalogue's data files: their record types, loading and validation.

A bad record fails the load with a message naming the file and the record, before anything touches the database.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import msgspec
import yaml

from service.catalog.enums import (
    Demand,
    EquipmentCategory,
    Force,
    Laterality,
    Level,
    Mechanic,
    Modality,
    MuscleKind,
    Phase,
    Position,
    SpinalLoad,
    Tendency,
)

DATA_DIR = Path(__file__).parent / "data"
SLUG_RE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
# Slug namespaces owned by imported datasets (service/catalog/importers). No curated record may take one, so an
# import can never collide with, let alone overwrite, a curated record.
RESERVED_SLUG_PREFIXES = ("fedb_",)


def is_slug(value: str) -> bool:
    return SLUG_RE.fullmatch(value) is not None


class Record(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    slug: str

    def content_hash(self, salt: str = "") -> str:
        """Stable digest of the record: the seed updates a row (and its `updated_at`) only when it changes.

        `salt` folds in what the row holds beyond the record (an import's source and license).
        """
        return hashlib.sha256(salt.encode() + msgspec.json.encode(self)).hexdigest()


class MuscleRecord(Record, kw_only=True):
    name: str
    kind: MuscleKind
    parent: str | None
    members: list[str] = []
    latin_name: str | None = None
    actions: list[str] = []
    antagonists: list[str] = []
    tendency: Tendency = Tendency.neutral
    trigger_point_site: bool = False
    description: str = ""


class EquipmentRecord(Record, kw_only=True):
    name: str
    category: EquipmentCategory
    description: str = ""


class ConditionRecord(Record, kw_only=True):
    name: str
    description: str = ""


class PatternRecord(Record, kw_only=True):
    name: str
    description: str = ""
    overactive: list[str]
    underactive: list[str]
    typical_findings: list[str] = []
    references: list[str] = []


class ContraindicationRecord(msgspec.Struct, forbid_unknown_fields=True):
    condition: str
    reason: str


class DoseRecord(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    sets: int
    reps: int | None = None
    hold_seconds: int | None = None
    duration_seconds: int | None = None
    per_side: bool = False
    tempo: str | None = None
    rest_seconds: int = 0
    intensity: str | None = None


class ExerciseRecord(Record, kw_only=True):
    name: str
    aliases: list[str] = []
    summary: str
    instructions: list[str]
    cues: list[str] = []
    modality: Modality
    phases: list[Phase]
    primary_muscles: list[str]
    secondary_muscles: list[str] = []
    equipment: list[str]
    level: Level
    mechanic: Mechanic | None = None
    force: Force | None = None
    laterality: Laterality
    spinal_load: SpinalLoad
    # Movement attributes (CLINICAL.md §4): the positions the exercise holds or passes through and what it demands.
    # Conditions restrict them (service/programs/rules.yaml `restrictions`).
    positions: list[Position] = []
    demands: list[Demand] = []
    contraindications: list[ContraindicationRecord] = []
    dose: DoseRecord
    regressions: list[str] = []
    progressions: list[str] = []
    alternatives: list[str] = []


class CatalogDataError(ValueError):
    """A data file or one of its records is invalid."""


@dataclass(frozen=True)
class CatalogData:
    muscles: list[MuscleRecord]
    equipment: list[EquipmentRecord]
    conditions: list[ConditionRecord]
    patterns: list[PatternRecord]
    exercises: list[ExerciseRecord]


R = TypeVar("R", bound=Record)


def _load_file(path: Path, record_type: type[R]) -> list[tuple[R, str]]:
    """Records of one file, each with a label (`file: record #n (slug)`) for later error messages."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise CatalogDataError(f"{path.name}: cannot read: {exc}") from exc
    if not isinstance(raw, list):
        raise CatalogDataError(f"{path.name}: expected a list of records at the top level")
    loaded: list[tuple[R, str]] = []
    for index, item in enumerate(raw, start=1):
        slug = item.get("slug") if isinstance(item, dict) else None
        label = f"{path.name}: record #{index} ({slug or 'no slug'})"
        try:
            record = msgspec.convert(item, record_type)
        except msgspec.ValidationError as exc:
            raise CatalogDataError(f"{label}: {exc}") from exc
        if not is_slug(record.slug):
            raise CatalogDataError(f"{label}: slug must be snake_case")
        if record.slug.startswith(RESERVED_SLUG_PREFIXES):
            raise CatalogDataError(f"{label}: slug prefixes {', '.join(RESERVED_SLUG_PREFIXES)} belong to imports")
        loaded.append((record, label))
    return loaded


def _unique(records: list[tuple[R, str]], kind: str) -> dict[str, R]:
    by_slug: dict[str, R] = {}
    for record, label in records:
        if record.slug in by_slug:
            raise CatalogDataError(f"{label}: duplicate {kind} slug")
        by_slug[record.slug] = record
    return by_slug


def _require(label: str, field: str, slugs: list[str], known: dict[str, Any], kind: str) -> None:
    unknown = [slug for slug in slugs if slug not in known]
    if unknown:
        raise CatalogDataError(f"{label}: {field} names unknown {kind} {', '.join(unknown)}")


def _validate_muscles(records: list[tuple[MuscleRecord, str]]) -> dict[str, MuscleRecord]:
    muscles = _unique(records, "muscle")
    seen: set[str] = set()
    for record, label in records:
        if record.parent is not None and record.parent not in seen:
            raise CatalogDataError(f"{label}: parent {record.parent} must be defined earlier in the file")
        _require(label, "members", record.members, muscles, "muscle")
        _require(label, "antagonists", record.antagonists, muscles, "muscle")
        seen.add(record.slug)
    return muscles


def _validate_exercise(
    record: ExerciseRecord,
    label: str,
    muscles: dict[str, MuscleRecord],
    equipment: dict[str, EquipmentRecord],
    conditions: dict[str, ConditionRecord],
    exercises: dict[str, ExerciseRecord],
) -> None:
    if not record.phases:
        raise CatalogDataError(f"{label}: phases must not be empty")
    if not record.primary_muscles:
        raise CatalogDataError(f"{label}: primary_muscles must not be empty")
    _require(label, "primary_muscles", record.primary_muscles, muscles, "muscle")
    _require(label, "secondary_muscles", record.secondary_muscles, muscles, "muscle")
    if set(record.primary_muscles) & set(record.secondary_muscles):
        raise CatalogDataError(f"{label}: a muscle cannot be both primary and secondary")
    if not record.equipment:
        raise CatalogDataError(f"{label}: equipment must not be empty (use [bodyweight])")
    if not record.positions:
        raise CatalogDataError(f"{label}: positions must not be empty (programs restrict exercises by them)")
    for field in ("positions", "demands"):
        values: list[str] = getattr(record, field)
        if len(set(values)) != len(values):
            raise CatalogDataError(f"{label}: {field} must not repeat a value")
    _require(label, "equipment", record.equipment, equipment, "equipment")
    _require(label, "contraindications", [c.condition for c in record.contraindications], conditions, "condition")
    for field in ("regressions", "progressions", "alternatives"):
        targets: list[str] = getattr(record, field)
        _require(label, field, targets, exercises, "exercise")
        if record.slug in targets:
            raise CatalogDataError(f"{label}: {field} must not name the exercise itself")
    dose = record.dose
    measures = [m for m in (dose.reps, dose.hold_seconds, dose.duration_seconds) if m is not None]
    if len(measures) != 1:
        raise CatalogDataError(f"{label}: dose needs exactly one of reps, hold_seconds, duration_seconds")
    if dose.sets < 1 or dose.rest_seconds < 0 or measures[0] < 1:
        raise CatalogDataError(f"{label}: dose values must be positive")


def load_catalog(data_dir: Path = DATA_DIR) -> CatalogData:
    muscle_records = _load_file(data_dir / "muscles.yaml", MuscleRecord)
    muscles = _validate_muscles(muscle_records)
    equipment = _unique(_load_file(data_dir / "equipment.yaml", EquipmentRecord), "equipment")
    conditions = _unique(_load_file(data_dir / "conditions.yaml", ConditionRecord), "condition")
    pattern_records = _load_file(data_dir / "patterns.yaml", PatternRecord)
    patterns = _unique(pattern_records, "pattern")
    for pattern, label in pattern_records:
        _require(label, "overactive", pattern.overactive, muscles, "muscle")
        _require(label, "underactive", pattern.underactive, muscles, "muscle")

    exercise_records: list[tuple[ExerciseRecord, str]] = []
    for path in sorted((data_dir / "exercises").glob("*.yaml")):
        exercise_records.extend(_load_file(path, ExerciseRecord))
    exercises = _unique(exercise_records, "exercise")
    for exercise, label in exercise_records:
        _validate_exercise(exercise, label, muscles, equipment, conditions, exercises)

    return CatalogData(
        muscles=list(muscles.values()),
        equipment=list(equipment.values()),
        conditions=list(conditions.values()),
        patterns=list(patterns.values()),
        exercises=list(exercises.values()),
    )
