"""The curated contraindications for shoulder pain and nerve-root irritation.

Shoulder pain is the condition a painful shoulder maps to (shoulder impingement is a diagnosis), so it must rule out at
least what impingement does. Nerve-root irritation rules out stretching into neural tension with a straight knee,
yet leaves a hamstring lengthening option and self-release alone.
"""

from __future__ import annotations

from service.catalog.enums import Modality, Phase
from service.catalog.records import ExerciseRecord, load_catalog

CATALOG = load_catalog()
EXERCISES = {e.slug: e for e in CATALOG.exercises}
HAMSTRING_MUSCLES = {
    "hamstrings",
    "biceps_femoris",
    "biceps_femoris_long_head",
    "biceps_femoris_short_head",
    "semitendinosus",
    "semimembranosus",
}

# Straight-knee hamstring stretches, forward folds, straight-leg raises and the stiff-legged / Romanian deadlift
# and good-morning hinges that take the hamstrings to a stretch with the knees (nearly) straight.
NEURAL_TENSION = [
    "lying_hamstring_stretch",
    "banded_lying_hamstring_stretch",
    "standing_hamstring_stretch",
    "seated_hamstring_stretch",
    "active_straight_leg_raise",
    "leg_swings_front_to_back",
    "inchworm",
    "worlds_greatest_stretch",
    "light_stiff_legged_deadlift",
    "romanian_deadlift",
    "dumbbell_romanian_deadlift",
    "single_leg_romanian_deadlift",
    "good_morning",
    "banded_good_morning",
]


def conditions_of(exercise: ExerciseRecord) -> set[str]:
    return {c.condition for c in exercise.contraindications}


def test_both_conditions_are_curated() -> None:
    conditions = {c.slug: c for c in CATALOG.conditions}
    assert {"shoulder_pain", "nerve_root_irritation"} <= set(conditions)
    assert "not a diagnosis" in conditions["shoulder_pain"].description


def test_shoulder_pain_rules_out_everything_shoulder_impingement_does() -> None:
    impingement = [e.slug for e in CATALOG.exercises if "shoulder_impingement" in conditions_of(e)]
    assert impingement, "no exercise is contraindicated for shoulder_impingement"
    missing = [slug for slug in impingement if "shoulder_pain" not in conditions_of(EXERCISES[slug])]
    assert missing == []


def test_shoulder_pain_rules_out_loaded_overhead_pulls() -> None:
    for slug in ("pull_up", "chin_up", "lat_pulldown", "prone_y_raise", "dumbbell_pullover"):
        assert "shoulder_pain" in conditions_of(EXERCISES[slug]), slug


def test_every_contraindication_gives_a_reason() -> None:
    for exercise in CATALOG.exercises:
        for c in exercise.contraindications:
            if c.condition in ("shoulder_pain", "nerve_root_irritation"):
                assert c.reason.strip().endswith("."), (exercise.slug, c.condition)


def test_straight_knee_hamstring_stretches_and_stiff_legged_hinges_rule_out_nerve_root_irritation() -> None:
    missing = [slug for slug in NEURAL_TENSION if "nerve_root_irritation" not in conditions_of(EXERCISES[slug])]
    assert missing == []


def test_a_hamstring_lengthening_option_remains_with_nerve_root_irritation() -> None:
    options = [
        e.slug
        for e in CATALOG.exercises
        if Phase.lengthen in e.phases
        and HAMSTRING_MUSCLES & set(e.primary_muscles)
        and "nerve_root_irritation" not in conditions_of(e)
    ]
    assert options, "no hamstring lengthening exercise is left for nerve-root irritation"
    bent_knee = EXERCISES["bent_knee_hamstring_stretch"]
    assert bent_knee.slug in options
    assert bent_knee.equipment == ["bodyweight"] and bent_knee.level == "beginner"
    # Linked both ways with the straight-knee stretch it stands in for.
    assert "lying_hamstring_stretch" in bent_knee.progressions
    assert "bent_knee_hamstring_stretch" in EXERCISES["lying_hamstring_stretch"].regressions


def test_self_release_never_rules_out_nerve_root_irritation() -> None:
    release = [e for e in CATALOG.exercises if e.modality is Modality.self_myofascial_release]
    assert release
    assert [e.slug for e in release if "nerve_root_irritation" in conditions_of(e)] == []


def test_glute_bridges_do_not_rule_out_nerve_root_irritation() -> None:
    bridges = [e for e in CATALOG.exercises if "glute_bridge" in e.slug]
    assert bridges
    assert [e.slug for e in bridges if "nerve_root_irritation" in conditions_of(e)] == []
