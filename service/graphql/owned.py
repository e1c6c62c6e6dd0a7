"""What the GraphQL mutations of client-owned resources (assessments, programs) do alike."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from sqlalchemy.ext.asyncio import AsyncSession

from service.clients.auth import require
from service.clients.scopes import Scope
from service.db.tenancy import tenant_session
from service.graphql.context import Info
from service.lib.errors import NotFound


async def erase(info: Info, scope: Scope, delete: Callable[[AsyncSession, str], Awaitable[None]], id: str) -> bool:
    """Erase one of the caller's resources with the domain's `delete`, in one transaction of its tenant session;
    False, as GraphQL answers it, where the domain says there is none (404: unknown or another client's)."""
    principal = require(info.context.principal, scope)
    try:
        async with tenant_session(info.context.session_factory, principal.client_id) as session, session.begin():
            await delete(session, id)
    except NotFound:
        return False
    return True
