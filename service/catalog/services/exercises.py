"""Catalogue reads of exercises: filtered, searched and paged lists, details, and the batches behind DataLoaders.

Each list is one SQL statement: an exercise row carries its muscles, equipment, contraindications and relations
as arrays built by correlated subqueries, so a page of 500 costs the same number of round trips as a page of 5.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ARRAY, Select, Text, any_, false, func, literal, or_, select
from sqlalchemy.dialects.postgresql import aggregate_order_by
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.elements import ColumnElement

from service.catalog import models, schemas
from service.catalog.enums import (
    EquipmentCategory,
    Level,
    Modality,
    MuscleKind,
    MuscleRole,
    MuscleRoleFilter,
    Phase,
    RelationKind,
)
from service.catalog.records import is_slug
from service.catalog.services.taxonomy import muscle_subtree_ids, muscle_subtrees
from service.lib.errors import Invalid, NotFound
from service.lib.pagination import decode_cursor, encode_cursor

# How sources are spelt: `curated`, or a dataset's own name such as `free-exercise-db`.
SOURCE_RE = re.compile(r"^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$")

# Trigram word similarity above which a query word counts as a (possibly misspelt) match of a name or alias.
SEARCH_SIMILARITY = 0.45


# ----------------------------------------------------------------------------------------------- exercises


@dataclass(frozen=True)
class ExerciseFilter:
    muscle: str | None = None
    role: MuscleRoleFilter = MuscleRoleFilter.any
    equipment: Sequence[str] = ()
    available_equipment: Sequence[str] = ()
    modality: Modality | None = None
    phase: Phase | None = None
    level: Level | None = None
    exclude_condition: Sequence[str] = ()
    q: str | None = None
    updated_since: datetime | None = None
    source: str | None = None
    slugs: Sequence[str] = field(default=())

    def __post_init__(self) -> None:
        # A repeated value means nothing more than one: drop repeats (keeping the order) so that neither the
        # statement nor its cost grows with them.
        for name in ("equipment", "available_equipment", "exclude_condition", "slugs"):
            object.__setattr__(self, name, tuple(dict.fromkeys(getattr(self, name))))


def _linked_slugs(link: Any, target: Any, link_fk: Any, order: Any, *where: ColumnElement[bool]) -> Any:
    return func.array(
        select(target.slug)
        .join(link, link_fk == target.id)
        .where(link.exercise_id == models.Exercise.id, *where)
        .order_by(order)
        .scalar_subquery()
    )


def _exercise_query() -> Select[Any]:
    """Exercise rows with every link as an array column."""
    em, ee, ec, er = (
        models.ExerciseMuscle,
        models.ExerciseEquipment,
        models.ExerciseContraindication,
        models.ExerciseRelation,
    )
    related = models.Exercise.__table__.alias("related")

    def relation(kind: RelationKind) -> Any:
        return func.array(
            select(related.c.slug)
            .join(er, er.related_id == related.c.id)
            .where(er.exercise_id == models.Exercise.id, er.kind == kind.value)
            .order_by(er.position)
            .scalar_subquery()
        )

    contraindications = (
        select(
            func.coalesce(
                func.jsonb_agg(
                    aggregate_order_by(
                        func.jsonb_build_object("condition", models.Condition.slug, "reason", ec.reason),
                        models.Condition.slug,
                    )
                ),
                literal("[]").cast(models.Exercise.dose.type),
            )
        )
        .join(ec, ec.condition_id == models.Condition.id)
        .where(ec.exercise_id == models.Exercise.id)
        .scalar_subquery()
    )
    return select(
        models.Exercise,
        _linked_slugs(em, models.Muscle, em.muscle_id, em.position, em.role == "primary").label("primary_muscles"),
        _linked_slugs(em, models.Muscle, em.muscle_id, em.position, em.role == "secondary").label("secondary_muscles"),
        _linked_slugs(ee, models.Equipment, ee.equipment_id, ee.position).label("equipment"),
        contraindications.label("contraindications"),
        relation(RelationKind.regression).label("regressions"),
        relation(RelationKind.progression).label("progressions"),
        relation(RelationKind.alternative).label("alternatives"),
    )


def _exercise(row: Any) -> schemas.Exercise:
    e: models.Exercise = row[0]
    return schemas.Exercise(
        slug=e.slug,
        name=e.name,
        aliases=list(e.aliases),
        summary=e.summary,
        instructions=list(e.instructions),
        cues=list(e.cues),
        modality=e.modality,  # type: ignore[arg-type]  # validated by a CHECK constraint
        phases=list(e.phases),  # type: ignore[arg-type]
        primary_muscles=list(row.primary_muscles),
        secondary_muscles=list(row.secondary_muscles),
        equipment=list(row.equipment),
        level=e.level,  # type: ignore[arg-type]
        mechanic=e.mechanic,  # type: ignore[arg-type]
        force=e.force,  # type: ignore[arg-type]
        laterality=e.laterality,  # type: ignore[arg-type]
        spinal_load=e.spinal_load,  # type: ignore[arg-type]
        positions=list(e.positions) if e.positions is not None else None,  # type: ignore[arg-type]
        demands=list(e.demands) if e.demands is not None else None,  # type: ignore[arg-type]
        contraindications=[schemas.Contraindication(**c) for c in row.contraindications],
        dose=schemas.Dose(**e.dose),
        regressions=list(row.regressions),
        progressions=list(row.progressions),
        alternatives=list(row.alternatives),
        source=e.source,
        license=e.license,
        updated_at=e.updated_at,
    )


async def _require_known(session: AsyncSession, model: Any, field_name: str, slugs: Sequence[str]) -> None:
    if not slugs:
        return
    candidates = [slug for slug in slugs if is_slug(slug)]
    known = set((await session.scalars(select(model.slug).where(model.slug.in_(candidates)))).all())
    unknown = [s for s in slugs if s not in known]
    if unknown:
        raise Invalid.field(field_name, f"unknown slug(s): {', '.join(unknown)}")


def _search_terms(q: str) -> str:
    # Control characters cannot be searched for (PostgreSQL rejects NUL); they carry no meaning in a name.
    return " ".join("".join(ch for ch in q if ch.isprintable()).split())


async def _filtered(session: AsyncSession, flt: ExerciseFilter) -> tuple[Select[Any], ColumnElement[Any] | None]:
    """The filtered exercise query and, when searching, its relevance expression."""
    query = _exercise_query()
    exercise = models.Exercise
    if flt.muscle is not None:
        known = is_slug(flt.muscle) and await session.scalar(
            select(models.Muscle.id).where(models.Muscle.slug == flt.muscle)
        )
        if not known:
            raise Invalid.field("muscle", f"unknown muscle '{flt.muscle}'")
        link = select(models.ExerciseMuscle.exercise_id).where(
            models.ExerciseMuscle.muscle_id.in_(muscle_subtree_ids(flt.muscle))
        )
        if flt.role is not MuscleRoleFilter.any:
            link = link.where(models.ExerciseMuscle.role == flt.role.value)
        query = query.where(exercise.id.in_(link))
    if flt.equipment:
        await _require_known(session, models.Equipment, "equipment", flt.equipment)
        # Uses every item named: one grouped subquery whatever the number of items (one per item let a URL of
        # 200 repeats run for seconds), with the slugs bound as one array so the statement text never varies.
        wanted = literal(list(flt.equipment), ARRAY(Text))
        query = query.where(
            exercise.id.in_(
                select(models.ExerciseEquipment.exercise_id)
                .join(models.Equipment, models.Equipment.id == models.ExerciseEquipment.equipment_id)
                .where(models.Equipment.slug == any_(wanted))
                .group_by(models.ExerciseEquipment.exercise_id)
                .having(func.count(func.distinct(models.Equipment.slug)) == len(flt.equipment))
            )
        )
    if flt.available_equipment:
        await _require_known(session, models.Equipment, "available_equipment", flt.available_equipment)
        # Doable with the set: no required item outside it. Bodyweight is always at hand.
        have = [*flt.available_equipment, "bodyweight"]
        missing = (
            select(models.ExerciseEquipment.exercise_id)
            .join(models.Equipment, models.Equipment.id == models.ExerciseEquipment.equipment_id)
            .where(models.Equipment.slug.not_in(have))
        )
        query = query.where(exercise.id.not_in(missing))
    if flt.exclude_condition:
        await _require_known(session, models.Condition, "exclude_condition", flt.exclude_condition)
        contraindicated = (
            select(models.ExerciseContraindication.exercise_id)
            .join(models.Condition, models.Condition.id == models.ExerciseContraindication.condition_id)
            .where(models.Condition.slug.in_(flt.exclude_condition))
        )
        query = query.where(exercise.id.not_in(contraindicated))
    if flt.modality is not None:
        query = query.where(exercise.modality == flt.modality.value)
    if flt.phase is not None:
        query = query.where(exercise.phases.contains([flt.phase.value]))
    if flt.level is not None:
        query = query.where(exercise.level == flt.level.value)
    if flt.source is not None:
        # No source is spelt otherwise; a malformed one (say, with a NUL PostgreSQL refuses) matches nothing.
        query = query.where(exercise.source == flt.source if SOURCE_RE.fullmatch(flt.source) else false())
    if flt.updated_since is not None:
        since = flt.updated_since if flt.updated_since.tzinfo else flt.updated_since.replace(tzinfo=UTC)
        query = query.where(exercise.updated_at > since)
    if flt.slugs:
        query = query.where(exercise.slug.in_(flt.slugs))
    relevance: ColumnElement[Any] | None = None
    terms = _search_terms(flt.q) if flt.q is not None else ""
    if terms:
        tsquery = func.websearch_to_tsquery("english", terms)
        similarity = func.word_similarity(terms, exercise.search_text)
        query = query.where(or_(exercise.search_vector.op("@@")(tsquery), similarity >= SEARCH_SIMILARITY))
        relevance = func.greatest(func.ts_rank(exercise.search_vector, tsquery), similarity)
    return query, relevance


@dataclass(frozen=True)
class ExercisePage:
    """A page of exercises with the cursor after each item (GraphQL edges need one per item)."""

    items: list[schemas.Exercise]
    cursors: list[str]
    next_cursor: str | None

    def as_list(self) -> schemas.ExerciseList:
        return schemas.ExerciseList(items=self.items, next_cursor=self.next_cursor)


async def list_exercises(session: AsyncSession, flt: ExerciseFilter, *, limit: int, cursor: str | None) -> ExercisePage:
    query, relevance = await _filtered(session, flt)
    exercise = models.Exercise
    if relevance is None:
        # Keyset on the slug: stable while rows are added or edited between pages.
        if cursor:
            after = decode_cursor(cursor, keys={"after"})["after"]
            if not isinstance(after, str):
                raise Invalid.field("cursor", "not a cursor returned by this API")
            query = query.where(exercise.slug > after)
        rows = (await session.execute(query.order_by(exercise.slug).limit(limit + 1))).all()
        items = [_exercise(r) for r in rows[:limit]]
        cursors = [encode_cursor({"after": item.slug}) for item in items]
    else:
        # Ranked search results page by offset: relevance has no stable key to resume from.
        offset = 0
        if cursor:
            offset = decode_cursor(cursor, keys={"offset"})["offset"]
            if not isinstance(offset, int) or offset < 0:
                raise Invalid.field("cursor", "not a cursor returned by this API")
        ranked = query.order_by(relevance.desc(), exercise.slug).offset(offset).limit(limit + 1)
        rows = (await session.execute(ranked)).all()
        items = [_exercise(r) for r in rows[:limit]]
        cursors = [encode_cursor({"offset": offset + i + 1}) for i in range(len(items))]
    next_cursor = cursors[-1] if len(rows) > limit else None
    return ExercisePage(items=items, cursors=cursors, next_cursor=next_cursor)


async def exercises_by_slug(session: AsyncSession, slugs: Sequence[str]) -> dict[str, schemas.Exercise]:
    slugs = [slug for slug in slugs if is_slug(slug)]
    if not slugs:
        return {}
    rows = (await session.execute(_exercise_query().where(models.Exercise.slug.in_(slugs)))).all()
    return {item.slug: item for item in map(_exercise, rows)}


async def get_exercise(session: AsyncSession, slug: str) -> schemas.ExerciseDetail:
    found = await exercises_by_slug(session, [slug])
    if slug not in found:
        raise NotFound(f"No exercise with slug '{slug}'.")
    exercise = found[slug]
    muscles = await muscle_details_for(session, [slug])
    equipment = await equipment_details_for(session, [slug])
    conditions = dict(
        (
            await session.execute(
                select(models.Condition.slug, models.Condition.name).where(
                    models.Condition.slug.in_([c.condition for c in exercise.contraindications])
                )
            )
        ).all()
    )
    related_slugs = [*exercise.regressions, *exercise.progressions, *exercise.alternatives]
    related = {
        slug: (name, level)
        for slug, name, level in (
            await session.execute(
                select(models.Exercise.slug, models.Exercise.name, models.Exercise.level).where(
                    models.Exercise.slug.in_(related_slugs)
                )
            )
        )
    }
    fields = {name: getattr(exercise, name) for name in schemas.Exercise.__struct_fields__}
    return schemas.ExerciseDetail(
        **fields,
        muscle_details=muscles.get(slug, []),
        equipment_details=equipment.get(slug, []),
        contraindication_details=[
            schemas.ContraindicationDetail(condition=c.condition, name=conditions[c.condition], reason=c.reason)
            for c in exercise.contraindications
        ],
        relation_details=[
            schemas.RelationDetail(relation=kind, slug=s, name=related[s][0], level=Level(related[s][1]))
            for kind, slugs in (
                (RelationKind.regression, exercise.regressions),
                (RelationKind.progression, exercise.progressions),
                (RelationKind.alternative, exercise.alternatives),
            )
            for s in slugs
        ],
    )


async def muscle_details_for(
    session: AsyncSession, exercise_slugs: Sequence[str]
) -> dict[str, list[schemas.ExerciseMuscleDetail]]:
    """Muscles (with role) of many exercises in one statement: the batch behind a DataLoader."""
    query = (
        select(
            models.Exercise.slug,
            models.Muscle.slug,
            models.Muscle.name,
            models.Muscle.kind,
            models.ExerciseMuscle.role,
        )
        .join(models.ExerciseMuscle, models.ExerciseMuscle.exercise_id == models.Exercise.id)
        .join(models.Muscle, models.Muscle.id == models.ExerciseMuscle.muscle_id)
        .where(models.Exercise.slug.in_(exercise_slugs))
        .order_by(models.Exercise.slug, models.ExerciseMuscle.role, models.ExerciseMuscle.position)
    )
    result: dict[str, list[schemas.ExerciseMuscleDetail]] = {}
    for exercise_slug, slug, name, kind, role in await session.execute(query):
        result.setdefault(exercise_slug, []).append(
            schemas.ExerciseMuscleDetail(slug=slug, name=name, kind=MuscleKind(kind), role=MuscleRole(role))
        )
    return result


async def equipment_details_for(
    session: AsyncSession, exercise_slugs: Sequence[str]
) -> dict[str, list[schemas.EquipmentDetail]]:
    """Equipment of many exercises in one statement: the batch behind a DataLoader."""
    query = (
        select(models.Exercise.slug, models.Equipment.slug, models.Equipment.name, models.Equipment.category)
        .join(models.ExerciseEquipment, models.ExerciseEquipment.exercise_id == models.Exercise.id)
        .join(models.Equipment, models.Equipment.id == models.ExerciseEquipment.equipment_id)
        .where(models.Exercise.slug.in_(exercise_slugs))
        .order_by(models.Exercise.slug, models.ExerciseEquipment.position)
    )
    result: dict[str, list[schemas.EquipmentDetail]] = {}
    for exercise_slug, slug, name, category in await session.execute(query):
        result.setdefault(exercise_slug, []).append(
            schemas.EquipmentDetail(slug=slug, name=name, category=EquipmentCategory(category))
        )
    return result


async def exercises_for_muscles(
    session: AsyncSession, keys: Sequence[tuple[str, MuscleRoleFilter]]
) -> dict[tuple[str, MuscleRoleFilter], list[schemas.Exercise]]:
    """Exercises working each muscle's subtree, for many muscles at once: the batch behind a DataLoader."""
    subtree = muscle_subtrees(sorted({slug for slug, _ in keys}))
    pairs = (
        await session.execute(
            select(subtree.c.root, models.ExerciseMuscle.exercise_id, models.ExerciseMuscle.role)
            .join(models.ExerciseMuscle, models.ExerciseMuscle.muscle_id == subtree.c.id)
            .distinct()
        )
    ).all()
    ids = {exercise_id for _, exercise_id, _ in pairs}
    rows = (await session.execute(_exercise_query().where(models.Exercise.id.in_(ids)))).all() if ids else []
    by_id = {row[0].id: _exercise(row) for row in rows}
    result: dict[tuple[str, MuscleRoleFilter], list[schemas.Exercise]] = {}
    for slug, role in keys:
        matching = {
            exercise_id
            for root, exercise_id, link_role in pairs
            if root == slug and (role is MuscleRoleFilter.any or link_role == role.value)
        }
        result[(slug, role)] = sorted((by_id[i] for i in matching), key=lambda e: e.slug)
    return result
