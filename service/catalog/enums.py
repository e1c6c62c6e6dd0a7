"""The closed vocabularies of the catalogue, shared by the data files, the database checks and the APIs."""

from __future__ import annotations

from enum import StrEnum


class MuscleKind(StrEnum):
    group = "group"
    muscle = "muscle"
    part = "part"
    fascia = "fascia"


class Tendency(StrEnum):
    prone_to_overactivity = "prone_to_overactivity"
    prone_to_underactivity = "prone_to_underactivity"
    neutral = "neutral"


class Modality(StrEnum):
    self_myofascial_release = "self_myofascial_release"
    static_stretch = "static_stretch"
    dynamic_stretch = "dynamic_stretch"
    activation = "activation"
    strength = "strength"
    mobility = "mobility"


class Phase(StrEnum):
    release = "release"
    lengthen = "lengthen"
    strengthen = "strengthen"
    integrate = "integrate"


class Level(StrEnum):
    beginner = "beginner"
    intermediate = "intermediate"
    advanced = "advanced"


class Mechanic(StrEnum):
    compound = "compound"
    isolation = "isolation"


class Force(StrEnum):
    push = "push"
    pull = "pull"
    static = "static"


class Laterality(StrEnum):
    bilateral = "bilateral"
    unilateral = "unilateral"
    alternating = "alternating"


class SpinalLoad(StrEnum):
    none = "none"
    low = "low"
    moderate = "moderate"
    high = "high"


class Position(StrEnum):
    """A body position an exercise holds or passes through (CLINICAL.md §4)."""

    standing = "standing"
    seated = "seated"
    supine = "supine"
    prone = "prone"
    side_lying = "side_lying"
    kneeling = "kneeling"
    quadruped = "quadruped"
    plank = "plank"  # face down on hands or forearms and toes or knees, the body off the floor
    hanging = "hanging"
    inverted = "inverted"  # the head below the heart


class Demand(StrEnum):
    """What an exercise asks of the body that a condition may forbid (CLINICAL.md §4)."""

    loaded_spinal_flexion = "loaded_spinal_flexion"
    loaded_spinal_rotation = "loaded_spinal_rotation"
    end_range_spinal_flexion = "end_range_spinal_flexion"  # a deep forward fold of the spine, loaded or not
    end_range_spinal_rotation = "end_range_spinal_rotation"  # a twist of the spine to its end range, loaded or not
    overhead = "overhead"  # the arm above shoulder height, loaded or at end range
    deep_knee_flexion_loaded = "deep_knee_flexion_loaded"
    impact = "impact"
    valsalva = "valsalva"  # heavy bracing or near-maximal holds
    balance_demand = "balance_demand"  # unsupported single-leg or unstable


class MuscleRole(StrEnum):
    primary = "primary"
    secondary = "secondary"


class MuscleRoleFilter(StrEnum):
    primary = "primary"
    secondary = "secondary"
    any = "any"


class PatternRole(StrEnum):
    overactive = "overactive"
    underactive = "underactive"


class RelationKind(StrEnum):
    regression = "regression"
    progression = "progression"
    alternative = "alternative"


class EquipmentCategory(StrEnum):
    bodyweight = "bodyweight"
    free_weight = "free_weight"
    machine = "machine"
    cable = "cable"
    accessory = "accessory"
    recovery = "recovery"


def sql_in(enum: type[StrEnum]) -> str:
    """A CHECK constraint body listing the enum's values."""
    return ", ".join(f"'{member.value}'" for member in enum)
