"""Catalogue reads: the one place REST and GraphQL get muscles, equipment, conditions, patterns and exercises.

Each list is one SQL statement: an exercise row carries its muscles, equipment, contraindications and relations
as arrays built by correlated subqueries, so a page of 500 costs the same number of round trips as a page of 5.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ARRAY, Select, Text, any_, false, func, literal, or_, select, union_all
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
    Tendency,
)
from service.catalog.records import is_slug
from service.lib.errors import Invalid, NotFound
from service.lib.pagination import decode_cursor, encode_cursor

# How sources are spelt: `curated`, or a dataset's own name such as `free-exercise-db`.
SOURCE_RE = re.compile(r"^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$")

# Trigram word similarity above which a query word counts as a (possibly misspelt) match of a name or alias.
SEARCH_SIMILARITY = 0.45


# --------------------------------------------------------------------------------------------- muscles


def _muscle_row_query() -> Select[Any]:
    group = models.Muscle.__table__.alias("grp")
    parent = models.Muscle.__table__.alias("parent")
    member = models.Muscle.__table__.alias("member")
    member_slugs = func.array(
        select(member.c.slug)
        .join(models.MuscleGroupMember, models.MuscleGroupMember.member_id == member.c.id)
        .where(models.MuscleGroupMember.group_id == group.c.id)
        .order_by(member.c.position)
        .scalar_subquery()
    )
    return (
        select(group, parent.c.slug.label("parent_slug"), member_slugs.label("member_slugs"))
        .outerjoin(parent, parent.c.id == group.c.parent_id)
        .order_by(group.c.position)
    )


async def _all_muscles(session: AsyncSession) -> list[schemas.MuscleNode]:
    rows = (await session.execute(_muscle_row_query())).mappings().all()
    children: dict[str, list[str]] = {}
    for row in rows:
        if row["parent_slug"] is not None:
            children.setdefault(row["parent_slug"], []).append(row["slug"])
    return [
        schemas.MuscleNode(
            slug=row["slug"],
            name=row["name"],
            kind=MuscleKind(row["kind"]),
            parent=row["parent_slug"],
            children=children.get(row["slug"], []),
            members=list(row["member_slugs"]),
            latin_name=row["latin_name"],
            actions=list(row["actions"]),
            antagonists=list(row["antagonists"]),
            tendency=Tendency(row["tendency"]),
            trigger_point_site=row["trigger_point_site"],
            description=row["description"],
            updated_at=row["updated_at"],
        )
        for row in rows
    ]


def _page(items: Sequence[Any], limit: int, cursor: str | None) -> tuple[list[Any], str | None]:
    """Keyset paging over a short list already in its stable order (cursor = index of the next item)."""
    start = decode_cursor(cursor, keys={"i"})["i"] if cursor else 0
    if not isinstance(start, int) or start < 0:
        raise Invalid.field("cursor", "not a cursor returned by this API")
    page = list(items[start : start + limit])
    next_cursor = encode_cursor({"i": start + limit}) if start + limit < len(items) else None
    return page, next_cursor


async def list_muscles(session: AsyncSession, *, tree: bool, limit: int, cursor: str | None) -> schemas.MuscleList:
    muscles = await _all_muscles(session)
    if tree:
        by_slug = {m.slug: m for m in muscles}
        for muscle in muscles:
            if muscle.parent is not None:
                by_slug[muscle.parent].subtree.append(muscle)
        return schemas.MuscleList(items=[m for m in muscles if m.parent is None], next_cursor=None)
    items, next_cursor = _page(muscles, limit, cursor)
    return schemas.MuscleList(items=items, next_cursor=next_cursor)


async def get_muscle(session: AsyncSession, slug: str) -> schemas.MuscleDetail:
    muscles = {m.slug: m for m in await _all_muscles(session)}
    muscle = muscles.get(slug)
    if muscle is None:
        raise NotFound(f"No muscle with slug '{slug}'.")
    path: list[str] = []
    parent = muscle.parent
    while parent is not None:
        path.insert(0, parent)
        parent = muscles[parent].parent
    fields = {name: getattr(muscle, name) for name in schemas.Muscle.__struct_fields__}
    return schemas.MuscleDetail(**fields, path=path)


def _muscle_edges() -> Any:
    """Child→parent edges of the tree plus member→group edges of listed members."""
    return union_all(
        select(models.Muscle.id.label("child"), models.Muscle.parent_id.label("parent")).where(
            models.Muscle.parent_id.is_not(None)
        ),
        select(models.MuscleGroupMember.member_id, models.MuscleGroupMember.group_id),
    ).subquery("edges")


def _subtrees(slugs: Sequence[str]) -> Any:
    """(root slug, muscle id) for each root and everything under it: children, parts and listed members."""
    edges = _muscle_edges()
    tree = (
        select(models.Muscle.id.label("id"), models.Muscle.slug.label("root"))
        .where(models.Muscle.slug.in_(slugs))
        .cte("subtree", recursive=True)
    )
    return tree.union(select(edges.c.child, tree.c.root).join(tree, edges.c.parent == tree.c.id))


def muscle_subtree_ids(slug: str) -> Select[Any]:
    return select(_subtrees([slug]).c.id)


# ------------------------------------------------------------------------- equipment, conditions, patterns


def _equipment(row: models.Equipment) -> schemas.Equipment:
    return schemas.Equipment(
        slug=row.slug,
        name=row.name,
        category=EquipmentCategory(row.category),
        description=row.description,
        updated_at=row.updated_at,
    )


async def list_equipment(session: AsyncSession, *, limit: int, cursor: str | None) -> schemas.EquipmentList:
    rows = (await session.scalars(select(models.Equipment).order_by(models.Equipment.position))).all()
    items, next_cursor = _page([_equipment(r) for r in rows], limit, cursor)
    return schemas.EquipmentList(items=items, next_cursor=next_cursor)


async def get_equipment(session: AsyncSession, slug: str) -> schemas.Equipment:
    row = await session.scalar(select(models.Equipment).where(models.Equipment.slug == slug)) if is_slug(slug) else None
    if row is None:
        raise NotFound(f"No equipment with slug '{slug}'.")
    return _equipment(row)


async def condition_names(session: AsyncSession, slugs: Sequence[str]) -> dict[str, str]:
    rows = await session.execute(
        select(models.Condition.slug, models.Condition.name).where(models.Condition.slug.in_(slugs))
    )
    return {slug: name for slug, name in rows}


async def list_conditions(session: AsyncSession, *, limit: int, cursor: str | None) -> schemas.ConditionList:
    rows = (await session.scalars(select(models.Condition).order_by(models.Condition.position))).all()
    conditions = [
        schemas.Condition(slug=r.slug, name=r.name, description=r.description, updated_at=r.updated_at) for r in rows
    ]
    items, next_cursor = _page(conditions, limit, cursor)
    return schemas.ConditionList(items=items, next_cursor=next_cursor)


def _pattern_muscles(role: str) -> Any:
    return func.array(
        select(models.Muscle.slug)
        .join(models.PatternMuscle, models.PatternMuscle.muscle_id == models.Muscle.id)
        .where(models.PatternMuscle.pattern_id == models.Pattern.id, models.PatternMuscle.role == role)
        .order_by(models.PatternMuscle.position)
        .scalar_subquery()
    )


async def list_patterns(session: AsyncSession, *, limit: int, cursor: str | None) -> schemas.PatternList:
    query = select(
        models.Pattern,
        _pattern_muscles("overactive").label("overactive"),
        _pattern_muscles("underactive").label("underactive"),
    ).order_by(models.Pattern.position)
    patterns = [
        schemas.Pattern(
            slug=p.slug,
            name=p.name,
            description=p.description,
            overactive=list(over),
            underactive=list(under),
            typical_findings=list(p.typical_findings),
            references=list(p.references),
            updated_at=p.updated_at,
        )
        for p, over, under in (await session.execute(query)).all()
    ]
    items, next_cursor = _page(patterns, limit, cursor)
    return schemas.PatternList(items=items, next_cursor=next_cursor)


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
    subtree = _subtrees(sorted({slug for slug, _ in keys}))
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
