"""The curated data files load, and a bad record fails with a message naming the file and the record."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from service.catalog.records import CatalogDataError, load_catalog

CONTRACT_MUSCLES = [
    "calves",
    "gastrocnemius",
    "soleus",
    "tibialis_anterior",
    "hamstrings",
    "biceps_femoris",
    "biceps_femoris_long_head",
    "biceps_femoris_short_head",
    "semitendinosus",
    "semimembranosus",
    "quadriceps",
    "rectus_femoris",
    "vastus_lateralis",
    "vastus_medialis",
    "vastus_intermedius",
    "hip_flexors",
    "iliopsoas",
    "adductors",
    "tensor_fasciae_latae",
    "iliotibial_band",
    "piriformis",
    "glutes",
    "gluteus_maximus",
    "gluteus_medius",
    "gluteus_minimus",
    "erector_spinae",
    "quadratus_lumborum",
    "abdominals",
    "rectus_abdominis",
    "transverse_abdominis",
    "obliques",
    "latissimus_dorsi",
    "teres_major",
    "trapezius",
    "upper_trapezius",
    "middle_trapezius",
    "lower_trapezius",
    "rhomboids",
    "rear_deltoid",
    "rotator_cuff",
    "pectoralis_major",
    "pectoralis_minor",
    "serratus_anterior",
    "levator_scapulae",
    "sternocleidomastoid",
    "deep_cervical_flexors",
]

CONTRACT_EQUIPMENT = [
    "bodyweight",
    "foam_roller",
    "massage_ball",
    "step",
    "dumbbell",
    "kettlebell",
    "barbell",
    "trap_bar",
    "cable_machine",
    "rope_attachment",
    "resistance_band",
    "pull_up_bar",
    "lat_pulldown_machine",
    "hyperextension_bench",
    "bench",
    "leg_press_machine",
    "leg_extension_machine",
]


def test_curated_catalogue_holds_every_contract_slug() -> None:
    data = load_catalog()
    muscles = {m.slug: m for m in data.muscles}
    assert set(CONTRACT_MUSCLES) <= set(muscles)
    assert set(CONTRACT_EQUIPMENT) <= {e.slug for e in data.equipment}
    assert {"lower_crossed_syndrome", "upper_crossed_syndrome"} <= {p.slug for p in data.patterns}
    assert {"low_back_pain", "acute_disc_injury", "neck_pain", "knee_pain", "shoulder_impingement"} <= {
        c.slug for c in data.conditions
    }
    assert muscles["iliotibial_band"].kind == "fascia"
    assert muscles["rectus_femoris"].parent == "quadriceps"
    assert "rectus_femoris" in muscles["hip_flexors"].members
    assert muscles["biceps_femoris_short_head"].parent == "biceps_femoris"
    assert len(data.exercises) > 100


LEVELS = ["beginner", "intermediate", "advanced"]


def test_regressions_are_never_harder_and_progressions_never_easier() -> None:
    data = load_catalog()
    level = {e.slug: LEVELS.index(e.level) for e in data.exercises}
    for exercise in data.exercises:
        assert exercise.instructions and exercise.cues, exercise.slug
        for slug in exercise.regressions:
            assert level[slug] <= level[exercise.slug], (exercise.slug, "regression", slug)
        for slug in exercise.progressions:
            assert level[slug] >= level[exercise.slug], (exercise.slug, "progression", slug)


def _rewrite(path: Path, mutate) -> None:  # type: ignore[no-untyped-def]
    records = yaml.safe_load(path.read_text())
    mutate(records)
    path.write_text(yaml.safe_dump(records, sort_keys=False))


def test_unknown_muscle_names_file_and_record(catalog_dir: Path) -> None:
    target = sorted((catalog_dir / "exercises").glob("*.yaml"))[0]
    first_slug = yaml.safe_load(target.read_text())[0]["slug"]
    _rewrite(target, lambda records: records[0].update(primary_muscles=["not_a_muscle"]))
    with pytest.raises(CatalogDataError) as error:
        load_catalog(catalog_dir)
    message = str(error.value)
    assert target.name in message and f"record #1 ({first_slug})" in message and "not_a_muscle" in message


def test_unknown_field_is_rejected(catalog_dir: Path) -> None:
    _rewrite(catalog_dir / "equipment.yaml", lambda records: records[2].update(colour="red"))
    with pytest.raises(CatalogDataError, match=r"equipment\.yaml: record #3 .*colour"):
        load_catalog(catalog_dir)


def test_bad_enum_value_is_rejected(catalog_dir: Path) -> None:
    target = sorted((catalog_dir / "exercises").glob("*.yaml"))[0]
    _rewrite(target, lambda records: records[1].update(modality="yoga"))
    with pytest.raises(CatalogDataError, match=r"record #2 .*modality"):
        load_catalog(catalog_dir)


def test_parent_must_come_first(catalog_dir: Path) -> None:
    def move_calves_to_end(records: list[dict]) -> None:
        index = next(i for i, r in enumerate(records) if r["slug"] == "calves")
        records.append(records.pop(index))

    _rewrite(catalog_dir / "muscles.yaml", move_calves_to_end)
    with pytest.raises(CatalogDataError, match="parent calves must be defined earlier"):
        load_catalog(catalog_dir)


def test_dose_needs_exactly_one_measure(catalog_dir: Path) -> None:
    target = sorted((catalog_dir / "exercises").glob("*.yaml"))[0]
    _rewrite(target, lambda records: records[0]["dose"].update(reps=10, hold_seconds=30, duration_seconds=None))
    with pytest.raises(CatalogDataError, match="exactly one of reps"):
        load_catalog(catalog_dir)


def test_duplicate_slug_is_rejected(catalog_dir: Path) -> None:
    _rewrite(catalog_dir / "conditions.yaml", lambda records: records.append(dict(records[0])))
    with pytest.raises(CatalogDataError, match="duplicate condition slug"):
        load_catalog(catalog_dir)


def test_curated_slug_cannot_take_an_import_prefix(catalog_dir: Path) -> None:
    target = sorted((catalog_dir / "exercises").glob("*.yaml"))[0]
    _rewrite(target, lambda records: records[0].update(slug="fedb_my_own_squat"))
    with pytest.raises(CatalogDataError, match=r"record #1 \(fedb_my_own_squat\).*belong to imports"):
        load_catalog(catalog_dir)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"positions": []}, "positions must not be empty"),
        ({"positions": ["upside_down"]}, "positions"),
        ({"demands": ["overhead", "overhead"]}, "demands must not repeat a value"),
        ({"demands": ["heavy"]}, "demands"),
    ],
)
def test_movement_attributes_are_required_and_from_the_vocabulary(
    catalog_dir: Path, change: dict[str, list[str]], message: str
) -> None:
    target = sorted((catalog_dir / "exercises").glob("*.yaml"))[0]
    _rewrite(target, lambda records: records[0].update(change))
    with pytest.raises(CatalogDataError, match=message):
        load_catalog(catalog_dir)
