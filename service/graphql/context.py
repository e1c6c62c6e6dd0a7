"""Per-request GraphQL context: the session factory and fresh DataLoaders."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Request
from litestar.datastructures import State
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from strawberry.litestar import BaseContext
from strawberry.types import Info as StrawberryInfo

from service.clients.auth import principal_of
from service.clients.services import Principal
from service.graphql.loaders import Loaders


class Context(BaseContext, kw_only=True):
    session_factory: async_sessionmaker[AsyncSession]
    loaders: Loaders
    principal: Principal | None
    public_catalog: bool

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self.session_factory() as session:
            yield session


async def context_getter(request: Request[Any, Any, Any], state: State) -> Context:
    # A malformed, unknown or revoked key fails the whole request with a 401 problem, as over REST.
    principal = await principal_of(request)
    return Context(
        session_factory=state.session_factory,
        loaders=Loaders.create(state.session_factory, principal.client_id if principal else None),
        principal=principal,
        public_catalog=state.public_catalog,
    )


Info = StrawberryInfo[Context, Any]
