"""The session-level guard fails closed: no tenant, no tenant-owned rows."""

from __future__ import annotations

import uuid

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient
from sqlalchemy import select, union_all
from sqlalchemy.ext.asyncio import AsyncEngine

from devkit.personas import DESK_WORKER
from service.assessments.models import Assessment
from service.db.engine import create_session_factory
from service.db.tenancy import ALL_TENANTS, TenantScopeMissing, tenant_session


async def test_a_session_without_tenant_cannot_read_tenant_rows(engine: AsyncEngine) -> None:
    factory = create_session_factory(engine)
    async with factory() as session:
        with pytest.raises(TenantScopeMissing):
            await session.execute(select(Assessment))
    async with tenant_session(factory, ALL_TENANTS) as session:
        await session.execute(select(Assessment.id).limit(1))  # the operator's explicit cross-tenant read


async def test_a_session_without_tenant_cannot_write_tenant_rows(engine: AsyncEngine) -> None:
    factory = create_session_factory(engine)
    async with factory() as session:
        session.add(
            Assessment(subject_ref=None, status="ok", ruleset_version="x", pattern_slugs=[], input={}, result={})
        )
        with pytest.raises(TenantScopeMissing):
            await session.flush()


async def test_a_union_of_tenant_rows_is_scoped_or_refused(
    engine: AsyncEngine, client: AsyncTestClient[Litestar], full_access_key: str
) -> None:
    """Issue 18 (found by the stats work): the parts of a UNION ALL escaped the tenant criterion, so a tenant session
    read every client's rows through one. Such a statement is now refused, as a session without tenant is."""
    created = await client.post(
        "/v1/assessments", json=DESK_WORKER, headers={"Authorization": f"Bearer {full_access_key}"}
    )
    assert created.status_code == 201, created.text
    factory = create_session_factory(engine)
    async with tenant_session(factory, uuid.uuid4()) as session:  # a tenant that owns nothing
        inner = select(Assessment.id).subquery()
        for statement in (union_all(select(Assessment.id), select(Assessment.id)), select(inner.c.id)):
            try:
                leaked = (await session.execute(statement)).all()
            except TenantScopeMissing:
                continue
            assert leaked == [], f"a tenant with no rows read other clients' rows through {statement}"
