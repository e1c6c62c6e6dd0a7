"""Catalogue reads: the one place REST and GraphQL get muscles, equipment, conditions, patterns and exercises."""

from service.catalog.services.exercises import (
    ExerciseFilter,
    ExercisePage,
    equipment_details_for,
    exercises_by_slug,
    exercises_for_muscles,
    get_exercise,
    list_exercises,
    muscle_details_for,
)
from service.catalog.services.taxonomy import (
    condition_names,
    get_equipment,
    get_muscle,
    list_conditions,
    list_equipment,
    list_muscles,
    list_patterns,
    muscle_subtree_ids,
)

__all__ = [
    "ExerciseFilter",
    "ExercisePage",
    "condition_names",
    "equipment_details_for",
    "exercises_by_slug",
    "exercises_for_muscles",
    "get_equipment",
    "get_exercise",
    "get_muscle",
    "list_conditions",
    "list_equipment",
    "list_exercises",
    "list_muscles",
    "list_patterns",
    "muscle_details_for",
    "muscle_subtree_ids",
]
