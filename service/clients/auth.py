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


RATE_LIMIT_STATE_KEY = "ratelimit"


async def admit(connection: ASGIConnection[Any, Any, Any, Any], principal: Principal | None) -> None:
    """Count the request against its key's quota (its IP's when anonymous); 429 once over it."""
    state = connection.app.state
    quota = state.key_quota if principal else state.anonymous_quota
    if quota is None:
        return
    if principal is not None:
        identity = f"key:{principal.key_id}"
    else:
        identity = f"ip:{connection.client.host if connection.client else 'unknown'}"
    decision = await state.limiter.hit(identity, quota)
    # Kept on the scope so that the response carries the headers too (see app.add_response_headers).
    connection.scope.setdefault("state", {})[RATE_LIMIT_STATE_KEY] = decision
    if not decision.allowed:
        raise ProblemError(
            429,
            f"Rate limit of {quota.limit} requests per {quota.window_seconds} s exceeded; "
            f"retry in {decision.reset_seconds} s.",
            headers=decision.headers(),
        )


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
        principal = require(await principal_of(connection), scope)
        await admit(connection, principal)

    return guard


async def catalog_guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Catalogue reads are public unless REALIGN_PUBLIC_CATALOG=false; a presented key is always checked."""
    principal = await principal_of(connection)
    if not connection.app.state.public_catalog:
        require(principal, Scope.catalog_read)
    await admit(connection, principal)


async def graphql_guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """GraphQL checks scopes per field; here the key is validated and the request counted."""
    await admit(connection, await principal_of(connection))


SECURED: list[SecurityRequirement] = [{SECURITY_SCHEME: []}]
OPTIONALLY_SECURED: list[SecurityRequirement] = [{}, {SECURITY_SCHEME: []}]
