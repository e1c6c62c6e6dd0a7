"""The OpenAPI example of `GET /v1/me`: a client holding every scope, built from the real types and key format."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from service.clients.keys import PREFIX, display_prefix
from service.clients.schemas import ClientSummary, KeySummary, Me
from service.clients.scopes import ALL_SCOPES

EXAMPLE_TIME = datetime(2026, 1, 1, tzinfo=UTC)


def client_examples() -> dict[str, dict[str, Any]]:
    """operationId → status → example (see web.openapi_document.add_examples)."""
    me = Me(
        client=ClientSummary(id=uuid.UUID("4a7e1c93-2b5d-4f08-9c6e-3d1a8b7f2e54"), name="habit-app", internal=False),
        key=KeySummary(
            id=uuid.UUID("c2f4e6a8-1b3d-4e5f-8a7b-9c0d1e2f3a4b"), prefix=display_prefix(PREFIX + "3f9a2cXk81QzT0")
        ),
        scopes=sorted(ALL_SCOPES),
        checked_at=EXAMPLE_TIME,
    )
    return {"getMe": {"200": me}}
