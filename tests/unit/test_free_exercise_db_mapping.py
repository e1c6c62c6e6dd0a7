"""The pure mapping of free-exercise-db records onto catalogue records (no database)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from service.catalog.enums import Force, Laterality, Level, Mechanic, Modality, Phase, SpinalLoad
from service.catalog.importers import free_exercise_db as fedb
from service.catalog.records import RESERVED_SLUG_PREFIXES, ExerciseRecord, is_slug, load_catalog

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "free_exercise_db_sample.json"


def _record(**overrides: Any) -> dict[str, Any]:
    """A valid dataset record (our own words), changed by `overrides`."""
    record: dict[str, Any] = {
        "name": "Test Cable Pull",
        "force": "pull",
        "level": "beginner",
        "mechanic": "isolation",
        "equipment": "cable",
        "primaryMuscles": ["lats"],
        "secondaryMuscles": [],
        "instructions": ["Pull.", "Return."],
        "category": "strength",
        "images": [],
        "id": "Test_Cable_Pull",
    }
    record.update(overrides)
    return record


def _one(**overrides: Any) -> ExerciseRecord:
    plan = fedb.plan_import([_record(**overrides)])
    assert not plan.skipped, plan.skipped
    [record] = plan.records
    return record


def _fixture() -> list[dict[str, Any]]:
    return json.loads(FIXTURE.read_text())


# ------------------------------------------------------------------------------------------ slugs


@pytest.mark.parametrize(
    ("record_id", "slug"),
    [
        ("3_4_Sit-Up", "fedb_3_4_sit_up"),
        ("Barbell_Deadlift", "fedb_barbell_deadlift"),
        ("One-Arm Bench Supported Row", "fedb_one_arm_bench_supported_row"),
        ("Bradford/Rocky_Presses", "fedb_bradford_rocky_presses"),
        ("--Weird__ Id!!", "fedb_weird_id"),
        ("Calves-SMR", "fedb_calves_smr"),
    ],
)
def test_slug_is_prefixed_snake_case_of_the_id(record_id: str, slug: str) -> None:
    assert fedb.slug_for(record_id) == slug
    assert is_slug(slug)


def test_slug_prefix_is_reserved_from_curated_records() -> None:
    assert fedb.SLUG_PREFIX in RESERVED_SLUG_PREFIXES
    assert not any(e.slug.startswith(fedb.SLUG_PREFIX) for e in load_catalog().exercises)


def test_colliding_ids_keep_the_first_and_report_the_second() -> None:
    plan = fedb.plan_import([_record(id="Cable Pull", name="First"), _record(id="cable_pull", name="Second")])
    assert [r.name for r in plan.records] == ["First"]
    [skipped] = plan.skipped
    assert (skipped.index, skipped.id) == (1, "cable_pull")
    assert "fedb_cable_pull is already taken by record at index 0 (id 'Cable Pull')" in skipped.reason


def test_an_id_without_letters_or_digits_is_skipped() -> None:
    plan = fedb.plan_import([_record(id="-- !")])
    assert not plan.records and "no letters or digits" in plan.skipped[0].reason


# ------------------------------------------------------------------------------------------ vocabulary


def test_every_mapping_target_exists_in_the_curated_catalogue() -> None:
    data = load_catalog()
    muscles = {m.slug for m in data.muscles}
    equipment = {e.slug for e in data.equipment}
    assert len(fedb.MUSCLES) == 17
    assert {slug for slugs in fedb.MUSCLES.values() for slug in slugs} <= muscles
    assert set(fedb.EQUIPMENT.values()) | {fedb.UNKNOWN_EQUIPMENT} <= equipment


@pytest.mark.parametrize(
    ("theirs", "ours"),
    [
        ("abdominals", ["abdominals"]),
        ("abductors", ["gluteus_medius", "tensor_fasciae_latae"]),
        ("biceps", ["biceps_brachii"]),
        ("chest", ["pectoralis_major"]),
        ("lats", ["latissimus_dorsi"]),
        ("lower back", ["erector_spinae"]),
        ("middle back", ["rhomboids", "middle_trapezius"]),
        ("neck", ["sternocleidomastoid", "levator_scapulae"]),
        ("shoulders", ["deltoids"]),
        ("traps", ["upper_trapezius"]),
        ("triceps", ["triceps_brachii"]),
    ],
)
def test_muscles_map_onto_the_tree(theirs: str, ours: list[str]) -> None:
    assert _one(primaryMuscles=[theirs]).primary_muscles == ours


def test_primary_wins_over_secondary_and_duplicates_go() -> None:
    record = _one(primaryMuscles=["glutes"], secondaryMuscles=["glutes", "hamstrings", "hamstrings", "abductors"])
    assert record.primary_muscles == ["glutes"]
    assert record.secondary_muscles == ["hamstrings", "gluteus_medius", "tensor_fasciae_latae"]


@pytest.mark.parametrize(
    ("theirs", "ours"),
    [
        ("barbell", "barbell"),
        ("dumbbell", "dumbbell"),
        ("cable", "cable_machine"),
        ("body only", "bodyweight"),
        ("kettlebells", "kettlebell"),
        ("bands", "resistance_band"),
        ("foam roll", "foam_roller"),
        ("medicine ball", "medicine_ball"),
        ("exercise ball", "exercise_ball"),
        ("e-z curl bar", "ez_curl_bar"),
        ("machine", "machine"),
        ("other", "other"),
        (None, "other"),
    ],
)
def test_equipment_maps_onto_our_slugs(theirs: str | None, ours: str) -> None:
    assert _one(equipment=theirs).equipment == [ours]


def test_missing_equipment_field_is_unknown_equipment() -> None:
    raw = _record()
    del raw["equipment"]
    assert fedb.plan_import([raw]).records[0].equipment == ["other"]


@pytest.mark.parametrize(
    ("theirs", "ours"), [("beginner", "beginner"), ("intermediate", "intermediate"), ("expert", "advanced")]
)
def test_levels(theirs: str, ours: str) -> None:
    assert _one(level=theirs).level == Level(ours)


# ------------------------------------------------------------------------------------------ modality, phases, load


@pytest.mark.parametrize(
    ("category", "mechanic", "name", "modality", "phases"),
    [
        ("stretching", None, "Calf Wall Lean", Modality.static_stretch, [Phase.lengthen]),
        ("stretching", "isolation", "Calves-SMR", Modality.self_myofascial_release, [Phase.release]),
        ("stretching", None, "Upper back smr roll", Modality.self_myofascial_release, [Phase.release]),
        ("strength", "compound", "Cable Pull", Modality.strength, [Phase.strengthen, Phase.integrate]),
        ("strength", "isolation", "Cable Pull", Modality.strength, [Phase.strengthen]),
        ("strength", None, "Cable Pull", Modality.strength, [Phase.strengthen]),
        ("powerlifting", "compound", "Cable Pull", Modality.strength, [Phase.strengthen, Phase.integrate]),
        ("olympic weightlifting", "compound", "Cable Pull", Modality.strength, [Phase.strengthen, Phase.integrate]),
        ("strongman", "isolation", "Cable Pull", Modality.strength, [Phase.strengthen]),
        ("plyometrics", "compound", "Box Hop", Modality.strength, [Phase.integrate]),
    ],
)
def test_modality_and_phases(
    category: str, mechanic: str | None, name: str, modality: Modality, phases: list[Phase]
) -> None:
    record = _one(category=category, mechanic=mechanic, name=name)
    assert (record.modality, record.phases) == (modality, phases)


def test_smr_must_be_a_word() -> None:
    assert _one(name="Smrtwist Pull", category="strength").modality is Modality.strength


def test_cardio_is_skipped_with_a_reason() -> None:
    plan = fedb.plan_import([_record(category="cardio", id="Easy_Spin")])
    assert not plan.records and not plan.unmapped
    assert plan.skipped == [fedb.Skipped(index=0, id="Easy_Spin", reason="category cardio has no Realign modality")]


@pytest.mark.parametrize(
    ("name", "laterality"),
    [
        ("Single-Leg Glute Bridge", Laterality.unilateral),
        ("single leg deadlift", Laterality.unilateral),
        ("One-Arm Row", Laterality.unilateral),
        ("Dumbbell One Arm Press", Laterality.unilateral),
        ("Kettlebell One-Legged Deadlift", Laterality.unilateral),
        ("One Leg Squat", Laterality.unilateral),
        ("Alternating Dumbbell Curl", Laterality.alternating),
        ("Bone Arms Pull", Laterality.bilateral),
        ("Cable Pull", Laterality.bilateral),
    ],
)
def test_laterality_from_the_name(name: str, laterality: Laterality) -> None:
    assert _one(name=name).laterality is laterality


@pytest.mark.parametrize(
    ("overrides", "load"),
    [
        ({"name": "Barbell Back Squat", "equipment": "barbell", "mechanic": "compound"}, SpinalLoad.high),
        ({"name": "Bent Over Barbell Rows", "equipment": "barbell", "mechanic": "compound"}, SpinalLoad.high),
        ({"name": "Power Clean", "equipment": "barbell", "mechanic": None}, SpinalLoad.high),
        ({"name": "Trap Bar Deadlift", "equipment": "other", "mechanic": "compound"}, SpinalLoad.high),
        ({"name": "Barbell Lunge", "equipment": "barbell", "mechanic": "compound"}, SpinalLoad.moderate),
        ({"name": "Dumbbell Squat", "equipment": "dumbbell", "mechanic": "compound"}, SpinalLoad.moderate),
        ({"name": "Kettlebell Swing", "equipment": "kettlebells", "mechanic": "compound"}, SpinalLoad.moderate),
        ({"name": "Sled Push", "equipment": "other", "mechanic": "compound"}, SpinalLoad.moderate),
        ({"name": "Push-Up", "equipment": "body only", "mechanic": "compound"}, SpinalLoad.low),
        ({"name": "Barbell Curl", "equipment": "barbell", "mechanic": "isolation"}, SpinalLoad.low),
        ({"name": "Barbell Squat Hold", "equipment": "barbell", "category": "stretching"}, SpinalLoad.low),
        ({"name": "Lower Back-SMR", "equipment": "foam roll", "category": "stretching"}, SpinalLoad.low),
    ],
)
def test_spinal_load_heuristic(overrides: dict[str, Any], load: SpinalLoad) -> None:
    assert _one(**overrides).spinal_load is load


def test_mechanic_and_force_are_copied_when_ours_and_reported_otherwise() -> None:
    plan = fedb.plan_import(
        [
            _record(id="a", force="push", mechanic="compound"),
            _record(id="b", force="twist", mechanic="hybrid"),
            _record(id="c", force="twist", mechanic=None),
            _record(id="d", force=None),
        ]
    )
    assert [(r.force, r.mechanic) for r in plan.records] == [
        (Force.push, Mechanic.compound),
        (None, None),
        (None, None),
        (None, Mechanic.isolation),
    ]
    assert plan.unmapped == [fedb.Unmapped("force", "twist", 2), fedb.Unmapped("mechanic", "hybrid", 1)]


def test_unknown_values_are_reported_with_their_counts() -> None:
    plan = fedb.plan_import(
        [
            _record(id="a", primaryMuscles=["lats", "serratus"], secondaryMuscles=["serratus"], equipment="sled"),
            _record(id="b", equipment="sled"),
            _record(id="c", category="yoga"),
            _record(id="d", level="elite"),
            _record(id="e", primaryMuscles=["pinky"]),
        ]
    )
    assert {(u.field, u.value): u.count for u in plan.unmapped} == {
        ("primaryMuscles", "serratus"): 1,
        ("secondaryMuscles", "serratus"): 1,
        ("equipment", "sled"): 2,
        ("category", "yoga"): 1,
        ("level", "elite"): 1,
        ("primaryMuscles", "pinky"): 1,
    }
    assert [r.slug for r in plan.records] == ["fedb_a", "fedb_b"]
    assert plan.records[0].equipment == ["other"]
    assert {s.id: s.reason for s in plan.skipped} == {
        "c": "category yoga has no Realign modality",
        "d": "level elite has no Realign level",
        "e": "no primary muscle maps onto the muscle tree",
    }


# ------------------------------------------------------------------------------------------ generated fields


def test_doses_summary_provenance_and_empty_curated_fields() -> None:
    strength = _one(name="One-Arm Cable Pull", primaryMuscles=["lats"])
    assert (strength.dose.sets, strength.dose.reps, strength.dose.rest_seconds, strength.dose.intensity) == (
        3,
        10,
        90,
        "RPE 7",
    )
    assert strength.dose.per_side
    assert strength.summary == "Imported from free-exercise-db: a strength exercise for the lats."
    assert strength.instructions == ["Pull.", "Return."]
    assert strength.contraindications == [] and strength.cues == [] and strength.aliases == []
    assert strength.regressions == strength.progressions == strength.alternatives == []

    stretch = _one(name="Single Leg Hamstring Lean", category="stretching", primaryMuscles=["hamstrings"])
    assert (stretch.dose.sets, stretch.dose.hold_seconds, stretch.dose.reps, stretch.dose.per_side) == (
        2,
        30,
        None,
        True,
    )
    assert not _one(name="Hamstring Lean", category="stretching").dose.per_side
    assert stretch.summary == "Imported from free-exercise-db: a static stretch for the hamstrings."

    smr = _one(name="Lower Back-SMR", category="stretching", primaryMuscles=["lower back"])
    assert (smr.dose.sets, smr.dose.duration_seconds, smr.dose.reps) == (1, 45, None)
    assert smr.summary == "Imported from free-exercise-db: a self-myofascial release exercise for the lower back."

    plyo = _one(category="plyometrics", primaryMuscles=["quadriceps"])
    assert plyo.summary == "Imported from free-exercise-db: a plyometric exercise for the quadriceps."
    assert fedb.ORIGIN.source == "free-exercise-db" and fedb.ORIGIN.license == "Unlicense"


def test_the_hand_made_fixture() -> None:
    plan = fedb.plan_import(_fixture())
    by_slug = {r.slug: r for r in plan.records}
    assert plan.read == 7
    assert sorted(by_slug) == [
        "fedb_back_of_thigh_roll_smr",
        "fedb_banded_torso_turn",
        "fedb_barbell_hinge_deadlift",
        "fedb_lying_neck_nod",
        "fedb_one_arm_bench_supported_row",
        "fedb_seated_towel_hamstring_reach",
    ]
    assert plan.skipped == [fedb.Skipped(3, "Easy_Spin_On_A_Bike", "category cardio has no Realign modality")]
    assert plan.unmapped == [fedb.Unmapped("force", "rotate", 1)]

    lift = by_slug["fedb_barbell_hinge_deadlift"]
    assert lift.spinal_load is SpinalLoad.high and lift.phases == [Phase.strengthen, Phase.integrate]
    assert lift.primary_muscles == ["hamstrings"] and lift.secondary_muscles == ["glutes", "erector_spinae"]
    assert by_slug["fedb_seated_towel_hamstring_reach"].modality is Modality.static_stretch
    assert by_slug["fedb_back_of_thigh_roll_smr"].modality is Modality.self_myofascial_release
    neck = by_slug["fedb_lying_neck_nod"]
    assert neck.equipment == ["other"] and neck.level is Level.advanced
    turn = by_slug["fedb_banded_torso_turn"]
    assert turn.force is None and turn.secondary_muscles == ["gluteus_medius", "tensor_fasciae_latae"]
    assert by_slug["fedb_one_arm_bench_supported_row"].laterality is Laterality.unilateral


def test_mapping_is_deterministic() -> None:
    first, second = fedb.plan_import(_fixture()), fedb.plan_import(_fixture())
    assert [r.content_hash() for r in first.records] == [r.content_hash() for r in second.records]


# ------------------------------------------------------------------------------------------ invalid input


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"exercises": []}, "expected a JSON list of exercises at the top level, got an object"),
        ("exercises", "expected a JSON list of exercises at the top level, got a string"),
        ([_record(), 7], "record at index 1: expected an object, got a number"),
        ([_record(), {"name": "No Id"}], "record at index 1: Object missing required field `id`"),
        (
            [_record(), _record(id="X", name=None)],
            "record at index 1 (id 'X'): Expected `str`, got `null` - at `$.name`",
        ),
        ([_record(id="X", name="")], "record at index 0 (id 'X'): Expected `str` of length >= 1"),
        ([_record(id=12)], "record at index 0: Expected `str`, got `int` - at `$.id`"),
        (
            [_record(id="X", primaryMuscles="hamstrings")],
            "(id 'X'): Expected `array`, got `str` - at `$.primaryMuscles`",
        ),
        ([_record(id="X", instructions=[1])], "(id 'X'): Expected `str`, got `int` - at `$.instructions[0]`"),
    ],
)
def test_invalid_input_fails_naming_the_record(raw: Any, message: str) -> None:
    with pytest.raises(fedb.DatasetError) as error:
        fedb.plan_import(raw)
    assert message in str(error.value)


def test_unknown_fields_are_allowed() -> None:
    assert _one(video="https://example.org/clip", tags=["new"]).name == "Test Cable Pull"


def test_read_dataset_reports_bad_json_and_missing_files(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('[{"id": "a",')
    with pytest.raises(fedb.DatasetError, match="not valid JSON"):
        fedb.read_dataset(broken)
    with pytest.raises(fedb.DatasetError, match="cannot read"):
        fedb.read_dataset(tmp_path / "missing.json")
    assert fedb.read_dataset(FIXTURE) == _fixture()
