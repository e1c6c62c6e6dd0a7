"""The session-level guard fails closed: no tenant, no tenant-owned rows."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

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
