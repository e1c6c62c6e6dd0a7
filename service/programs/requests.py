"""The program request: the `POST /v1/programs` body (and GraphQL's `generateProgram` input, through it).

Field names are the public contract (PRODUCT.md §4); unknown fields are rejected.
"""

from __future__ import annotations

import uuid
from datetime import date
from enum import StrEnum
from typing import Annotated

import msgspec

from service.catalog.enums import Level


class Weekday(StrEnum):
    mon = "mon"
    tue = "tue"
    wed = "wed"
    thu = "thu"
    fri = "fri"
    sat = "sat"
    sun = "sun"


Slug = Annotated[str, msgspec.Meta(min_length=1, max_length=80, pattern=r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")]


class _Request(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    pass


class ProgramRequest(_Request, kw_only=True):
    """What to generate: the assessment it answers and the person's constraints."""

    assessment_id: Annotated[uuid.UUID, msgspec.Meta(description="An assessment of the calling client.")]
    weeks: Annotated[
        int,
        msgspec.Meta(
            ge=1, le=12, description="Program length in weeks; twelve at most, then reassess and generate the next."
        ),
    ] = 8
    sessions_per_week: (
        Annotated[
            int,
            msgspec.Meta(
                ge=2,
                le=4,
                description=(
                    "Strength sessions a week (CLINICAL.md §6); the daily mobility routine comes on top, every day. "
                    "Default: as many as `days` names, else 3."
                ),
            ),
        ]
        | None
    ) = None
    days: (
        Annotated[
            list[Weekday],
            msgspec.Meta(
                min_length=2,
                max_length=4,
                description=(
                    'The weekdays of the strength sessions, e.g. `["mon", "wed", "fri"]`; as many as '
                    "`sessions_per_week` when both are given. Default: mon and thu for 2, mon, wed and fri for 3, "
                    "mon, tue, thu and fri for 4. Sessions on consecutive days never load the same muscle groups."
                ),
                extra_json_schema={"uniqueItems": True},
            ),
        ]
        | None
    ) = None
    starts_on: Annotated[
        date | None,
        msgspec.Meta(
            description=(
                "The first day of week 1 (reassessment dates count from it). Default: the day the program is made."
            )
        ),
    ] = None
    session_minutes: Annotated[
        int,
        msgspec.Meta(
            ge=20,
            le=180,
            description=(
                "Time budget of one strength session, warm-up, set-up and changes included; every session fits it."
            ),
        ),
    ] = 45
    level: (
        Annotated[
            Level,
            msgspec.Meta(
                description=(
                    "Training level. Default: from the assessment's `lifestyle.training_experience` "
                    "(none or beginner → beginner), else beginner."
                )
            ),
        ]
        | None
    ) = None
    available_equipment: (
        Annotated[
            list[Slug],
            msgspec.Meta(
                max_length=64,
                description=(
                    "Equipment slugs the person can use; `bodyweight` is always available. "
                    "Default (absent or null): a full gym, every equipment of the catalogue. `[]` means nothing."
                ),
                extra_json_schema={"uniqueItems": True},
            ),
        ]
        | None
    ) = None
    exclude_exercises: Annotated[
        list[Slug],
        msgspec.Meta(
            max_length=200,
            description="Exercise slugs never to prescribe (listed in `excluded`).",
            extra_json_schema={"uniqueItems": True},
        ),
    ] = []
    conditions: Annotated[
        list[Slug],
        msgspec.Meta(
            max_length=20,
            description=(
                "Condition slugs (GET /v1/conditions) known for this person beyond what the assessment's pain "
                "regions imply, e.g. `pregnancy` or `osteoporosis`; exercises contraindicated for them are left out."
            ),
            extra_json_schema={"uniqueItems": True},
        ),
    ] = []
