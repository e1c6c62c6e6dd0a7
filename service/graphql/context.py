"""Per-request GraphQL context: the session factory and fresh DataLoaders."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar.datastructures import State
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from strawberry.litestar import BaseContext
from strawberry.types import Info as StrawberryInfo

from service.graphql.loaders import Loaders


class Context(BaseContext, kw_only=True):
    session_factory: async_sessionmaker[AsyncSession]
    loaders: Loaders

    @asynccontextmanager
    async def session(self) -> AsyncIterator[AsyncSession]:
        async with self.session_factory() as session:
            yield session


async def context_getter(state: State) -> Context:
    return Context(session_factory=state.session_factory, loaders=Loaders.create(state.session_factory))


Info = StrawberryInfo[Context, Any]
