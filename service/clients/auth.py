"""Bearer-key authentication and scope checks, shared by REST guards and GraphQL permissions."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.openapi.spec import SecurityRequirement

from service.clients import services
from service.clients.scopes import Scope
from service.clients.services import Principal
from service.problems import FieldError, ProblemError

REALM = 'Bearer realm="realign"'
SECURITY_SCHEME = "apiKey"
_STATE_KEY = "principal"
_MISSING = object()


def unauthorized(detail: str, *, token_presented: bool) -> ProblemError:
    challenge = REALM + (', error="invalid_token"' if token_presented else "")
    return ProblemError(401, detail, headers={"WWW-Authenticate": challenge})


def forbidden(scope: str) -> ProblemError:
    return ProblemError(
        403,
        f"This key's client lacks the '{scope}' scope.",
        errors=[FieldError(field="scope", message=f"requires {scope}")],
        headers={"WWW-Authenticate": f'{REALM}, error="insufficient_scope", scope="{scope}"'},
    )


async def principal_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal | None:
    """The caller, once per request; None without credentials; a 401 problem for bad ones."""
    cached = connection.state.get(_STATE_KEY, _MISSING)
    if cached is not _MISSING:
        return cached
    header = connection.headers.get("authorization")
    principal = None
    if header is not None:
        scheme, _, token = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise unauthorized("Send the key as `Authorization: Bearer <key>`.", token_presented=True)
        app_state = connection.app.state
        async with app_state.session_factory() as session, session.begin():
            principal = await services.authenticate(session, token.strip(), app_state.key_pepper)
        if principal is None:
            raise unauthorized("The key is unknown, revoked, or its client is disabled.", token_presented=True)
    connection.state[_STATE_KEY] = principal
    return principal


def require(principal: Principal | None, scope: Scope | str | None) -> Principal:
    """The principal, when it may act under `scope` (any valid key when scope is None)."""
    if principal is None:
        raise unauthorized("This operation needs an API key: `Authorization: Bearer <key>`.", token_presented=False)
    if scope is not None and not principal.has(str(scope)):
        raise forbidden(str(scope))
    return principal


def requires_scope(scope: Scope | None) -> Any:
    """A route guard: a valid key, carrying `scope` when one is given."""

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        require(await principal_of(connection), scope)

    return guard


async def catalog_guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Catalogue reads are public unless REALIGN_PUBLIC_CATALOG=false; a presented key is always checked."""
    principal = await principal_of(connection)
    if not connection.app.state.public_catalog:
        require(principal, Scope.catalog_read)


SECURED: list[SecurityRequirement] = [{SECURITY_SCHEME: []}]
OPTIONALLY_SECURED: list[SecurityRequirement] = [{}, {SECURITY_SCHEME: []}]
