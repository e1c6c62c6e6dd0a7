"""Per-request GraphQL context: the app's runtime, the caller, and fresh DataLoaders."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Request
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from strawberry.litestar import BaseContext
from strawberry.types import Info as StrawberryInfo

from service.clients.auth import principal_of
from service.clients.services import Principal
from service.graphql.loaders import Loaders
from service.runtime import Runtime, RuntimeDep


class Context(BaseContext, kw_only=True):
    runtime: Runtime
    session_factory: async_sessionmaker[AsyncSession]
    loaders: Loaders
    principal: Principal | None
    public_catalog: bool

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self.session_factory() as session:
            yield session


async def context_getter(request: Request[Any, Any, Any], runtime: RuntimeDep) -> Context:
    # A malformed, unknown or revoked key fails the whole request with a 401 problem, as over REST.
    principal = await principal_of(request)
    return Context(
        runtime=runtime,
        session_factory=runtime.session_factory,
        loaders=Loaders.create(
            runtime.session_factory, principal.client_id if principal else None, runtime.outcome_rules
        ),
        principal=principal,
        public_catalog=runtime.settings.public_catalog,
    )


Info = StrawberryInfo[Context, Any]
