"""Import free-exercise-db (github.com/yuhonas/free-exercise-db, public domain) into the exercise catalogue.

`plan_import` is pure: the parsed JSON in; the exercise records, every value it could not map and every record it
skipped (with the reason) out. `import_plan` writes a plan through the seed machinery (service/catalog/seed.py) in
the caller's transaction, and `run_import` runs that in one transaction, rolled back for a dry run, so a dry run
reports exactly what a real run would do and an error leaves the database as it was.

The dataset's records are converted, never copied wholesale: its 17 coarse muscles, equipment, categories and
levels map onto our vocabulary through the tables below; what it does not know (spinal load, doses) is derived by
documented heuristics; what nobody can derive from it (contraindications, cues, relations) stays empty.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import msgspec
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from service.catalog.enums import Force, Laterality, Level, Mechanic, Modality, Phase, SpinalLoad
from service.catalog.models import EXERCISE_NAME_LENGTH, SLUG_LENGTH
from service.catalog.records import DoseRecord, ExerciseRecord, is_slug
from service.catalog.seed import LinkTargets, Origin, SeedReport, upsert_exercises

SOURCE = "free-exercise-db"
# The dataset's LICENSE.md is the Unlicense, word for word (public-domain dedication, "refer to unlicense.org").
LICENSE = "Unlicense"
# Reserved in service/catalog/records.py: curated slugs never start with it, so imports never collide with them.
SLUG_PREFIX = "fedb_"
ORIGIN = Origin(source=SOURCE, license=LICENSE, slug_prefix=SLUG_PREFIX)

# ------------------------------------------------------------------------------------------ mapping tables

# Their 17 coarse muscles → slugs of our tree (service/catalog/data/muscles.yaml). Where theirs is a region that
# ours splits, it maps onto the muscles their exercises for that region work.
MUSCLES: dict[str, tuple[str, ...]] = {
    "abdominals": ("abdominals",),
    # Their abductor work is side-lying and cable or band hip abduction: gluteus medius and TFL do it.
    "abductors": ("gluteus_medius", "tensor_fasciae_latae"),
    "adductors": ("adductors",),
    "biceps": ("biceps_brachii",),
    "calves": ("calves",),
    # Presses, flyes and dips: the pectoralis major (the minor is posture work, not what they list).
    "chest": ("pectoralis_major",),
    "forearms": ("forearms",),
    "glutes": ("glutes",),
    "hamstrings": ("hamstrings",),
    "lats": ("latissimus_dorsi",),
    # Back extensions, good mornings, the deadlift's back: the spinal erectors.
    "lower back": ("erector_spinae",),
    # Rows and retraction work: the scapular retractors between the shoulder blades.
    "middle back": ("rhomboids", "middle_trapezius"),
    # Neck flexion, side bends and harness work: the front and side of the neck.
    "neck": ("sternocleidomastoid", "levator_scapulae"),
    "quadriceps": ("quadriceps",),
    "shoulders": ("deltoids",),
    # Their traps work is shrugs and upright rows: the upper fibres.
    "traps": ("upper_trapezius",),
    "triceps": ("triceps_brachii",),
}

# Their equipment → our equipment slugs (service/catalog/data/equipment.yaml).
EQUIPMENT: dict[str | None, str] = {
    "barbell": "barbell",
    "dumbbell": "dumbbell",
    "cable": "cable_machine",
    "body only": "bodyweight",
    "kettlebells": "kettlebell",
    "bands": "resistance_band",
    "foam roll": "foam_roller",
    "medicine ball": "medicine_ball",
    "exercise ball": "exercise_ball",
    "e-z curl bar": "ez_curl_bar",
    "machine": "machine",
    "other": "other",
    # No equipment named is unknown equipment, not "none": claiming bodyweight would put it in home programs.
    None: "other",
}
# An equipment value outside the table is reported and imported as unknown.
UNKNOWN_EQUIPMENT = "other"

LEVELS: dict[str, Level] = {
    "beginner": Level.beginner,
    "intermediate": Level.intermediate,
    "expert": Level.advanced,
}

# Categories whose exercises are strength work; compound ones also serve integration (whole-chain work).
STRENGTH_CATEGORIES = frozenset({"strength", "powerlifting", "olympic weightlifting", "strongman"})
# Known categories with no modality of ours: their records are skipped with this reason, not reported as unmapped.
SKIPPED_CATEGORIES = {"cardio": "category cardio has no Realign modality"}

# Their self-myofascial-release records are the stretching category with "SMR" in the name ("Calves-SMR").
SMR_NAME = re.compile(r"\bsmr\b", re.IGNORECASE)
# Laterality from the name (the dataset has no field for it); anything else counts as bilateral.
ALTERNATING_NAME = re.compile(r"\balternating\b", re.IGNORECASE)
UNILATERAL_NAME = re.compile(r"\b(?:single[- ]leg|one[- ]arm|one[- ]leg)", re.IGNORECASE)

# Spinal load is not in the dataset; this heuristic errs towards more load, since the program generator uses it to
# keep loaded work away from bad backs:
# - stretches and SMR: low (never "none": lying and standing positions cannot be told apart from the data);
# - isolation work: low;
# - barbell or trap-bar compound lifts named as a squat, deadlift, good morning, row, clean, snatch, jerk or press:
#   high (the bar loads or shears the spine);
# - other compound work: moderate, unless it needs nothing heavier than the body, a band, an exercise ball or a
#   foam roller (low). Unknown equipment ("other") counts as loaded. A missing mechanic counts as compound.
HEAVY_LIFT_NAME = re.compile(r"\b(?:squat|deadlift|good morning|row|clean|snatch|jerk|press)(?:e?s)?\b", re.IGNORECASE)
TRAP_BAR_NAME = re.compile(r"\b(?:trap|hex)[- ]bar\b", re.IGNORECASE)
LIGHT_EQUIPMENT = frozenset({"bodyweight", "resistance_band", "exercise_ball", "foam_roller"})

# Default doses: a generic starting point the program generator scales; the dataset prescribes none.
# Unilateral and alternating exercises are dosed per side.
STRENGTH_DOSE = DoseRecord(sets=3, reps=10, rest_seconds=90, intensity="RPE 7")
STRETCH_DOSE = DoseRecord(sets=2, hold_seconds=30, rest_seconds=15)
SMR_DOSE = DoseRecord(sets=1, duration_seconds=45, rest_seconds=0)

# Limits of the exercises table.
MAX_SLUG_LENGTH = SLUG_LENGTH
MAX_NAME_LENGTH = EXERCISE_NAME_LENGTH

# ------------------------------------------------------------------------------------------ input


class DatasetError(ValueError):
    """The file is not a free-exercise-db dataset: the message names the record (index and id) at fault."""


NonEmpty = Annotated[str, msgspec.Meta(min_length=1)]


class SourceExercise(msgspec.Struct, kw_only=True, rename="camel"):
    """One record of the dataset. Unknown fields are ignored: the dataset may grow."""

    id: NonEmpty
    name: NonEmpty
    force: str | None = None
    level: str | None = None
    mechanic: str | None = None
    equipment: str | None = None
    primary_muscles: list[str] = []
    secondary_muscles: list[str] = []
    instructions: list[str] = []
    category: str | None = None
    images: list[str] = []


def read_dataset(path: Path) -> Any:
    """The parsed JSON of the dataset file."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DatasetError(f"cannot read: {exc.strerror or exc}") from exc
    try:
        return msgspec.json.decode(data)
    except msgspec.DecodeError as exc:
        raise DatasetError(f"not valid JSON: {exc}") from exc


def parse_records(raw: Any) -> list[SourceExercise]:
    """Validate the parsed JSON; the first bad record fails the whole file."""
    if not isinstance(raw, list):
        raise DatasetError(f"expected a JSON list of exercises at the top level, got {_json_type(raw)}")
    records = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            raise DatasetError(f"record at index {index}: expected an object, got {_json_type(item)}")
        record_id = item.get("id")
        label = f"record at index {index}" + (f" (id {record_id!r})" if isinstance(record_id, str) else "")
        try:
            records.append(msgspec.convert(item, SourceExercise))
        except msgspec.ValidationError as exc:
            raise DatasetError(f"{label}: {exc}") from exc
    return records


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean", int: "a number", float: "a number"}
    return "null" if value is None else names.get(type(value), type(value).__name__)


# ------------------------------------------------------------------------------------------ mapping

E = TypeVar("E", bound=StrEnum)


@dataclass(frozen=True)
class Unmapped:
    """A value of the dataset with no counterpart here, and how often it occurred."""

    field: str
    value: str
    count: int


@dataclass(frozen=True)
class Skipped:
    index: int
    id: str
    reason: str


@dataclass(frozen=True)
class ImportPlan:
    records: list[ExerciseRecord]
    unmapped: list[Unmapped]
    skipped: list[Skipped]
    read: int


def slug_for(record_id: str) -> str:
    """`fedb_` + the snake_case of the dataset id: lowercase, each run of other characters one `_`."""
    return SLUG_PREFIX + re.sub(r"[^a-z0-9]+", "_", record_id.lower()).strip("_")


class _Skip(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class _Mapper:
    unmapped: Counter[tuple[str, str]] = field(default_factory=Counter)

    def report(self, field_name: str, value: str) -> None:
        self.unmapped[(field_name, value)] += 1

    def muscles(self, field_name: str, names: Sequence[str]) -> list[str]:
        slugs: list[str] = []
        for name in names:
            if name not in MUSCLES:
                self.report(field_name, name)
            slugs += [slug for slug in MUSCLES.get(name, ()) if slug not in slugs]
        return slugs

    def modality(self, source: SourceExercise) -> tuple[Modality, list[Phase]]:
        if SMR_NAME.search(source.name):
            return Modality.self_myofascial_release, [Phase.release]
        category = source.category
        if category == "stretching":
            return Modality.static_stretch, [Phase.lengthen]
        if category in STRENGTH_CATEGORIES:
            compound = source.mechanic == Mechanic.compound
            return Modality.strength, [Phase.strengthen, Phase.integrate] if compound else [Phase.strengthen]
        if category == "plyometrics":
            return Modality.strength, [Phase.integrate]
        if category in SKIPPED_CATEGORIES:
            raise _Skip(SKIPPED_CATEGORIES[category])
        if category is None:
            raise _Skip("no category, so no modality")
        self.report("category", category)
        raise _Skip(f"category {category} has no Realign modality")

    def level(self, source: SourceExercise) -> Level:
        if source.level in LEVELS:
            return LEVELS[source.level]
        if source.level is None:
            raise _Skip("no level")
        self.report("level", source.level)
        raise _Skip(f"level {source.level} has no Realign level")

    def equipment(self, source: SourceExercise) -> str:
        if source.equipment in EQUIPMENT:
            return EQUIPMENT[source.equipment]
        assert source.equipment is not None  # None is in the table
        self.report("equipment", source.equipment)
        return UNKNOWN_EQUIPMENT

    def optional(self, field_name: str, enum: type[E], value: str | None) -> E | None:
        """Their value when it is one of ours; null (and reported, unless it was null) otherwise."""
        if value is None:
            return None
        try:
            return enum(value)
        except ValueError:
            self.report(field_name, value)
            return None

    def exercise(self, source: SourceExercise, slug: str) -> ExerciseRecord:
        name = " ".join(source.name.split())
        if len(name) > MAX_NAME_LENGTH:
            raise _Skip(f"name longer than {MAX_NAME_LENGTH} characters")
        modality, phases = self.modality(source)
        level = self.level(source)
        primary = self.muscles("primaryMuscles", source.primary_muscles)
        secondary = [s for s in self.muscles("secondaryMuscles", source.secondary_muscles) if s not in primary]
        equipment = self.equipment(source)
        mechanic = self.optional("mechanic", Mechanic, source.mechanic)
        if not primary:
            raise _Skip("no primary muscle maps onto the muscle tree")
        laterality = _laterality(name)
        return ExerciseRecord(
            slug=slug,
            name=name,
            summary=_summary(source, modality),
            instructions=[step.strip() for step in source.instructions if step.strip()],
            modality=modality,
            phases=phases,
            primary_muscles=primary,
            secondary_muscles=secondary,
            equipment=[equipment],
            level=level,
            mechanic=mechanic,
            force=self.optional("force", Force, source.force),
            laterality=laterality,
            spinal_load=_spinal_load(name, modality, mechanic, equipment),
            # The dataset says nothing about who should avoid an exercise, and we cannot judge it from a name.
            # Empty means "none known", so the program generator must only pick imported exercises where their
            # metadata suffices, and never to satisfy a contraindication it cannot judge (a later issue).
            contraindications=[],
            dose=_dose(modality, laterality),
        )


def _laterality(name: str) -> Laterality:
    if ALTERNATING_NAME.search(name):
        return Laterality.alternating
    if UNILATERAL_NAME.search(name):
        return Laterality.unilateral
    return Laterality.bilateral


def _spinal_load(name: str, modality: Modality, mechanic: Mechanic | None, equipment: str) -> SpinalLoad:
    if modality is not Modality.strength or mechanic is Mechanic.isolation:
        return SpinalLoad.low
    if (equipment == "barbell" or TRAP_BAR_NAME.search(name)) and HEAVY_LIFT_NAME.search(name):
        return SpinalLoad.high
    return SpinalLoad.low if equipment in LIGHT_EQUIPMENT else SpinalLoad.moderate


def _dose(modality: Modality, laterality: Laterality) -> DoseRecord:
    dose = {Modality.self_myofascial_release: SMR_DOSE, Modality.static_stretch: STRETCH_DOSE}.get(
        modality, STRENGTH_DOSE
    )
    return msgspec.structs.replace(dose, per_side=laterality is not Laterality.bilateral)


def _summary(source: SourceExercise, modality: Modality) -> str:
    kind = {
        Modality.self_myofascial_release: "a self-myofascial release exercise",
        Modality.static_stretch: "a static stretch",
    }.get(modality, "a plyometric exercise" if source.category == "plyometrics" else "a strength exercise")
    regions = list(dict.fromkeys(name for name in source.primary_muscles if name in MUSCLES))
    return f"Imported from {SOURCE}: {kind} for the {' and '.join(regions)}."


def plan_import(raw: Any) -> ImportPlan:
    """Map the parsed dataset onto exercise records (pure). Raises DatasetError when the file is invalid."""
    sources = parse_records(raw)
    mapper = _Mapper()
    records: list[ExerciseRecord] = []
    skipped: list[Skipped] = []
    first_with_slug: dict[str, int] = {}
    for index, source in enumerate(sources):
        slug = slug_for(source.id)
        try:
            if not is_slug(slug):
                raise _Skip("id has no letters or digits to make a slug of")
            if len(slug) > MAX_SLUG_LENGTH:
                raise _Skip(f"slug {slug} is longer than {MAX_SLUG_LENGTH} characters")
            if slug in first_with_slug:
                first = first_with_slug[slug]
                raise _Skip(f"slug {slug} is already taken by record at index {first} (id {sources[first].id!r})")
            first_with_slug[slug] = index
            records.append(mapper.exercise(source, slug))
        except _Skip as skip:
            skipped.append(Skipped(index=index, id=source.id, reason=skip.reason))
    unmapped = [Unmapped(f, value, count) for (f, value), count in sorted(mapper.unmapped.items())]
    return ImportPlan(records=records, unmapped=unmapped, skipped=skipped, read=len(sources))


# ------------------------------------------------------------------------------------------ writing

# Serialises concurrent imports of this dataset (the second then sees the first one's rows and changes nothing).
_LOCK_KEY = int.from_bytes(b"fedb", "big")


@dataclass(frozen=True)
class ImportReport:
    read: int
    inserted: list[str]
    updated: list[str]
    unchanged: int
    skipped: list[Skipped]
    unmapped: list[Unmapped]
    dry_run: bool = False

    @property
    def changed(self) -> int:
        return len(self.inserted) + len(self.updated)

    def lines(self) -> list[str]:
        """What the command prints: counts, skips and unmapped values; for a dry run, every change too."""
        prefix = "dry run (nothing written): a real run would report " if self.dry_run else ""
        lines = [
            f"{SOURCE}: {self.read} records read; {prefix}inserted {len(self.inserted)}, "
            f"updated {len(self.updated)}, unchanged {self.unchanged}, skipped {len(self.skipped)}"
        ]
        if self.skipped:
            lines.append("skipped:")
            lines += [f"  [{s.index}] {s.id}: {s.reason}" for s in self.skipped]
        if self.unmapped:
            lines.append("values that could not be mapped (occurrences):")
            lines += [f"  {u.field} {u.value!r}: {u.count}" for u in self.unmapped]
        elif self.dry_run:
            lines.append("every value could be mapped")
        if self.dry_run:
            lines += [f"  would insert {slug}" for slug in self.inserted]
            lines += [f"  would update {slug}" for slug in self.updated]
        return lines


async def import_plan(session: AsyncSession, plan: ImportPlan) -> SeedReport:
    """Upsert the plan's exercises in the caller's transaction (curated rows are never touched)."""
    await session.execute(select(func.pg_advisory_xact_lock(_LOCK_KEY)))
    report = SeedReport()
    await upsert_exercises(session, plan.records, ORIGIN, report, await LinkTargets.load(session))
    return report


async def run_import(
    session_factory: async_sessionmaker[AsyncSession], plan: ImportPlan, *, dry_run: bool = False
) -> ImportReport:
    """Write the plan in one transaction: committed, or rolled back for a dry run and on any error."""
    async with session_factory() as session:
        transaction = await session.begin()
        try:
            written = await import_plan(session, plan)
        except BaseException:
            await transaction.rollback()
            raise
        await (transaction.rollback() if dry_run else transaction.commit())
    return ImportReport(
        read=plan.read,
        inserted=written.inserted_slugs.get("exercises", []),
        updated=written.updated_slugs.get("exercises", []),
        unchanged=written.unchanged.get("exercises", 0),
        skipped=plan.skipped,
        unmapped=plan.unmapped,
        dry_run=dry_run,
    )
