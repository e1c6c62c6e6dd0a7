"""What a caller can learn about its own client and key."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

import msgspec
from msgspec import Meta


class ClientSummary(msgspec.Struct):
    id: Annotated[uuid.UUID, Meta(description="The client's id.")]
    name: Annotated[str, Meta(description="The client's name, as its operator registered it.")]
    internal: Annotated[
        bool, Meta(description="Whether it is the operator's own client, whose statistics cover every client.")
    ]


class KeySummary(msgspec.Struct):
    id: Annotated[uuid.UUID, Meta(description="The key's id (not the key itself, which is never shown again).")]
    prefix: Annotated[str, Meta(description="The key's first characters, to tell keys apart, e.g. `rl_live_ab12`.")]


class Me(msgspec.Struct):
    client: Annotated[ClientSummary, Meta(description="The client the key belongs to.")]
    key: Annotated[KeySummary, Meta(description="The key this request was made with.")]
    scopes: Annotated[
        list[str], Meta(description="What the key may do, e.g. `assessments:write` (see the operations' 403s).")
    ]
    checked_at: Annotated[
        datetime, Meta(description="When the key was checked: the time of this request, by the database's clock.")
    ]
