"""Bearer-key authentication and scope checks, shared by REST guards and GraphQL permissions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, cast

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.openapi.spec import SecurityRequirement
from litestar.types import Scope as ASGIScope

from service.clients import services
from service.clients.scopes import Scope
from service.clients.services import Principal
from service.db.oneshot import StatementPool
from service.lib.singleflight import SingleFlight
from service.web.problems import FieldError, ProblemError
from service.web.ratelimit import Limiter, Quota

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


def header_value(scope: ASGIScope, name: bytes) -> str | None:
    """The first value of header `name` (lower-case bytes, as ASGI gives them), or None."""
    return next((v.decode("latin-1") for k, v in scope["headers"] if k == name), None)


def _scope_state(scope: ASGIScope) -> dict[str, Any]:
    return scope.setdefault("state", {})


class KeyLookups:
    """Key lookups of one process; lookups of the same key that overlap share one database round trip.

    A request that arrives while a lookup of its key is in flight takes that lookup's answer: it was read at most
    one round trip before the request came. A revoked or disabled key fails the first lookup that starts after
    the change committed, exactly as when every request ran its own: only lookups in flight are shared, never a
    finished one (SingleFlight). The lookup runs as its own task, so a caller that goes away (a client
    disconnecting) does not cancel it for the others; a failed lookup fails every request that shared it."""

    def __init__(self, statements: StatementPool, pepper: bytes) -> None:
        self._statements = statements
        self._pepper = pepper
        self._in_flight: SingleFlight[str, Principal | None] = SingleFlight()

    async def principal(self, token: str) -> Principal | None:
        return await self._in_flight.run(
            token, lambda: services.authenticate_with(self._statements, token, self._pepper)
        )


@dataclass(frozen=True, kw_only=True)
class Access:
    """What the key and rate-limit checks need of the running app (service.runtime.Runtime holds one)."""

    key_lookups: KeyLookups
    limiter: Limiter
    key_quota: Quota | None
    anonymous_quota: Quota | None
    public_catalog: bool


class _Runtime(Protocol):
    @property
    def access(self) -> Access: ...


class _App(Protocol):
    runtime: _Runtime


def access_of(scope: ASGIScope) -> Access:
    """The access checks of the app serving `scope`: whatever app it is, it has a runtime holding an Access. Said
    by shape, so that this module does not import the runtime that imports it."""
    return cast(_App, scope["app"]).runtime.access


async def principal_of_scope(scope: ASGIScope) -> Principal | None:
    """The caller of this request, once per request; None without credentials; a 401 problem for bad ones."""
    state = _scope_state(scope)
    cached = state.get(_STATE_KEY, _MISSING)
    if cached is not _MISSING:
        return cached
    header = header_value(scope, b"authorization")
    principal = None
    if header is not None:
        scheme, _, token = header.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise unauthorized("Send the key as `Authorization: Bearer <key>`.", token_presented=True)
        principal = await access_of(scope).key_lookups.principal(token.strip())
        if principal is None:
            raise unauthorized("The key is unknown, revoked, or its client is disabled.", token_presented=True)
    state[_STATE_KEY] = principal
    return principal


async def principal_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal | None:
    """The caller, once per request; None without credentials; a 401 problem for bad ones."""
    return await principal_of_scope(connection.scope)


RATE_LIMIT_STATE_KEY = "ratelimit"


async def admit_scope(scope: ASGIScope, principal: Principal | None) -> None:
    """Count the request against its key's quota (its IP's when anonymous), once per request; 429 once over it."""
    access = access_of(scope)
    quota = access.key_quota if principal else access.anonymous_quota
    if quota is None:
        return
    state = _scope_state(scope)
    decision = state.get(RATE_LIMIT_STATE_KEY)
    if decision is None:
        if principal is not None:
            identity = f"key:{principal.key_id}"
        else:
            client = scope.get("client")
            identity = f"ip:{client[0] if client else 'unknown'}"
        decision = await access.limiter.hit(identity, quota)
        # Kept on the scope so that the response carries the headers too (see app.add_response_headers).
        state[RATE_LIMIT_STATE_KEY] = decision
    if not decision.allowed:
        raise ProblemError(
            429,
            f"Rate limit of {quota.limit} requests per {quota.window_seconds} s exceeded; "
            f"retry in {decision.reset_seconds} s.",
            headers=decision.headers(),
        )


async def admit(connection: ASGIConnection[Any, Any, Any, Any], principal: Principal | None) -> None:
    """Count the request against its key's quota (its IP's when anonymous); 429 once over it."""
    await admit_scope(connection.scope, principal)


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


async def check_catalog_access(scope: ASGIScope) -> None:
    """Catalogue reads are public unless REALIGN_PUBLIC_CATALOG=false; a presented key is always checked.

    Shared by the REST guard and the cached-read fast path (service.catalog.cache), so both decide alike."""
    principal = await principal_of_scope(scope)
    if not access_of(scope).public_catalog:
        require(principal, Scope.catalog_read)
    await admit_scope(scope, principal)


async def catalog_guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Catalogue reads are public unless REALIGN_PUBLIC_CATALOG=false; a presented key is always checked."""
    await check_catalog_access(connection.scope)


async def graphql_guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """GraphQL checks scopes per field; here the key is validated and the request counted."""
    await admit(connection, await principal_of(connection))


SECURED: list[SecurityRequirement] = [{SECURITY_SCHEME: []}]
