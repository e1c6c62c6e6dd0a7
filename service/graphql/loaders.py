"""DataLoaders, built fresh for every request. Each batch opens its own session: sibling fields resolve
concurrently and one AsyncSession must not be shared between tasks."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from strawberry.dataloader import DataLoader

from service.assessments import schemas as assessment_schemas
from service.assessments import services as assessments
from service.catalog import schemas, services
from service.catalog.enums import MuscleRoleFilter
from service.checkins import progress
from service.checkins import schemas as checkin_schemas
from service.checkins import services as checkin_services
from service.db.tenancy import tenant_session
from service.outcomes import schemas as outcome_schemas
from service.outcomes import services as outcomes
from service.outcomes.rules import OutcomeRules
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
    # A program's follow-up (service.graphql.followup, .checkins, .outcomes): a page of its check-ins by (program,
    # first, after), its revisions by (program, when it was generated), a revision's whole program by (program,
    # number), its progress (None when retired); an assessment's outcome measures.
    check_ins: DataLoader[tuple[uuid.UUID, int, str | None], checkin_services.CheckInPage]
    revisions: DataLoader[tuple[uuid.UUID, datetime], list[checkin_schemas.Revision]]
    revision_programs: DataLoader[tuple[uuid.UUID, int], program_schemas.Program | None]
    progress: DataLoader[uuid.UUID, checkin_schemas.Progress | None]
    outcomes: DataLoader[uuid.UUID, list[outcome_schemas.Outcome]]

    @classmethod
    def create(
        cls, session_factory: async_sessionmaker[AsyncSession], tenant: uuid.UUID | None, outcome_rules: OutcomeRules
    ) -> Loaders:
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
            check_ins=DataLoader(load_fn=_check_in_pages(tenant_factory)),
            revisions=_batched(tenant_factory, _revisions, list),
            revision_programs=_batched(tenant_factory, checkin_services.revision_programs, lambda: None),
            progress=_batched(
                tenant_factory, lambda session, ids: progress.by_ids(session, ids, outcome_rules), lambda: None
            ),
            outcomes=_batched(
                tenant_factory, lambda session, ids: outcomes.for_assessments(session, ids, outcome_rules), list
            ),
        )


async def _revisions(
    session: AsyncSession, keys: Sequence[tuple[uuid.UUID, datetime]]
) -> dict[tuple[uuid.UUID, datetime], list[checkin_schemas.Revision]]:
    found = await checkin_services.revisions_of(session, dict(keys))
    return {key: found[key[0]] for key in keys}


def _check_in_pages(
    session_factory: Callable[[], AsyncSession],
) -> Callable[[list[tuple[uuid.UUID, int, str | None]]], Awaitable[list[checkin_services.CheckInPage]]]:
    """Pages of check-ins, one statement per page size and cursor asked for (a list's programs all ask the same)."""

    async def load(keys: list[tuple[uuid.UUID, int, str | None]]) -> list[checkin_services.CheckInPage]:
        found: dict[tuple[uuid.UUID, int, str | None], checkin_services.CheckInPage] = {}
        async with session_factory() as session:
            for first, after in dict.fromkeys((first, after) for _, first, after in keys):
                ids = [program_id for program_id, f, a in keys if (f, a) == (first, after)]
                pages = await checkin_services.pages(session, ids, limit=first, cursor=after)
                found |= {(program_id, first, after): page for program_id, page in pages.items()}
        return [found[key] for key in keys]

    return load
