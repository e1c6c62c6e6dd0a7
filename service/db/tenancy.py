"""Tenant isolation, enforced in one place: the ORM session.

Every model that belongs to an API client mixes in `TenantOwned`. A session is opened for one tenant
(`tenant_session`), and an ORM event adds `client_id = <tenant>` to every SELECT, UPDATE and DELETE that touches a
tenant-owned model, joins and relationship loads included. A session that names no tenant and touches such a model
is refused: isolation fails closed, so a forgotten filter is an error in tests, not a leak in production.
Cross-tenant reads (the operator's stats) must say so with `ALL_TENANTS`.
"""

from __future__ import annotations

import functools
import uuid
from typing import Any, Final

from sqlalchemy import ForeignKey, Table, event
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, ORMExecuteState, Session, declared_attr, mapped_column, with_loader_criteria
from sqlalchemy.sql import visitors

TENANT_KEY: Final = "tenant"
_TENANT_MODELS: list[Any] = []  # every tenant-owned model class, as it is defined
ALL_TENANTS: Final = "all-tenants"


class TenantOwned:
    """Mixin: the row belongs to one API client."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _TENANT_MODELS.append(cls)

    @declared_attr
    def client_id(cls) -> Mapped[uuid.UUID]:
        return mapped_column(ForeignKey("api_clients.id", ondelete="CASCADE"), index=True)


class TenantScopeMissing(RuntimeError):
    """A query touched tenant-owned rows from a session opened for no tenant."""


def _touches_tenant_rows(state: ORMExecuteState) -> bool:
    return any(issubclass(mapper.class_, TenantOwned) for mapper in state.all_mappers)


class TenantScopedSession(Session):
    """The ORM session of this service (service.db.engine.create_session_factory): the listeners below watch
    this class only, not every SQLAlchemy Session in the process."""


def _reads_tenant_tables(statement: Any) -> bool:
    """Whether a statement in which the ORM sees no tenant-owned entity still reads a tenant-owned table: a UNION of
    selects, or a select from a subquery. The criterion below would reach none of them, and they would read every
    client's rows (tests/integration/test_tenancy_session.py)."""
    tenant_tables = _tenant_tables(len(_TENANT_MODELS))
    return any(isinstance(e, Table) and e in tenant_tables for e in visitors.iterate(statement))


@functools.cache
def _tenant_tables(_count: int) -> frozenset[Table]:
    """The tables of the tenant-owned models, worked out again only when a model was added since (`_count`)."""
    return frozenset(table for model in _TENANT_MODELS if isinstance(table := getattr(model, "__table__", None), Table))


@event.listens_for(TenantScopedSession, "do_orm_execute")
def _scope_to_tenant(state: ORMExecuteState) -> None:
    if not (state.is_select or state.is_update or state.is_delete):
        return
    if not _touches_tenant_rows(state):
        if state.session.info.get(TENANT_KEY) != ALL_TENANTS and _reads_tenant_tables(state.statement):
            raise TenantScopeMissing(
                "tenant-owned rows read where the tenant's criterion cannot reach them (a UNION, or a select from "
                "a subquery): query the tenant-owned model itself"
            )
        return
    tenant = state.session.info.get(TENANT_KEY)
    if tenant is None:
        raise TenantScopeMissing("tenant-owned rows queried from a session opened for no tenant")
    if tenant == ALL_TENANTS:
        return
    state.statement = state.statement.options(
        with_loader_criteria(TenantOwned, lambda cls: cls.client_id == tenant, include_aliases=True)
    )


@event.listens_for(TenantScopedSession, "before_flush")
def _stamp_new_rows(session: Session, *_: Any) -> None:
    """New tenant-owned rows take the session's tenant; a row for another tenant is refused."""
    tenant = session.info.get(TENANT_KEY)
    for obj in session.new:
        if not isinstance(obj, TenantOwned):
            continue
        if tenant is None or tenant == ALL_TENANTS:
            raise TenantScopeMissing("tenant-owned rows must be written from a session opened for their tenant")
        if getattr(obj, "client_id", None) is None:
            obj.client_id = tenant
        elif obj.client_id != tenant:
            raise TenantScopeMissing("a row for another tenant cannot be written from this session")


def tenant_session(factory: async_sessionmaker[AsyncSession], tenant: uuid.UUID | str) -> AsyncSession:
    """A session that can see and write only `tenant`'s rows (or, with ALL_TENANTS, read everyone's)."""
    session = factory()
    session.info[TENANT_KEY] = tenant
    return session
