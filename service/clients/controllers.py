"""REST: who am I. Key and client management is the CLI's (`python -m service clients|keys …`)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from litestar import Controller, Request, get

from service.clients.auth import SECURED, principal_of, require, requires_scope
from service.clients.responses import BAD_REQUEST, UNAUTHORIZED
from service.clients.schemas import ClientSummary, KeySummary, Me
from service.web.problems import SERVICE_UNAVAILABLE, TOO_MANY_REQUESTS


class ClientController(Controller):
    path = "/v1"
    tags = ["clients"]

    @get(
        "/me",
        operation_id="getMe",
        summary="The client and key making this call",
        description="Check a key and see its client's scopes. Any valid key may call it.",
        guards=[requires_scope(None)],
        security=SECURED,
        responses={
            400: BAD_REQUEST,  # an undeclared query parameter
            401: UNAUTHORIZED,
            429: TOO_MANY_REQUESTS,
            503: SERVICE_UNAVAILABLE,
        },
    )
    async def me(self, request: Request[Any, Any, Any]) -> Me:
        principal = require(await principal_of(request), None)
        return Me(
            client=ClientSummary(id=principal.client_id, name=principal.client_name, internal=principal.internal),
            key=KeySummary(id=principal.key_id, prefix=principal.key_prefix),
            scopes=sorted(principal.scopes),
            checked_at=datetime.now(UTC),
        )
