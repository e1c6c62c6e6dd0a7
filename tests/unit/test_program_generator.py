"""The generator on personas: the article's program for the desk worker, and how constraints change it."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from devkit.personas import BOTH_PATTERNS, DESK_WORKER, SEVERE_ACUTE, UPPER_CROSSED
from devkit.programs import INDEX, build_index, program_for
from service.catalog.importers import free_exercise_db as fedb
from service.catalog.records import DoseRecord
from service.programs.catalog_index import ExerciseEntry
from service.programs.generator import ReferralRequired, validate_request
from service.programs.schemas import ProgramBody, ProgramPhase, ProgramRequest
from tests.program_view import finding_of, slots


def phase(program: ProgramBody, key: str) -> ProgramPhase:
    return next(p for p in program.phases if p.key == key)


def slugs(program: ProgramBody, key: str) -> list[str]:
    return [item.exercise.slug for item in phase(program, key).items]


def areas_worked(program: ProgramBody, key: str) -> set[str]:
    """The contract's muscle areas the phase's exercises work as primary muscles."""
    areas = ("calves", "iliotibial_band", "piriformis", "gluteus_minimus", "hamstrings", "hip_flexors")
    worked = set()
    for slug in slugs(program, key):
        for muscle in INDEX.exercises[slug].primary_muscles:
            worked.update(area for area in areas if INDEX.covers(area, muscle))
    return worked


def every_scheduled(program: ProgramBody) -> list[str]:
    return [s.slug for s in slots(program)]


def every_exercise(program: ProgramBody) -> set[str]:
    prescribed = {i.exercise.slug for p in program.phases for i in p.items}
    started = {i.start_with.exercise.slug for p in program.phases for i in p.items if i.start_with}
    return prescribed | started | set(every_scheduled(program))


# ---------------------------------------------------------------- the article's desk worker, full gym


@pytest.fixture(scope="module")
def desk() -> ProgramBody:
    return program_for(DESK_WORKER)


def test_four_phases_in_order(desk: ProgramBody) -> None:
    assert [(p.key, p.order) for p in desk.phases] == [
        ("release", 1),
        ("lengthen", 2),
        ("strengthen", 3),
        ("integrate", 4),
    ]


def test_phase_one_rolls_exactly_the_tissues_the_article_names(desk: ProgramBody) -> None:
    release = phase(desk, "release")
    assert release.focus_muscles == ["calves", "iliotibial_band", "piriformis", "gluteus_minimus", "hamstrings"]
    assert areas_worked(desk, "release") == {"calves", "iliotibial_band", "piriformis", "gluteus_minimus", "hamstrings"}
    assert all(INDEX.exercises[s].modality == "self_myofascial_release" for s in slugs(desk, "release"))
    assert len(release.items) == 5
    for item in release.items:
        assert 30 <= (item.dose.duration_seconds or 0) <= 60
        assert finding_of(desk, item).type == "trigger_point"  # each is a tender spot the person reported


def test_phase_two_stretches_hamstrings_and_calves_dynamically(desk: ProgramBody) -> None:
    worked = areas_worked(desk, "lengthen")
    assert {"hamstrings", "calves"} <= worked
    assert "hip_flexors" in worked  # the Thomas test is positive on the left
    lengthen = slugs(desk, "lengthen")
    assert "light_stiff_legged_deadlift" in lengthen  # the article's dynamic hamstring stretch
    assert "calf_raise_on_step" in lengthen
    # Pain 4/10 and chronic: dynamic stretches from the start, no static phase-in.
    assert all(item.start_with is None for item in phase(desk, "lengthen").items)


def test_phase_three_trains_glutes_with_step_ups_wide_squats_and_lunges(desk: ProgramBody) -> None:
    strengthen = slugs(desk, "strengthen")
    assert "step_up" in strengthen
    assert {"wide_stance_cable_squat", "trap_bar_squat"} & set(strengthen)
    assert {"reverse_lunge", "stationary_lunge"} & set(strengthen)
    squat = next(i for i in phase(desk, "strengthen").items if i.exercise.slug == "wide_stance_cable_squat")
    assert "Wide stance" in squat.cues and "Push from the heels" in squat.cues
    # A beginner starts the intermediate cable squat with its bodyweight regression.
    assert squat.start_with is not None
    assert INDEX.exercises[squat.start_with.exercise.slug].level == "beginner"
    assert finding_of(desk, squat).type == "underactive" and finding_of(desk, squat).target == "gluteus_maximus"


def test_phase_four_pulls_in_every_direction(desk: ProgramBody) -> None:
    integrate = set(slugs(desk, "integrate"))
    assert integrate & {"trap_bar_deadlift", "cable_deadlift", "dumbbell_romanian_deadlift", "kettlebell_deadlift"}
    assert integrate & {"hyperextension", "good_morning", "banded_good_morning"}
    assert integrate & {"lat_pulldown", "pull_up", "chin_up", "band_assisted_pull_up"}
    assert integrate & {"seated_cable_row", "one_arm_dumbbell_row", "inverted_row"}
    assert integrate & {"straight_arm_pulldown", "dumbbell_pullover"}
    assert integrate & {"face_pull", "rear_delt_fly", "reverse_shrug"}
    assert not integrate & {"barbell_shrug", "dumbbell_shrug"}


def test_what_the_article_warns_about_is_excluded_with_reasons(desk: ProgramBody) -> None:
    excluded = {e.exercise: e.reason for e in desk.excluded}
    for slug in ("leg_press", "leg_extension", "barbell_back_squat"):
        assert slug in excluded and len(excluded[slug]) > 20
        assert slug not in every_exercise(desk)
    assert "spine" in excluded["leg_press"]
    assert "low-back pain" in excluded["barbell_back_squat"]


def test_every_item_explains_itself(desk: ProgramBody) -> None:
    for p in desk.phases:
        for item in p.items:
            assert item.rationale and finding_of(desk, item).summary
            assert finding_of(desk, item).type != "baseline"
            assert item.exercise.slug not in item.alternatives
            assert all(
                INDEX.exercises[a].equipment <= set(desk.parameters.available_equipment) for a in item.alternatives
            )


def test_schedule_fits_the_session_and_progresses(desk: ProgramBody) -> None:
    weeks = desk.schedule.weeks
    assert len(weeks) == 8 and all(len(w.sessions) == 3 for w in weeks)
    assert all([s.day for s in w.sessions] == ["mon", "wed", "fri"] for w in weeks)
    assert all(s.estimated_minutes <= 45 for w in weeks for s in w.sessions)
    assert [w.stage for w in weeks] == ["foundation"] * 2 + ["volume"] * 3 + ["load"] * 3
    prescribed = {i.exercise.slug for p in desk.phases for i in p.items}
    # Every prescribed item is practised in the weeks after its regression (if any) gives way.
    assert prescribed <= set(every_scheduled(desk))

    def weekly_sets(week: int) -> int:
        return sum(s.dose.sets for s in slots(desk) if s.week == week and s.phase == "strengthen")

    def step_up(week: int) -> tuple[int, int | None, str | None]:
        dose = next(s.dose for s in slots(desk) if s.week == week and s.slug == "step_up")
        return dose.sets, dose.reps, dose.intensity

    # One variable at a time (CLINICAL.md §5): volume (sets) in the volume stage, then effort in the load stage.
    assert step_up(1)[0] < step_up(3)[0] and step_up(1)[2] == step_up(3)[2]
    assert step_up(5)[0] == step_up(6)[0] and "RPE 5" in (step_up(5)[2] or "") and "RPE 6" in (step_up(6)[2] or "")
    assert step_up(4)[0] * (step_up(4)[1] or 0) < step_up(3)[0] * (step_up(3)[1] or 0)  # week 4 is a lighter week
    # A step-up needs no weight: its reps stay and it gets harder by tempo or a harder version, never by load
    # (CLINICAL.md §5); the desk worker's moderate pain caps the effort at RPE 6.
    assert step_up(1)[1] is not None and step_up(8)[1] == step_up(1)[1]
    assert "never by adding weight" in (step_up(8)[2] or "") and "RPE 6" in (step_up(8)[2] or "")
    assert weekly_sets(1) > 0
    assert desk.parameters.irritability == "moderate"
    # Each new stage says what must hold before starting it.
    assert [w.week for w in weeks if w.move_on_when] == [3, 6]


def test_safety_notes(desk: ProgramBody) -> None:
    notes = " ".join(desk.safety_notes)
    assert "sharp" in notes and "radiating" in notes
    assert "Bed rest" in notes
    assert "doctor or physical therapist" in notes
    assert "dry needling" in notes  # a professional option, noted, never prescribed


# ---------------------------------------------------------------- other personas and constraints


def test_severe_acute_pain_starts_with_static_holds_and_less_volume(desk: ProgramBody) -> None:
    severe = program_for(SEVERE_ACUTE)
    stretches = phase(severe, "lengthen").items
    # The pattern's areas (every one has static and dynamic stretches in the catalogue) phase in.
    article = [
        i
        for i in stretches
        if INDEX.covers("hamstrings", i.exercise.slug)
        or finding_of(severe, i).target in ("hamstrings", "gastrocnemius", "hip_flexors")
    ]
    assert len(article) == 3
    for item in article:
        assert item.start_with is not None, item.exercise.slug
        assert INDEX.exercises[item.start_with.exercise.slug].modality == "static_stretch"
        assert INDEX.exercises[item.exercise.slug].modality in ("dynamic_stretch", "mobility")
    phased_in = {i.exercise.slug for i in article} | {i.start_with.exercise.slug for i in article if i.start_with}

    def stretches_in(week: int) -> set[str]:
        done = {s.slug for s in slots(severe) if s.week == week}
        return done & phased_in

    assert stretches_in(1) and all(INDEX.exercises[s].modality == "static_stretch" for s in stretches_in(1))
    assert stretches_in(8) and all(INDEX.exercises[s].modality != "static_stretch" for s in stretches_in(8))

    # High irritability (CLINICAL.md §3): no strength training with weights, only activation holds and gentle work.
    assert severe.parameters.irritability == "high"
    assert {INDEX.exercises[s].modality for s in every_exercise(severe)} <= {
        "self_myofascial_release",
        "static_stretch",
        "dynamic_stretch",
        "mobility",
        "activation",
    }
    assert any("severe or recent" in note for note in severe.safety_notes)


def test_home_with_no_equipment_fills_every_phase_with_bodyweight() -> None:
    home = program_for(DESK_WORKER, available_equipment=[])
    assert home.parameters.available_equipment == ["bodyweight"]
    for p in home.phases:
        assert p.items, p.key
    for slug in every_exercise(home):
        assert INDEX.exercises[slug].equipment == {"bodyweight"}, slug
    gaps = {g.muscle: g.reason for g in phase(home, "release").gaps}
    assert "foam roller" in gaps["iliotibial_band"]  # the program says what would serve the tissue


def test_beginner_with_twenty_minute_sessions() -> None:
    program = program_for(DESK_WORKER, session_minutes=20, level="beginner")
    assert all(s.estimated_minutes <= 20 for w in program.schedule.weeks for s in w.sessions)
    assert all(s.items for w in program.schedule.weeks for s in w.sessions)  # every session trains something
    for p in program.phases:
        for item in p.items:
            entry = INDEX.exercises[item.exercise.slug]
            if p.key in ("strengthen", "integrate") and entry.level != "beginner":
                assert item.start_with is not None
                assert INDEX.exercises[item.start_with.exercise.slug].level == "beginner"
            assert entry.level != "advanced"
    # Over a week every prescribed item still comes round at least once.
    week_two = {s.slug for s in slots(program) if s.week == 2}
    assert {i.exercise.slug for i in phase(program, "release").items} & week_two


def test_upper_crossed_syndrome_targets_its_own_muscles() -> None:
    program = program_for(UPPER_CROSSED)
    release = phase(program, "release").focus_muscles
    assert {"upper_trapezius", "levator_scapulae", "pectoralis_minor"} <= set(release)
    assert "calves" not in release
    assert "upper_trapezius_stretch" in slugs(program, "lengthen")
    strengthen = set(slugs(program, "strengthen"))
    assert "chin_tuck" in strengthen or "supine_chin_tuck_head_lift" in strengthen
    assert strengthen & {"prone_y_raise", "wall_slide", "prone_cobra", "reverse_shrug"}
    assert set(slugs(program, "integrate")) & {"seated_cable_row", "one_arm_dumbbell_row", "inverted_row"}
    excluded = {e.exercise for e in program.excluded}
    assert {"barbell_shrug", "dumbbell_shrug", "upright_row"} <= excluded
    assert not excluded & {"leg_press", "leg_extension"}  # those are lower crossed rules


def test_both_patterns_give_one_program_covering_both() -> None:
    program = program_for(BOTH_PATTERNS)
    release = set(phase(program, "release").focus_muscles)
    assert {"calves", "hamstrings", "upper_trapezius"} <= release
    strengthen = set(slugs(program, "strengthen"))
    assert "step_up" in strengthen and strengthen & {"chin_tuck", "supine_chin_tuck_head_lift"}
    all_slugs = [i.exercise.slug for p in program.phases for i in p.items]
    assert len(all_slugs) == len(set(all_slugs))  # a shared slot (the row) is prescribed once


def test_caller_exclusions_and_declared_conditions() -> None:
    program = program_for(DESK_WORKER, exclude_exercises=["step_up", "trap_bar_deadlift"], conditions=["pregnancy"])
    used = every_exercise(program)
    assert not used & {"step_up", "trap_bar_deadlift"}
    excluded = {e.exercise: e.reason for e in program.excluded}
    assert excluded["step_up"] == "Excluded at the caller's request."
    assert all("pregnancy" not in INDEX.exercises[s].contraindications for s in used)
    assert program.parameters.conditions == ["low_back_pain", "pregnancy"]
    assert any("lying on your back" in note for note in program.safety_notes)


def test_referral_gets_no_program() -> None:
    referred = {**DESK_WORKER, "red_flags": {**DESK_WORKER["red_flags"], "saddle_numbness": True}}
    with pytest.raises(ReferralRequired) as raised:
        program_for(referred)
    assert raised.value.reasons == ["saddle_numbness"]


def test_unknown_slugs_in_the_request_are_named() -> None:
    request = msgspec.convert(
        {
            "assessment_id": "00000000-0000-0000-0000-000000000001",
            "available_equipment": ["dumbbell", "hoverboard"],
            "exclude_exercises": ["nope"],
            "conditions": ["pregnancy", "grumpiness"],
        },
        ProgramRequest,
    )
    assert validate_request(request, INDEX) == [
        ("available_equipment[1]", "unknown equipment slug 'hoverboard'"),
        ("exclude_exercises[0]", "unknown exercise slug 'nope'"),
        ("conditions[1]", "unknown condition slug 'grumpiness'"),
    ]


def test_same_input_same_program_byte_for_byte() -> None:
    first = msgspec.json.encode(program_for(BOTH_PATTERNS, session_minutes=30))
    second = msgspec.json.encode(program_for(BOTH_PATTERNS, session_minutes=30))
    assert first == second


# ---------------------------------------------------------------- imported exercises (issue 7's rule)


def imported(slug: str, muscle: str, phase_key: str, modality: str) -> ExerciseEntry:
    return ExerciseEntry(
        slug=slug,
        name=slug.replace("_", " "),
        modality=modality,
        phases=frozenset({phase_key}),
        primary_muscles=(muscle,),
        equipment=frozenset({"bodyweight"}),
        level="beginner",
        spinal_load="none",
        contraindications={},  # imported records cannot say what they are unsafe for
        dose=DoseRecord(sets=1, duration_seconds=45),
        source="free-exercise-db",
    )


def test_imported_exercises_fill_gaps_only_when_nothing_needs_judging() -> None:
    # At home the IT band has no curated release; an imported bodyweight one exists.
    index = build_index(
        [imported("fedb_it_band_self_massage", "iliotibial_band", "release", "self_myofascial_release")]
    )
    no_pain = {key: value for key, value in DESK_WORKER.items() if key != "pain"}
    healthy = program_for(no_pain, index, available_equipment=[])
    assert "fedb_it_band_self_massage" in slugs(healthy, "release")
    # With low-back pain the imported record cannot be judged: the gap stays, the record is not used.
    in_pain = program_for(DESK_WORKER, index, available_equipment=[])
    assert "fedb_it_band_self_massage" not in every_exercise(in_pain)
    assert "iliotibial_band" in {g.muscle for g in phase(in_pain, "release").gaps}


def test_imported_exercises_are_not_used_where_a_restriction_applies_without_a_condition() -> None:
    # 65 and over: balance is restricted though no condition is named, and the imported record says nothing of it.
    index = build_index(
        [imported("fedb_it_band_self_massage", "iliotibial_band", "release", "self_myofascial_release")]
    )
    no_pain = {key: value for key, value in DESK_WORKER.items() if key != "pain"}
    older = program_for({**no_pain, "age_band": "65_plus"}, index, available_equipment=[])
    assert older.parameters.conditions == []
    assert "fedb_it_band_self_massage" not in every_exercise(older)


def test_curated_exercises_come_before_imported_ones() -> None:
    index = build_index([imported("fedb_aaa_calf_release", "gastrocnemius", "release", "self_myofascial_release")])
    no_pain = {key: value for key, value in DESK_WORKER.items() if key != "pain"}
    program = program_for(no_pain, index)
    assert "fedb_aaa_calf_release" not in slugs(program, "release")
    assert "foam_roll_calves" in slugs(program, "release")


def test_imported_records_never_fill_training_phases() -> None:
    # A bodyweight "chin-up" whose dataset forgot the bar: under load, imported metadata is not trusted.
    index = build_index([imported("fedb_chin_up", "latissimus_dorsi", "integrate", "strength")])
    no_pain = {key: value for key, value in DESK_WORKER.items() if key != "pain"}
    program = program_for(no_pain, index, available_equipment=[])
    assert "fedb_chin_up" not in every_exercise(program)
    assert "latissimus_dorsi" in {g.muscle for g in phase(program, "integrate").gaps}


FULL_DATASET = Path(__file__).resolve().parents[3] / "shared" / "data" / "free-exercise-db" / "exercises.json"


@pytest.mark.skipif(not FULL_DATASET.exists(), reason=f"the full free-exercise-db file is not at {FULL_DATASET}")
@pytest.mark.parametrize("equipment", [None, [], ["dumbbell", "resistance_band"]])
def test_the_whole_free_exercise_db_next_to_the_curated_catalogue(equipment: list[str] | None) -> None:
    plan = fedb.plan_import(fedb.read_dataset(FULL_DATASET))
    index = build_index([ExerciseEntry.from_record(r, source="free-exercise-db") for r in plan.records])
    parameters = {} if equipment is None else {"available_equipment": equipment}
    # With low-back pain nothing imported can be judged: the program is the curated one, item for item.
    in_pain = program_for(DESK_WORKER, index, **parameters)
    assert msgspec.json.encode(in_pain) == msgspec.json.encode(program_for(DESK_WORKER, **parameters))
    # Without a condition, imported records may serve release and stretches only, after the curated ones.
    no_pain = program_for({key: value for key, value in DESK_WORKER.items() if key != "pain"}, index, **parameters)
    offered = {p.key: {s for i in p.items for s in (i.exercise.slug, *i.alternatives)} for p in no_pain.phases}
    imported_offers = {key: {s for s in slugs if s.startswith("fedb_")} for key, slugs in offered.items()}
    assert not imported_offers["strengthen"] and not imported_offers["integrate"]
    assert imported_offers["release"] | imported_offers["lengthen"]  # they do serve where they may
    # Curated first: every curated prescription of the plain catalogue is still prescribed.
    curated = program_for({key: value for key, value in DESK_WORKER.items() if key != "pain"}, **parameters)
    for before, after in zip(curated.phases, no_pain.phases, strict=True):
        kept = {i.exercise.slug for i in after.items}
        assert {i.exercise.slug for i in before.items} <= kept, before.key
