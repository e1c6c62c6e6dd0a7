"""DataLoaders, built fresh for every request. Each batch opens its own session: sibling fields resolve
concurrently and one AsyncSession must not be shared between tasks."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from strawberry.dataloader import DataLoader

from service.assessments import schemas as assessment_schemas
from service.assessments import services as assessments
from service.catalog import schemas, services
from service.catalog.enums import MuscleRoleFilter
from service.db.tenancy import tenant_session
from service.programs import schemas as program_schemas
from service.programs import services as programs

K = TypeVar("K")
V = TypeVar("V")


def _batched(
    session_factory: Callable[[], AsyncSession],
    fetch: Callable[[AsyncSession, Sequence[K]], Awaitable[Mapping[K, V]]],
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
    exercises: DataLoader[str, schemas.Exercise | None]
    condition_names: DataLoader[str, str | None]
    # The caller's own assessments (a tenant session); None for an id it does not own.
    assessments: DataLoader[uuid.UUID, assessment_schemas.Assessment | None]
    # The caller's own programs; None for one it does not own or a retired one.
    programs: DataLoader[uuid.UUID, program_schemas.Program | None]

    @classmethod
    def create(cls, session_factory: async_sessionmaker[AsyncSession], tenant: uuid.UUID | None) -> Loaders:
        def tenant_factory() -> AsyncSession:
            # Without a key, a plain session: it refuses every tenant-owned query (isolation fails closed).
            return tenant_session(session_factory, tenant) if tenant is not None else session_factory()

        return cls(
            exercise_muscles=_batched(session_factory, services.muscle_details_for, list),
            exercise_equipment=_batched(session_factory, services.equipment_details_for, list),
            muscle_exercises=_batched(session_factory, services.exercises_for_muscles, list),
            exercises=_batched(session_factory, services.exercises_by_slug, lambda: None),
            condition_names=_batched(session_factory, services.condition_names, lambda: None),
            assessments=_batched(tenant_factory, assessments.by_ids, lambda: None),
            programs=_batched(tenant_factory, programs.by_ids, lambda: None),
        )
