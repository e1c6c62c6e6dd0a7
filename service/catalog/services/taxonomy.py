"""Catalogue reads of the taxonomy: muscles (a tree, with listed members), equipment, conditions and patterns."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, func, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from service.catalog import models, schemas
from service.catalog.enums import (
    EquipmentCategory,
    MuscleKind,
    Tendency,
)
from service.catalog.records import is_slug
from service.lib.errors import Invalid, NotFound
from service.lib.pagination import decode_cursor, encode_cursor


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


def muscle_subtrees(slugs: Sequence[str]) -> Any:
    """(root slug, muscle id) for each root and everything under it: children, parts and listed members."""
    edges = _muscle_edges()
    tree = (
        select(models.Muscle.id.label("id"), models.Muscle.slug.label("root"))
        .where(models.Muscle.slug.in_(slugs))
        .cte("subtree", recursive=True)
    )
    return tree.union(select(edges.c.child, tree.c.root).join(tree, edges.c.parent == tree.c.id))


def muscle_subtree_ids(slug: str) -> Select[Any]:
    return select(muscle_subtrees([slug]).c.id)


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
