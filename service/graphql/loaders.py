"""DataLoaders, built fresh for every request. Each batch opens its own session: sibling fields resolve
concurrently and one AsyncSession must not be shared between tasks."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from strawberry.dataloader import DataLoader

from service.catalog import schemas, services
from service.catalog.enums import MuscleRoleFilter

K = TypeVar("K")
V = TypeVar("V")


def _batched(
    session_factory: async_sessionmaker[AsyncSession],
    fetch: Callable[[AsyncSession, Sequence[K]], Awaitable[dict[K, V]]],
    default: Callable[[], V],
) -> DataLoader[K, V]:
    async def load(keys: list[K]) -> list[V]:
        async with session_factory() as session:
            found = await fetch(session, keys)
        return [found.get(key, default()) for key in keys]

    return DataLoader(load_fn=load)


@dataclass(frozen=True)
class Loaders:
    exercise_muscles: DataLoader[str, list[schemas.ExerciseMuscleDetail]]
    exercise_equipment: DataLoader[str, list[schemas.EquipmentDetail]]
    muscle_exercises: DataLoader[tuple[str, MuscleRoleFilter], list[schemas.Exercise]]

    @classmethod
    def create(cls, session_factory: async_sessionmaker[AsyncSession]) -> Loaders:
        return cls(
            exercise_muscles=_batched(session_factory, services.muscle_details_for, list),
            exercise_equipment=_batched(session_factory, services.equipment_details_for, list),
            muscle_exercises=_batched(session_factory, services.exercises_for_muscles, list),
        )
